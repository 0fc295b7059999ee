#include "engine_util.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "invariants.h"
#include "testsupport/temp_dir.h"
#include "testsupport/wait.h"
#include "tronidx/decode/transfer.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/store.h"

namespace tronidx::engine {
namespace {

// gRPC's synchronous client only notices a connection that completes while no call is in flight on the
// next run of its "backup poller", every 5 s by default; a daemon's API that comes up while its probes
// fail fast (UNAVAILABLE) is then seen seconds late. Poll often instead. Read by grpc_init(), so set
// before main() (a user's own setting wins).
const bool kBackupPollSet = [] {
  ::setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "20", 0);
  return true;
}();

std::unique_ptr<grpc::ClientContext> deadline_ctx(std::chrono::milliseconds timeout = 30s) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  return ctx;
}

std::string token_text(const decode::Transfer& t) {
  switch (t.kind) {
    case decode::TransferKind::kTrx: return "TRX";
    case decode::TransferKind::kTrc10: return std::to_string(decode::trc10_asset_id(t.token));
    case decode::TransferKind::kTrc20: break;
  }
  return t.token.to_base58();
}

TruthTransfer from_store(const store::IndexedTransfer& it) {
  TruthTransfer t;
  t.block_num = it.transfer.position.block_num;
  t.tx_index = it.transfer.position.tx_index;
  t.event_index = it.transfer.position.event_index;
  t.block_id = it.block_id.to_hex();
  t.timestamp_ms = it.timestamp_ms;
  t.txid = it.transfer.txid.to_hex();
  t.kind = decode::kind_name(it.transfer.kind);
  t.token = token_text(it.transfer);
  t.from = it.transfer.from.to_base58();
  t.to = it.transfer.to.to_base58();
  t.amount = it.transfer.amount.to_decimal();
  return t;
}

