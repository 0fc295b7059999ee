#pragma once
// The simulator as a whole: builds (or loads) the chain, serves the node ports and the control port,
// produces blocks on its timer, and shuts down gracefully. The composition root of tron-sim; main()
// only parses flags and calls run_serve / run_record.

#include <cstdint>
#include <memory>
#include <string>

#include "faults.h"
#include "options.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

struct ServeConfig {
  std::string listen = "127.0.0.1:50051";           // full node: protocol.Wallet + protocol.Database
  std::string solidity_listen = "127.0.0.1:50061";  // protocol.WalletSolidity + protocol.Database
  std::string control_listen = "127.0.0.1:50099";   // tronsim.v1.Control
  std::string ports_file;                           // JSON with the bound endpoints, written once serving
  int64_t block_interval_ms = 3000;                 // 0: blocks only on Advance
  int64_t prebuild = 0;                             // blocks generated at start-up (after genesis)
  int64_t gen_threads = 0;                          // 0: all cores
  std::string replay_dir;                           // serve a recording instead of generating
  bool quiet = false;
};

struct SimConfig {
  GenConfig gen;
  ChainConfig chain;
  FaultSettings faults;
  ServeConfig serve;
};

// kInvalidArgument naming the flag.
Status validate_sim_config(const SimConfig& config);

class Simulator {
 public:
  // Builds the chain (genesis + prebuild, in parallel) or loads the recording. Does not serve yet.
  static Result<std::unique_ptr<Simulator>> create(const SimConfig& config);
  virtual ~Simulator() = default;

  // Opens the three ports, writes the ports file, starts timed production. kUnavailable if a port
  // cannot be bound.
  virtual Status serve() = 0;
  // Stops production, closes the ports (in-flight calls get a short grace), joins every thread.
  // Idempotent.
  virtual void shutdown() = 0;
};

// `tron-sim` (serve): runs until SIGINT/SIGTERM. Returns the process exit code (0 after a graceful
// shutdown, 1 when start-up fails).
int run_serve(const SimConfig& config);

// `tron-sim record --out DIR --blocks N`: genesis + N blocks written as a recording. Exit code.
int run_record(const SimConfig& config, const std::string& out_dir, int64_t blocks);

}  // namespace tronidx::sim
