#include "tronidx/chain/abi.h"

namespace tronidx::chain {

Address address_from_word(std::span<const uint8_t, 32> word) noexcept {
  return Address::from_evm(word.subspan<12, 20>());
}

}  // namespace tronidx::chain
