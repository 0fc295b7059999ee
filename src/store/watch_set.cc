#include "tronidx/store/watch_set.h"

#include <algorithm>
#include <mutex>

namespace tronidx::store {

bool WatchSet::watched_now(const chain::Address& address) const {
  std::shared_lock lock(mu_);
  auto it = latest_.find(address);
  return it != latest_.end() && it->second.removed_seq == 0;
}

bool WatchSet::watched_at(const chain::Address& address, uint64_t seq) const {
  auto covers = [seq](const Interval& i) { return i.added_seq < seq && (i.removed_seq == 0 || seq < i.removed_seq); };
  std::shared_lock lock(mu_);
  auto it = latest_.find(address);
  if (it == latest_.end()) return false;
  if (covers(it->second)) return true;
  if (seq > it->second.added_seq) return false;  // after the latest interval began: only it could cover
  auto old = earlier_.find(address);
  if (old == earlier_.end()) return false;
  for (const Interval& i : old->second) {
    if (covers(i)) return true;
  }
  return false;
}

bool WatchSet::watched_between(const chain::Address& address, uint64_t lo_seq, uint64_t hi_seq) const {
  // The first record an interval covers from lo_seq on: after both lo_seq and its WATCH on record.
  auto overlaps = [lo_seq, hi_seq](const Interval& i) {
    const uint64_t first = std::max(lo_seq, i.added_seq) + 1;
    return first < hi_seq && (i.removed_seq == 0 || first < i.removed_seq);
  };
  std::shared_lock lock(mu_);
  auto it = latest_.find(address);
  if (it == latest_.end()) return false;
  if (overlaps(it->second)) return true;
  auto old = earlier_.find(address);
  if (old == earlier_.end()) return false;
  for (const Interval& i : old->second) {
    if (overlaps(i)) return true;
  }
  return false;
}

size_t WatchSet::size() const {
  std::shared_lock lock(mu_);
  return open_;
}

void WatchSet::add(const chain::Address& address, uint64_t added_seq) {
  std::unique_lock lock(mu_);
  auto [it, inserted] = latest_.try_emplace(address, Interval{added_seq, 0});
  if (!inserted) {
    if (it->second.removed_seq == 0) return;  // already watched
    earlier_[address].push_back(it->second);
    it->second = Interval{added_seq, 0};
  }
  ++open_;
}

void WatchSet::remove(const chain::Address& address, uint64_t removed_seq) {
  std::unique_lock lock(mu_);
  auto it = latest_.find(address);
  if (it == latest_.end() || it->second.removed_seq != 0) return;
  it->second.removed_seq = removed_seq;
  --open_;
}

}  // namespace tronidx::store
