// Commits of large transactions as table files, ingested atomically (RocksDB IngestExternalFiles).
//
// A catch-up commit holds a few hundred thousand keys. Through a WriteBatch each key is written to the WAL,
// inserted into a memtable, and later written again into a table file by a flush; the families whose keys
// only grow (transfers, journal, blocks) are then rewritten once more when RocksDB compacts their first
// file at the last level. Here the transaction's writes are sorted per family and written straight into one
// table file per family, and all files go in with one IngestExternalFiles call: RocksDB records them in the
// MANIFEST as one atomic group, so a kill -9 leaves either all of the commit or none of it (Store's
// committed-prefix contract). A family whose new keys lie above all of its keys (the growing ones) gets its
// file placed at the last level directly (uncompressed; rewritten with the last level's compression in the
// background when the catch-up ends: recompress.h); the index families, whose keys interleave with older
// ones, go to L0 like a flush's files. Ingested keys take a sequence number above every earlier write, so older
// snapshots do not see them and later writes override them; but for a growing family's keys that no open
// snapshot's reader reaches, which take sequence number 0 (see commit()).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tronidx/chain/result.h"

namespace rocksdb {
class ColumnFamilyHandle;
class WriteBatch;
}

namespace tronidx::store {

struct Rocks;
class IndexWrites;
class CompactionDeferral;

class Ingester {
 public:
  // Table files are built in `dir` (created if missing; on the database's file system, so that ingestion
  // moves them with a hard link). Files left there by an interrupted commit are removed. `deferral` (may be
  // null; must outlive this) names the families whose L0 is meant to grow, which commit() does not wait for.
  static Result<std::unique_ptr<Ingester>> open(Rocks& rocks, std::string dir, const CompactionDeferral* deferral);
  ~Ingester();
  Ingester(const Ingester&) = delete;
  Ingester& operator=(const Ingester&) = delete;

  // Writes `batch` (puts and deletes only) and `index` as one table file per family and ingests them in
  // one atomic step; true when done (`index` drained). The files are built concurrently, on the calling
  // thread and one short-lived `ingest-lane` thread per further core (each family's by one of them), and all
  // of them are finished before the ingestion; if any cannot be built, none is ingested. Back-pressure: a WriteBatch writer is slowed and
  // then stopped by RocksDB while a family's L0 holds level0_slowdown_writes_trigger files or more
  // (compaction behind); ingestion takes no such path, so commit() first waits, up to a minute, until every
  // family whose files land at L0 is below that trigger (but those whose compaction is deferred). False, with nothing
  // written and `index` untouched, when the batch holds another kind of operation (merge, range delete): the caller
  // commits it as a batch instead. An error: nothing was committed (the files built are removed). Writer thread only.
  //
  // `unseen`: per growing family, the key from which on no reader of a snapshot already open reaches
  // (Snapshot bounds its reads of the growing families by its own tip and next_seq: snapshot.h). A family
  // whose keys in this commit all lie there, puts only, is ingested without snapshot consistency: RocksDB
  // may then give its file sequence number 0 (no key of it overlaps the database), which open snapshots
  // see but never read, and which RocksDB has no reason to rewrite later. With consistency every file an
  // open snapshot cannot see gets a sequence number, and once that snapshot is released RocksDB rewrites
  // each such last-level file only to clear it (a compaction of reason BottommostFiles): during a catch-up
  // a snapshot is nearly always open (the subscription hub holds the latest one), so every commit's
  // transfers, journal and blocks files were written twice more.
  struct Unseen {
    rocksdb::ColumnFamilyHandle* family;
    std::string from;
  };
  Result<bool> commit(const rocksdb::WriteBatch& batch, IndexWrites& index, const std::vector<Unseen>& unseen);

  // Commits ingested since the previous take_ingested_ranges().
  size_t commits_since_take() const;
  // Commits that waited for compaction before ingesting (see commit()).
  uint64_t stalls() const;
  // The key range of each growing family (transfers, journal, blocks) that commits ingested at the last
  // level since the previous call, to be rewritten with that level's compression (recompress.h).
  struct Range {
    rocksdb::ColumnFamilyHandle* family;
    std::string lo, hi;  // inclusive
  };
  std::vector<Range> take_ingested_ranges();

 private:
  struct Impl;
  explicit Ingester(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tronidx::store
