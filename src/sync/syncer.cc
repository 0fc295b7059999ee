#include "tronidx/sync/syncer.h"

#include <spdlog/spdlog.h>

#include "pipeline.h"
#include "tronidx/store/snapshot.h"

namespace tronidx::sync {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kFollowBatch = 100;        // blocks fetched one by one per follow round at most
constexpr uint64_t kPipelineMinBlocks = 10;  // final blocks behind: use the parallel pipeline
constexpr uint64_t kFollowIndexMemtable = 4096;  // index memtable entries kept while following (queries sort them)

}  // namespace

const char* phase_name(SyncPhase phase) noexcept {
  switch (phase) {
    case SyncPhase::kStarting: return "starting";
    case SyncPhase::kCatchingUp: return "catching_up";
    case SyncPhase::kFollowing: return "following";
    case SyncPhase::kHalted: return "halted";
    case SyncPhase::kStopped: return "stopped";
  }
  return "unknown";
}

Syncer::Syncer(store::Store& store, node::NodeClient& node, SyncOptions options)
    : store_(store), node_(node), opts_(std::move(options)) {
  const auto st = store_.state();
  status_.tip = st.tip;
  status_.solidified = st.solidified;
}

Syncer::~Syncer() = default;

void Syncer::add_listener(CommitListener* listener) { listeners_.push_back(listener); }

void Syncer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

SyncStatus Syncer::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

std::future<Result<store::CommitResult>> Syncer::submit(WriteOp op) {
  auto p = std::make_unique<Pending>();
  p->op = std::move(op);
  auto fut = p->done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_ || status_.phase == SyncPhase::kStopped || status_.phase == SyncPhase::kHalted) {
      p->done.set_value(make_error(Errc::kUnavailable, "the indexer is not running (stopping or halted)"));
      return fut;
    }
    pending_.push_back(std::move(p));
  }
  cv_.notify_all();
  return fut;
}

void Syncer::set_phase(SyncPhase phase) {
  std::lock_guard lock(mu_);
  status_.phase = phase;
}

bool Syncer::wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopping_ || !pending_.empty(); });
  return !stopping_;
}

void Syncer::note_error(const Error& e) {
  metrics_.node_errors.add();
  spdlog::warn("sync: {} (will retry)", e.message);
  std::lock_guard lock(mu_);
  status_.last_error = e.message;
}

Status Syncer::halt(const std::string& reason) {
  metrics_.fatal_inconsistency.set(1);
  spdlog::critical("FATAL_INCONSISTENCY: {} — indexing halted; the index is left as it was (final history is "
                   "never rewritten). Check the node, then restart or reindex.",
                   reason);
  {
    std::lock_guard lock(mu_);
    status_.phase = SyncPhase::kHalted;
    status_.halt_reason = reason;
  }
  fail_pending();
  return make_error(Errc::kDataLoss, reason);
}

Result<std::shared_ptr<const store::CommitResult>> Syncer::commit(store::WriteTxn&& txn) {
  const auto t0 = Clock::now();
  auto committed = store_.commit(std::move(txn));
  if (!committed.ok()) return std::move(committed).error();
  auto r = std::make_shared<const store::CommitResult>(std::move(*committed));
  metrics_.commit_latency.observe(std::chrono::duration<double>(Clock::now() - t0).count());
  metrics_.commits.add();
  const auto st = store_.state();
  metrics_.journal_records.set(static_cast<int64_t>(st.next_seq - st.journal_first));
  SyncStatus snapshot;
  {
    std::lock_guard lock(mu_);
    status_.tip = st.tip;
    status_.solidified = st.solidified;
    for (const auto& rec : r->records) {
      if (rec.type != store::RecordType::kApply) continue;
      status_.tip_timestamp_ms = rec.block.timestamp_ms;
      metrics_.transfers_indexed.add(rec.transfers.size());
    }
    status_.last_error.clear();
    snapshot = status_;
  }
  for (auto* l : listeners_) l->on_commit(r, snapshot);
  ++commits_since_prune_;
  return r;
}

Status Syncer::commit_status(store::WriteTxn&& txn) {
  auto r = commit(std::move(txn));
  if (!r.ok()) return std::move(r).error();
  return ok_status();
}

void Syncer::run_pending() {
  while (true) {
    std::unique_ptr<Pending> p;
    {
      std::lock_guard lock(mu_);
      if (pending_.empty()) return;
      p = std::move(pending_.front());
      pending_.pop_front();
    }
    auto txn = store_.begin();
    Status s = p->op(txn);
    if (!s.ok()) {
      p->done.set_value(std::move(s).error());
      continue;
    }
    auto r = commit(std::move(txn));
    if (r.ok()) {
      p->done.set_value(store::CommitResult(**r));  // the caller's own copy (API writes: rare, small)
    } else {
      p->done.set_value(std::move(r).error());
    }
  }
}

