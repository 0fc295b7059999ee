#include "tronidx/sync/jobs.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <chrono>

#include "tronidx/chain/hex.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/write_txn.h"
#include "tronidx/sync/verify.h"

namespace tronidx::sync {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const char* job_kind_name(JobKind kind) noexcept {
  switch (kind) {
    case JobKind::kBackfill: return "backfill";
    case JobKind::kReindex: return "reindex";
    case JobKind::kVerify: return "verify";
  }
  return "unknown";
}

const char* job_state_name(JobState state) noexcept {
  switch (state) {
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kFailed: return "failed";
    case JobState::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::string JobInfo::encode() const {
  nlohmann::json j = {{"id", id},
                      {"kind", job_kind_name(kind)},
                      {"state", job_state_name(state)},
                      {"address", address.to_hex()},
                      {"from", from_block},
                      {"to", to_block},
                      {"next", next_block},
                      {"items", items},
                      {"mismatches", mismatches},
                      {"mismatch_details", mismatch_details},
                      {"error", error},
                      {"started_ms", started_ms},
                      {"finished_ms", finished_ms}};
  return j.dump();
}

Result<JobInfo> JobInfo::decode(std::string_view data) {
  const auto j = nlohmann::json::parse(data, nullptr, false);
  auto bad = [] { return make_error(Errc::kDataLoss, "database corruption: malformed job state"); };
  if (j.is_discarded() || !j.is_object()) return bad();
  try {
    JobInfo info;
    info.id = j.at("id").get<uint64_t>();
    const std::string kind = j.at("kind").get<std::string>();
    const std::string state = j.at("state").get<std::string>();
    bool kind_ok = false, state_ok = false;
    for (JobKind k : {JobKind::kBackfill, JobKind::kReindex, JobKind::kVerify}) {
      if (kind == job_kind_name(k)) info.kind = k, kind_ok = true;
    }
    for (JobState s : {JobState::kRunning, JobState::kDone, JobState::kFailed, JobState::kCancelled}) {
      if (state == job_state_name(s)) info.state = s, state_ok = true;
    }
    if (!kind_ok || !state_ok) return bad();
    std::array<uint8_t, 21> raw{};
    if (!chain::from_hex_exact(j.at("address").get<std::string>(), raw).ok()) return bad();
    info.address = chain::Address::from_raw(raw);
    info.from_block = j.at("from").get<uint64_t>();
    info.to_block = j.at("to").get<uint64_t>();
    info.next_block = j.at("next").get<uint64_t>();
    info.items = j.at("items").get<uint64_t>();
    info.mismatches = j.at("mismatches").get<uint64_t>();
    info.mismatch_details = j.at("mismatch_details").get<std::vector<std::string>>();
    info.error = j.at("error").get<std::string>();
    info.started_ms = j.at("started_ms").get<int64_t>();
    info.finished_ms = j.at("finished_ms").get<int64_t>();
    return info;
  } catch (const nlohmann::json::exception&) {
    return bad();
  }
}

JobManager::JobManager(store::Store& store, node::NodeClient& node, Syncer& syncer, JobOptions options)
    : store_(store), node_(node), syncer_(syncer), opts_(std::move(options)) {}

JobManager::~JobManager() { shutdown(); }

void JobManager::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) {
      job->cancel = true;
      if (job->thread.joinable()) threads.push_back(std::move(job->thread));
    }
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

bool JobManager::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

Status JobManager::resume() {
  TRONIDX_ASSIGN(auto snap, store_.snapshot());
  TRONIDX_ASSIGN(auto stored, snap->jobs());
  std::vector<JobInfo> to_run;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, data] : stored) {
      TRONIDX_ASSIGN(auto info, JobInfo::decode(data));
      next_id_ = std::max(next_id_, id + 1);
      auto job = std::make_unique<Job>();
      job->info = info;
      if (info.state == JobState::kRunning) to_run.push_back(info);
      jobs_[id] = std::move(job);
    }
  }
  for (const auto& info : to_run) {
    spdlog::info("job {}: resuming {} at block {}", info.id, job_kind_name(info.kind), info.next_block);
    std::lock_guard lock(mu_);
    Job& job = *jobs_.at(info.id);
    job.thread = std::thread([this, &job] { run(job); });
  }
  return ok_status();
}

