// The index families' compaction deferred while a catch-up ingests commits (RocksDB's bulk-load practice).
//
// The index families' new keys interleave with all older ones, so every catch-up commit's L0 file overlaps
// the whole family, and leveled compaction rewrites each key several times on its way to the last level
// (~2.4 times for by_address, ~4 for by_token over a 30,000-block catch-up: docs/performance.md). While a
// catch-up ingests commits, their automatic compaction is off instead: each commit's file stays at L0 (a
// query passes over the files whose prefix or whole-key filter excludes its key), and when the catch-up ends
// it is turned back on, and RocksDB's next L0 compaction merges the whole pile into the level below, rewriting
// each key once on that step. A family whose L0 reaches `max_l0_files` gets its automatic compaction back for
// the rest of that catch-up, so a long catch-up keeps a bounded L0 and from there on compacts as it would
// without deferral. (Turning it back on, rather than a manual compaction of the whole family, also keeps a
// short catch-up into a large database cheap: RocksDB merges L0 into the level below and goes on as usual.)
//
// Nothing here is persisted: a database reopened after a crash or a stop mid-catch-up compacts whatever its
// L0 holds as usual. Only what is compacted when changes, never what is stored.
#pragma once

#include <cstdint>
#include <vector>

#include "tronidx/chain/result.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace tronidx::store {

class CompactionDeferral {
 public:
  // `families`: those whose compaction may be deferred, opened with RocksDB's write stop above max_l0_files
  // (RocksOptions::index_l0_stop_writes_trigger: compacting a full L0 then stops no writer). max_l0_files 0:
  // never defer.
  CompactionDeferral(rocksdb::DB& db, std::vector<rocksdb::ColumnFamilyHandle*> families, uint64_t max_l0_files);

  // Writer thread, before an ingested commit: stops the automatic compaction of each family that this
  // catch-up has not deferred yet (nor handed back because its L0 was full).
  Status before_commit();
  // Writer thread, after it: a deferred family whose L0 holds max_l0_files or more gets its automatic
  // compaction back until the catch-up ends.
  Status after_commit();
  // Whether `family`'s compaction is deferred now (its L0 is meant to grow). Writer thread.
  bool deferred(const rocksdb::ColumnFamilyHandle* family) const;
  // Writer thread, when the catch-up ends: every family's automatic compaction is on again. The next
  // ingested commit starts a new catch-up.
  Status end_catch_up();

 private:
  enum class State {
    kNormal,    // automatic compaction on
    kDeferred,  // off: this catch-up's files pile up at L0
    kFull,      // on again until the catch-up ends: L0 reached max_l0_files
  };
  struct Family {
    rocksdb::ColumnFamilyHandle* handle;
    State state = State::kNormal;
  };
  Status set_auto_compaction(rocksdb::ColumnFamilyHandle* family, bool on);

  rocksdb::DB& db_;
  const uint64_t max_l0_files_;
  std::vector<Family> families_;
};

}  // namespace tronidx::store
