#include "tronidx/chain/amount.h"

#include <algorithm>
#include <charconv>

namespace tronidx::chain {
namespace {

__extension__ using u128 = unsigned __int128;
constexpr uint64_t kTen19 = 10'000'000'000'000'000'000ull;

// limbs = limbs * mul + add; returns the carry out of the top limb.
uint64_t mul_add(std::array<uint64_t, 4>& limbs, uint64_t mul, uint64_t add) noexcept {
  u128 carry = add;
  for (auto& limb : limbs) {
    const u128 v = static_cast<u128>(limb) * mul + carry;
    limb = static_cast<uint64_t>(v);
    carry = v >> 64;
  }
  return static_cast<uint64_t>(carry);
}

// limbs = limbs / div; returns the remainder.
uint64_t div_small(std::array<uint64_t, 4>& limbs, uint64_t div) noexcept {
  u128 rem = 0;
  for (auto it = limbs.rbegin(); it != limbs.rend(); ++it) {
    const u128 cur = (rem << 64) | *it;
    *it = static_cast<uint64_t>(cur / div);
    rem = cur % div;
  }
  return static_cast<uint64_t>(rem);
}

std::string invalid(std::string_view field, std::string_view what) {
  return std::string(field) + ": " + std::string(what);
}

}  // namespace

Result<Amount> Amount::from_be_bytes(std::span<const uint8_t> bytes, std::string_view field) {
  if (bytes.size() > 32) {
    return make_error(Errc::kInvalidArgument,
                      invalid(field, "more than 32 bytes (" + std::to_string(bytes.size()) + ")"));
  }
  Amount a;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const size_t bit = (bytes.size() - 1 - i) * 8;  // significance of this byte
    a.limbs_[bit / 64] |= static_cast<uint64_t>(bytes[i]) << (bit % 64);
  }
  return a;
}

Amount Amount::from_word(std::span<const uint8_t, 32> word) noexcept {
  Amount a;
  for (size_t limb = 0; limb < 4; ++limb) {
    uint64_t v = 0;
    for (size_t b = 0; b < 8; ++b) v = (v << 8) | word[(3 - limb) * 8 + b];
    a.limbs_[limb] = v;
  }
  return a;
}

Result<Amount> Amount::parse_decimal(std::string_view text, std::string_view field) {
  if (text.empty()) return make_error(Errc::kInvalidArgument, invalid(field, "empty number"));
  if (text.size() > 78) return make_error(Errc::kInvalidArgument, invalid(field, "exceeds 256 bits"));
  Amount a;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return make_error(Errc::kInvalidArgument,
                        invalid(field, "not a plain decimal integer (character '" + std::string(1, c) + "')"));
    }
    if (mul_add(a.limbs_, 10, static_cast<uint64_t>(c - '0')) != 0) {
      return make_error(Errc::kInvalidArgument, invalid(field, "exceeds 256 bits"));
    }
  }
  return a;
}

std::string Amount::to_decimal() const {
  if ((limbs_[1] | limbs_[2] | limbs_[3]) == 0) {  // most amounts: no 128-bit division
    char buf[20];
    const auto r = std::to_chars(buf, buf + sizeof buf, limbs_[0]);
    return std::string(buf, r.ptr);
  }
  std::array<uint64_t, 4> v = limbs_;
  std::string out;
  while ((v[0] | v[1] | v[2] | v[3]) != 0) {
    uint64_t chunk = div_small(v, kTen19);
    const bool last = (v[0] | v[1] | v[2] | v[3]) == 0;
    for (int i = 0; i < 19 && (!last || chunk != 0); ++i) {
      out.push_back(static_cast<char>('0' + chunk % 10));
      chunk /= 10;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string Amount::format(unsigned decimals) const { return format_digits(to_decimal(), decimals); }

std::string Amount::format_digits(std::string digits, unsigned decimals) {
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  digits.insert(digits.size() - decimals, 1, '.');
  return digits;
}

std::array<uint8_t, 32> Amount::to_be_bytes() const noexcept {
  std::array<uint8_t, 32> out{};
  for (size_t limb = 0; limb < 4; ++limb) {
    uint64_t v = limbs_[limb];
    for (size_t b = 0; b < 8; ++b) {
      out[(3 - limb) * 8 + (7 - b)] = static_cast<uint8_t>(v & 0xff);
      v >>= 8;
    }
  }
  return out;
}

size_t Amount::compact_size() const noexcept {
  for (size_t limb = 4; limb-- > 0;) {
    if (limbs_[limb] != 0) {
      const int lz = __builtin_clzll(limbs_[limb]);
      return limb * 8 + static_cast<size_t>(8 - lz / 8);
    }
  }
  return 0;
}

std::string Amount::to_compact_bytes() const {
  const auto be = to_be_bytes();
  const size_t n = compact_size();
  return std::string(reinterpret_cast<const char*>(be.data()) + (32 - n), n);  // NOLINT
}

std::optional<uint64_t> Amount::to_u64() const noexcept {
  if ((limbs_[1] | limbs_[2] | limbs_[3]) != 0) return std::nullopt;
  return limbs_[0];
}

std::optional<Amount> Amount::checked_add(const Amount& other) const noexcept {
  Amount r;
  u128 carry = 0;
  for (size_t i = 0; i < 4; ++i) {
    const u128 v = static_cast<u128>(limbs_[i]) + other.limbs_[i] + carry;
    r.limbs_[i] = static_cast<uint64_t>(v);
    carry = v >> 64;
  }
  if (carry != 0) return std::nullopt;
  return r;
}

std::optional<Amount> Amount::checked_sub(const Amount& other) const noexcept {
  if (*this < other) return std::nullopt;
  Amount r;
  uint64_t borrow = 0;
  for (size_t i = 0; i < 4; ++i) {
    const uint64_t a = limbs_[i];
    const uint64_t b = other.limbs_[i];
    r.limbs_[i] = a - b - borrow;
    borrow = (a < b || (a == b && borrow != 0)) ? 1 : 0;
  }
  return r;
}

std::strong_ordering Amount::operator<=>(const Amount& other) const noexcept {
  for (size_t i = 4; i-- > 0;) {
    if (limbs_[i] != other.limbs_[i]) return limbs_[i] <=> other.limbs_[i];
  }
  return std::strong_ordering::equal;
}

}  // namespace tronidx::chain