void Syncer::fail_pending() {
  std::deque<std::unique_ptr<Pending>> pending;
  {
    std::lock_guard lock(mu_);
    pending.swap(pending_);
  }
  for (auto& p : pending) p->done.set_value(make_error(Errc::kCancelled, "the indexer stopped"));
}

Status Syncer::refresh_node_view() {
  TRONIDX_ASSIGN(auto head, node_.head());
  TRONIDX_ASSIGN(uint64_t solid, node_.solidified());
  node_head_ = head.block_num;
  node_solidified_ = std::max(node_solidified_, std::min(solid, head.block_num));
  std::lock_guard lock(mu_);
  status_.node_head = head.block_num;
  status_.node_head_timestamp_ms = head.timestamp_ms;
  status_.node_solidified = node_solidified_;
  return ok_status();
}

Status Syncer::initialise() {
  if (store_.state().base) return ok_status();
  TRONIDX_TRY(refresh_node_view());
  uint64_t first = opts_.start_block.value_or(node_solidified_ + 1);
  if (first == 0) first = 1;  // block 0 (genesis) is the chain's root: the base below it cannot exist
  if (first > node_head_ + 1) {
    return make_error(Errc::kUnavailable, "start block " + std::to_string(first) + " is beyond the node's head " +
                                              std::to_string(node_head_));
  }
  TRONIDX_ASSIGN(auto base, node_.header(first - 1));
  // The base is never re-validated (a reorg below it is fatal): one answer is not enough, the first block
  // to index must name it as its parent (so indexing may wait for that block to exist).
  TRONIDX_ASSIGN(auto first_header, node_.header(first));
  if (first_header.parent_id != base.id) {
    return make_error(Errc::kUnavailable, "invalid answer from node: its block " + std::to_string(first) +
                                              " does not connect to its block " + std::to_string(first - 1) +
                                              "; retrying");
  }
  TRONIDX_TRY(store_.set_base(store::ChainPoint{base.block_num, base.id}));
  spdlog::info("sync: new database; indexing starts at block {} (base {} {})", first, base.block_num,
               base.id.to_hex());
  return ok_status();
}

Status Syncer::revalidate_tip() {
  const auto tip = store_.state().tip;
  TRONIDX_TRY(refresh_node_view());
  if (node_head_ < tip.block_num) {
    return make_error(Errc::kUnavailable, "the node's head " + std::to_string(node_head_) +
                                              " is below the indexed tip " + std::to_string(tip.block_num) +
                                              " (node resyncing?); waiting");
  }
  TRONIDX_ASSIGN(auto h, node_.header(tip.block_num));
  if (h.id == tip.id) return ok_status();
  spdlog::warn("sync: the indexed tip {} {} is not on the node's chain (reorganised while we were down)",
               tip.block_num, tip.id.to_hex());
  return handle_reorg();
}

Status Syncer::apply_decoded(store::WriteTxn& txn, const decode::BlockHeader& header, uint32_t tx_count,
                             const decode::DecodedBlock& decoded) {
  TRONIDX_TRY(txn.apply_block(header, tx_count, decoded.transfers));
  metrics_.blocks_applied.add();
  metrics_.transfers_decoded.add(decoded.transfers.size());
  metrics_.trc721_logs.add(decoded.stats.trc721_logs);
  metrics_.malformed_logs.add(decoded.stats.malformed_logs);
  metrics_.failed_txs.add(decoded.stats.failed_txs);
  ++progress_blocks_;
  spdlog::debug("block {} {} txs={} transfers={}", header.block_num, header.id.to_hex(), tx_count,
                decoded.transfers.size());
  return ok_status();
}

