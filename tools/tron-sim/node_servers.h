#pragma once
// The two node ports (full node and solidity) as gRPC servers that can be stopped and started again on
// the same ports — how connection drops are simulated — plus the thread that carries out drops.
//
// Thread-safety: all public methods may be called from any thread; start/stop are serialised.

#include <grpcpp/server.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "endpoint.h"
#include "node_services.h"

namespace tronidx::sim {

class NodeServers {
 public:
  NodeServers(const NodeApi& api, FaultInjector& faults, DelayQueue& delays, Endpoint full_node, Endpoint solidity);
  ~NodeServers();  // stop(0)
  NodeServers(const NodeServers&) = delete;
  NodeServers& operator=(const NodeServers&) = delete;

  // Binds both ports. The first start resolves port 0 to the bound port; later starts reuse it.
  // kUnavailable when a port cannot be bound (both servers are then stopped).
  Status start();
  // Closes both ports; in-flight calls get up to `grace` to finish, then are cancelled (a connection
  // drop uses zero grace: the calls fail, as they would on a real drop). Note that gRPC waits the whole
  // grace while clients keep idle connections open. Idempotent.
  void stop(std::chrono::milliseconds grace);
  bool running() const;
  Endpoint full_node() const;
  Endpoint solidity() const;

 private:
  struct Port {
    NodePort kind;
    Endpoint endpoint;
    std::vector<std::unique_ptr<grpc::Service>> services;
    std::unique_ptr<grpc::Server> server;
  };
  Status start_port_locked(Port& port);

  const NodeApi& api_;
  FaultInjector& faults_;
  DelayQueue& delays_;
  mutable std::mutex mu_;
  Port full_;
  Port solidity_;
};

// Carries out connection drops on a thread named "sim-drops": on request (drop_now) and every
// FaultSettings::drop_interval_ms. After a drop the ports reopen drop_down_ms later.
class ConnectionDropper {
 public:
  ConnectionDropper(NodeServers& servers, FaultInjector& faults);
  ~ConnectionDropper();

  // Closes the ports now and returns once they are closed; they reopen after `down`.
  void drop_now(std::chrono::milliseconds down);
  // Re-reads the periodic-drop settings (call after FaultInjector::configure).
  void settings_changed();
  void stop();

 private:
  using Clock = std::chrono::steady_clock;
  void loop();
  void drop_locked(std::chrono::milliseconds down);

  NodeServers& servers_;
  FaultInjector& faults_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Clock::time_point> reopen_at_;  // set while the ports are closed
  Clock::time_point period_start_ = Clock::now();
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tronidx::sim
