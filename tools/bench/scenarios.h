#pragma once
// The benchmark scenarios of issue 6 (B1..B9 and the scaling series). Each adds its figures to the
// report; a scenario that cannot run adds a figure with a note saying why, never a made-up number.

#include "harness.h"

namespace tronidx::bench {

// B1 (all mode), B2 (watched, 100k addresses), B6 (bytes/transfer), B7 (RSS during B1): one chain.
void run_catch_up(Report& report, const BenchOptions& options);
// B1 at 30 / 300 / 1000 tx per block.
void run_catch_up_scaling(Report& report, const BenchOptions& options);
// B8 (1M watched addresses: catch-up rate, steady RSS).
void run_watch_scale(Report& report, const BenchOptions& options);
// B9 (20 ms added to every node call).
void run_node_latency(Report& report, const BenchOptions& options);
// B3 (block at tron-sim -> ADDED at a subscriber) and B4 (fan-out to 10,000 + 10 subscribers).
void run_detection_latency(Report& report, const BenchOptions& options);
void run_fan_out(Report& report, const BenchOptions& options);
// B5 (ListTransfers of an address with 10k / 100k / 1M transfers in a 10M-transfer database).
void run_queries(Report& report, const BenchOptions& options);

}  // namespace tronidx::bench
