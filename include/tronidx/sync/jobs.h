#pragma once
// Long jobs run inside the daemon, in the background, without pausing live indexing (DESIGN.md §7):
// backfill of a newly watched address (and, with the operator tools, reindex and verify).
//
// A job's progress is committed together with the data it writes (WriteTxn::put_job in the same batch),
// so a daemon restart resumes every running job exactly where it stopped. Jobs write only through
// Syncer::submit, i.e. on the writer thread.
// Thread-safety: every public method may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/result.h"
#include "tronidx/decode/decode.h"
#include "tronidx/node/node_client.h"
#include "tronidx/store/store.h"
#include "tronidx/sync/syncer.h"

namespace tronidx::sync {

enum class JobKind : uint8_t { kBackfill, kReindex, kVerify };
enum class JobState : uint8_t { kRunning, kDone, kFailed, kCancelled };
const char* job_kind_name(JobKind kind) noexcept;
const char* job_state_name(JobState state) noexcept;

struct JobInfo {
  uint64_t id = 0;
  JobKind kind = JobKind::kBackfill;
  JobState state = JobState::kRunning;
  chain::Address address;           // backfill
  uint64_t from_block = 0;
  uint64_t to_block = 0;
  uint64_t next_block = 0;          // blocks below are done
  uint64_t items = 0;               // transfers found / blocks repaired / blocks checked
  uint64_t mismatches = 0;          // verify
  std::vector<std::string> mismatch_details;  // verify: the first ones
  std::string error;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;

  std::string encode() const;
  static Result<JobInfo> decode(std::string_view data);
};

struct JobOptions {
  size_t chunk_blocks = 100;        // blocks fetched per step (one commit per step)
  size_t max_running = 4;
  decode::DecodeOptions decode;
};

class JobManager {
 public:
  JobManager(store::Store& store, node::NodeClient& node, Syncer& syncer, JobOptions options);
  ~JobManager();  // cancels nothing persistent: running jobs resume on the next start
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  // Loads persisted jobs and restarts those that were running.
  Status resume();

  // Backfill `address` over [from, to] (to = 0: the tip now). Watched mode re-reads the range from the
  // node; all mode reads the index (instant). Either way the address's transfers in the range are
  // committed as BACKFILL records.
  Result<JobInfo> start_backfill(const chain::Address& address, uint64_t from, uint64_t to);
  // Compares [from, to] (to = 0: the tip) with the node: block ids and every transfer. The job ends
  // "done" with `mismatches` counted and the first ones described.
  Result<JobInfo> start_verify(uint64_t from, uint64_t to);
  // Re-fetches [from, to] from the node and repairs the index where it differs: from the first differing
  // block up, the index is rewound (REVERT records) and re-applied from the node (APPLY records), so
  // subscribers see REVERTED/ADDED for what changed. Final (solidified) blocks are never rewritten: a
  // difference there fails the job (the index or the node is corrupt).
  Result<JobInfo> start_reindex(uint64_t from, uint64_t to);

  std::optional<JobInfo> get(uint64_t id) const;
  std::vector<JobInfo> list() const;
  Result<JobInfo> cancel(uint64_t id);
  size_t running() const;

  // Stops the job threads (jobs stay "running" on disk and resume next time).
  void shutdown();

 private:
  struct Job {
    JobInfo info;
    std::atomic<bool> cancel{false};
    std::thread thread;
  };
  Result<JobInfo> launch(JobInfo info);
  void run(Job& job);
  struct NodeBlock {
    decode::BlockHeader header;
    std::vector<decode::Transfer> transfers;
  };
  // Blocks [from, end) from the node, with infos, decoded with the daemon's options.
  Result<std::vector<NodeBlock>> fetch(uint64_t from, uint64_t end);
  Result<JobInfo> start_range_job(JobKind kind, uint64_t from, uint64_t to);
  Status run_backfill_from_node(Job& job);
  Status run_backfill_from_index(Job& job);
  Status run_verify(Job& job, bool repair);
  // Sleeps for the backoff (growing it); false when the job is cancelled or the manager stops.
  bool pause(Job& job, std::chrono::milliseconds& backoff);
  // Commits `op` plus the job's new state atomically; retries transient failures.
  Status commit_step(Job& job, const JobInfo& next, const Syncer::WriteOp& op);
  void update(Job& job, const JobInfo& info);
  bool stopping() const;

  store::Store& store_;
  node::NodeClient& node_;
  Syncer& syncer_;
  const JobOptions opts_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::unique_ptr<Job>> jobs_;
};

}  // namespace tronidx::sync
