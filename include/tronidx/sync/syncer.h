#pragma once
// sync/: the single writer (DESIGN.md §2, §3, §7). Follows the node: catch-up pipeline, head following,
// reorg detection and rewind, finality tracking. Publishes each commit to listeners only after it is
// durable. Other threads change the index only through submit(), which runs on the writer thread.
//
// Never wrong, at worst late: every block is validated by node/, must connect to the stored tip by
// parent id, and is committed atomically with its journal record; node errors and invalid answers only
// delay progress. A reorg below the solidified block (or below the base where indexing began) is a
// fatal inconsistency: the syncer halts with a clear error and never rewrites final history.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/decode/decode.h"
#include "tronidx/node/node_client.h"
#include "tronidx/store/store.h"
#include "tronidx/store/write_txn.h"
#include "tronidx/sync/metrics.h"

namespace tronidx::sync {

struct SyncOptions {
  // Fresh database only: the first block to index. Default (unset): the node's solidified block + 1,
  // i.e. the node's head minus ~18 blocks, starting from a block that can never be reverted.
  std::optional<uint64_t> start_block;
  size_t fetch_concurrency = 8;                       // node calls in flight during catch-up
  size_t ranges_in_flight = 8;                        // 100-block ranges fetched ahead of the writer
  std::chrono::milliseconds poll_interval{1000};      // head polling while following
  size_t commit_max_blocks = 1000;                    // group commit bounds (catch-up)
  size_t commit_max_transfers = 100000;
  std::chrono::milliseconds progress_interval{5000};  // catch-up progress log line
  std::chrono::milliseconds max_error_backoff{10000};
  uint64_t journal_retention = 5'000'000;             // journal records kept for subscriber resume
  decode::DecodeOptions decode;
};

enum class SyncPhase : uint8_t { kStarting, kCatchingUp, kFollowing, kHalted, kStopped };
const char* phase_name(SyncPhase phase) noexcept;

struct SyncStatus {
  SyncPhase phase = SyncPhase::kStarting;
  store::ChainPoint tip;
  uint64_t solidified = 0;
  uint64_t node_head = 0;
  int64_t node_head_timestamp_ms = 0;
  uint64_t node_solidified = 0;
  int64_t tip_timestamp_ms = 0;
  std::string halt_reason;  // set in kHalted
  std::string last_error;   // the latest node/store error (cleared by progress)
};

// Receives every durable commit, in commit order, on the writer thread. Must not block for long
// (hand off to other threads); must not call back into the Syncer's writer-thread-only methods. The
// result is shared (immutable): keep it rather than copy it.
class CommitListener {
 public:
  virtual ~CommitListener() = default;
  virtual void on_commit(const std::shared_ptr<const store::CommitResult>& result, const SyncStatus& status) = 0;
};

class Syncer {
 public:
  Syncer(store::Store& store, node::NodeClient& node, SyncOptions options);
  ~Syncer();
  Syncer(const Syncer&) = delete;
  Syncer& operator=(const Syncer&) = delete;

  // The writer loop: runs until stop() (returns OK) or a fatal inconsistency (returns kDataLoss with the
  // reason; status().phase == kHalted). Call from exactly one thread.
  Status run();

  // Thread-safe. The loop finishes the commit in progress and returns.
  void stop();

  SyncStatus status() const;
  const SyncMetrics& metrics() const noexcept { return metrics_; }

  // Listeners must be added before run().
  void add_listener(CommitListener* listener);

  // Runs `op` on the writer thread in a transaction of its own, between block commits, and commits it.
  // Thread-safe. The future resolves after the commit (or with op's error; kCancelled if the syncer
  // stops first).
  using WriteOp = std::function<Status(store::WriteTxn&)>;
  std::future<Result<store::CommitResult>> submit(WriteOp op);

 private:
  struct Pending {
    WriteOp op;
    std::promise<Result<store::CommitResult>> done;
  };

  Status initialise();
  Status revalidate_tip();
  Status follow_once();
  Status catch_up(uint64_t target);
  Status apply_decoded(store::WriteTxn& txn, const decode::BlockHeader& header, uint32_t tx_count,
                       const decode::DecodedBlock& decoded);
  Status handle_reorg();
  Result<std::shared_ptr<const store::CommitResult>> commit(store::WriteTxn&& txn);  // durable, then listeners
  Status commit_status(store::WriteTxn&& txn);
  void run_pending();
  void fail_pending();
  Status refresh_node_view();
  void note_error(const Error& e);
  void log_progress(uint64_t target, bool force);
  bool wait(std::chrono::milliseconds d);  // false when stopping
  void set_phase(SyncPhase phase);
  Status halt(const std::string& reason);
  void maybe_prune();

  store::Store& store_;
  node::NodeClient& node_;
  SyncOptions opts_;
  SyncMetrics metrics_;
  std::vector<CommitListener*> listeners_;

  mutable std::mutex mu_;  // guards status_, pending_, stopping_
  std::condition_variable cv_;
  SyncStatus status_;
  std::deque<std::unique_ptr<Pending>> pending_;
  bool stopping_ = false;

  // Writer-thread state.
  uint64_t node_head_ = 0;
  uint64_t node_solidified_ = 0;
  std::chrono::steady_clock::time_point progress_at_{};
  uint64_t progress_blocks_ = 0;
  uint64_t progress_transfers_ = 0;
  uint64_t commits_since_prune_ = 0;
};

}  // namespace tronidx::sync
