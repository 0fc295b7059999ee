// tronidx-bench: runs the benchmark scenarios of docs/performance.md end to end (tron-sim + tronidxd on
// loopback) and prints a table and a JSON result. Every end-to-end figure is printed next to the limit it
// is measured against in the same run.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "micro.h"
#include "scenarios.h"
#include "tronidx/common/callback_keepawake.h"

int main(int argc, char** argv) {
  using namespace tronidx::bench;
  // The subscriber fleets use gRPC's callback API: without it their events could be read up to 100 ms
  // late after a second without traffic (callback_keepawake.h), which B3 would count against the daemon.
  tronidx::common::CallbackKeepAwake keepawake;
  CLI::App app{"tronidx-bench — end-to-end benchmarks (B1..B9) against tron-sim, and micro-benchmarks (--micro)"};
  BenchOptions opt;
  std::string scenarios = "B1,B1s,B3,B4,B5,B8,B9";
  std::string json_path = "bench-results.json";
  std::string work = "/tmp/tronidx-bench";
  app.add_option("--scenarios", scenarios, "comma-separated: B1 (incl. B2, B6, B7), B1s, B3, B4, B5, B8, B9")
      ->capture_default_str();
  app.add_option("--blocks", opt.blocks, "pre-built mainnet-shaped chain length")->capture_default_str();
  app.add_option("--concurrency", opt.concurrency, "node calls in flight (daemon and limit alike)")->capture_default_str();
  app.add_flag("--quick", opt.quick, "small sizes: a smoke run of every scenario");
  app.add_option("--json", json_path, "write the JSON result here")->capture_default_str();
  app.add_option("--work-dir", work, "data dirs live here (wiped)")->capture_default_str();
  std::string query_db;
  app.add_option("--query-db", query_db,
                 "B5 keeps its database here and reuses it on later runs (its build is most of B5's time); "
                 "default: built in the work dir every run");
  bool micro = false;
  app.add_flag("--micro", micro,
               "run the micro-benchmarks (Google Benchmark; its --benchmark_* flags pass through) instead of the "
               "scenarios");
  // Google Benchmark's own flags go to it, the rest to CLI11.
  std::vector<std::string> benchmark_args;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::string_view(argv[i]).starts_with("--benchmark_")) {
      benchmark_args.emplace_back(argv[i]);
    } else {
      args.push_back(argv[i]);
    }
  }
  CLI11_PARSE(app, static_cast<int>(args.size()), args.data());
  opt.query_db = query_db;
  opt.work_dir = work;
  std::filesystem::remove_all(opt.work_dir);
  std::filesystem::create_directories(opt.work_dir);
  if (micro) return run_micro(opt, std::move(benchmark_args));
  if (!benchmark_args.empty()) {
    std::cerr << "tronidx-bench: " << benchmark_args.front() << " needs --micro\n";
    return 2;
  }

  const std::map<std::string, void (*)(Report&, const BenchOptions&)> all = {
      {"B1", run_catch_up},          {"B1s", run_catch_up_scaling}, {"B3", run_detection_latency},
      {"B4", run_fan_out},           {"B5", run_queries},           {"B8", run_watch_scale},
      {"B9", run_node_latency}};
  Report report;
  std::stringstream list(scenarios);
  std::string id;
  while (std::getline(list, id, ',')) {
    auto it = all.find(id);
    if (it == all.end()) {
      std::cerr << "tronidx-bench: unknown scenario " << id << "\n";
      return 2;
    }
    std::cerr << "running " << id << "...\n";
    const MachineCpu before = machine_cpu();
    it->second(report, opt);
    // On a virtual machine the cores are shared with other guests: the share they took during the scenario
    // says how far its absolute figures (rates, CPU per unit) stand from this machine's best.
    report.add({id, "machine: CPU time stolen by the hypervisor", steal_percent(before, machine_cpu()), "%", {}, "",
                "", {}, "of all cores' time during the scenario (/proc/stat steal)"});
    std::cerr << report.table();
  }
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::string machine = std::string(host) + ", " + std::to_string(std::thread::hardware_concurrency()) +
                              " cores, " + std::to_string(opt.blocks) + " blocks, " +
                              std::to_string(opt.concurrency) + " in flight" + (opt.quick ? ", quick" : "");
  std::cout << "\n" << report.table();
  std::ofstream(json_path) << report.json(machine);
  std::cout << "JSON: " << json_path << "\n";
  return 0;
}
