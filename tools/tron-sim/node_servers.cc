#include "node_servers.h"

#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "thread_name.h"

namespace tronidx::sim {
namespace {

constexpr int kMaxMessageBytes = 512 << 20;  // 100-block ranges of mainnet blocks are ~10 MB
constexpr auto kRetryStart = std::chrono::milliseconds(100);

}  // namespace

NodeServers::NodeServers(const NodeApi& api, FaultInjector& faults, DelayQueue& delays, Endpoint full_node,
                         Endpoint solidity)
    : api_(api), faults_(faults), delays_(delays) {
  full_.kind = NodePort::kFullNode;
  full_.endpoint = std::move(full_node);
  solidity_.kind = NodePort::kSolidity;
  solidity_.endpoint = std::move(solidity);
}

NodeServers::~NodeServers() { stop(std::chrono::milliseconds(0)); }

Status NodeServers::start_port_locked(Port& port) {
  port.services = make_node_services(port.kind, api_, faults_, delays_);
  grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort(port.endpoint.str(), grpc::InsecureServerCredentials(), &bound);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (auto& s : port.services) builder.RegisterService(s.get());
  port.server = builder.BuildAndStart();
  if (!port.server || bound == 0) {
    port.server.reset();
    return make_error(Errc::kUnavailable, "cannot listen on " + port.endpoint.str());
  }
  port.endpoint.port = bound;
  return ok_status();
}

Status NodeServers::start() {
  std::lock_guard lock(mu_);
  if (full_.server) return ok_status();
  Status s = start_port_locked(full_);
  if (s.ok()) s = start_port_locked(solidity_);
  if (!s.ok()) {
    for (Port* p : {&full_, &solidity_}) {
      if (p->server) p->server->Shutdown(std::chrono::system_clock::now());
      p->server.reset();
    }
  }
  return s;
}

void NodeServers::stop(std::chrono::milliseconds grace) {
  std::lock_guard lock(mu_);
  for (Port* p : {&full_, &solidity_}) {
    if (!p->server) continue;
    p->server->Shutdown(std::chrono::system_clock::now() + grace);
    p->server->Wait();
    p->server.reset();
    p->services.clear();
  }
}

bool NodeServers::running() const {
  std::lock_guard lock(mu_);
  return full_.server != nullptr;
}

Endpoint NodeServers::full_node() const {
  std::lock_guard lock(mu_);
  return full_.endpoint;
}

Endpoint NodeServers::solidity() const {
  std::lock_guard lock(mu_);
  return solidity_.endpoint;
}

ConnectionDropper::ConnectionDropper(NodeServers& servers, FaultInjector& faults)
    : servers_(servers), faults_(faults), thread_([this] { loop(); }) {}

ConnectionDropper::~ConnectionDropper() { stop(); }

void ConnectionDropper::drop_now(std::chrono::milliseconds down) {
  std::lock_guard lock(mu_);
  drop_locked(down);
  cv_.notify_all();
}

void ConnectionDropper::drop_locked(std::chrono::milliseconds down) {
  servers_.stop(std::chrono::milliseconds(0));
  faults_.count_drop();
  const auto reopen = Clock::now() + down;
  if (!reopen_at_ || *reopen_at_ < reopen) reopen_at_ = reopen;
}

void ConnectionDropper::settings_changed() {
  std::lock_guard lock(mu_);
  period_start_ = Clock::now();
  cv_.notify_all();
}

void ConnectionDropper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConnectionDropper::loop() {
  set_thread_name("sim-drops");
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const FaultSettings s = faults_.settings();
    std::optional<Clock::time_point> next_drop;
    if (s.drop_interval_ms > 0) {
      const auto interval = std::chrono::milliseconds(s.drop_interval_ms);
      const auto elapsed = Clock::now() - period_start_;
      next_drop = period_start_ + (elapsed / interval + 1) * interval;
    }
    std::optional<Clock::time_point> wake = reopen_at_ ? reopen_at_ : next_drop;
    if (!wake) {
      cv_.wait(lock);
      continue;
    }
    if (cv_.wait_until(lock, *wake) == std::cv_status::no_timeout) continue;  // re-evaluate
    if (stopping_) break;
    if (reopen_at_) {
      if (Clock::now() < *reopen_at_) continue;
      const Status started = servers_.start();
      if (started.ok()) {
        reopen_at_.reset();
      } else {
        std::fprintf(stderr, "tron-sim: reopening node ports failed (%s); retrying\n", started.error().message.c_str());
        reopen_at_ = Clock::now() + kRetryStart;
      }
    } else if (next_drop && Clock::now() >= *next_drop) {
      drop_locked(std::chrono::milliseconds(s.drop_down_ms));
    }
  }
}

}  // namespace tronidx::sim