Result<JobInfo> JobManager::start_backfill(const chain::Address& address, uint64_t from, uint64_t to) {
  const auto st = store_.state();
  if (!st.base) return make_error(Errc::kUnavailable, "the index is not initialised yet");
  const uint64_t first = st.base->block_num + 1;
  if (to == 0) to = st.tip.block_num;
  if (from < first) from = first;  // nothing is indexed below the base
  if (from > to) return make_error(Errc::kInvalidArgument, "from_block: after to_block (or after the tip)");
  JobInfo info;
  info.kind = JobKind::kBackfill;
  info.address = address;
  info.from_block = from;
  info.to_block = to;
  info.next_block = from;
  return launch(info);
}

Result<JobInfo> JobManager::start_verify(uint64_t from, uint64_t to) { return start_range_job(JobKind::kVerify, from, to); }

Result<JobInfo> JobManager::start_reindex(uint64_t from, uint64_t to) {
  return start_range_job(JobKind::kReindex, from, to);
}

Result<JobInfo> JobManager::start_range_job(JobKind kind, uint64_t from, uint64_t to) {
  const auto st = store_.state();
  if (!st.base) return make_error(Errc::kUnavailable, "the index is not initialised yet");
  if (to == 0 || to > st.tip.block_num) to = st.tip.block_num;
  from = std::max(from, st.base->block_num + 1);  // nothing is indexed at or below the base
  if (from > to) {
    return make_error(Errc::kInvalidArgument, "from_block: after to_block (the index holds blocks " +
                                                  std::to_string(st.base->block_num + 1) + ".." +
                                                  std::to_string(st.tip.block_num) + ")");
  }
  JobInfo info;
  info.kind = kind;
  info.from_block = from;
  info.to_block = to;
  info.next_block = from;
  return launch(info);
}

Result<JobInfo> JobManager::launch(JobInfo info) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return make_error(Errc::kUnavailable, "shutting down");
    size_t running = 0;
    for (const auto& [id, job] : jobs_) running += job->info.state == JobState::kRunning ? 1 : 0;
    if (running >= opts_.max_running) {
      return make_error(Errc::kResourceExhausted, "too many jobs running (" + std::to_string(running) + ")");
    }
    info.id = next_id_++;
  }
  info.state = JobState::kRunning;
  info.started_ms = now_ms();
  // Persist before starting, so the job survives a restart from its first step.
  auto r = syncer_.submit([info](store::WriteTxn& txn) -> Status {
    txn.put_job(info.id, info.encode());
    return ok_status();
  }).get();
  if (!r.ok()) return std::move(r).error();
  std::lock_guard lock(mu_);
  auto job = std::make_unique<Job>();
  job->info = info;
  Job& ref = *job;
  jobs_[info.id] = std::move(job);
  ref.thread = std::thread([this, &ref] { run(ref); });
  return info;
}

std::optional<JobInfo> JobManager::get(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second->info;
}

std::vector<JobInfo> JobManager::list() const {
  std::lock_guard lock(mu_);
  std::vector<JobInfo> out;
  for (const auto& [id, job] : jobs_) out.push_back(job->info);
  return out;
}

size_t JobManager::running() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [id, job] : jobs_) n += job->info.state == JobState::kRunning ? 1 : 0;
  return n;
}

Result<JobInfo> JobManager::cancel(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return make_error(Errc::kNotFound, "job " + std::to_string(id) + " does not exist");
  it->second->cancel = true;
  cv_.notify_all();
  return it->second->info;
}

void JobManager::update(Job& job, const JobInfo& info) {
  std::lock_guard lock(mu_);
  job.info = info;
}

Status JobManager::commit_step(Job& job, const JobInfo& next, const Syncer::WriteOp& op) {
  auto backoff = std::chrono::milliseconds(200);
  while (true) {
    auto r = syncer_.submit([&](store::WriteTxn& txn) -> Status {
      if (op) TRONIDX_TRY(op(txn));
      txn.put_job(next.id, next.encode());
      return ok_status();
    }).get();
    if (r.ok()) {
      update(job, next);
      return ok_status();
    }
    if (r.error().code == Errc::kAborted) return std::move(r).error();  // reorganised: caller refetches
    if (!is_transient(r.error().code) || stopping()) return std::move(r).error();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, backoff, [&] { return stopping_ || job.cancel.load(); });
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  }
}

