#pragma once
// Block ids and transaction ids as java-tron computes them.
//   block id = BE64(block_num) || sha256(serialised BlockHeader.raw)[8..32)
//   txid     = sha256(serialised Transaction.raw)

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tronidx/chain/hash.h"
#include "tronidx/chain/result.h"

namespace tronidx::chain {

struct BlockId {
  Hash32 hash;

  // The number embedded in the first 8 bytes.
  uint64_t block_num() const noexcept;
  std::string to_hex() const;
  // Exactly 64 hex digits (an optional 0x prefix is accepted). Errors name `field`.
  static Result<BlockId> parse_hex(std::string_view hex, std::string_view field = "block_id");
  static Result<BlockId> from_bytes(std::span<const uint8_t> bytes32, std::string_view field = "block_id");
  // Computes the id of a header from the exact bytes of its serialised `raw` part.
  static BlockId compute(uint64_t block_num, std::span<const uint8_t> raw_header_bytes) noexcept;

  auto operator<=>(const BlockId&) const = default;
};

struct TxId {
  Hash32 hash;

  std::string to_hex() const;
  static Result<TxId> parse_hex(std::string_view hex, std::string_view field = "txid");
  static Result<TxId> from_bytes(std::span<const uint8_t> bytes32, std::string_view field = "txid");
  // sha256 of the exact bytes of a serialised Transaction.raw.
  static TxId compute(std::span<const uint8_t> raw_data_bytes) noexcept;

  auto operator<=>(const TxId&) const = default;
};

struct TxIdHash {
  size_t operator()(const TxId& t) const noexcept;
};

}  // namespace tronidx::chain
