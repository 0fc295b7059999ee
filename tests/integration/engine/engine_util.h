#pragma once
// Helpers of the engine integration tests: tronidxd (the indexing engine) against tron-sim on loopback,
// compared with the simulator's ground truth (DumpGroundTruth / DumpBlocks).
//
//   - knobs: TRONIDX_LONG_TESTS multiplies the iteration counts of randomized tests; TRONIDX_TEST_SEED
//     fixes the seed of their RNG (otherwise random, and printed, so that a failure can be replayed);
//   - ChainTruth: one consistent read of the simulator's canonical chain;
//   - IndexSpec: what the daemon was configured to index (mode, watched addresses, tokens, TRC10, base);
//   - comparisons of the index with the truth through the public API (per token, per address, per txid,
//     block ids) and straight from the database, opened read-only while no daemon runs;
//   - EventStream (itsupport/event_stream.h): a Subscribe stream read on a thread of its own;
//   - run_tronidxd: tronidxd run to its exit (configuration errors, refusals).
//
// Everything here is used from the test's main thread, except EventStream's own reader thread.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "itsupport/daemon_process.h"
#include "itsupport/event_stream.h"
#include "itsupport/grpc_client.h"
#include "itsupport/truth.h"
#include "testsupport/child_process.h"
#include "testsupport/sim_process.h"
#include "testsupport/temp_dir.h"
#include "tronidx/chain/result.h"
#include "tronidx/store/journal.h"
#include "testsupport/result_assert.h"

namespace tronidx::engine {

using testsupport::DaemonOptions;
using testsupport::DaemonProcess;
using testsupport::describe;
using testsupport::event_transfer;
using testsupport::EventStream;
using testsupport::ExitStatus;
using testsupport::SimProcess;
using testsupport::TruthBlock;
using testsupport::TruthTransfer;

using namespace std::chrono_literals;

// ---- knobs -------------------------------------------------------------------------------------------

// TRONIDX_LONG_TESTS: unset, "" or "0" -> 1; "1" -> 5; an integer N >= 2 -> N.
int long_factor();
// The seed of this test's randomness: TRONIDX_TEST_SEED when set, else a random one. Printed on stdout
// and recorded as the gtest property "seed".
uint64_t test_seed();

// ---- the simulator's truth ---------------------------------------------------------------------------

struct ChainTruth {
  uint64_t head = 0;
  std::string head_id;
  uint64_t solidified = 0;
  std::vector<TruthTransfer> transfers;  // canonical chain, sorted
  std::map<uint64_t, TruthBlock> blocks;  // canonical chain by number
  std::vector<std::string> hot_addresses;
  std::string genesis_id;

  std::string block_id(uint64_t n) const;  // "" when unknown
  // The transfers of canonical block n (sorted).
  std::vector<TruthTransfer> block_transfers(uint64_t n) const;
};

// Reads status, blocks and ground truth; retries until head and solidified did not move in between.
Result<ChainTruth> read_truth(const SimProcess& sim);

// tron-sim with these flags; fails with the simulator's stderr tail.
Result<std::unique_ptr<SimProcess>> start_sim(std::vector<std::string> args);

// ---- what the daemon indexes -----------------------------------------------------------------------------

struct IndexSpec {
  bool all = false;                // index.mode = "all" (else "watched")
  std::set<std::string> tokens;    // all mode: the token list as the truth spells them ("TRX", base58); empty = "*"
  std::set<std::string> watched;   // watched mode: base58
  bool trc10 = false;
  uint64_t base = 0;               // indexing starts at block base + 1
  std::vector<std::string> extra_addresses;  // addresses whose history is compared too (all mode)

  bool indexes(const TruthTransfer& t) const;
};

// The transfers of `truth` the daemon must hold: blocks (spec.base, to], filtered by spec.
std::vector<TruthTransfer> expected_transfers(const std::vector<TruthTransfer>& truth, const IndexSpec& spec,
                                              uint64_t to);

// DaemonOptions matching `spec` (mode, tokens, watches, trc10) against `endpoints`; start_block unset.
DaemonOptions daemon_options(const IndexSpec& spec, std::vector<std::string> endpoints);

// A daemon that restarts as a fresh DaemonProcess on the same data dir (a new config dir, log and API
// port). DaemonProcess::restart() reuses its API channel, which after a kill -9 stays unusable for
// seconds (gRPC's default reconnect backoff), so its readiness probe takes 8-10 s per restart. The data
// dir lives in this object's own TempDir, so it outlives every incarnation. -> and * give the current
// DaemonProcess.
class Daemon {
 public:
  static Result<Daemon> start(DaemonOptions options);
  Daemon(Daemon&&) = default;
  Daemon& operator=(Daemon&&) = default;
  ~Daemon();

  DaemonProcess* operator->() const { return current_.get(); }
  DaemonProcess& operator*() const { return *current_; }
  // Starts a new incarnation; the current one must have exited (stop() or kill()).
  Status restart_fresh();
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // Every incarnation's log, in order.
  std::string all_logs() const;

