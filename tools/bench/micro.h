#pragma once
// tronidx-bench --micro: Google Benchmark micro-benchmarks of the catch-up and query paths' steps
// (micro_work.h), for the changes whose effect the end-to-end scenarios' noise hides.

#include <string>
#include <vector>

#include "harness.h"

namespace tronidx::bench {

// Runs the micro-benchmarks. `benchmark_args` are Google Benchmark's own flags (--benchmark_filter=...,
// --benchmark_out=..., ...). The query benchmarks read B5's database kept in options.query_db when there
// is one, else build a 500,000-transfer one in options.work_dir. Returns the process exit code.
int run_micro(const BenchOptions& options, std::vector<std::string> benchmark_args);

}  // namespace tronidx::bench
