#pragma once
// The gRPC services of the node ports, served with raw-bytes callback handlers (cached block bytes go
// out without re-serialisation or copies):
//   full-node port: protocol.Wallet + protocol.Database (full view)
//   solidity port:  protocol.WalletSolidity + protocol.Database (solidified view)
// WalletSolidity is not registered on the full-node port, so calling it there is UNIMPLEMENTED, as on
// java-tron. Each call: fault decision (FaultInjector), UNAVAILABLE if so decided, the answer from
// NodeApi, then Finish — deferred on the DelayQueue when latency was added.
//
// The services hold references only; NodeApi, FaultInjector and DelayQueue must outlive every server
// the services are registered with.

#include <grpcpp/impl/service_type.h>

#include <memory>
#include <vector>

#include "delay_queue.h"
#include "faults.h"
#include "node_api.h"

namespace tronidx::sim {

enum class NodePort : uint8_t { kFullNode, kSolidity };

// Fresh service objects for one server of `port` (a grpc::Service can belong to one server only).
std::vector<std::unique_ptr<grpc::Service>> make_node_services(NodePort port, const NodeApi& api, FaultInjector& faults,
                                                               DelayQueue& delays);

}  // namespace tronidx::sim