Status Syncer::handle_reorg() {
  const auto st = store_.state();
  const uint64_t tip = st.tip.block_num;
  if (!st.base) return make_error(Errc::kFailedPrecondition, "reorg handling before the base block was set");
  const store::ChainPoint base = *st.base;
  TRONIDX_ASSIGN(auto snap, store_.snapshot());
  auto stored_id = [&](uint64_t num) -> Result<chain::BlockId> {
    if (num == base.block_num) return base.id;
    TRONIDX_ASSIGN(auto stored, snap->block(num));
    if (!stored) return make_error(Errc::kDataLoss, "database corruption: canonical block " + std::to_string(num) + " missing");
    return stored->id;
  };
  // A single answer is not evidence of a reorg (a node may serve a garbage header that still passes
  // validation): the node's divergent headers must form a chain down to the block it agrees on, else
  // nothing is reverted and nothing halts; the answers are treated as invalid and retried.
  auto inconsistent = [](uint64_t num) {
    return make_error(Errc::kUnavailable, "invalid answer from node: while looking for the fork point, its block " +
                                              std::to_string(num + 1) + " does not connect to its block " +
                                              std::to_string(num) + "; retrying");
  };
  std::optional<decode::BlockHeader> above;  // the node's header at n + 1, divergent from ours
  uint64_t n = tip;
  while (true) {
    TRONIDX_ASSIGN(const chain::BlockId ours, stored_id(n));
    TRONIDX_ASSIGN(auto theirs, node_.header(n));
    if (above && above->parent_id != theirs.id) return inconsistent(n);
    if (theirs.id == ours) break;
    if (n == base.block_num) {
      if (!above) {
        TRONIDX_ASSIGN(auto next, node_.header(n + 1));
        if (next.parent_id != theirs.id) return inconsistent(n);
      }
      return halt("the node's chain does not contain the base block " + std::to_string(base.block_num) +
                  " where indexing began (a reorganisation below it, or another chain)");
    }
    above = std::move(theirs);
    --n;
  }
  const uint64_t fork = n;
  const uint64_t depth = tip - fork;
  if (depth == 0) return ok_status();  // our tip is on the node's chain after all
  if (fork < st.solidified) {
    return halt("chain reorganisation below the solidified block: the node replaced blocks " +
                std::to_string(fork + 1) + ".." + std::to_string(tip) + " but block " +
                std::to_string(st.solidified) + " was reported final");
  }
  spdlog::warn("reorg: depth {}, fork point {}, reverting blocks {}..{}", depth, fork, fork + 1, tip);
  metrics_.reorgs.add();
  metrics_.reorg_depth_total.add(depth);
  if (static_cast<int64_t>(depth) > metrics_.reorg_depth_max.value()) {
    metrics_.reorg_depth_max.set(static_cast<int64_t>(depth));
  }
  for (uint64_t i = 0; i < depth; ++i) {
    auto txn = store_.begin();
    TRONIDX_TRY(txn.revert_tip());
    TRONIDX_TRY(commit_status(std::move(txn)));
    metrics_.blocks_reverted.add();
  }
  return ok_status();
}

Status Syncer::follow_once() {
  set_phase(SyncPhase::kFollowing);
  const auto tip = store_.state().tip;
  if (node_head_ < tip.block_num) return ok_status();  // node behind us (lagging endpoint): wait
  bool connected = false;
  if (node_head_ == tip.block_num) {
    TRONIDX_ASSIGN(auto h, node_.header(tip.block_num));
    if (h.id != tip.id) return handle_reorg();
    connected = true;
  }
  const uint64_t last = std::min(node_head_, tip.block_num + kFollowBatch);
  for (uint64_t n = tip.block_num + 1; n <= last; ++n) {
    run_pending();
    {
      std::lock_guard lock(mu_);
      if (stopping_) return ok_status();
    }
    TRONIDX_ASSIGN(auto raw, node_.block(n));
    auto decoded = decode::decode_block(raw, opts_.decode);
    if (!decoded.ok()) {
      metrics_.decode_retries.add();
      return std::move(decoded).error();
    }
    if (raw.header.parent_id != store_.state().tip.id) return handle_reorg();
    auto txn = store_.begin();
    TRONIDX_TRY(apply_decoded(txn, raw.header, static_cast<uint32_t>(raw.txs.size()), *decoded));
    // Our chain is the node's chain up to this block: blocks up to the node's solidified number are final.
    TRONIDX_TRY(txn.solidify(node_solidified_));
    TRONIDX_TRY(commit_status(std::move(txn)));
    connected = true;
  }
  if (connected && node_solidified_ > store_.state().solidified) {
    auto txn = store_.begin();
    TRONIDX_TRY(txn.solidify(node_solidified_));
    if (!txn.empty()) TRONIDX_TRY(commit_status(std::move(txn)));
  }
  return ok_status();
}

