#pragma once
// A RocksDB memtable representation for the index families: an append-only vector of entries that
// remembers where each sorted run of inserts begins, and merges those runs (instead of sorting every
// entry) when the memtable is read.
//
// Why: a commit hands RocksDB each index family's keys already sorted (IndexWrites), so a memtable is a
// few long sorted runs, one per commit. RocksDB's own vector memtable std::sorts all n entries at flush
// (n log n comparisons of length-prefixed internal keys: ~20 % of the daemon's CPU during catch-up); a
// merge of k runs costs n log k. Inserts stay appends plus one comparison with the previous entry.
//
// Contract (RocksDB's MemTableRep): one writer at a time (allow_concurrent_memtable_write = false);
// readers may create iterators concurrently with the writer. An iterator over the mutable memtable
// merges a copy of the entries taken under the lock (like the vector memtable, reading a large mutable
// memtable is expensive: the writer keeps these memtables small when reads matter); over a read-only
// (immutable) memtable the runs are merged once, in place, and shared by every later iterator.
// Only for column families with RocksDB's default (bytewise) comparator: runs are found and merged with
// an inlined copy of that order.

#include <rocksdb/memtablerep.h>

namespace tronidx::store {

class SortedRunsRepFactory final : public rocksdb::MemTableRepFactory {
 public:
  using rocksdb::MemTableRepFactory::CreateMemTableRep;
  rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator& compare,
                                          rocksdb::Allocator* allocator, const rocksdb::SliceTransform* transform,
                                          rocksdb::Logger* logger) override;
  const char* Name() const override { return "TronidxSortedRunsRepFactory"; }
};

}  // namespace tronidx::store
