#include "tronidx/chain/ids.h"

#include <algorithm>
#include <cstring>

#include "tronidx/chain/hex.h"

namespace tronidx::chain {
namespace {

Result<Hash32> hash_from_bytes(std::span<const uint8_t> bytes, std::string_view field) {
  if (bytes.size() != 32) {
    return make_error(Errc::kInvalidArgument,
                      std::string(field) + ": expected 32 bytes, got " + std::to_string(bytes.size()));
  }
  Hash32 h;
  std::copy(bytes.begin(), bytes.end(), h.bytes.begin());
  return h;
}

Result<Hash32> hash_from_hex(std::string_view hex, std::string_view field) {
  Hash32 h;
  TRONIDX_TRY(from_hex_exact(hex, h.bytes, field));
  return h;
}

}  // namespace

uint64_t BlockId::block_num() const noexcept {
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = (n << 8) | hash.bytes[static_cast<size_t>(i)];
  return n;
}

std::string BlockId::to_hex() const { return chain::to_hex(hash.bytes); }

Result<BlockId> BlockId::parse_hex(std::string_view hex, std::string_view field) {
  TRONIDX_ASSIGN(Hash32 h, hash_from_hex(hex, field));
  return BlockId{h};
}

Result<BlockId> BlockId::from_bytes(std::span<const uint8_t> bytes32, std::string_view field) {
  TRONIDX_ASSIGN(Hash32 h, hash_from_bytes(bytes32, field));
  return BlockId{h};
}

BlockId BlockId::compute(uint64_t block_num, std::span<const uint8_t> raw_header_bytes) noexcept {
  BlockId id{sha256(raw_header_bytes)};
  for (int i = 7; i >= 0; --i) {
    id.hash.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(block_num & 0xff);
    block_num >>= 8;
  }
  return id;
}

std::string TxId::to_hex() const { return chain::to_hex(hash.bytes); }

Result<TxId> TxId::parse_hex(std::string_view hex, std::string_view field) {
  TRONIDX_ASSIGN(Hash32 h, hash_from_hex(hex, field));
  return TxId{h};
}

Result<TxId> TxId::from_bytes(std::span<const uint8_t> bytes32, std::string_view field) {
  TRONIDX_ASSIGN(Hash32 h, hash_from_bytes(bytes32, field));
  return TxId{h};
}

TxId TxId::compute(std::span<const uint8_t> raw_data_bytes) noexcept { return TxId{sha256(raw_data_bytes)}; }

size_t TxIdHash::operator()(const TxId& t) const noexcept {
  uint64_t v = 0;
  std::memcpy(&v, t.hash.bytes.data(), sizeof v);
  return static_cast<size_t>(v);
}

}  // namespace tronidx::chain
