#pragma once
// Lower-case hex encoding of byte strings (no 0x prefix) and strict decoding.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tronidx/chain/result.h"

namespace tronidx::chain {

std::string to_hex(std::span<const uint8_t> bytes);
std::string to_hex(std::string_view bytes);
// The same into `out` (its contents replaced), reusing its buffer: a response's strings that a reused
// message keeps (src/api/pooled_messages.h).
void to_hex_into(std::span<const uint8_t> bytes, std::string& out);

// Decodes an even-length hex string (either case, optional "0x"/"0X" prefix). Errors name `field`.
Result<std::vector<uint8_t>> from_hex(std::string_view hex, std::string_view field = "hex");

// Decodes into exactly out.size() bytes; any other length is an error naming `field`.
Status from_hex_exact(std::string_view hex, std::span<uint8_t> out, std::string_view field = "hex");

inline std::string_view as_chars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};  // NOLINT
}
inline std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};  // NOLINT
}

}  // namespace tronidx::chain
