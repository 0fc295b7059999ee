#pragma once
// tronsim.v1.Control (proto/tronsim/v1/control.proto) over the simulator's parts. Synchronous gRPC
// service (its own small thread pool); every handler validates its input and answers INVALID_ARGUMENT
// naming the field, FAILED_PRECONDITION for operations that make no sense in the current mode.
//
// The context's references must outlive the server the service is registered with.

#include <grpcpp/impl/service_type.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chain.h"
#include "endpoint.h"
#include "faults.h"
#include "node_servers.h"
#include "producer.h"

namespace tronidx::sim {

struct ControlContext {
  std::string mode;  // "generate" or "replay"
  uint64_t seed = 0;
  std::string profile;
  int64_t block_interval_ms = 0;
  std::vector<std::string> hot_addresses;  // base58
  bool ground_truth_available = false;
  Chain* chain = nullptr;
  Producer* producer = nullptr;  // nullptr in replay mode
  FaultInjector* faults = nullptr;
  ConnectionDropper* dropper = nullptr;
  NodeServers* servers = nullptr;
  std::function<Endpoint()> control_endpoint;
};

std::unique_ptr<grpc::Service> make_control_service(ControlContext context);

}  // namespace tronidx::sim
