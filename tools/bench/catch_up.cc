// B1, B2, B6, B7, B8, B9 and the tx-per-block scaling series: catch-up of a pre-built chain.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "fetch_limit.h"
#include "scenarios.h"
#include "tronidx/chain/hash.h"
#include "tronidx/store/store.h"

namespace tronidx::bench {
namespace {

constexpr uint64_t kSolidLag = 18;  // tron-sim's default: the pipeline catches up to head - 18

struct CatchUpRun {
  double blocks_per_s = 0;
  double transfers_per_s = 0;
  uint64_t transfers = 0;
  uint64_t max_rss = 0;
  double daemon_cpu_ms = 0;  // CPU per block over the steady range: tronidxd's, and tron-sim's serving it
  double sim_cpu_ms = 0;
  // tronidxd's CPU per block over the whole catch-up and the compactions it left (below), and how long
  // those took after it caught up.
  double daemon_total_cpu_ms = 0;
  double settle_s = 0;
  std::filesystem::path data_dir;
  std::string error;
};

// A deterministic address that does not occur on the simulated chain.
std::string synthetic_address(uint64_t i) {
  const auto h = chain::sha256("tronidx bench watch " + std::to_string(i));
  std::array<uint8_t, 20> a{};
  std::copy(h.bytes.begin(), h.bytes.begin() + 20, a.begin());
  return chain::Address::from_evm(a).to_base58();
}

// Waits until the daemon on `metrics_port` has no compaction running and every index family's L0 below the
// compaction trigger, seen three times in a row 100 ms apart: what a catch-up leaves for after it (the
// index families' L0 piled up during it, store.catch_up_l0_files, and RocksDB's other compactions).
Status wait_compactions_settled(int metrics_port, std::chrono::seconds timeout) {
  const std::vector<std::string> series = {"tronidx_rocksdb_compactions_running",
                                           "tronidx_rocksdb_l0_files{cf=\"by_address\"}",
                                           "tronidx_rocksdb_l0_files{cf=\"by_token\"}",
                                           "tronidx_rocksdb_l0_files{cf=\"by_txid\"}"};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int quiet = 0;
  while (quiet < 3) {
    if (std::chrono::steady_clock::now() > deadline) {
      return make_error(Errc::kDeadlineExceeded, "compactions still running after the catch-up");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto v = scrape_metrics(metrics_port, series);  // one scrape per poll
    bool settled = v[0].value_or(1) == 0;
    for (size_t i = 1; i < v.size(); ++i) settled = settled && v[i].value_or(99) < 4;
    quiet = settled ? quiet + 1 : 0;
  }
  return ok_status();
}

// Catch-up of blocks 1..target by a fresh daemon; `watch_file` (watched mode) lists the watched set.
// `keep_in`: when not empty, the database is kept there (for B6) instead of in a temp dir. `hold`: hold
// the node's info calls until the daemon answers (replaces the simulator's fault configuration).
CatchUpRun catch_up(const testsupport::SimProcess& sim, const std::string& mode, int concurrency, uint64_t target,
                    const std::string& watch_file, const std::filesystem::path& keep_in = {}, bool hold = true) {
  CatchUpRun run;
  const int metrics_port = testsupport::free_port();
  auto o = bench_daemon(sim, mode, concurrency, metrics_port);
  if (!watch_file.empty()) o.env.emplace_back("TRONIDX_INDEX_WATCH_FILE", watch_file);
  if (!keep_in.empty()) {
    std::filesystem::remove_all(keep_in);
    o.data_dir = keep_in;
  }
  // Held until the daemon answers: a fast catch-up (watched mode) would otherwise be over before the
  // first sample. Timing from the release leaves start-up (watch file import, opening) out.
  if (auto s = hold ? hold_infos(sim, true) : ok_status(); !s.ok()) {
    run.error = s.error().message;
    return run;
  }
  auto d = testsupport::DaemonProcess::start(o);
  auto released = hold ? hold_infos(sim, false) : ok_status();
  if (!d.ok() || !released.ok()) {
    run.error = !d.ok() ? d.error().message : released.error().message;
    return run;
  }
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds((*d)->process().pid());
  auto t = time_catch_up(**d, 1, target, start, std::chrono::minutes(30), {(*d)->process().pid(), sim.pid()});
  if (!t.ok()) {
    run.error = t.error().message;
    return run;
  }
  const auto caught_up = std::chrono::steady_clock::now();
  if (auto s = wait_compactions_settled(metrics_port, std::chrono::minutes(10)); !s.ok()) {
    run.error = s.error().message;
    return run;
  }
  run.settle_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - caught_up).count();
  run.daemon_total_cpu_ms = (cpu_seconds((*d)->process().pid()) - cpu_start) * 1e3 / static_cast<double>(target);
  run.transfers = static_cast<uint64_t>(scrape_metric(metrics_port, "tronidx_transfers_indexed_total").value_or(0));
  run.blocks_per_s = t->seconds_steady > 0 ? static_cast<double>(t->blocks_steady) / t->seconds_steady
                                           : static_cast<double>(target) / t->seconds_total;
  // The steady block rate times the chain's transfers per block (both over the same blocks).
  run.transfers_per_s = run.blocks_per_s * static_cast<double>(run.transfers) / static_cast<double>(target);
  run.max_rss = t->max_rss;
  if (t->blocks_steady > 0) {
    run.daemon_cpu_ms = t->cpu_steady_s[0] * 1e3 / static_cast<double>(t->blocks_steady);
    run.sim_cpu_ms = t->cpu_steady_s[1] * 1e3 / static_cast<double>(t->blocks_steady);
  }
  (*d)->stop();
  run.data_dir = keep_in;
  return run;
}

struct Limit {
  FetchLimitResult fetch;
  double client_cpu_ms = 0;  // CPU per block over the whole run: the limit client's (this process), tron-sim's
  double sim_cpu_ms = 0;
  double blocks_per_s() const noexcept { return fetch.blocks_per_s(); }
};

Result<Limit> limit(const testsupport::SimProcess& sim, int concurrency, uint64_t target) {
  FetchLimitOptions f;
  f.endpoint = sim.full_node_endpoint();
  f.from_block = 1;
  f.to_block = static_cast<int64_t>(target) + 1;
  f.in_flight = concurrency;
  const double client0 = cpu_seconds(getpid()), sim0 = cpu_seconds(sim.pid());
  auto r = run_fetch_limit(f);
  if (!r.ok()) return std::move(r).error();
  Limit out{*r};
  if (r->blocks > 0) {
    out.client_cpu_ms = (cpu_seconds(getpid()) - client0) * 1e3 / static_cast<double>(r->blocks);
    out.sim_cpu_ms = (cpu_seconds(sim.pid()) - sim0) * 1e3 / static_cast<double>(r->blocks);
  }
  return out;
}

// Writes `n` synthetic addresses (plus the simulator's hot addresses) to a watch file.
std::string write_watch_file(const std::filesystem::path& dir, uint64_t n, const testsupport::SimProcess& sim) {
  const auto path = dir / ("watch-" + std::to_string(n) + ".txt");
  std::ofstream out(path);
  if (auto st = sim.status(); st.ok()) {
    for (const auto& h : st->hot_addresses()) out << h << " hot\n";
  }
  for (uint64_t i = 0; i < n; ++i) out << synthetic_address(i) << "\n";
  return path.string();
}

}  // namespace

void run_catch_up(Report& report, const BenchOptions& opt) {
  const uint64_t blocks = opt.quick ? 600 : opt.blocks;
  const uint64_t target = blocks - kSolidLag;
  auto sim = start_prebuilt_sim(blocks, "mainnet", {"--hot-addresses", "10", "--hot-share", "0.05"});
  if (!sim.ok()) {
    report.add({"B1", "catch-up (all mode)", 0, "blocks/s", {}, "", "", {}, "tron-sim: " + sim.error().message});
    return;
  }
  // The limit and the catch-up run one after the other, and load on this shared machine that comes and goes
  // between them moves their ratio by more than B1's margin (a compiler running beside both took 37 % off
  // the limit and 22 % off the catch-up): the pair runs three times, alternating which goes first, and the
  // pair with the median ratio is reported, every ratio in the note. The catch-ups keep their database in
  // the same place, each replacing the last's: B6 measures the last one's.
  struct Pair {
    Limit lim;
    CatchUpRun all;
    double ratio() const { return all.blocks_per_s / lim.blocks_per_s(); }
  };
  std::vector<Pair> pairs;
  uint64_t max_rss = 0;
  std::string err;
  const int runs = opt.quick ? 1 : 3;
  for (int r = 0; r < runs && err.empty(); ++r) {
    Pair p;
    const auto run_limit = [&] {
      auto lim = limit(**sim, opt.concurrency, target);
      if (lim.ok()) {
        p.lim = *lim;
      } else {
        err = "fetch+parse limit: " + lim.error().message;
      }
    };
    const auto run_all = [&] {
      p.all = catch_up(**sim, "all", opt.concurrency, target, "", opt.work_dir / "b1-data");
      err = p.all.error;
      max_rss = std::max(max_rss, p.all.max_rss);
    };
    if (r % 2 == 0) {
      run_limit();
      if (err.empty()) run_all();
    } else {
      run_all();
      if (err.empty()) run_limit();
    }
    if (err.empty()) pairs.push_back(p);
  }
  if (!err.empty()) {
    report.add({"B1", "catch-up (all mode)", 0, "blocks/s", {}, "", "", {}, err});
    return;
  }
  const std::string data_dir = pairs.back().all.data_dir.string();
  std::string ratios = "median of " + std::to_string(pairs.size()) + " alternating pairs; ratios";
  for (const auto& p : pairs) ratios.append(" ").append(format_value(100 * p.ratio())).append("%");
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.ratio() < b.ratio(); });
  const Limit& lim = pairs[pairs.size() / 2].lim;
  const CatchUpRun& all = pairs[pairs.size() / 2].all;
  report.add({"B1",
              "fetch+parse-only limit",
              lim.blocks_per_s(),
              "blocks/s",
              {},
              "",
              "",
              {},
              std::to_string(static_cast<uint64_t>(lim.fetch.mb_per_s())) + " MB/s of protobuf, " +
                  std::to_string(static_cast<uint64_t>(lim.fetch.calls_per_s())) + " calls/s"});
  {
    const bool met = all.blocks_per_s >= 1000 && all.blocks_per_s >= 0.6 * lim.blocks_per_s();
    report.add({"B1", "catch-up, all mode", all.blocks_per_s, "blocks/s", lim.blocks_per_s(), "fetch+parse-only limit",
                ">= 1000 and >= 60% of limit", met, ratios});
    report.add({"B1", "catch-up, all mode", all.transfers_per_s, "transfers/s", {}, "", "", {},
                std::to_string(all.transfers) + " transfers indexed"});
    // What the rates come from on two shared cores: CPU time per block, the daemon's next to the limit
    // client's (steadier than the rates themselves on a shared machine).
    report.add(
        {"B1",
         "CPU per block: tronidxd",
         all.daemon_cpu_ms,
         "ms",
         lim.client_cpu_ms,
         "fetch+parse client's",
         "",
         {},
         "tron-sim serving them: " + format_value(all.sim_cpu_ms) + " / " + format_value(lim.sim_cpu_ms) + " ms"});
    // The steady range leaves out the compactions still running when the daemon catches up (with
    // store.catch_up_l0_files, those of the index families): the whole catch-up's CPU counts them.
    report.add({"B1",
                "CPU per block: tronidxd, whole catch-up and the compactions it left",
                all.daemon_total_cpu_ms,
                "ms",
                lim.client_cpu_ms,
                "fetch+parse client's",
                "",
                {},
                "those compactions ended " + format_value(all.settle_s) + " s after the catch-up"});
    report.add({"B7",
                "peak RSS during B1",
                static_cast<double>(max_rss) / 1e6,
                "MB",
                {},
                "",
                "<= 512 MB",
                max_rss <= 512'000'000ull,
                "the highest of B1's catch-ups"});
    // B6: SST bytes per indexed transfer (every column family, all indexes included) as the catch-up left
    // them (reopening flushes what was left in memtables), then after a full compaction.
    store::OpenOptions so;
    so.path = data_dir;
    so.create_if_missing = false;
    auto st = store::Store::open(so);
    const auto per_transfer = [&](double x) {
      return all.transfers ? x / static_cast<double>(all.transfers) : 0;
    };
    // Live SST bytes of every family, or of the index families (by_address, by_token, by_txid) only.
    const auto sst_bytes = [&](bool index_only) {
      uint64_t bytes = 0;
      if (auto cfs = (*st)->cf_stats(); cfs.ok()) {
        for (const auto& cf : *cfs) {
          if (!index_only || cf.name.rfind("by_", 0) == 0) bytes += cf.live_bytes;
        }
      }
      return bytes;
    };
    const uint64_t written_bytes = st.ok() ? sst_bytes(false) : 0;
    const double written = per_transfer(static_cast<double>(written_bytes));
    const double cpu0 = cpu_seconds(getpid());  // RocksDB compacts on this process's background threads
    if (st.ok() && (*st)->compact().ok()) {
      const double compact_cpu = cpu_seconds(getpid()) - cpu0;
      const uint64_t bytes = sst_bytes(false);
      const double per = per_transfer(static_cast<double>(bytes));
      report.add({"B6", "bytes per indexed transfer (compacted)", per, "bytes", {}, "", "<= 120", per <= 120,
                  std::to_string(bytes) + " bytes of SST for " + std::to_string(all.transfers) + " transfers"});
      report.add({"B6", "of which the index families (by_address, by_token, by_txid)",
                  per_transfer(static_cast<double>(sst_bytes(true))), "bytes", {}, "", "", {}, ""});
      report.add({"B6", "CPU of that full compaction, per transfer", per_transfer(compact_cpu * 1e6), "us", {}, "",
                  "", {}, format_value(compact_cpu) + " s in the bench's process (RocksDB's compaction threads)"});
      report.add({"B6", "bytes per indexed transfer (as written)", written, "bytes", {}, "", "", {},
                  std::to_string(written_bytes) + " bytes of SST before the compaction"});
    } else {
      report.add({"B6", "bytes per indexed transfer", 0, "bytes", {}, "", "", {},
                  st.ok() ? "compaction failed" : st.error().message});
    }
  }

  const std::string wf = write_watch_file(opt.work_dir, opt.quick ? 10000 : 100000, **sim);
  auto watched = catch_up(**sim, "watched", opt.concurrency, target, wf);
  if (!watched.error.empty()) {
    report.add({"B2", "catch-up, watched (100k)", 0, "blocks/s", {}, "", "", {}, watched.error});
  } else {
    const bool met = watched.blocks_per_s >= 0.8 * lim.blocks_per_s();
    report.add({"B2", "catch-up, watched mode, 100k addresses", watched.blocks_per_s, "blocks/s", lim.blocks_per_s(),
                "fetch+parse-only limit", ">= 80% of the B1 limit", met, ""});
  }
}

