// Index-family writes of one transaction, handed to RocksDB in key order at commit.
//
// by_address, by_token and by_txid keys arrive in block order, which is random in key order (addresses,
// token refs and txids are spread over the key space). Sorting a group commit's few hundred thousand
// fixed-size keys here is cheap (integer comparisons, after distributing them by 16 bits of their first word; the
// memcmp-based sort it replaced was ~10 % of the daemon's CPU in catch-up), and it hands the memtables long
// sorted runs: the sorted-runs memtables
// (run_memtable.h) merge those runs at flush (on a background thread, while the writer goes on) instead
// of sorting every entry, and a family on a skiplist memtable would insert each key where the previous
// one ended (RocksDB's sequential-insert splice) instead of searching from the top. Measured together
// with two flush threads (docs/performance.md): catch-up without write stalls and a smaller peak RSS than
// unsorted batches.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rocksdb {
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace tronidx::store {

class IndexWrites {
 public:
  static constexpr size_t kMaxKey = 24;  // the longest index key (by_address: 9 + 8 bytes)

  // Queues a put of `key` (at most kMaxKey bytes; the value is usually empty: index entries are keys) or a
  // delete of it in `family`.
  void put(rocksdb::ColumnFamilyHandle* family, std::string_view key, std::string_view value = {}) {
    add(family, key, value, false);
  }
  void erase(rocksdb::ColumnFamilyHandle* family, std::string_view key) { add(family, key, {}, true); }

  // Hands every family's writes to `op`, family by family, each family's in strictly increasing key order:
  // of several writes of one key only the last queued is handed out (a delete then a put of it in one
  // transaction leaves it present). Leaves the queue empty.
  using OpFn = std::function<void(rocksdb::ColumnFamilyHandle* family, std::string_view key, std::string_view value,
                                  bool erase)>;
  void drain(const OpFn& op);

  // drain() into `batch`.
  void emit_into(rocksdb::WriteBatch& batch);

  // The families written to, for draining them concurrently (a catch-up commit builds one table file per
  // family: ingest.h). For i < families(): family(i), its queued writes' count and values' bytes
  // (queued(i), value_bytes(i)), and drain_family(i, op), which is drain() for that family alone. Distinct
  // families may be drained at the same time from different threads, with nothing else called meanwhile.
  // A family stays listed once drained (with nothing queued).
  size_t families() const noexcept { return families_.size(); }
  rocksdb::ColumnFamilyHandle* family(size_t i) const { return families_.at(i).handle; }
  size_t queued(size_t i) const { return families_.at(i).ops.size(); }
  size_t value_bytes(size_t i) const { return families_.at(i).values.size(); }
  void drain_family(size_t i, const OpFn& op);

  // Writes queued, in all families.
  size_t size() const noexcept;

 private:
  // The key is held as three big-endian words, zero-padded: comparing (words, size) as integers orders keys
  // exactly as memcmp then length does (a shorter key that is a prefix of a longer one sorts first), without a
  // library call per comparison.
  static constexpr size_t kWords = kMaxKey / 8;
  struct Op {
    std::array<uint64_t, kWords> words;
    uint32_t order;  // queue position in its family: keeps the writes of one key in order
    uint8_t size;
    bool erase;
  };

  // Sorts one family's ops by (key, order).
  static void sort_ops(std::vector<Op>& ops, std::vector<Op>& scratch);

  struct Family {
    rocksdb::ColumnFamilyHandle* handle;
    std::vector<Op> ops;
    // The values of the puts that have one, by the op's queue position: (offset in `values`, size). Empty
    // while the family's puts have no values (the common case costs nothing).
    std::vector<std::pair<uint32_t, uint32_t>> value_spans;
    std::string values;
    std::vector<Op> scratch;  // sort_ops' (one per family: families are drained concurrently)
  };
  void add(rocksdb::ColumnFamilyHandle* family, std::string_view key, std::string_view value, bool erase);

  std::vector<Family> families_;  // a handful (the index families), in first-use order
};

}  // namespace tronidx::store
