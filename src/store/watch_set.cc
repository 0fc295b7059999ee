#include "tronidx/store/watch_set.h"

#include <mutex>

namespace tronidx::store {

bool WatchSet::watched_now(const chain::Address& address) const {
  std::shared_lock lock(mu_);
  auto it = intervals_.find(address);
  return it != intervals_.end() && !it->second.empty() && it->second.back().removed_seq == 0;
}

bool WatchSet::watched_at(const chain::Address& address, uint64_t seq) const {
  std::shared_lock lock(mu_);
  auto it = intervals_.find(address);
  if (it == intervals_.end()) return false;
  for (const Interval& i : it->second) {
    if (i.added_seq < seq && (i.removed_seq == 0 || seq < i.removed_seq)) return true;
  }
  return false;
}

size_t WatchSet::size() const {
  std::shared_lock lock(mu_);
  return open_;
}

void WatchSet::add(const chain::Address& address, uint64_t added_seq) {
  std::unique_lock lock(mu_);
  auto& v = intervals_[address];
  if (!v.empty() && v.back().removed_seq == 0) return;
  v.push_back({added_seq, 0});
  ++open_;
}

void WatchSet::remove(const chain::Address& address, uint64_t removed_seq) {
  std::unique_lock lock(mu_);
  auto it = intervals_.find(address);
  if (it == intervals_.end() || it->second.empty() || it->second.back().removed_seq != 0) return;
  it->second.back().removed_seq = removed_seq;
  --open_;
}

}  // namespace tronidx::store