void run_catch_up_scaling(Report& report, const BenchOptions& opt) {
  for (int txs : {30, 300, 1000}) {
    // The same number of transactions at every size (--blocks mainnet-sized blocks' worth): a chain of
    // small blocks as short as the mainnet one would be caught up in a second, timing mostly start-up.
    // (--quick: enough blocks for several catch-up commits of 100,000 transfers at every size, so that the
    // tip moves between the 10 % and 90 % samples.)
    const uint64_t blocks = opt.quick ? 1000 : std::max<uint64_t>(300, opt.blocks * 300 / static_cast<uint64_t>(txs));
    const uint64_t target = blocks - kSolidLag;
    auto sim = start_prebuilt_sim(blocks, "mainnet", {"--txs-per-block", std::to_string(txs)});
    const std::string name = "catch-up, all mode, " + std::to_string(txs) + " tx/block";
    if (!sim.ok()) {
      report.add({"B1s", name, 0, "blocks/s", {}, "", "", {}, sim.error().message});
      continue;
    }
    auto lim = limit(**sim, opt.concurrency, target);
    auto run = catch_up(**sim, "all", opt.concurrency, target, "");
    if (!lim.ok() || !run.error.empty()) {
      report.add({"B1s", name, 0, "blocks/s", {}, "", "", {}, !lim.ok() ? lim.error().message : run.error});
      continue;
    }
    report.add({"B1s", name, run.blocks_per_s, "blocks/s", lim->blocks_per_s(), "fetch+parse-only limit", "", {},
                std::to_string(static_cast<uint64_t>(run.transfers_per_s)) + " transfers/s"});
  }
}

