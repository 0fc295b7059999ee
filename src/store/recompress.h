// Rewrites key ranges of the last level with that level's compression, on a thread of its own.
//
// A catch-up ingests the files of the growing families (transfers, journal, blocks) at the last level
// uncompressed, one file per commit, where a compaction would write the last level's compression (ZSTD;
// LZ4 for transfers: rocks.cc; ingest.h says why). Every few dozen such commits, and when the catch-up ends,
// the store hands the key ranges they ingested to this class, which compacts them (CompactRange, bottommost
// level forced) in the background: the small files become target-sized compressed ones
// (docs/performance.md). Work that is lost (a stop, a crash) leaves those files
// as they were, and the next open finds them (unrewritten_range) and queues them again.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace tronidx::store {

// The key range (both ends inclusive) of the run of `family`'s highest last-level files that are
// uncompressed: what the last catch-up ingested and nothing rewrote yet (a compaction's output at the last
// level is always compressed; a growing family's commits land above all its keys, and a store queues what
// it finds here when it opens, so such files sit at the top). None when the highest file is rewritten, or
// on an error (the files then stay as they are: larger on disk, read alike).
std::optional<std::pair<std::string, std::string>> unrewritten_range(rocksdb::DB& db,
                                                                     rocksdb::ColumnFamilyHandle* family);

class Recompressor {
 public:
  explicit Recompressor(rocksdb::DB& db) : db_(db) {}
  // Cancels the compaction under way (RocksDB stops it between files) and joins the thread.
  ~Recompressor();
  Recompressor(const Recompressor&) = delete;
  Recompressor& operator=(const Recompressor&) = delete;

  // Queues [lo, hi] (both inclusive) of `family` for a rewrite. Any thread.
  void enqueue(rocksdb::ColumnFamilyHandle* family, std::string lo, std::string hi);

  // Waits until every queued range is rewritten (tests). Returns the number rewritten so far, and the
  // number that failed.
  struct Counts {
    uint64_t done = 0;
    uint64_t failed = 0;
  };
  Counts wait_idle();

 private:
  struct Job {
    rocksdb::ColumnFamilyHandle* family;
    std::string lo, hi;
  };
  void run();

  rocksdb::DB& db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  Counts counts_;
  std::thread thread_;  // started by the first enqueue
};

}  // namespace tronidx::store
