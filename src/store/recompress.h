// Rewrites key ranges of the last level with that level's compression, on a thread of its own.
//
// A catch-up ingests the files of the growing families (transfers, journal, blocks) at the last level
// LZ4-compressed, one file per commit, where a compaction would write ZSTD (ingest.h says why). Every
// few dozen such commits, and when the catch-up ends, the store hands the key ranges they ingested to this
// class, which compacts them (CompactRange, bottommost level forced) in the background: the small LZ4 files
// become target-sized ZSTD ones, ~135 bytes per transfer on disk ~102 (docs/performance.md). Work that is
// lost (a stop, a crash) only leaves those files as they were.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace tronidx::store {

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