void run_watch_scale(Report& report, const BenchOptions& opt) {
  const uint64_t blocks = opt.quick ? 600 : opt.blocks;
  const uint64_t target = blocks - kSolidLag;
  auto sim = start_prebuilt_sim(blocks, "mainnet", {"--hot-addresses", "10", "--hot-share", "0.05"});
  if (!sim.ok()) {
    report.add({"B8", "catch-up, 1M watched", 0, "blocks/s", {}, "", "", {}, sim.error().message});
    return;
  }
  auto lim = limit(**sim, opt.concurrency, target);
  const std::string wf = write_watch_file(opt.work_dir, opt.quick ? 50000 : 1000000, **sim);
  auto run = catch_up(**sim, "watched", opt.concurrency, target, wf);
  if (!lim.ok() || !run.error.empty()) {
    report.add({"B8", "catch-up, 1M watched", 0, "blocks/s", {}, "", "", {}, !lim.ok() ? lim.error().message : run.error});
    return;
  }
  report.add({"B8", "catch-up, watched mode, 1M addresses", run.blocks_per_s, "blocks/s", lim->blocks_per_s(),
              "fetch+parse-only limit", ">= 80% of the B1 limit", run.blocks_per_s >= 0.8 * lim->blocks_per_s(), ""});
  report.add({"B7", "peak RSS with 1M watched addresses", static_cast<double>(run.max_rss) / 1e6, "MB", {}, "",
              "<= 512 MB", run.max_rss <= 512'000'000ull, ""});
}

