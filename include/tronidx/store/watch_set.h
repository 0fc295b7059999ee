#pragma once
// The watched set with its history: which addresses were watched as of any journal seq.
// Thread-safety: all const methods may be called from any thread concurrently with the writer; add() and
// remove() are called by the store's writer only, after the corresponding commit is durable.

#include <cstdint>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "tronidx/chain/address.h"

namespace tronidx::store {

class WatchSet {
 public:
  // Watched for journal records after the current end of the journal.
  bool watched_now(const chain::Address& address) const;
  // Watched for the journal record `seq`: some interval has added_seq < seq and (removed_seq == 0 or
  // seq < removed_seq). (A WATCH record changes what matches from the next record on.)
  bool watched_at(const chain::Address& address, uint64_t seq) const;
  // Watched for some journal record in (lo_seq, hi_seq).
  bool watched_between(const chain::Address& address, uint64_t lo_seq, uint64_t hi_seq) const;
  size_t size() const;  // currently watched addresses

  void add(const chain::Address& address, uint64_t added_seq);
  void remove(const chain::Address& address, uint64_t removed_seq);

 private:
  struct Interval {
    uint64_t added_seq;
    uint64_t removed_seq;  // 0 = open
  };
  mutable std::shared_mutex mu_;
  // The latest interval of every address ever watched (one map node each: ~80 bytes per address), and the
  // earlier intervals of the few addresses watched more than once.
  std::unordered_map<chain::Address, Interval, chain::AddressHash> latest_;
  std::unordered_map<chain::Address, std::vector<Interval>, chain::AddressHash> earlier_;
  size_t open_ = 0;
};

}  // namespace tronidx::store
