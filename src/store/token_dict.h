#pragma once
// The token dictionary in memory: token address <-> small integer ref used in transfer values.
// Append-only. Thread-safety: lookups from any thread; add() by the writer before the commit that
// first uses a ref becomes visible (remove() if that commit fails).

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "tronidx/chain/address.h"

namespace tronidx::store {

class TokenDict {
 public:
  std::optional<uint32_t> ref(const chain::Address& token) const;
  std::optional<chain::Address> token(uint32_t ref) const;
  uint32_t next_ref() const;
  void add(const chain::Address& token, uint32_t ref);
  // Undoes add(token, ref) of the newest refs (a commit that failed); next_ref() moves back.
  void remove(const chain::Address& token, uint32_t ref);

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<chain::Address, uint32_t, chain::AddressHash> refs_;
  std::vector<std::optional<chain::Address>> tokens_;  // index = ref; ref 0 is TRX
};

}  // namespace tronidx::store