void run_node_latency(Report& report, const BenchOptions& opt) {
  const uint64_t blocks = opt.quick ? 300 : opt.blocks / 2;
  const uint64_t target = blocks - kSolidLag;
  const int latency_ms = 20;
  auto sim = start_prebuilt_sim(blocks, "mainnet", {"--latency-ms", std::to_string(latency_ms)});
  if (!sim.ok()) {
    report.add({"B9", "catch-up with 20 ms node latency", 0, "blocks/s", {}, "", "", {}, sim.error().message});
    return;
  }
  // (No hold: it would replace the simulator's latency fault. At this rate the catch-up is long enough.)
  auto run = catch_up(**sim, "all", opt.concurrency, target, "", {}, false);
  if (!run.error.empty()) {
    report.add({"B9", "catch-up with 20 ms node latency", 0, "blocks/s", {}, "", "", {}, run.error});
    return;
  }
  // With C calls in flight and every call taking >= 20 ms, at most C / 0.020 calls/s complete; a block
  // needs one info call plus 1/100 of a range call.
  const double allowed = opt.concurrency / (latency_ms / 1000.0) / 1.01;
  report.add({"B9", "catch-up, 20 ms added to every node call", run.blocks_per_s, "blocks/s", allowed,
              "what " + std::to_string(opt.concurrency) + " calls in flight allow", ">= 80% of allowed",
              run.blocks_per_s >= 0.8 * allowed, ""});
}

}  // namespace tronidx::bench