Status Syncer::catch_up(uint64_t target) {
  set_phase(SyncPhase::kCatchingUp);
  const uint64_t from = store_.state().tip.block_num + 1;
  PipelineOptions popts;
  popts.workers = opts_.fetch_concurrency;
  popts.ranges_in_flight = opts_.ranges_in_flight;
  popts.max_backoff = opts_.max_error_backoff;
  popts.decode = opts_.decode;
  Pipeline pipeline(node_, popts, from, target, metrics_);
  spdlog::info("catch-up: blocks {}..{} ({} blocks)", from, target, target - from + 1);
  progress_at_ = Clock::now();
  progress_blocks_ = 0;
  progress_transfers_ = 0;
  auto refreshed_at = Clock::now();
  while (!pipeline.finished()) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return ok_status();
    }
    run_pending();
    auto first = pipeline.next(std::chrono::milliseconds(500));
    if (first) {
      auto txn = store_.begin();
      size_t blocks = 0, transfers = 0;
      std::optional<FetchedBlock> fb = std::move(first);
      while (fb) {
        if (fb->header.parent_id != txn.tip().id) {
          // Blocks up to the node's solidified number cannot be reorganised on a healthy node: our tip
          // must be off its chain. Commit what connects, then let the reorg logic decide (or halt).
          if (!txn.empty()) TRONIDX_TRY(commit_status(std::move(txn)));
          return handle_reorg();
        }
        TRONIDX_TRY(apply_decoded(txn, fb->header, fb->tx_count, fb->decoded));
        ++blocks;
        transfers += fb->decoded.transfers.size();
        if (blocks >= opts_.commit_max_blocks || transfers >= opts_.commit_max_transfers || !pipeline.ready()) break;
        fb = pipeline.next(std::chrono::milliseconds(0));
      }
      TRONIDX_TRY(txn.solidify(node_solidified_));
      TRONIDX_TRY(commit_status(std::move(txn)));
      progress_transfers_ += transfers;
      maybe_prune();
    }
    log_progress(target, false);
    if (Clock::now() - refreshed_at > std::chrono::seconds(2)) {
      refreshed_at = Clock::now();
      if (refresh_node_view().ok()) {
        target = std::max(target, node_solidified_);
        pipeline.extend_to(target);
      }
      const std::string err = pipeline.last_error();
      if (!err.empty()) {
        std::lock_guard lock(mu_);
        status_.last_error = err;
      }
    }
  }
  log_progress(target, true);
  if (auto s = store_.flush_indexes(0); !s.ok()) spdlog::warn("sync: {}", s.error().message);
  store_.catch_up_ended();
  return ok_status();
}

void Syncer::log_progress(uint64_t target, bool force) {
  const auto now = Clock::now();
  const double secs = std::chrono::duration<double>(now - progress_at_).count();
  if (!force && secs * 1000 < static_cast<double>(opts_.progress_interval.count())) return;
  if (secs <= 0) return;
  const uint64_t tip = store_.state().tip.block_num;
  const double bps = static_cast<double>(progress_blocks_) / secs;
  const double tps = static_cast<double>(progress_transfers_) / secs;
  const uint64_t left = target > tip ? target - tip : 0;
  const double eta = bps > 0 ? static_cast<double>(left) / bps : 0;
  spdlog::info("catch-up: tip {} / target {} ({} left) {:.0f} blocks/s {:.0f} transfers/s ETA {:.0f}s", tip, target,
               left, bps, tps, eta);
  progress_at_ = now;
  progress_blocks_ = 0;
  progress_transfers_ = 0;
}

void Syncer::maybe_prune() {
  if (commits_since_prune_ < 1000) return;
  commits_since_prune_ = 0;
  const auto st = store_.state();
  if (st.next_seq - st.journal_first <= opts_.journal_retention) return;
  auto s = store_.prune_journal(st.next_seq - opts_.journal_retention);
  if (!s.ok()) spdlog::warn("sync: pruning the journal failed: {}", s.error().message);
}

Status Syncer::run() {
  auto backoff = std::chrono::milliseconds(200);
  auto retry = [&](const Status& s) -> bool {  // true: keep going
    if (s.ok()) {
      backoff = std::chrono::milliseconds(200);
      return true;
    }
    if (s.error().code == Errc::kCancelled) return false;
    note_error(s.error());
    const bool go = wait(backoff);
    backoff = std::min(opts_.max_error_backoff, backoff * 2);
    return go;
  };
  auto halted = [&] {
    std::lock_guard lock(mu_);
    return status_.phase == SyncPhase::kHalted;
  };

  set_phase(SyncPhase::kStarting);
  while (true) {
    Status s = initialise();
    if (s.ok()) break;
    if (!retry(s)) return ok_status();
  }
  while (true) {
    Status s = revalidate_tip();
    if (halted()) return make_error(Errc::kDataLoss, status().halt_reason);
    if (s.ok()) break;
    if (!retry(s)) return ok_status();
  }
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    run_pending();
    Status s = refresh_node_view();
    if (s.ok()) {
      const uint64_t tip = store_.state().tip.block_num;
      // Only final blocks go through the parallel pipeline; the last unsolidified ones are followed
      // block by block, where reorgs can happen.
      if (node_solidified_ > tip + kPipelineMinBlocks) {
        s = catch_up(node_solidified_);
      } else {
        s = follow_once();
        if (s.ok() && store_.state().tip.block_num >= node_head_) {
          maybe_prune();
          if (auto f = store_.flush_indexes(kFollowIndexMemtable); !f.ok()) spdlog::warn("sync: {}", f.error().message);
          if (!wait(opts_.poll_interval)) break;
          continue;
        }
      }
    }
    if (halted()) return make_error(Errc::kDataLoss, status().halt_reason);
    if (!retry(s)) break;
  }
  fail_pending();
  set_phase(SyncPhase::kStopped);
  return ok_status();
}

}  // namespace tronidx::sync
