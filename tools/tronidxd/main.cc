// tronidxd: the tronidx daemon. All logic lives in src/; this file only parses the command line.
#include <CLI/CLI.hpp>
#include <absl/synchronization/mutex.h>
#include <malloc.h>

#include <cstdlib>
#include <iostream>

#include "tronidx/daemon/daemon.h"

int main(int argc, char** argv) {
  using tronidx::daemon::ConfigError;
  // glibc gives every busy thread its own malloc arena; with a dozen threads (fetch workers, gRPC, hub)
  // their fragmentation dominates RSS. Two arenas are plenty for two cores. (MALLOC_ARENA_MAX in the
  // environment still wins, as mallopt is applied only when it is unset.)
  // (Release builds link jemalloc, which replaces glibc malloc and ignores this.)
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  // gRPC's mutexes are absl::Mutex, and Debian's abseil is built with deadlock detection on: every lock
  // updates a global lock graph (~4 % of a ListTransfers call's CPU). Our own locks are std::mutex.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"tronidxd — indexes TRC20/TRX transfers from a java-tron node into RocksDB.\n"
               "Configuration: a TOML file (see deploy/tronidx.example.toml), then TRONIDX_* environment\n"
               "variables (e.g. TRONIDX_NODE_API_KEY for node.api_key), then these flags."};
  std::string config_path;
  std::vector<std::string> nodes, watches, sets;
  std::string data_dir, mode, tokens, log_level, api_key;
  int64_t start_block = -1;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "TOML configuration file")->check(CLI::ExistingFile);
  app.add_option("--data-dir", data_dir, "store.data_dir: where the index lives");
  app.add_option("--node", nodes, "node.endpoints: java-tron gRPC host:port (repeat for failover)");
  app.add_option("--node-api-key", api_key, "node.api_key: TRON-PRO-API-KEY for hosted endpoints");
  app.add_option("--mode", mode, "index.mode: watched | all");
  app.add_option("--tokens", tokens, "index.tokens (all mode): comma-separated contracts, TRX, or *");
  app.add_option("--start-block", start_block, "index.start_block: first block of a new database");
  app.add_option("--watch", watches, "an address to watch (repeatable; added to [[watch]])");
  app.add_option("--log-level", log_level, "log.level: trace|debug|info|warn|error|critical|off");
  app.add_option("--set", sets, "KEY=VALUE for any config key, e.g. --set sync.poll_interval_ms=500");
  app.add_flag("--check-config", check_only, "validate the configuration, print a summary and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "tronidxd: " << e.what() << " (see --help)\n";
    return tronidx::daemon::kExitUsage;
  }

  tronidx::daemon::Overrides flags;
  if (!data_dir.empty()) flags.emplace_back("store.data_dir", data_dir);
  if (!nodes.empty()) {
    std::string joined;
    for (const auto& n : nodes) joined += (joined.empty() ? "" : ",") + n;
    flags.emplace_back("node.endpoints", joined);
  }
  if (!api_key.empty()) flags.emplace_back("node.api_key", api_key);
  if (!mode.empty()) flags.emplace_back("index.mode", mode);
  if (!tokens.empty()) flags.emplace_back("index.tokens", tokens);
  if (start_block >= 0) flags.emplace_back("index.start_block", std::to_string(start_block));
  if (!log_level.empty()) flags.emplace_back("log.level", log_level);
  for (const auto& s : sets) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos) {
      std::cerr << "tronidxd: --set expects KEY=VALUE, got \"" << s << "\"\n";
      return tronidx::daemon::kExitUsage;
    }
    flags.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }

  tronidx::daemon::Config config;
  try {
    config = tronidx::daemon::load_config(config_path, tronidx::daemon::process_env(), flags);
    for (const auto& w : watches) {
      auto a = tronidx::chain::Address::parse(w, "--watch");
      if (!a.ok()) throw ConfigError(a.error().message);
      config.watches.push_back({*a, ""});
    }
  } catch (const ConfigError& e) {
    std::cerr << "tronidxd: configuration error: " << e.what() << "\n";
    return tronidx::daemon::kExitUsage;
  }
  if (check_only) {
    std::cout << "configuration OK: node " << config.node.endpoints.front().address << ", data dir " << config.data_dir
              << ", mode " << config.mode.to_string() << ", " << config.watches.size() << " watched addresses\n";
    return tronidx::daemon::kExitOk;
  }
  tronidx::daemon::setup_logging(config.log_level);
  tronidx::daemon::Daemon daemon(std::move(config));
  return daemon.run();
}
