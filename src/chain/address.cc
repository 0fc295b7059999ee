#include "tronidx/chain/address.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"

namespace tronidx::chain {
namespace {

constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

int base58_value(char c) noexcept {
  const char* p = std::strchr(kAlphabet, c);
  return (p == nullptr || c == '\0') ? -1 : static_cast<int>(p - kAlphabet);
}

std::string err_field(std::string_view field, std::string_view what) {
  return std::string(field) + ": " + std::string(what);
}

}  // namespace

std::string base58_encode(std::span<const uint8_t> data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // The number as big-endian 32-bit words, divided repeatedly by 58^5 (five digits per pass): about ten
  // times fewer operations than one byte and one digit at a time. This runs for every address the API
  // returns, so the usual sizes (a 25-byte address) work in stack buffers.
  const size_t nbytes = data.size() - zeros;
  const size_t nwords = (nbytes + 3) / 4;
  const size_t max_digits = nwords * 5 * 10 / 9 + 5;  // 32 bits < 5.5 base-58 digits; rounded up per pass
  std::array<uint32_t, 16> small_words{};
  std::array<char, 96> small_digits{};
  std::vector<uint32_t> big_words;
  std::string big_digits;
  uint32_t* words = small_words.data();
  char* digits = small_digits.data();
  if (nwords > small_words.size() || max_digits > small_digits.size()) {
    big_words.assign(nwords, 0);
    big_digits.assign(max_digits, '\0');
    words = big_words.data();
    digits = big_digits.data();
  }
  for (size_t i = 0; i < nbytes; ++i) {
    const size_t bit = (nbytes - 1 - i) * 8;  // significance of byte i
    words[nwords - 1 - bit / 32] |= uint32_t{data[zeros + i]} << (bit % 32);
  }
  constexpr uint32_t kBase5 = 58u * 58u * 58u * 58u * 58u;  // 656,356,768
  size_t n = 0;      // digits written, least significant first
  size_t first = 0;  // first non-zero word
  while (first < nwords) {
    uint64_t rem = 0;
    for (size_t i = first; i < nwords; ++i) {
      const uint64_t cur = (rem << 32) | words[i];
      words[i] = static_cast<uint32_t>(cur / kBase5);
      rem = cur % kBase5;
    }
    while (first < nwords && words[first] == 0) ++first;
    auto r = static_cast<uint32_t>(rem);
    for (int d = 0; d < 5; ++d) {
      digits[n++] = kAlphabet[r % 58];
      r /= 58;
    }
  }
  while (n > 0 && digits[n - 1] == kAlphabet[0]) --n;  // leading zeros of the last chunk
  std::string out;
  out.reserve(zeros + n);
  out.append(zeros, '1');
  for (size_t i = n; i > 0; --i) out.push_back(digits[i - 1]);
  return out;
}

Result<std::string> base58_decode(std::string_view text, std::string_view field) {
  if (text.empty()) return make_error(Errc::kInvalidArgument, err_field(field, "empty"));
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  std::vector<uint8_t> bytes(text.size() * 733 / 1000 + 1, 0);  // log(58)/log(256) ~ 0.733
  size_t used = 0;
  for (size_t i = zeros; i < text.size(); ++i) {
    const int v = base58_value(text[i]);
    if (v < 0) {
      return make_error(Errc::kInvalidArgument,
                        err_field(field, "invalid base58 character '" + std::string(1, text[i]) +
                                             "' at offset " + std::to_string(i)));
    }
    unsigned carry = static_cast<unsigned>(v);
    size_t j = 0;
    for (auto it = bytes.rbegin(); (carry != 0 || j < used) && it != bytes.rend(); ++it, ++j) {
      carry += 58u * *it;
      *it = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    used = j;
  }
  auto it = std::find_if(bytes.begin(), bytes.end(), [](uint8_t b) { return b != 0; });
  std::string out(zeros, '\0');
  out.append(it, bytes.end());
  return out;
}

std::string base58check_encode(std::span<const uint8_t> payload) {
  const Hash32 h = sha256(sha256(payload).span());
  std::array<uint8_t, 64> small{};  // an address (21 bytes + 4) needs no allocation
  std::vector<uint8_t> big;
  uint8_t* buf = small.data();
  if (payload.size() + 4 > small.size()) {
    big.resize(payload.size() + 4);
    buf = big.data();
  }
  std::copy(payload.begin(), payload.end(), buf);
  std::copy(h.bytes.begin(), h.bytes.begin() + 4, buf + payload.size());
  return base58_encode(std::span<const uint8_t>(buf, payload.size() + 4));
}

Result<std::string> base58check_decode(std::string_view text, std::string_view field) {
  TRONIDX_ASSIGN(std::string raw, base58_decode(text, field));
  if (raw.size() < 5) return make_error(Errc::kInvalidArgument, err_field(field, "too short for base58check"));
  const std::string_view payload(raw.data(), raw.size() - 4);
  const Hash32 h = sha256(sha256(payload).span());
  if (std::memcmp(h.bytes.data(), raw.data() + payload.size(), 4) != 0) {
    return make_error(Errc::kInvalidArgument, err_field(field, "bad base58check checksum"));
  }
  return std::string(payload);
}

Result<Address> Address::from_bytes(std::span<const uint8_t> bytes21, std::string_view field) {
  if (bytes21.size() != kSize) {
    return make_error(Errc::kInvalidArgument,
                      err_field(field, "expected 21 bytes, got " + std::to_string(bytes21.size())));
  }
  if (bytes21[0] != kPrefix) {
    return make_error(Errc::kInvalidArgument, err_field(field, "wrong prefix 0x" + chain::to_hex(bytes21.first(1)) +
                                                                   " (TRON mainnet addresses start with 0x41)"));
  }
  Address a;
  std::copy(bytes21.begin(), bytes21.end(), a.bytes_.begin());
  return a;
}

Address Address::from_raw(std::span<const uint8_t, kSize> bytes21) noexcept {
  Address a;
  std::copy(bytes21.begin(), bytes21.end(), a.bytes_.begin());
  return a;
}

Address Address::from_evm(std::span<const uint8_t, 20> bytes20) noexcept {
  Address a;
  std::copy(bytes20.begin(), bytes20.end(), a.bytes_.begin() + 1);
  return a;
}

Result<Address> Address::parse(std::string_view text, std::string_view field) {
  if (text.empty()) return make_error(Errc::kInvalidArgument, err_field(field, "empty address"));
  const bool has_0x = text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string_view hex = has_0x ? text.substr(2) : text;
  // "0x" + 40 digits (EVM form) or 42 digits (41 prefix) mean hex; from_hex_exact names any bad character.
  // 40 bare digits are refused: they look like a 41-form address missing two digits, and guessing would
  // silently name another address.
  if (hex.size() == 40 && !has_0x) {
    return make_error(Errc::kInvalidArgument,
                      err_field(field, "40 hex digits without 0x: write an EVM-form address as 0x + 40 digits, a "
                                       "TRON hex address as 41 + 40 digits"));
  }
  if (hex.size() == 40) {
    std::array<uint8_t, 20> evm{};
    TRONIDX_TRY(from_hex_exact(hex, evm, field));
    return from_evm(evm);
  }
  if (hex.size() == 42 && !has_0x) {
    std::array<uint8_t, 21> raw{};
    TRONIDX_TRY(from_hex_exact(hex, raw, field));
    return from_bytes(raw, field);
  }
  const bool base58 =
      !has_0x && std::all_of(text.begin(), text.end(), [](char c) { return c != '\0' && std::strchr(kAlphabet, c) != nullptr; });
  if (!has_0x && text[0] == 'T' && text.size() != 34) {
    return make_error(Errc::kInvalidArgument, err_field(field, "base58 address must be 34 characters, got " +
                                                                   std::to_string(text.size())));
  }
  if (base58 || (!has_0x && text[0] == 'T')) {
    // base58check: the checksum first, then the payload's length and prefix (so a legacy 0xa0 address is
    // reported as a wrong prefix, not as garbage).
    TRONIDX_ASSIGN(std::string raw, base58check_decode(text, field));
    if (raw.size() != kSize) {
      return make_error(Errc::kInvalidArgument,
                        err_field(field, "base58 address decodes to " + std::to_string(raw.size()) +
                                             " bytes, expected 21 (34 characters starting with T)"));
    }
    return from_bytes(as_bytes(raw), field);
  }
  return make_error(Errc::kInvalidArgument,
                    err_field(field, "not an address: expected base58 (T..., 34 chars), hex 41... (42 "
                                     "digits) or 0x... (40 digits)"));
}

std::string Address::to_base58() const { return base58check_encode(bytes_); }

std::string Address::to_hex() const { return chain::to_hex(bytes_); }

size_t AddressHash::operator()(const Address& a) const noexcept {
  // Addresses are hash outputs: 8 of their bytes are already uniformly distributed.
  uint64_t v = 0;
  std::memcpy(&v, a.bytes().data() + 1, sizeof v);
  return static_cast<size_t>(v);
}

}  // namespace tronidx::chain
