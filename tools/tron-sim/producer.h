#pragma once
// Block production: genesis, the pre-built chain, blocks on request (Advance) or on a timer, scripted
// and random reorgs. The only writer of the Chain.
//
// Determinism: a block's content depends on (seed, number, branch salt); the salt counts the reorgs so
// far; random reorg decisions draw from a stream indexed by the count of produced blocks. So the chain
// is a pure function of the seed and the sequence of operations, whatever the thread count.
//
// Thread-safety: every public method may be called from any thread; production steps are serialised
// by an internal mutex (a reorg never interleaves with an Advance). Hooks run under that mutex, on the
// producing thread: keep them short and never call back into the Producer from them.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "block_factory.h"
#include "chain.h"
#include "options.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

struct ReorgSpec {
  std::optional<int64_t> fork_at;  // first block to replace
  std::optional<int64_t> depth;    // or: how many blocks to replace from the head
  int64_t new_length = 0;          // 0: depth + 1
  bool allow_below_solidified = false;
};

struct ReorgOutcome {
  uint64_t fork_at = 0;
  uint64_t depth = 0;
  uint64_t new_length = 0;
  uint64_t reappeared_txs = 0;
  bool random = false;
  std::vector<chain::BlockId> orphaned_ids;
  BlockPtr new_head;
};

struct ProducerStats {
  uint64_t blocks_produced = 0;  // excluding genesis, including reorg branches
  uint64_t reorgs = 0;
  uint64_t orphaned_blocks = 0;
  std::optional<ReorgOutcome> last_reorg;  // orphaned_ids/new_head cleared
};

struct ProducerHooks {
  std::function<void(const BlockPtr& block, uint64_t solid_num)> on_block;  // each block added (not prebuild)
  std::function<void(const ReorgOutcome& reorg)> on_reorg;                  // before the branch's on_block calls
};

class Producer {
 public:
  Producer(std::shared_ptr<const BlockFactory> factory, Chain& chain, const ChainConfig& config, uint64_t seed,
           ProducerHooks hooks);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Genesis then `count` blocks, bodies generated on `threads` threads (0 = hardware concurrency).
  // No random reorgs and no hooks (start-up). Call once, before anything else.
  Status build_initial(uint64_t count, unsigned threads);

  // Produces `count` blocks now; random reorgs happen on the way at config.reorg_rate.
  // Returns the new head.
  Result<BlockPtr> advance(uint64_t count);

  // kInvalidArgument naming the field for a malformed spec, kFailedPrecondition when the reorg would
  // reach a solidified block without allow_below_solidified.
  Result<ReorgOutcome> reorg(const ReorgSpec& spec);

  // Timed production on a thread named "sim-producer"; interval must be > 0. stop() ends it (also in
  // the destructor). pause()/resume() only affect the timer.
  void start_timer(std::chrono::milliseconds interval);
  void stop();
  void pause() noexcept { paused_ = true; }
  void resume() noexcept { paused_ = false; }
  bool paused() const noexcept { return paused_; }

  ProducerStats stats() const;

 private:
  Status produce_locked(uint64_t count, unsigned threads, bool with_hooks, bool allow_random_reorgs);
  Status produce_one_locked(bool with_hooks);
  Status produce_parallel_locked(uint64_t count, unsigned threads, bool with_hooks);
  Status maybe_random_reorg_locked();
  Result<ReorgOutcome> reorg_locked(uint64_t fork_at, uint64_t new_length, bool random);
  // The number and parent id of the next block on top of the current head.
  std::pair<uint64_t, chain::BlockId> next_slot_locked() const;
  void timer_loop(std::chrono::milliseconds interval);

  std::shared_ptr<const BlockFactory> factory_;
  Chain& chain_;
  const ChainConfig config_;
  const uint64_t seed_;
  ProducerHooks hooks_;

  mutable std::mutex mu_;  // serialises production; guards everything below but the atomics
  uint64_t salt_ = 0;      // = reorgs so far
  uint64_t produced_ = 0;  // blocks produced, for the random-reorg stream
  ProducerStats stats_;

  std::atomic<bool> paused_{false};
  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;  // guarded by timer_mu_
  std::thread timer_;
};

}  // namespace tronidx::sim
