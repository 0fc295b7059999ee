#pragma once
// daemon/: the composition root of tronidxd — builds the node client, store, syncer (and, as they land,
// the API and metrics servers) from a Config, handles signals (Boost.Asio) and shutdown.

#include <atomic>
#include <memory>

#include "tronidx/daemon/config.h"

namespace tronidx::daemon {

// Process exit codes of tronidxd.
inline constexpr int kExitOk = 0;            // stopped by SIGINT/SIGTERM after finishing the commit in progress
inline constexpr int kExitFailure = 1;       // an unexpected error (I/O, database)
inline constexpr int kExitUsage = 2;         // bad configuration, or a database that is not ours to open
inline constexpr int kExitFatalInconsistency = 3;  // the node reorganised final history; indexing halted

class Daemon {
 public:
  explicit Daemon(Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until SIGINT/SIGTERM (or request_stop()); returns the exit code above.
  int run();
  // Thread-safe; same effect as SIGTERM.
  void request_stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// spdlog set-up for the daemon and tools: level name as in the config; logs go to stderr.
void setup_logging(const std::string& level);

}  // namespace tronidx::daemon
