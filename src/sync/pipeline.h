#pragma once
// The catch-up pipeline: fetches blocks [from, to] with many node calls in flight (one 100-block range
// call plus one info call per block with transactions), decodes them in parallel on its worker threads,
// and hands them to the writer strictly in block order.
//
// Failed node calls and info lists that do not match their block are retried by the pipeline itself
// (with backoff) until they succeed or the pipeline is destroyed: next() never returns a gap.
// Thread-safety: next()/extend_to()/last_error() are for the single consumer (the writer); the workers
// are internal. The destructor stops and joins the workers.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tronidx/decode/decode.h"
#include "tronidx/node/node_client.h"
#include "tronidx/sync/metrics.h"

namespace tronidx::sync {

struct FetchedBlock {
  decode::BlockHeader header;
  uint32_t tx_count = 0;
  decode::DecodedBlock decoded;
};

struct PipelineOptions {
  size_t workers = 8;
  size_t ranges_in_flight = 8;
  size_t range_size = 100;
  std::chrono::milliseconds max_backoff{10000};
  decode::DecodeOptions decode;
};

class Pipeline {
 public:
  Pipeline(node::NodeClient& node, PipelineOptions options, uint64_t from, uint64_t to, SyncMetrics& metrics);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Raises the last block to fetch (never lowers it).
  void extend_to(uint64_t to);
  // The next block in order, waiting at most `wait` for it; nullopt on timeout or once `to` was handed out.
  std::optional<FetchedBlock> next(std::chrono::milliseconds wait);
  // True when the next block is decoded and waiting.
  bool ready() const;
  bool finished() const;  // every block up to `to` was handed out
  std::string last_error() const;

 private:
  enum class TaskKind : uint8_t { kRange, kInfos, kRefetch };
  struct Task {
    uint64_t block_num;  // kRange: the range's first block
    TaskKind kind;
    uint64_t end = 0;    // kRange: one past its last block
    auto operator<=>(const Task&) const = default;
  };
  struct Slot {
    std::optional<decode::RawBlock> raw;
    std::optional<FetchedBlock> ready;
  };

  void worker();
  void run_task(const Task& task);
  size_t issue_ranges_locked();  // returns how many ranges it queued
  // Decodes a block that has its infos; on a mismatch queues a refetch instead.
  void decode_and_finish(decode::RawBlock raw);
  bool backoff(std::chrono::milliseconds& delay);
  void record_error(const Error& e);

  node::NodeClient& node_;
  const PipelineOptions opts_;
  SyncMetrics& metrics_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable ready_cv_;
  bool stopping_ = false;
  uint64_t next_ = 0;        // next block to hand out
  uint64_t issued_to_ = 0;   // next range start to issue
  uint64_t to_ = 0;          // last block to fetch (inclusive)
  std::set<Task> tasks_;     // lowest block first
  std::map<uint64_t, Slot> slots_;
  std::deque<std::pair<uint64_t, uint64_t>> ranges_;  // issued ranges [first, end) not fully handed out
  std::string last_error_;
  std::vector<std::thread> threads_;
};

}  // namespace tronidx::sync
