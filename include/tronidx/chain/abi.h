#pragma once
// ABI word decoding (Solidity/TVM 32-byte words).

#include <cstdint>
#include <span>

#include "tronidx/chain/address.h"
#include "tronidx/chain/amount.h"

namespace tronidx::chain {

// An address-typed word: the last 20 bytes, prefixed with 0x41 (the upper 12 bytes are not checked,
// matching how TVM and java-tron read them).
Address address_from_word(std::span<const uint8_t, 32> word) noexcept;

// A uint256 word, big-endian.
inline Amount uint256_from_word(std::span<const uint8_t, 32> word) noexcept { return Amount::from_word(word); }

}  // namespace tronidx::chain
