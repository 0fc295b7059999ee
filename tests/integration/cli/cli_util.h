#pragma once
// Helpers of the CLI end-to-end tests: the `tronidx` binary run as a child process (to its exit, or in
// the background for `tail`), its CSV and JSON output parsed back into comparable transfers, and the
// ground truth shaped the way the CLI reports it. Processes and daemons come from tronidx_apitest_util.
//
// Everything here is used from the test's main thread.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api_util.h"
#include "testsupport/child_process.h"
#include "testsupport/temp_dir.h"
#include "tronidx/v1/subscribe.pb.h"
#include "tronidx/v1/types.pb.h"

namespace tronidx::clitest {

using apitest::ApiDaemon;
using apitest::ChainTruth;
using testsupport::ExitStatus;
using testsupport::SimProcess;
using testsupport::TempDir;
using testsupport::TruthTransfer;
using namespace std::chrono_literals;

// <build>/tools/tronidx/tronidx
using apitest::http_get;
using apitest::HttpAnswer;

std::filesystem::path cli_binary();

struct CliResult {
  ExitStatus status;
  bool timed_out = false;
  std::string out;  // stdout
  std::string err;  // stderr
  int code() const { return status.exited ? status.code : 128 + status.signal; }
  std::string describe() const;  // exit status, stdout and stderr tails, for assertion messages
};

// Runs `tronidx args...` to its exit (SIGKILL after `timeout`). TRONIDX_API / TRONIDX_API_KEY are
// cleared so that only the arguments decide.
CliResult run_cli(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 90s);
// Same with `--api <endpoint>` first.
CliResult run_cli_at(const std::string& endpoint, std::vector<std::string> args, std::chrono::milliseconds timeout = 90s);

// A CLI left running in the background (e.g. `tail`); killed when destroyed.
class BackgroundCli {
 public:
  explicit BackgroundCli(const std::vector<std::string>& args);
  ~BackgroundCli();
  BackgroundCli(const BackgroundCli&) = delete;
  BackgroundCli& operator=(const BackgroundCli&) = delete;
  bool started() const { return process_.has_value(); }
  std::string out() const;
  std::string err() const;
  // Waits until `pred(stdout)` holds; false on timeout or if the process ended first without it holding.
  bool wait_for_output(const std::function<bool(const std::string&)>& pred, std::chrono::milliseconds timeout);
  std::optional<ExitStatus> wait_exit(std::chrono::milliseconds timeout);
  ExitStatus kill();

 private:
  TempDir dir_{"tronidx-cli-bg"};
  std::optional<testsupport::ChildProcess> process_;
  std::optional<ExitStatus> exit_;
};

// ---- parsing the CLI's output ------------------------------------------------------------------------

std::vector<std::string> lines_of(const std::string& text);  // without empty lines
// RFC 4180 CSV (quoted fields with "" escapes, no embedded newlines in our data). Throws on a malformed
// quote, so a broken output fails the test rather than comparing garbage.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

// The `transfers --csv` / `export --format csv` table: the header must be exactly the documented columns;
// every row becomes a TruthTransfer. A failure message when the shape is wrong.
Result<std::vector<TruthTransfer>> transfers_from_csv(const std::string& text);
// One JSON object per line (`--json`, `--format jsonl`), each parsed strictly as a v1::Transfer.
Result<std::vector<TruthTransfer>> transfers_from_jsonl(const std::string& text);
Result<std::vector<v1::Transfer>> protos_from_jsonl(const std::string& text);
// `tail --json`: the lines as v1::Event.
Result<std::vector<v1::Event>> events_from_jsonl(const std::string& text);
// "2026-12-02T02:45:21.123Z" -> ms since the epoch.
std::optional<int64_t> parse_iso_ms(const std::string& text);

// ---- the ground truth as the CLI shows it ------------------------------------------------------------

// Transfers of `truth` with block_num in [from, to] touching `address` (TRC10 excluded: not indexed).
std::vector<TruthTransfer> history(const ChainTruth& truth, const std::string& address, uint64_t from = 0,
                                   uint64_t to = UINT64_MAX);
// Per token: how many rows, the sum received by and sent by `address` (decimal strings).
struct TokenTotals {
  uint64_t rows = 0;
  std::string in = "0";
  std::string out = "0";
};
std::map<std::string, TokenTotals> totals(const std::vector<TruthTransfer>& transfers, const std::string& address);
std::string add_decimal(const std::string& a, const std::string& b);

// The simulator started the way most CLI tests want it: deterministic (fixed seed), no block production
// of its own (advance() drives it), `prebuild` blocks, `solid_lag` blocks below the head not solidified.
Result<std::unique_ptr<SimProcess>> start_fixed_sim(int prebuild, int solid_lag, uint64_t seed = 7);

}  // namespace tronidx::clitest
