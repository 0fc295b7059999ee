#pragma once
// BlockSource: what event derivation needs to know about blocks "as of" a journal seq, read from a store
// snapshot, with a shared in-memory cache of recently applied blocks' transfers (so live subscribers do
// not hit RocksDB for the block they were just told about).
//
// Thread-safety: BlockCache is thread-safe. A BlockSource is used by one thread at a time.

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/types.h"

namespace tronidx::api {

using TransferList = std::shared_ptr<const std::vector<store::IndexedTransfer>>;

// The APPLY-time transfers of recent block versions, keyed by (block_num, apply_seq). Entries are
// dropped when a BACKFILL inserts into their block (the database then has more than the APPLY had).
class BlockCache {
 public:
  explicit BlockCache(size_t max_transfers) : max_transfers_(max_transfers) {}
  void put(uint64_t block_num, uint64_t apply_seq, TransferList transfers);
  TransferList get(uint64_t block_num, uint64_t apply_seq) const;
  void evict_block(uint64_t block_num);

 private:
  using Key = std::pair<uint64_t, uint64_t>;
  mutable std::mutex mu_;
  std::map<Key, TransferList> entries_;
  std::list<Key> order_;  // insertion order, oldest first
  size_t transfers_ = 0;
  size_t max_transfers_;
};

class BlockSource {
 public:
  BlockSource(std::shared_ptr<const store::Snapshot> snapshot, const BlockCache* cache)
      : snap_(std::move(snapshot)), cache_(cache) {}

  const store::Snapshot& snapshot() const { return *snap_; }

  // The version (block_num, apply_seq), with its current revert_seq.
  Result<std::optional<store::BlockInfo>> version(uint64_t block_num, uint64_t apply_seq);
  // The version canonical at block_num just before record `seq`.
  Result<std::optional<store::BlockInfo>> block_as_of(uint64_t block_num, uint64_t seq);
  // Whether some version at block_num was applied by a record in (lo_seq, hi_seq).
  Result<bool> applied_between(uint64_t block_num, uint64_t lo_seq, uint64_t hi_seq);
  // The transfers of `version` just before record `as_of_seq` (position order).
  Result<TransferList> transfers(const store::BlockInfo& version, uint64_t as_of_seq);

 private:
  Result<const std::vector<store::BlockInfo>*> versions(uint64_t block_num);

  std::shared_ptr<const store::Snapshot> snap_;
  const BlockCache* cache_;
  std::map<uint64_t, std::vector<store::BlockInfo>> versions_;  // per-source memo
};

}  // namespace tronidx::api
