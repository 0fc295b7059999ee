#pragma once
// tronidxd's configuration: one TOML file, overridden by environment variables, overridden by flags.
// Every key, its default and unit is documented in deploy/tronidx.example.toml.
//
// Errors: load_config() throws ConfigError (start-up is the one place exceptions are used); its message
// names the key and the problem, e.g. "sync.fetch_concurrency: must be between 1 and 256 (got 0)".

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tronidx/api/server.h"
#include "tronidx/chain/address.h"
#include "tronidx/decode/decode.h"
#include "tronidx/node/grpc_node_client.h"
#include "tronidx/store/types.h"
#include "tronidx/sync/syncer.h"

namespace tronidx::daemon {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TokenMeta {
  chain::Address address;
  std::string symbol;
  unsigned decimals = 0;
};

struct WatchEntry {
  chain::Address address;
  std::string label;
};

struct Config {
  std::string source;  // the config file path ("" = none)

  node::NodeOptions node;
  std::string data_dir;
  bool sync_writes = true;
  size_t block_cache_mb = 128;
  size_t ingest_min_writes = 50'000;  // store::OpenOptions::ingest_min_writes (0: never)
  unsigned inline_rows_bytes = 8;     // store::OpenOptions::inline_rows_budget (0: off)
  size_t catch_up_l0_files = 64;      // store::OpenOptions::catch_up_l0_files (0: never defer)

  store::ModeConfig mode;
  decode::DecodeOptions decode;
  sync::SyncOptions sync;
  uint32_t confirmations = 19;            // depth at which a transfer counts as confirmed by default
  std::vector<TokenMeta> tokens;          // symbol/decimals; USDT built in
  std::vector<WatchEntry> watches;        // ensured watched at start (additive)

  bool metrics_enabled = true;
  std::string metrics_listen = "127.0.0.1:9464";
  uint64_t ready_max_lag_blocks = 30;     // /readyz answers 200 only within this lag of the node

  bool api_enabled = true;
  api::ApiOptions api;

  std::string log_level = "info";
  std::chrono::seconds status_interval{60};  // periodic status log line
};

// One override: a dotted key ("sync.fetch_concurrency") and its value as text (lists comma-separated).
using Overrides = std::vector<std::pair<std::string, std::string>>;

// Builds the configuration: defaults < `path` (may be empty) < environment (`env`, the TRONIDX_* variables
// listed by env_keys()) < `flags`. Throws ConfigError.
Config load_config(const std::string& path, const std::map<std::string, std::string>& env, const Overrides& flags);

// The environment variables that override keys, e.g. TRONIDX_NODE_API_KEY -> node.api_key.
const std::vector<std::pair<std::string, std::string>>& env_keys();

// Reads TRONIDX_* variables from the process environment.
std::map<std::string, std::string> process_env();

// Token metadata lookup (configured tokens plus built-in USDT).
const TokenMeta* find_token(const Config& config, const chain::Address& token);

}  // namespace tronidx::daemon
