#pragma once
// Amount: an exact unsigned 256-bit integer (TRC20 values are uint256; TRX/TRC10 amounts are int64 sun).
// Never converted to floating point: decimal strings in, decimal strings out.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tronidx/chain/result.h"

namespace tronidx::chain {

class Amount {
 public:
  constexpr Amount() = default;
  constexpr explicit Amount(uint64_t v) : limbs_{v, 0, 0, 0} {}

  // Big-endian bytes, at most 32 (shorter means leading zeros). Longer input is kInvalidArgument.
  static Result<Amount> from_be_bytes(std::span<const uint8_t> bytes, std::string_view field = "amount");
  static Amount from_word(std::span<const uint8_t, 32> word) noexcept;
  // Plain decimal digits only ("0", "123"); no sign, no exponent, no separators; must fit in 256 bits.
  static Result<Amount> parse_decimal(std::string_view text, std::string_view field = "amount");

  std::string to_decimal() const;
  // Fixed-point rendering with exactly `decimals` fraction digits: 1500000 with 6 -> "1.500000";
  // decimals = 0 -> same as to_decimal(). decimals up to 77.
  std::string format(unsigned decimals) const;
  // format() of an amount whose to_decimal() is `digits` (a caller that needs both computes the digits once).
  static std::string format_digits(std::string digits, unsigned decimals);

  std::array<uint8_t, 32> to_be_bytes() const noexcept;
  // Minimal big-endian encoding (no leading zero bytes; zero encodes as an empty string) for storage.
  std::string to_compact_bytes() const;
  size_t compact_size() const noexcept;

  bool is_zero() const noexcept { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  std::optional<uint64_t> to_u64() const noexcept;

  // Checked arithmetic: std::nullopt on overflow/underflow.
  std::optional<Amount> checked_add(const Amount& other) const noexcept;
  std::optional<Amount> checked_sub(const Amount& other) const noexcept;

  std::strong_ordering operator<=>(const Amount& other) const noexcept;
  bool operator==(const Amount& other) const noexcept = default;

 private:
  std::array<uint64_t, 4> limbs_{};  // little-endian limbs: limbs_[0] is the least significant
};

}  // namespace tronidx::chain