std::vector<TruthTransfer> sorted(std::vector<TruthTransfer> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

// ---- knobs -------------------------------------------------------------------------------------------

int long_factor() {
  const char* v = std::getenv("TRONIDX_LONG_TESTS");
  if (v == nullptr || *v == '\0') return 1;
  const long n = std::strtol(v, nullptr, 10);
  if (n <= 0) return 1;
  if (n == 1) return 5;
  return static_cast<int>(std::min<long>(n, 1000));
}

uint64_t test_seed() {
  uint64_t seed = 0;
  const char* v = std::getenv("TRONIDX_TEST_SEED");
  if (v != nullptr && *v != '\0') {
    seed = std::strtoull(v, nullptr, 10);
  } else {
    std::random_device rd;
    seed = (uint64_t{rd()} << 32) ^ rd();
  }
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "?";
  std::cout << "[ seed     ] " << name << ": TRONIDX_TEST_SEED=" << seed << " (set it to replay this run)"
            << std::endl;
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  return seed;
}

// ---- the simulator's truth ---------------------------------------------------------------------------

std::string ChainTruth::block_id(uint64_t n) const {
  auto it = blocks.find(n);
  return it == blocks.end() ? std::string() : it->second.block_id;
}

std::vector<TruthTransfer> ChainTruth::block_transfers(uint64_t n) const {
  std::vector<TruthTransfer> out;
  for (const auto& t : transfers) {
    if (t.block_num == n) out.push_back(t);
  }
  return out;
}

Result<ChainTruth> read_truth(const SimProcess& sim) {
  const TraceTimer trace_timer("read_truth");
  for (int attempt = 0; attempt < 50; ++attempt) {
    TRONIDX_ASSIGN(auto before, sim.status());
    TRONIDX_ASSIGN(std::string blocks_text, sim.dump_blocks(0));
    TRONIDX_ASSIGN(std::string truth_text, sim.dump_ground_truth(0));
    TRONIDX_ASSIGN(auto after, sim.status());
    if (before.head_id() != after.head_id() || before.solidified_num() != after.solidified_num()) continue;
    ChainTruth t;
    t.head = static_cast<uint64_t>(after.head_num());
    t.head_id = after.head_id();
    t.solidified = static_cast<uint64_t>(after.solidified_num());
    t.genesis_id = after.genesis_id();
    t.hot_addresses.assign(after.hot_addresses().begin(), after.hot_addresses().end());
    t.transfers = testsupport::parse_truth(truth_text);
    for (auto& b : testsupport::parse_blocks(blocks_text)) t.blocks[b.block_num] = b;
    if (t.block_id(t.head) != t.head_id) {
      return make_error(Errc::kInternal, "tron-sim: DumpBlocks does not end at the head " + t.head_id);
    }
    return t;
  }
  return make_error(Errc::kUnavailable, "tron-sim kept changing while its truth was read");
}

Result<std::unique_ptr<SimProcess>> start_sim(std::vector<std::string> args) {
  const TraceTimer trace_timer("start_sim");
  testsupport::SimOptions o;
  o.args = std::move(args);
  o.start_timeout = 120s;
  return SimProcess::start(std::move(o));
}

// ---- what the daemon indexes -----------------------------------------------------------------------------

bool IndexSpec::indexes(const TruthTransfer& t) const {
  if (t.block_num <= base) return false;
  if (t.kind == "TRC10" && !trc10) return false;
  if (all) return tokens.empty() || tokens.count(t.token) > 0;
  return watched.count(t.from) > 0 || watched.count(t.to) > 0;
}

std::vector<TruthTransfer> expected_transfers(const std::vector<TruthTransfer>& truth, const IndexSpec& spec,
                                              uint64_t to) {
  std::vector<TruthTransfer> out;
  for (const auto& t : truth) {
    if (t.block_num <= to && spec.indexes(t)) out.push_back(t);
  }
  std::sort(out.begin(), out.end());
  return out;
}

DaemonOptions daemon_options(const IndexSpec& spec, std::vector<std::string> endpoints) {
  DaemonOptions o;
  o.node_endpoints = std::move(endpoints);
  o.mode = spec.all ? "all" : "watched";
  o.tokens.assign(spec.tokens.begin(), spec.tokens.end());
  int i = 0;
  for (const auto& a : spec.watched) o.watches.emplace_back(a, "w" + std::to_string(i++));
  o.trc10 = spec.trc10;
  o.start_timeout = 120s;
  return o;
}

Result<Daemon> Daemon::start(DaemonOptions options) {
  const TraceTimer trace_timer("Daemon::start");
  Daemon d;
  d.dir_ = std::make_unique<testsupport::TempDir>("tronidxd-engine");
  d.data_dir_ = options.data_dir.empty() ? d.dir_->file("data") : options.data_dir;
  options.data_dir = d.data_dir_;
  d.options_ = std::move(options);
  TRONIDX_ASSIGN(d.current_, DaemonProcess::start(d.options_));
  return d;
}

Daemon::~Daemon() {
  current_.reset();
  retired_.clear();
}

Status Daemon::restart_fresh() {
  const TraceTimer trace_timer("restart_fresh");
  if (current_ && current_->running()) return make_error(Errc::kFailedPrecondition, "tronidxd is still running");
  if (current_) retired_.push_back(std::move(current_));
  auto next = DaemonProcess::start(options_);
  if (!next.ok()) return std::move(next).error();
  current_ = std::move(*next);
  return ok_status();
}

std::string Daemon::all_logs() const {
  std::string out;
  for (const auto& r : retired_) out += r->log_text();
  if (current_) out += current_->log_text();
  return out;
}

Result<v1::GetStatusResponse> status_at(const std::string& endpoint, std::chrono::milliseconds timeout) {
  auto channel = SimProcess::make_channel(endpoint);
  auto stub = v1::Query::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  v1::GetStatusResponse st;
  const grpc::Status s = stub->GetStatus(&ctx, v1::GetStatusRequest(), &st);
  if (!s.ok()) return make_error(Errc::kUnavailable, "GetStatus on " + endpoint + ": " + s.error_message());
  return st;
}

// ---- waiting -----------------------------------------------------------------------------------------

Status wait_synced(const DaemonProcess& d, const SimProcess& sim, std::chrono::milliseconds timeout) {
  return wait_synced([&] { return d.status(); }, sim, timeout, [&] { return d.log_text(); });
}

Status wait_synced(const std::function<Result<v1::GetStatusResponse>()>& status, const SimProcess& sim,
                   std::chrono::milliseconds timeout, const std::function<std::string()>& log) {
  const TraceTimer trace_timer("wait_synced");
  std::string last = "no answer";
  bool halted = false;
  const bool ok = testsupport::wait_until(
      [&] {
        auto s = sim.status();
        if (!s.ok()) {
          last = "tron-sim: " + s.error().message;
          return false;
        }
        auto st = status();
        if (!st.ok()) {
          last = "tronidxd: " + st.error().message;
          return false;
        }
        const uint64_t head = static_cast<uint64_t>(s->head_num());
        const uint64_t want_solid =
            std::max<uint64_t>(st->base_block_num(), std::min<uint64_t>(static_cast<uint64_t>(s->solidified_num()), head));
        last = "tron-sim head " + std::to_string(head) + " " + s->head_id().substr(0, 16) + " solidified " +
               std::to_string(s->solidified_num()) + "; tronidxd tip " + std::to_string(st->tip_block_num()) + " " +
               st->tip_block_id().substr(0, 16) + " solidified " + std::to_string(st->solidified()) + " phase " +
               st->phase() + (st->halt_reason().empty() ? "" : " (" + st->halt_reason() + ")");
        if (st->phase() == "halted") {
          halted = true;
          return true;
        }
        return st->tip_block_num() == head && st->tip_block_id() == s->head_id() && st->solidified() == want_solid;
      },
      timeout, 50ms);
  if (ok && !halted) return ok_status();
  return make_error(halted ? Errc::kDataLoss : Errc::kDeadlineExceeded,
                    std::string(halted ? "tronidxd halted: " : "tronidxd did not catch up with tron-sim: ") + last +
                        "\nlog tail:\n" + tail(log(), 3000));
}

// ---- comparing through the public API ------------------------------------------------------------------

std::string compare_txid(const DaemonProcess& d, const std::string& txid, const std::vector<TruthTransfer>& expected) {
  std::vector<TruthTransfer> want;
  for (const auto& t : expected) {
    if (t.txid == txid) want.push_back(t);
  }
  std::sort(want.begin(), want.end());
  auto ctx = deadline_ctx();
  v1::GetTransfersRequest req;
  req.set_txid(txid);
  v1::GetTransfersResponse resp;
  const grpc::Status s = d.query().GetTransfers(ctx.get(), req, &resp);
  std::vector<TruthTransfer> got;
  if (s.error_code() != grpc::StatusCode::NOT_FOUND) {
    if (!s.ok()) return "GetTransfers(" + txid + "): " + s.error_message() + "\n";
    for (const auto& t : resp.transfers()) got.push_back(testsupport::from_proto(t));
    if (got.empty()) return "GetTransfers(" + txid + ") answered OK with no transfer (NOT_FOUND expected)\n";
  }
  std::sort(got.begin(), got.end());
  const std::string diff = testsupport::diff(want, got);
  return diff.empty() ? "" : "GetTransfers(" + txid + "): " + diff;
}

std::string compare_index_api(const DaemonProcess& d, const ChainTruth& truth, const IndexSpec& spec,
                              size_t txids_to_check) {
  const TraceTimer trace_timer("compare_index_api");
  std::ostringstream out;
  auto st = d.status();
  if (!st.ok()) return st.error().message;
  if (st->tip_block_num() != truth.head || st->tip_block_id() != truth.head_id) {
    out << "tip " << st->tip_block_num() << " " << st->tip_block_id() << " is not the simulator's head " << truth.head
        << " " << truth.head_id << "\n";
  }
  if (st->base_block_num() != spec.base) {
    out << "base_block_num " << st->base_block_num() << ", expected " << spec.base << "\n";
  }
  const uint64_t to = truth.head;
  const std::vector<TruthTransfer> want = expected_transfers(truth.transfers, spec, to);

  // Every token the chain holds (and every configured one), each compared on its own.
  std::set<std::string> tokens = spec.tokens;
  for (const auto& t : truth.transfers) tokens.insert(t.token);
  size_t total = 0;
  for (const auto& token : tokens) {
    std::vector<TruthTransfer> want_t;
    for (const auto& t : want) {
      if (t.token == token) want_t.push_back(t);
    }
    auto got = testsupport::index_token_history(d, token, to);
    if (!got.ok()) {
      out << "token " << token << ": " << got.error().message << "\n";
      continue;
    }
    total += got->size();
    for (const auto& t : *got) {
      if (truth.block_id(t.block_num) != t.block_id) {
        out << "token " << token << ": transfer " << testsupport::describe(t) << " carries block id " << t.block_id
            << " but the canonical block " << t.block_num << " is " << truth.block_id(t.block_num) << "\n";
        break;
      }
    }
    const std::string diff = testsupport::diff(want_t, sorted(*got));
    if (!diff.empty()) out << "token " << token << " (" << want_t.size() << " expected): " << diff;
  }
  if (total != want.size()) out << "token histories hold " << total << " transfers, expected " << want.size() << "\n";

  // Address histories.
  std::vector<std::string> addresses(spec.watched.begin(), spec.watched.end());
  if (spec.all) addresses.insert(addresses.end(), spec.extra_addresses.begin(), spec.extra_addresses.end());
  for (const auto& a : addresses) {
    std::vector<TruthTransfer> want_a;
    for (const auto& t : want) {
      if (t.from == a || t.to == a) want_a.push_back(t);
    }
    auto got = testsupport::index_address_history(d, a, to);
    if (!got.ok()) {
      out << "address " << a << ": " << got.error().message << "\n";
      continue;
    }
    const std::string diff = testsupport::diff(want_a, sorted(*got));
    if (!diff.empty()) out << "address " << a << " (" << want_a.size() << " expected): " << diff;
  }
  if (!spec.all) {
    // Unwatched addresses: whatever the index answers must be true.
    for (const auto& a : spec.extra_addresses) {
      auto got = testsupport::index_address_history(d, a, to);
      if (!got.ok()) {
        out << "address " << a << ": " << got.error().message << "\n";
        continue;
      }
      for (const auto& t : *got) {
        if (!std::binary_search(want.begin(), want.end(), t)) {
          out << "unwatched address " << a << ": transfer not in the truth: " << testsupport::describe(t) << "\n";
          break;
        }
      }
    }
  }

  // By txid: a spread of the chain's transactions, indexed or not.
  std::vector<std::string> txids;
  for (const auto& t : truth.transfers) {
    if (t.block_num > spec.base && (txids.empty() || txids.back() != t.txid)) txids.push_back(t.txid);
  }
  const size_t n = txids_to_check == 0 ? txids.size() : std::min(txids_to_check, txids.size());
  for (size_t i = 0; i < n; ++i) {
    const std::string& txid = txids[n == txids.size() ? i : i * txids.size() / n];
    out << compare_txid(d, txid, want);
  }
  return out.str();
}

std::string check_prefix_api(const DaemonProcess& d, const ChainTruth& truth, const IndexSpec& spec, uint64_t* tip) {
  const TraceTimer trace_timer("check_prefix_api");
  auto st = d.status();
  if (!st.ok()) return st.error().message;
  const uint64_t t = st->tip_block_num();
  if (tip != nullptr) *tip = t;
  if (st->phase() == "halted") return "tronidxd halted at tip " + std::to_string(t) + ": " + st->halt_reason();
  if (t <= spec.base) return "";
  if (t > truth.head) return "tip " + std::to_string(t) + " is above the simulator's head " + std::to_string(truth.head);
  if (st->tip_block_id() != truth.block_id(t)) {
    return "tip " + std::to_string(t) + " has id " + st->tip_block_id() + ", canonical is " + truth.block_id(t);
  }
  const std::vector<TruthTransfer> want = expected_transfers(truth.transfers, spec, t);
  std::set<std::string> tokens = spec.tokens;
  for (const auto& x : truth.transfers) tokens.insert(x.token);
  std::string out;
  for (const auto& token : tokens) {
    std::vector<TruthTransfer> want_t;
    for (const auto& x : want) {
      if (x.token == token) want_t.push_back(x);
    }
    auto got = testsupport::index_token_history(d, token, t);
    if (!got.ok()) return "token " + token + ": " + got.error().message;
    const std::string diff = testsupport::diff(want_t, sorted(*got));
    if (!diff.empty()) out += "at tip " + std::to_string(t) + ", token " + token + ": " + diff;
  }
  return out;
}

// ---- the database ----------------------------------------------------------------------------------------

namespace {

// Opens the database at `path` read-only, small caches; null when there is none (missing or empty).
Result<std::unique_ptr<store::Store>> open_existing_read_only(const std::filesystem::path& path) {
  store::OpenOptions o;
  o.path = path.string();
  o.read_only = true;
  o.create_if_missing = false;
  o.block_cache_bytes = size_t{8} << 20;
  o.write_buffer_bytes = size_t{4} << 20;
  auto opened = store::Store::open(o);
  if (!opened.ok()) {
    const auto& e = opened.error();
    if (e.code == Errc::kNotFound || e.message.find("it is empty") != std::string::npos) {
      return std::unique_ptr<store::Store>();
    }
    return make_error(e.code, "opening " + path.string() + " read-only: " + e.message);
  }
  return std::move(*opened);
}

}  // namespace

Result<DbView> read_db(const std::filesystem::path& path) {
  const TraceTimer trace_timer("read_db");
  DbView v;
  TRONIDX_ASSIGN(auto opened, open_existing_read_only(path));
  if (!opened) return v;
  v.exists = true;
  auto& st = *opened;
  TRONIDX_ASSIGN(auto snap, st.snapshot());
  v.has_base = snap->base().has_value();
  v.base = v.has_base ? snap->base()->block_num : 0;
  v.tip = snap->tip().block_num;
  v.tip_id = snap->tip().id.to_hex();
  v.solidified = snap->solidified();
  v.journal_first = snap->journal_first();
  v.next_seq = snap->next_seq();
  if (v.has_base) {
    for (uint64_t n = v.base + 1; n <= v.tip; ++n) {
      TRONIDX_ASSIGN(auto info, snap->block(n));
      if (!info) return make_error(Errc::kDataLoss, "canonical block " + std::to_string(n) + " missing");
      v.block_ids[n] = info->id.to_hex();
      TRONIDX_ASSIGN(auto ts, snap->block_transfers(*info, snap->next_seq()));
      auto& dst = v.transfers[n];
      for (const auto& t : ts) dst.push_back(from_store(t));
    }
  }
  for (uint64_t seq = v.journal_first; seq < v.next_seq;) {
    TRONIDX_ASSIGN(auto recs, snap->journal(seq, 1000));
    if (recs.empty()) return make_error(Errc::kDataLoss, "journal record " + std::to_string(seq) + " missing");
    for (auto& r : recs) v.journal.push_back(std::move(r));
    seq = v.journal.back().seq + 1;
  }
  return v;
}

std::vector<std::string> db_invariants(const std::filesystem::path& path) {
  const TraceTimer trace_timer("db_invariants");
  {
    auto opened = open_existing_read_only(path);
    if (!opened.ok()) return {opened.error().message};
    if (!*opened) return {};
  }
  return store::testing::check_invariants(path.string());
}

void add_versions(const ChainTruth& truth, std::map<std::string, std::vector<TruthTransfer>>& versions) {
  std::map<uint64_t, std::vector<TruthTransfer>> per_block;
  for (const auto& t : truth.transfers) per_block[t.block_num].push_back(t);
  for (const auto& [n, b] : truth.blocks) {
    auto it = per_block.find(n);
    versions[b.block_id] = it == per_block.end() ? std::vector<TruthTransfer>{} : sorted(it->second);
  }
}

std::string compare_db_blocks(const DbView& db, const std::map<std::string, std::vector<TruthTransfer>>& versions,
                              const IndexSpec& spec) {
  std::string out;
  if (!db.exists || !db.has_base) return out;
  if (db.base != spec.base) out += "base " + std::to_string(db.base) + ", expected " + std::to_string(spec.base) + "\n";
  size_t reported = 0;
  for (const auto& [n, id] : db.block_ids) {
    if (reported >= 10) break;
    auto it = versions.find(id);
    if (it == versions.end()) {
      out += "block " + std::to_string(n) + " " + id + " is not a block the simulator ever had\n";
      ++reported;
      continue;
    }
    std::vector<TruthTransfer> want;
    for (const auto& t : it->second) {
      if (spec.indexes(t)) want.push_back(t);
    }
    auto got_it = db.transfers.find(n);
    std::vector<TruthTransfer> got = got_it == db.transfers.end() ? std::vector<TruthTransfer>{} : sorted(got_it->second);
    const std::string diff = testsupport::diff(want, got, 8);
    if (!diff.empty()) {
      out += "block " + std::to_string(n) + " " + id.substr(0, 16) + ": " + diff;
      ++reported;
    }
  }
  return out;
}

// ---- running tronidxd to its exit ---------------------------------------------------------------------

RunResult run_tronidxd(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env,
                       std::chrono::milliseconds timeout) {
  testsupport::TempDir dir("tronidxd-run");
  testsupport::ChildOptions c;
  c.program = DaemonProcess::default_binary().string();
  c.args = args;
  c.env = env;
  c.stdout_path = dir.file("stdout");
  c.stderr_path = dir.file("stderr");
  RunResult r;
  auto child = testsupport::ChildProcess::spawn(c);
  if (!child.ok()) {
    r.output = child.error().message;
    r.timed_out = true;
    return r;
  }
  r.status = child->wait_or_kill(timeout, &r.timed_out);
  r.output = testsupport::read_text_file(dir.file("stdout")) + testsupport::read_text_file(dir.file("stderr"));
  return r;
}

std::string base_config(const std::string& endpoint, const std::filesystem::path& data_dir, const std::string& mode,
                        int api_port) {
  std::ostringstream cfg;
  cfg << "[node]\nendpoints = [\"" << endpoint << "\"]\ncall_timeout_ms = 5000\nmax_attempts = 3\n";
  cfg << "[store]\ndata_dir = \"" << data_dir.string() << "\"\nsync_writes = true\n";
  cfg << "[index]\nmode = \"" << mode << "\"\n";
  cfg << "[sync]\npoll_interval_ms = 100\n";
  cfg << "[log]\nlevel = \"info\"\n";
  cfg << "[api]\nenabled = true\nlisten = \"127.0.0.1:" << api_port << "\"\nallow_unauthenticated = true\n";
  cfg << "[metrics]\nlisten = \"127.0.0.1:0\"\n";
  return cfg.str();
}

// ---- misc ----------------------------------------------------------------------------------------------

namespace {
const auto kProcessStart = std::chrono::steady_clock::now();
bool tracing() {
  static const bool on = std::getenv("TRONIDX_TEST_TRACE") != nullptr;
  return on;
}
}  // namespace

TraceTimer::TraceTimer(std::string what) : what_(std::move(what)), start_(std::chrono::steady_clock::now()) {}

TraceTimer::~TraceTimer() {
  if (!tracing()) return;
  const auto now = std::chrono::steady_clock::now();
  std::cout << "[trace] " << std::chrono::duration<double>(now - kProcessStart).count() << "s " << what_ << " took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count() << " ms" << std::endl;
}

size_t count_occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

}  // namespace tronidx::engine
