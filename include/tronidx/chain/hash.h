#pragma once
// Hash functions used by TRON: SHA-256 (block ids, txids, base58check) and Keccak-256 (event topics and
// function selectors; the original Keccak padding 0x01, not NIST SHA3-256).

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string_view>

namespace tronidx::chain {

struct Hash32 {
  std::array<uint8_t, 32> bytes{};

  auto operator<=>(const Hash32&) const = default;
  std::span<const uint8_t> span() const { return bytes; }
  bool is_zero() const noexcept;
};

Hash32 sha256(std::span<const uint8_t> data) noexcept;
Hash32 sha256(std::string_view data) noexcept;
Hash32 keccak256(std::span<const uint8_t> data) noexcept;
Hash32 keccak256(std::string_view data) noexcept;

// keccak256("Transfer(address,address,uint256)"): topic0 of TRC20/TRC721 Transfer events.
const Hash32& transfer_event_topic() noexcept;

// First 4 bytes of keccak256(signature), e.g. "transfer(address,uint256)" -> a9059cbb.
std::array<uint8_t, 4> function_selector(std::string_view signature) noexcept;

}  // namespace tronidx::chain