void JobManager::run(Job& job) {
  pthread_setname_np(pthread_self(), ("job-" + std::to_string(job.info.id)).substr(0, 15).c_str());
  Status s = make_error(Errc::kInternal, "unknown job kind");
  switch (job.info.kind) {
    case JobKind::kBackfill:
      s = store_.mode().kind == store::ModeConfig::Kind::kAll ? run_backfill_from_index(job)
                                                              : run_backfill_from_node(job);
      break;
    case JobKind::kVerify: s = run_verify(job, false); break;
    case JobKind::kReindex: s = run_verify(job, true); break;
  }
  // Shutdown (the manager stopping, or the node client cancelled with the daemon): the job stays "running"
  // on disk and resumes at the next start.
  if ((stopping() || (!s.ok() && s.error().code == Errc::kCancelled)) && !job.cancel.load()) return;
  JobInfo done;
  {
    std::lock_guard lock(mu_);
    done = job.info;
  }
  if (s.ok()) {
    done.state = JobState::kDone;
  } else if (job.cancel.load() && !stopping()) {
    done.state = JobState::kCancelled;
  } else if (stopping()) {
    return;
  } else {
    done.state = JobState::kFailed;
    done.error = s.error().message;
  }
  done.finished_ms = now_ms();
  spdlog::info("job {} ({} {}): {} — {} items{}", done.id, job_kind_name(done.kind), done.address.to_base58(),
               job_state_name(done.state), done.items, done.error.empty() ? "" : ", " + done.error);
  if (!commit_step(job, done, nullptr).ok()) update(job, done);
}

bool JobManager::pause(Job& job, std::chrono::milliseconds& backoff) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, backoff, [&] { return stopping_ || job.cancel.load(); });
  backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  return !stopping_ && !job.cancel.load();
}

Result<std::vector<JobManager::NodeBlock>> JobManager::fetch(uint64_t from, uint64_t end) {
  TRONIDX_ASSIGN(auto range, node_.block_range(from, end));
  std::vector<NodeBlock> out;
  out.reserve(range.size());
  for (auto& b : range) {
    if (!b.txs.empty()) {
      TRONIDX_ASSIGN(b.infos, node_.tx_infos(b.header.block_num, b.txs.size()));
    }
    TRONIDX_ASSIGN(auto decoded, decode::decode_block(b, opts_.decode));
    out.push_back(NodeBlock{b.header, std::move(decoded.transfers)});
  }
  return out;
}

Status JobManager::run_backfill_from_node(Job& job) {
  JobInfo info;
  {
    std::lock_guard lock(mu_);
    info = job.info;
  }
  auto backoff = std::chrono::milliseconds(200);
  while (info.next_block <= info.to_block) {
    if (job.cancel.load() || stopping()) return make_error(Errc::kCancelled, "cancelled");
    const uint64_t end = std::min<uint64_t>(info.next_block + opts_.chunk_blocks, info.to_block + 1);
    Status step = ok_status();
    auto blocks = fetch(info.next_block, end);
    if (!blocks.ok()) {
      step = std::move(blocks).error();
    } else {
      std::vector<store::IndexedTransfer> found;
      for (const auto& b : *blocks) {
        for (const auto& t : b.transfers) {
          if (t.from == info.address || t.to == info.address) {
            found.push_back(store::IndexedTransfer{t, b.header.id, b.header.timestamp_ms, false, 0});
          }
        }
      }
      JobInfo next = info;
      next.next_block = end;
      next.items += found.size();
      const chain::Address address = info.address;
      step = commit_step(job, next, [&found, address](store::WriteTxn& txn) -> Status {
        return found.empty() ? ok_status() : txn.backfill(address, found);
      });
      if (step.ok()) {
        info = next;
        backoff = std::chrono::milliseconds(200);
        continue;
      }
    }
    if (step.error().code == Errc::kCancelled || !is_transient(step.error().code)) return step;
    spdlog::warn("job {}: {} (retrying)", info.id, step.error().message);
    if (!pause(job, backoff)) return make_error(Errc::kCancelled, "cancelled");
  }
  return ok_status();
}

