#pragma once
// GrpcNodeClient: NodeClient over java-tron's gRPC API (protocol.Wallet on the full-node port;
// protocol.Database/GetDynamicProperties for the solidified number).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/common/metrics.h"
#include "tronidx/node/node_client.h"

namespace tronidx::node {

struct Endpoint {
  std::string address;  // host:port of the full-node gRPC port (java-tron default 50051)
  bool tls = false;     // TLS with the system roots (hosted endpoints)
};

struct RetryPolicy {
  int max_attempts = 8;                              // per call, across endpoints
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  double multiplier = 2.0;
  double jitter = 0.2;                               // ± fraction of each backoff
};

struct NodeOptions {
  std::vector<Endpoint> endpoints;                   // failover order; at least one
  std::string api_key;                               // sent as `TRON-PRO-API-KEY` metadata when set
  std::chrono::milliseconds call_timeout{15000};    // per-call deadline
  RetryPolicy retry;
  int max_receive_bytes = 256 << 20;                 // 100-block ranges exceed gRPC's 4 MiB default
  bool verify_txids = true;                          // recompute txid = sha256(raw_data) for every tx
};

// Per-method call statistics (method names as in java-tron's API).
struct NodeMetrics {
  static constexpr size_t kMethods = 5;
  static constexpr const char* kMethodNames[kMethods] = {"GetNowBlock2", "GetDynamicProperties", "GetBlock",
                                                         "GetBlockByLimitNext2", "GetTransactionInfoByBlockNum"};
  metrics::Counter calls[kMethods];
  metrics::Counter errors[kMethods];    // failed attempts (transport errors, empty or invalid answers)
  metrics::Counter invalid[kMethods];   // answers rejected by validation
  metrics::Histogram latency[kMethods];
  metrics::Counter retries;
  metrics::Counter failovers;
  metrics::Counter bytes_received;
};

// Fails (kInvalidArgument) on an empty endpoint list.
Result<std::unique_ptr<NodeClient>> make_grpc_node_client(const NodeOptions& options);

// The metrics of a client made by make_grpc_node_client (nullptr for other NodeClients).
const NodeMetrics* grpc_node_metrics(const NodeClient& client);

}  // namespace tronidx::node
