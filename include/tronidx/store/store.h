#pragma once
// store/: the RocksDB index (DESIGN.md §5). The only module that touches rocksdb:: types; the key
// layouts are documented in src/store/schema.h.
//
// Concurrency: one writer thread calls set_base/begin/commit/prune_journal; any thread may take
// snapshots and read through them, read the identity and WatchSet, and call the state getters.
// Atomicity: every commit is one RocksDB WriteBatch, or for a large one one atomic ingestion of table files
// (src/store/ingest.h), holding the data, its journal records and the new tip/solidified/next_seq
// together, so a kill -9 at any instant leaves exactly a committed prefix.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/decode/block.h"
#include "tronidx/store/journal.h"
#include "tronidx/store/types.h"
#include "tronidx/store/watch_set.h"

namespace rocksdb {
class WriteBatch;
}

namespace tronidx::store {

class Snapshot;
class WriteTxn;
class IndexWrites;  // a transaction's index-family writes (src/store/index_writes.h)
struct Rocks;      // RocksDB handles (src/store/rocks.h)
class TokenDict;   // token <-> ref dictionary (src/store/token_dict.h)
class Ingester;    // commits as ingested table files (src/store/ingest.h)
class Recompressor;  // background rewrite of ingested ranges (src/store/recompress.h)
class CompactionDeferral;  // index compaction deferred during a catch-up (src/store/compaction_deferral.h)
class FinalBlocks;         // final blocks' canonical versions, shared by queries (src/store/final_blocks.h)
class HotAddresses;        // the addresses whose index entries carry their rows (src/store/hot_addresses.h)

struct OpenOptions {
  std::string path;
  bool read_only = false;          // open without writing (works while a daemon holds the database)
  bool create_if_missing = true;
  // Identity. Creating a database needs both; when set, an existing database must match (else
  // kFailedPrecondition with a message saying what differs).
  std::optional<chain::BlockId> genesis_id;
  std::optional<ModeConfig> mode;
  bool sync_writes = true;         // fsync the WAL on each commit (durable before subscribers hear of it)
  size_t block_cache_bytes = size_t{128} << 20;
  size_t write_buffer_bytes = size_t{64} << 20;
  // A commit of at least this many writes (keys put or deleted, index entries included) goes in as table
  // files ingested in one atomic step instead of a WriteBatch (src/store/ingest.h): a catch-up commit
  // holds hundreds of thousands, a block followed live a few thousand. 0: never.
  size_t ingest_min_writes = 50'000;
  // Every this many ingested commits (and when a catch-up ends) their ranges of the growing families are
  // handed to the background recompression (src/store/recompress.h): a long catch-up keeps a bounded number
  // of small uncompressed files (one per commit and family) before they are merged into compressed ones. 0: only
  // when a catch-up ends (and at the next open, for those a catch-up that did not end left).
  size_t recompress_every_commits = 64;
  // While a catch-up ingests commits, the index families' automatic compaction is off and each commit's
  // table file stays at their L0, up to this many per family; after catch_up_ended() RocksDB merges each
  // pile in one compaction, which rewrites every index key once where compacting the files as they came
  // rewrote it several times (src/store/compaction_deferral.h). A family that reaches it compacts as usual
  // for the rest of the catch-up. 0: never deferred.
  size_t catch_up_l0_files = 64;
  // Disk the busiest addresses' by_address entries may spend on carrying their transfers' rows, in bytes
  // per transfer written: a page of such an address's history then needs no lookup per row
  // (src/store/hot_addresses.h). 0: no entry carries a row.
  double inline_rows_budget = 8;
};

struct CommitResult {
  // The records this commit appended, in seq order; kApply/kRevert carry their transfers.
  std::vector<JournalRecord> records;
};

struct CfStats {
  std::string name;
  uint64_t live_bytes = 0;   // SST bytes
  uint64_t memtable_bytes = 0;
  uint64_t estimated_keys = 0;
  uint64_t l0_files = 0;     // table files at level 0 (compaction takes them at 4)
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> open(const OpenOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const chain::BlockId& genesis_id() const noexcept { return genesis_id_; }
  const ModeConfig& mode() const noexcept { return mode_; }
  const std::array<uint8_t, 16>& instance_id() const noexcept { return instance_id_; }
  const std::string& path() const noexcept { return path_; }
  bool read_only() const noexcept { return read_only_; }

  // Committed state (any thread).
  struct State {
    std::optional<ChainPoint> base;  // unset until set_base on a fresh database
    ChainPoint tip;
    uint64_t solidified = 0;
    uint64_t next_seq = 1;
    uint64_t journal_first = 1;
  };
  State state() const;

  // Fresh database only: the block below the first one to index. The base is never reverted; a reorg
  // below it is a fatal inconsistency. Also becomes the tip.
  Status set_base(const ChainPoint& base);

  WriteTxn begin();
  // Applies the transaction atomically. On error nothing was written and the store is unchanged.
  Result<CommitResult> commit(WriteTxn&& txn);

  // A consistent read view (RocksDB snapshot + the meta values inside it).
  Result<std::shared_ptr<const Snapshot>> snapshot() const;

  const WatchSet& watches() const noexcept { return watches_; }

  // Deletes journal records below keep_from_seq and the reverted block versions only they referenced.
  Status prune_journal(uint64_t keep_from_seq);

  // Gives the database a new random instance id, so that every subscription cursor issued before is
  // refused. For restored backups: their journal continues from an older point, and old cursors would
  // otherwise name records that now have other content. Writable opens only; run with no daemon.
  Status new_instance_id();

  // Schedules a flush of the index families' memtables that hold more than `min_entries` entries. They
  // are sorted-runs memtables (cheap inserts, but a read merges a copy of the mutable one), so the writer calls
  // this when a catch-up ends (min_entries 0) and while following (a few thousand), keeping queries fast.
  // Non-blocking; a family whose flush RocksDB refuses for now (writes stopped behind flushes under way) is
  // skipped, to be flushed by RocksDB or the next call. Writer thread only.
  Status flush_indexes(uint64_t min_entries);

  // Hands the key ranges that catch-up commits ingested at the last level (uncompressed: src/store/ingest.h) since
  // the last call to a background thread, which rewrites them with the last level's compression (src/store/
  // recompress.h). Non-blocking; catch_up_ended() calls it, commit() every recompress_every_commits
  // ingested commits.
  void recompress_ingested();
  // The writer calls this when a catch-up ends: the index families whose compaction the catch-up deferred
  // (OpenOptions::catch_up_l0_files) compact again (RocksDB merges their L0 in the background), and
  // recompress_ingested(). Non-blocking; writer thread.
  void catch_up_ended();
  // Waits until that thread has rewritten what it was handed (tests); returns how many ranges it rewrote.
  uint64_t wait_recompressed();
  // Ingested commits that first waited for compaction (an L0 at its slowdown trigger: src/store/ingest.h).
  uint64_t ingest_stalls() const;
  // RocksDB compactions running now, in all families.
  uint64_t compactions_running() const;
  // Stops (true) or resumes RocksDB's automatic compactions of every family (tests of the above).
  Status pause_compactions(bool paused);
  // Waits until RocksDB has no flush or compaction running or pending in any family, so that all the work
  // the commits so far caused is done (benchmarks that count it). kDeadlineExceeded after `timeout` (with
  // compactions paused they never finish).
  Status wait_for_compactions(std::chrono::milliseconds timeout) const;

  Result<std::vector<CfStats>> cf_stats() const;
  Status compact();

 private:
  friend class WriteTxn;
  friend class Snapshot;
  Store() = default;
  Status load_state();
  Status load_watches();
  Status load_tokens();

  std::unique_ptr<Rocks> rocks_;
  std::unique_ptr<Ingester> ingester_;  // writable opens
  std::unique_ptr<CompactionDeferral> deferral_;  // writable opens
  std::unique_ptr<Recompressor> recompressor_;  // writable opens; destroyed (joined) before rocks_
  size_t ingest_min_writes_ = 0;
  size_t recompress_every_commits_ = 0;
  std::string path_;
  bool read_only_ = false;
  bool sync_writes_ = true;
  chain::BlockId genesis_id_;
  ModeConfig mode_;
  std::array<uint8_t, 16> instance_id_{};
  mutable std::mutex state_mu_;
  State state_;
  uint64_t highest_tip_ = 0;  // the highest tip committed since open (ingest.h's Unseen: unseen_keys)
  // The snapshot of the last written state, shared by readers until the next write (a new one costs a
  // RocksDB snapshot and five reads of meta, per query). writes_ counts writes, so that a snapshot taken
  // while a write was landing is not cached. Declared after rocks_: released before the database closes.
  void wrote();
  mutable std::mutex latest_mu_;
  mutable std::shared_ptr<const Snapshot> latest_;
  mutable uint64_t writes_ = 0;
  std::unique_ptr<TokenDict> tokens_;
  std::unique_ptr<FinalBlocks> final_blocks_;
  std::unique_ptr<HotAddresses> hot_;  // writable opens
  WatchSet watches_;
  // The last committed transaction's buffers, emptied, for the next begin(): a catch-up commit's batch and
  // index queue grow to tens of MB, and growing them afresh for every commit cost the writer thread their
  // reallocation copies and page faults (~10 % of it in a catch-up's profile).
  void recycle(WriteTxn& txn);
  std::mutex spare_mu_;
  std::unique_ptr<rocksdb::WriteBatch> spare_batch_;
  std::unique_ptr<IndexWrites> spare_index_;
};

}  // namespace tronidx::store