Status JobManager::run_verify(Job& job, bool repair) {
  constexpr size_t kMaxDetails = 100;
  constexpr int kMaxRepairs = 3;
  JobInfo info;
  {
    std::lock_guard lock(mu_);
    info = job.info;
  }
  int repairs = 0;
  auto backoff = std::chrono::milliseconds(200);
  while (info.next_block <= info.to_block) {
    if (job.cancel.load() || stopping()) return make_error(Errc::kCancelled, "cancelled");
    const uint64_t from = info.next_block;
    const uint64_t end = std::min<uint64_t>(from + opts_.chunk_blocks, info.to_block + 1);
    auto blocks = fetch(from, end);
    if (!blocks.ok()) {
      if (!is_transient(blocks.error().code)) return std::move(blocks).error();
      spdlog::warn("job {}: {} (retrying)", info.id, blocks.error().message);
      if (!pause(job, backoff)) return make_error(Errc::kCancelled, "cancelled");
      continue;
    }
    backoff = std::chrono::milliseconds(200);
    TRONIDX_ASSIGN(auto snap, store_.snapshot());
    JobInfo next = info;
    std::optional<uint64_t> first_bad;
    for (const auto& b : *blocks) {
      TRONIDX_ASSIGN(auto diffs, compare_block(store_, *snap, b.header, b.transfers));
      if (!repair) ++next.items;  // verify: blocks checked; reindex: blocks re-applied (below)
      if (diffs.empty()) continue;
      if (!first_bad) first_bad = b.header.block_num;
      if (repair) break;
      next.mismatches += diffs.size();
      for (auto& d : diffs) {
        if (next.mismatch_details.size() < kMaxDetails) next.mismatch_details.push_back(std::move(d));
      }
    }
    if (repair && first_bad) {
      const uint64_t k = *first_bad;
      if (k <= snap->solidified()) {
        return make_error(Errc::kDataLoss, "block " + std::to_string(k) +
                                               " is final but differs from the node; final history is never "
                                               "rewritten (the index or the node is corrupt: rebuild the index)");
      }
      if (++repairs > kMaxRepairs) {
        return make_error(Errc::kAborted, "block " + std::to_string(k) + " still differs after " +
                                              std::to_string(kMaxRepairs) + " repairs");
      }
      const uint64_t old_tip = snap->tip().block_num;
      spdlog::warn("job {}: block {} differs from the node: rewinding the index to {} and re-applying", info.id, k,
                   k - 1);
      auto rewound = syncer_.submit([k](store::WriteTxn& txn) -> Status {
        while (txn.tip().block_num >= k) TRONIDX_TRY(txn.revert_tip());
        return ok_status();
      }).get();
      if (!rewound.ok()) return std::move(rewound).error();
      // The writer re-applies the range from the node; then the range is checked again from k.
      const uint64_t target = std::min(old_tip, info.to_block);
      while (store_.state().tip.block_num < target) {
        auto wait = std::chrono::milliseconds(200);
        if (!pause(job, wait)) return make_error(Errc::kCancelled, "cancelled");
      }
      next.items += old_tip - k + 1;  // blocks re-applied
      next.next_block = k;
      TRONIDX_TRY(commit_step(job, next, nullptr));
      info = next;
      continue;
    }
    next.next_block = end;
    TRONIDX_TRY(commit_step(job, next, nullptr));
    info = next;
  }
  return ok_status();
}

Status JobManager::run_backfill_from_index(Job& job) {
  JobInfo info;
  {
    std::lock_guard lock(mu_);
    info = job.info;
  }
  TRONIDX_ASSIGN(auto snap, store_.snapshot());
  std::optional<decode::Position> after;
  while (true) {
    if (job.cancel.load() || stopping()) return make_error(Errc::kCancelled, "cancelled");
    store::Snapshot::HistoryQuery q;
    q.address = info.address;
    q.from_block = info.next_block;
    q.to_block = info.to_block;
    q.newest_first = false;
    q.after = after;
    q.limit = 1000;
    TRONIDX_ASSIGN(auto page, snap->address_history(q));
    if (page.empty()) break;
    const decode::Position last = page.back().transfer.position;
    JobInfo next = info;
    next.items += page.size();
    next.next_block = last.block_num;
    const chain::Address address = info.address;
    Status step = commit_step(job, next, [&page, address](store::WriteTxn& txn) -> Status {
      return txn.backfill(address, page);
    });
    if (!step.ok() && step.error().code == Errc::kAborted) {
      // The chain reorganised under this page (a block it read was reverted since the snapshot): read the
      // page again from a snapshot taken now, after the last committed one, as the node path refetches.
      spdlog::info("job {}: {} (reading the page again)", info.id, step.error().message);
      TRONIDX_ASSIGN(snap, store_.snapshot());
      continue;
    }
    TRONIDX_TRY(step);
    after = last;
    info = next;
  }
  info.next_block = info.to_block + 1;
  update(job, info);
  return ok_status();
}

}  // namespace tronidx::sync
