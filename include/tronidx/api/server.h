#pragma once
// api/: tronidx's public gRPC API (proto/tronidx/v1): Query, Watch, Subscribe, Admin, plus the standard
// grpc.health.v1.Health service and server reflection. The only module that touches tronidx::v1 types.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/result.h"
#include "tronidx/common/metrics.h"
#include "tronidx/store/store.h"
#include "tronidx/sync/jobs.h"
#include "tronidx/sync/syncer.h"

namespace tronidx::api {

struct ApiKeyConfig {
  std::string name;
  std::string sha256_hex;            // SHA-256 of the key, 64 hex digits (the key itself is never stored)
  std::vector<std::string> scopes;   // read, subscribe, admin
};

struct TokenMetadata {
  chain::Address address;
  std::string symbol;
  unsigned decimals = 0;
};

struct ApiOptions {
  std::string listen = "127.0.0.1:50151";
  bool allow_unauthenticated = false;  // loopback listen addresses only
  std::vector<ApiKeyConfig> keys;
  std::string tls_cert_file;           // PEM; with tls_key_file enables TLS
  std::string tls_key_file;
  std::string tls_client_ca_file;      // PEM; when set, clients must present a certificate it signed (mTLS)
  int max_request_bytes = 1 << 20;
  uint32_t max_page_size = 1000;
  size_t max_filter_addresses = 10000;
  size_t max_filter_tokens = 100;
  size_t max_streams_per_key = 100;
  uint64_t health_max_lag_blocks = 30;  // Health says SERVING only within this lag of the node
  size_t hub_workers = 2;
  int backlog_nice = 10;                    // CPU priority of subscribers replaying a backlog (hub.h)
  int backlog_catch_up_cpu_percent = 10;    // their CPU budget while the daemon catches up (0: none)
  uint64_t max_subscriber_lag = 2'000'000;  // journal records; beyond: RESOURCE_EXHAUSTED
  std::chrono::milliseconds heartbeat_interval{5000};
};

struct ApiDeps {
  store::Store& store;
  sync::Syncer& syncer;
  sync::JobManager& jobs;
  std::vector<TokenMetadata> tokens;
  uint32_t confirmations_default = 19;
  std::string version;
};

class ApiServer {
 public:
  // Validates the options (kInvalidArgument naming the api.* key) and builds the services and the
  // subscription hub. Nothing listens until start().
  static Result<std::unique_ptr<ApiServer>> create(const ApiOptions& options, ApiDeps deps);
  ~ApiServer();

  // The hub: add it to the Syncer's listeners before the Syncer runs.
  sync::CommitListener& commit_listener();

  // Binds and serves (kUnavailable when the address cannot be bound).
  Status start();
  int port() const;
  size_t subscribers() const;
  uint64_t events_sent() const;
  uint64_t slow_disconnects() const;
  // Commit of a journal record -> its live events handed to their streams.
  const metrics::Histogram& delivery_latency() const;
  // Stops accepting, ends streams (clients resume from their cursors), stops the hub.
  void shutdown();

 private:
  struct Impl;
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True for listen addresses that only accept local connections (127.0.0.0/8, localhost, [::1], unix:).
bool is_loopback_listen(const std::string& listen);

}  // namespace tronidx::api
