#pragma once
// The bench driver's shared machinery: results, process helpers and measurements that every scenario
// uses. Scenarios start real processes (tron-sim with a pre-built chain, tronidxd) on loopback, exactly
// as an operator would run them, and print each figure next to its physical limit measured in the same
// run.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "itsupport/daemon_process.h"
#include "testsupport/sim_process.h"
#include "tronidx/chain/result.h"

namespace tronidx::bench {

// One measured figure.
struct Figure {
  std::string scenario;     // "B1"
  std::string name;         // "catch-up rate"
  double value = 0;
  std::string unit;         // "blocks/s"
  std::optional<double> limit;      // the physical limit measured in the same run, same unit
  std::string limit_name;           // what the limit is
  std::string target;               // the target, as text ("≥ 1000 blocks/s and ≥ 60 % of limit")
  std::optional<bool> met;          // whether the target is met (when it applies to this figure)
  std::string note;
};

class Report {
 public:
  void add(Figure f);
  const std::vector<Figure>& figures() const { return figures_; }
  std::string table() const;
  std::string json(const std::string& machine) const;

 private:
  std::vector<Figure> figures_;
};

struct BenchOptions {
  uint64_t blocks = 6000;           // pre-built mainnet-shaped chain length
  int concurrency = 8;              // node calls in flight (daemon and fetch limit alike)
  bool quick = false;               // small sizes: a smoke run of every scenario
  std::filesystem::path work_dir;   // data dirs live here
  // B5's database: empty = built in work_dir each run; else kept here, built only when it has none.
  std::filesystem::path query_db;
};

// tron-sim serving a pre-built chain of `blocks` (plus genesis), manual block production.
Result<std::unique_ptr<testsupport::SimProcess>> start_prebuilt_sim(uint64_t blocks, const std::string& profile,
                                                                    std::vector<std::string> extra = {});

// A figure as the table prints it: no decimals from 100 up, two from 1, four below.
std::string format_value(double v);

// Peak resident set (VmHWM) and current RSS of a process, in bytes (0 when unreadable).
uint64_t peak_rss_bytes(pid_t pid);
uint64_t rss_bytes(pid_t pid);
// CPU time (user + system) the process has used so far, in seconds.
double cpu_seconds(pid_t pid);

// The whole machine's CPU time so far from /proc/stat, in clock ticks: all of it, and the part the hypervisor
// gave to other guests ("steal"), which a virtual machine's processes wait for without being charged it.
struct MachineCpu {
  uint64_t total = 0;
  uint64_t steal = 0;
};
MachineCpu machine_cpu();
// Steal as a share of all CPU time between two readings, in % (0 when nothing elapsed).
double steal_percent(const MachineCpu& before, const MachineCpu& after);

// Polls GetStatus until tip >= block; returns the seconds elapsed from `start`, and samples RSS (max) on
// the way. kDeadlineExceeded after `timeout`.
struct CatchUpTiming {
  double seconds_total = 0;     // from start to the target
  double seconds_steady = 0;    // from 10 % to 90 % of the range
  uint64_t blocks_steady = 0;
  uint64_t max_rss = 0;
  std::vector<double> cpu_steady_s;  // CPU seconds each of `cpu_of` used over the steady range
};
// Makes the simulator refuse info calls (UNAVAILABLE) while `hold` is true: no block can be indexed, so a
// daemon can be started (and subscribers connected) before a catch-up that is then timed from its start.
Status hold_infos(const testsupport::SimProcess& sim, bool hold);

// Samples the daemon's tip every 20 ms until it reaches to_block; kFailedPrecondition when no sample fell
// inside the range (it ended before the first one: the chain is too short to time). The CPU time of the
// processes `cpu_of` is read at the same two samples that bound the steady range.
Result<CatchUpTiming> time_catch_up(testsupport::DaemonProcess& d, uint64_t from_block, uint64_t to_block,
                                    std::chrono::steady_clock::time_point start, std::chrono::seconds timeout,
                                    const std::vector<pid_t>& cpu_of = {});

// Quantile (0..1) of a sample (copied and sorted).
double quantile(std::vector<double> v, double q);

}  // namespace tronidx::bench

namespace tronidx::bench {

// GET http://127.0.0.1:<port>/metrics once and return the value of each sample named, by its series as the
// daemon prints it (`name`, or `name{label="value"}`); nullopt where absent.
std::vector<std::optional<double>> scrape_metrics(int port, const std::vector<std::string>& series);
// The same for one sample.
std::optional<double> scrape_metric(int port, const std::string& series);

// A DaemonProcess config for benchmarks: metrics on `metrics_port`, warn-level logs, C calls in flight.
testsupport::DaemonOptions bench_daemon(const testsupport::SimProcess& sim, const std::string& mode, int concurrency,
                                        int metrics_port);

}  // namespace tronidx::bench

namespace tronidx::bench {

// The cumulative buckets (le -> count) of an unlabelled histogram on /metrics (empty if absent).
std::vector<std::pair<double, double>> scrape_histogram(int port, const std::string& name);
// The smallest bucket bound holding fraction q of the observations added between two scrapes.
std::optional<double> histogram_delta_quantile(const std::vector<std::pair<double, double>>& before,
                                               const std::vector<std::pair<double, double>>& after, double q);

}  // namespace tronidx::bench
