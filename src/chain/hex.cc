#include "tronidx/chain/hex.h"

#include <array>
#include <cstring>
#include <string>

namespace tronidx::chain {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

// The two digits of every byte value: one load per byte (ids and addresses are rendered on every row an
// API call returns).
constexpr std::array<char, 512> kPairs = [] {
  std::array<char, 512> t{};
  for (size_t b = 0; b < 256; ++b) {
    t[2 * b] = kDigits[b >> 4];
    t[2 * b + 1] = kDigits[b & 0xf];
  }
  return t;
}();

int nibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view strip_0x(std::string_view hex) {
  if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
  return hex;
}

Status decode_into(std::string_view hex, uint8_t* out, std::string_view field) {
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return make_error(Errc::kInvalidArgument,
                        std::string(field) + ": invalid hex character at offset " +
                            std::to_string(hi < 0 ? i : i + 1));
    }
    out[i / 2] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return ok_status();
}

}  // namespace

std::string to_hex(std::span<const uint8_t> bytes) {
  std::string out;
  to_hex_into(bytes, out);
  return out;
}

void to_hex_into(std::span<const uint8_t> bytes, std::string& out) {
  out.resize(bytes.size() * 2);  // within the capacity `out` has: no allocation
  char* p = out.data();
  for (uint8_t b : bytes) {
    std::memcpy(p, &kPairs[2 * size_t{b}], 2);
    p += 2;
  }
}

std::string to_hex(std::string_view bytes) { return to_hex(as_bytes(bytes)); }

Result<std::vector<uint8_t>> from_hex(std::string_view hex, std::string_view field) {
  hex = strip_0x(hex);
  if (hex.size() % 2 != 0) {
    return make_error(Errc::kInvalidArgument, std::string(field) + ": odd number of hex digits");
  }
  std::vector<uint8_t> out(hex.size() / 2);
  TRONIDX_TRY(decode_into(hex, out.data(), field));
  return out;
}

Status from_hex_exact(std::string_view hex, std::span<uint8_t> out, std::string_view field) {
  hex = strip_0x(hex);
  if (hex.size() != out.size() * 2) {
    return make_error(Errc::kInvalidArgument, std::string(field) + ": expected " +
                                                  std::to_string(out.size() * 2) + " hex digits, got " +
                                                  std::to_string(hex.size()));
  }
  return decode_into(hex, out.data(), field);
}

}  // namespace tronidx::chain