 private:
  Daemon() = default;
  std::unique_ptr<testsupport::TempDir> dir_;
  std::filesystem::path data_dir_;
  DaemonOptions options_;
  std::vector<std::unique_ptr<DaemonProcess>> retired_;
  std::unique_ptr<DaemonProcess> current_;
};

// A GetStatus call on a fresh channel (fast reconnects) to `endpoint`.
Result<v1::GetStatusResponse> status_at(const std::string& endpoint, std::chrono::milliseconds timeout = 2s);

// ---- waiting -----------------------------------------------------------------------------------------

// Until the daemon's tip is the simulator's head (same id) and its solidified number is the simulator's
// (the simulator must not change meanwhile). The error names both sides.
Status wait_synced(const DaemonProcess& d, const SimProcess& sim, std::chrono::milliseconds timeout);
// Same, with GetStatus from `status` and `log` for the error message.
Status wait_synced(const std::function<Result<v1::GetStatusResponse>()>& status, const SimProcess& sim,
                   std::chrono::milliseconds timeout, const std::function<std::string()>& log);

// ---- comparing through the public API ------------------------------------------------------------------

// "" when the index, read through the API, equals `truth` (which must be the chain the daemon is synced
// to): the tip and base, every token's history (every token of the truth, TRX and TRC10 included), the
// history of every watched / extra address, the block id of every transfer, and GetTransfers of up to
// `txids_to_check` transactions (all of them when 0). Else a readable description of the differences.
std::string compare_index_api(const DaemonProcess& d, const ChainTruth& truth, const IndexSpec& spec,
                              size_t txids_to_check = 40);

// "" when GetTransfers(txid) returns exactly the transfers of `expected` with that txid (NOT_FOUND when none).
std::string compare_txid(const DaemonProcess& d, const std::string& txid, const std::vector<TruthTransfer>& expected);

// "Never wrong, only late": the index up to its current tip equals the truth up to that tip. For a chain
// that does not reorganise while this runs. Returns "" or the difference; `tip` receives the checked tip.
std::string check_prefix_api(const DaemonProcess& d, const ChainTruth& truth, const IndexSpec& spec, uint64_t* tip);

// ---- the database, read directly (no daemon running on it) -------------------------------------------

struct DbView {
  bool exists = false;        // false: nothing committed yet (no database, or created but empty)
  bool has_base = false;
  uint64_t base = 0;
  uint64_t tip = 0;
  std::string tip_id;
  uint64_t solidified = 0;
  uint64_t journal_first = 0;
  uint64_t next_seq = 0;
  std::map<uint64_t, std::string> block_ids;          // canonical blocks (base, tip]
  std::map<uint64_t, std::vector<TruthTransfer>> transfers;  // per canonical block, position order
  std::vector<store::JournalRecord> journal;           // [journal_first, next_seq), without transfers
};

// Opens `path` read-only and reads everything above. kNotFound/"empty" databases give exists = false.
Result<DbView> read_db(const std::filesystem::path& path);

// tests/store's check_invariants on `path` opened read-only; a database with nothing committed passes.
std::vector<std::string> db_invariants(const std::filesystem::path& path);

// "" when every canonical block of `db` is a block the simulator had (`versions`: block id -> its ground
// truth transfers) with exactly the transfers `spec` selects from it, i.e. the database is a committed
// prefix of a real chain.
std::string compare_db_blocks(const DbView& db, const std::map<std::string, std::vector<TruthTransfer>>& versions,
                              const IndexSpec& spec);

// Adds every canonical block of `truth` to `versions` (block id -> its transfers).
void add_versions(const ChainTruth& truth, std::map<std::string, std::vector<TruthTransfer>>& versions);

// ---- running tronidxd to its exit ---------------------------------------------------------------------

struct RunResult {
  ExitStatus status;
  bool timed_out = false;
  std::string output;  // stdout + stderr
};
// Runs tronidxd with `args` (plus `env`), waiting at most `timeout` for it to exit (SIGKILL then).
RunResult run_tronidxd(const std::vector<std::string>& args,
                       const std::vector<std::pair<std::string, std::string>>& env = {},
                       std::chrono::milliseconds timeout = 60s);

// A minimal valid tronidxd TOML config (the lines DaemonProcess writes), for tests that edit one key.
std::string base_config(const std::string& endpoint, const std::filesystem::path& data_dir, const std::string& mode,
                        int api_port);

// ---- misc ----------------------------------------------------------------------------------------------

// With TRONIDX_TEST_TRACE set, prints "[trace] <seconds since start> <what> took <ms>" when destroyed.
class TraceTimer {
 public:
  explicit TraceTimer(std::string what);
  ~TraceTimer();
  TraceTimer(const TraceTimer&) = delete;
  TraceTimer& operator=(const TraceTimer&) = delete;

 private:
  std::string what_;
  std::chrono::steady_clock::time_point start_;
};

// The number of times `needle` occurs in `text`.
size_t count_occurrences(const std::string& text, const std::string& needle);
using testsupport::tail;

}  // namespace tronidx::engine
