#pragma once
// TRON account/contract address: 21 bytes, 0x41 prefix + 20-byte account hash. Base58check ("T...") at
// the edges, the 21-byte form everywhere inside.

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "tronidx/chain/result.h"

namespace tronidx::chain {

class Address {
 public:
  static constexpr uint8_t kPrefix = 0x41;
  static constexpr size_t kSize = 21;

  // The all-zero value (prefix included): T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb.
  Address() { bytes_[0] = kPrefix; }

  // Parses "T..." base58check, "41" + 40 hex, or "0x" + 40 hex (EVM form); 40 bare hex digits are
  // refused (a 41-form address missing two digits looks the same).
  // Errors (kInvalidArgument) name `field` and say what is wrong: bad character, bad checksum, wrong
  // prefix, wrong length.
  static Result<Address> parse(std::string_view text, std::string_view field = "address");

  // From 21 raw bytes (must start with 0x41) — e.g. a protobuf `*_address` field.
  static Result<Address> from_bytes(std::span<const uint8_t> bytes21, std::string_view field = "address");
  // Any 21 bytes, unvalidated: for values read back from our own storage and for token sentinels
  // (see decode/transfer.h). Input from outside must go through parse() or from_bytes().
  static Address from_raw(std::span<const uint8_t, kSize> bytes21) noexcept;
  // From 20 raw bytes (TVM log address, last 20 bytes of a topic word): prepends 0x41. Never fails.
  static Address from_evm(std::span<const uint8_t, 20> bytes20) noexcept;

  std::string to_base58() const;
  std::string to_hex() const;  // "41" + 40 hex

  const std::array<uint8_t, kSize>& bytes() const noexcept { return bytes_; }
  std::span<const uint8_t, 20> evm() const noexcept { return std::span<const uint8_t, 20>(bytes_.data() + 1, 20); }

  auto operator<=>(const Address&) const = default;

 private:
  std::array<uint8_t, kSize> bytes_{};
};

// Base58 (Bitcoin alphabet) and base58check (payload || sha256(sha256(payload))[0..4)).
std::string base58_encode(std::span<const uint8_t> data);
Result<std::string> base58_decode(std::string_view text, std::string_view field = "base58");
std::string base58check_encode(std::span<const uint8_t> payload);
Result<std::string> base58check_decode(std::string_view text, std::string_view field = "base58");

struct AddressHash {
  size_t operator()(const Address& a) const noexcept;
};

}  // namespace tronidx::chain
