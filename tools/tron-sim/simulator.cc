#include "simulator.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "block_factory.h"
#include "chain.h"
#include "console.h"
#include "control_service.h"
#include "delay_queue.h"
#include "endpoint.h"
#include "node_api.h"
#include "node_servers.h"
#include "producer.h"
#include "recording.h"
#include "thread_name.h"
#include "tronidx/common/callback_keepawake.h"

namespace tronidx::sim {
namespace {

// In-flight calls get this long to finish at shutdown (gRPC also waits it out while clients keep idle
// connections open, so it is short).
constexpr auto kShutdownGrace = std::chrono::milliseconds(100);

Error bad_flag(const std::string& what) { return make_error(Errc::kInvalidArgument, what); }

Status write_ports_file(const std::string& path, const Endpoint& full, const Endpoint& solidity,
                        const Endpoint& control) {
  const std::string json =
      "{\"full_node\":\"" + full.str() + "\",\"solidity\":\"" + solidity.str() + "\",\"control\":\"" + control.str() +
      "\",\"full_node_port\":" + std::to_string(full.port) + ",\"solidity_port\":" + std::to_string(solidity.port) +
      ",\"control_port\":" + std::to_string(control.port) + ",\"pid\":" + std::to_string(getpid()) + "}\n";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json;
    if (!out.flush()) return make_error(Errc::kUnavailable, "--ports-file: cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return make_error(Errc::kUnavailable, "--ports-file: cannot rename to " + path + ": " + ec.message());
  return ok_status();
}

class SimulatorImpl final : public Simulator {
 public:
  explicit SimulatorImpl(const SimConfig& config)
      : config_(config),
        console_(config.serve.quiet),
        chain_(static_cast<uint64_t>(config.chain.solid_lag)),
        faults_(config.gen.seed, config.faults) {}

  ~SimulatorImpl() override { shutdown(); }

  Status build() {
    if (!config_.serve.replay_dir.empty()) {
      TRONIDX_ASSIGN(const LoadedRecording loaded, load_recording(config_.serve.replay_dir, chain_));
      ground_truth_ = loaded.ground_truth;
      console_.info("tron-sim: replaying " + std::to_string(loaded.blocks) + " blocks from " +
                    config_.serve.replay_dir + (loaded.ground_truth ? " (with ground truth)" : " (no ground truth)"));
      return ok_status();
    }
    TRONIDX_ASSIGN(Population population, Population::create(config_.gen));
    population_ = std::make_shared<const Population>(std::move(population));
    auto factory = std::make_shared<const BlockFactory>(config_.gen, population_);
    ProducerHooks hooks;
    hooks.on_block = [this](const BlockPtr& b, uint64_t solid) { console_.block(*b, solid); };
    hooks.on_reorg = [this](const ReorgOutcome& r) { console_.reorg(r); };
    producer_ = std::make_unique<Producer>(factory, chain_, config_.chain, config_.gen.seed, std::move(hooks));
    const auto started = std::chrono::steady_clock::now();
    TRONIDX_TRY(producer_->build_initial(static_cast<uint64_t>(config_.serve.prebuild),
                                         static_cast<unsigned>(config_.serve.gen_threads)));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ground_truth_ = true;
    const Chain::Tips tips = chain_.tips();
    console_.info("tron-sim: seed " + std::to_string(config_.gen.seed) + ", profile " +
                  profile_name(config_.gen.profile) + ", genesis " + tips.genesis->id.to_hex() + ", head " +
                  std::to_string(tips.head->num) + " (built in " + std::to_string(secs).substr(0, 5) + " s)");
    return ok_status();
  }

  Status serve() override {
    TRONIDX_ASSIGN(const Endpoint full, parse_endpoint(config_.serve.listen, "--listen"));
    TRONIDX_ASSIGN(const Endpoint solidity, parse_endpoint(config_.serve.solidity_listen, "--solidity-listen"));
    TRONIDX_ASSIGN(control_endpoint_, parse_endpoint(config_.serve.control_listen, "--control-listen"));
    api_ = std::make_unique<NodeApi>(chain_, faults_);
    servers_ = std::make_unique<NodeServers>(*api_, faults_, delays_, full, solidity);
    TRONIDX_TRY(servers_->start());
    dropper_ = std::make_unique<ConnectionDropper>(*servers_, faults_);
    TRONIDX_TRY(start_control());
    if (!config_.serve.ports_file.empty()) {
      TRONIDX_TRY(
          write_ports_file(config_.serve.ports_file, servers_->full_node(), servers_->solidity(), control_endpoint_));
    }
    console_.info("tron-sim: full node " + servers_->full_node().str() + ", solidity " + servers_->solidity().str() +
                  ", control " + control_endpoint_.str());
    if (population_ && !population_->hot().empty()) {
      std::string hot = "tron-sim: hot addresses:";
      for (size_t i = 0; i < population_->hot().size() && i < 20; ++i) {
        hot += ' ';  // (not " " + ...: GCC 12 -O3 reports a false -Wrestrict on that)
        hot += population_->hot()[i].to_base58();
      }
      if (population_->hot().size() > 20) hot += " ... (" + std::to_string(population_->hot().size()) + ")";
      console_.info(hot);
    }
    if (producer_ && config_.serve.block_interval_ms > 0) {
      producer_->start_timer(std::chrono::milliseconds(config_.serve.block_interval_ms));
    }
    return ok_status();
  }

  void shutdown() override {
    if (producer_) producer_->stop();
    if (control_server_) {
      control_server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
      control_server_->Wait();
      control_server_.reset();
    }
    if (dropper_) dropper_->stop();
    if (servers_) servers_->stop(kShutdownGrace);
    delays_.stop();
  }

  const Chain& chain() const { return chain_; }
  bool ground_truth() const { return ground_truth_; }

 private:
  Status start_control() {
    ControlContext ctx;
    ctx.mode = producer_ ? "generate" : "replay";
    ctx.seed = config_.gen.seed;
    ctx.profile = producer_ ? profile_name(config_.gen.profile) : "";
    ctx.block_interval_ms = producer_ ? config_.serve.block_interval_ms : 0;
    if (population_) {
      for (const auto& h : population_->hot()) ctx.hot_addresses.push_back(h.to_base58());
    }
    ctx.ground_truth_available = ground_truth_;
    ctx.chain = &chain_;
    ctx.producer = producer_.get();
    ctx.faults = &faults_;
    ctx.dropper = dropper_.get();
    ctx.servers = servers_.get();
    ctx.control_endpoint = [this] { return control_endpoint_; };
    control_service_ = make_control_service(std::move(ctx));
    grpc::ServerBuilder builder;
    int bound = 0;
    builder.AddListeningPort(control_endpoint_.str(), grpc::InsecureServerCredentials(), &bound);
    builder.SetMaxSendMessageSize(64 << 20);
    builder.RegisterService(control_service_.get());
    control_server_ = builder.BuildAndStart();
    if (!control_server_ || bound == 0) {
      return make_error(Errc::kUnavailable, "--control-listen: cannot listen on " + control_endpoint_.str());
    }
    control_endpoint_.port = bound;
    return ok_status();
  }

  const SimConfig config_;
  common::CallbackKeepAwake keepawake_;  // handlers never wait for a sleeping callback thread
  Console console_;
  Chain chain_;
  FaultInjector faults_;
  DelayQueue delays_;
  std::shared_ptr<const Population> population_;
  std::unique_ptr<Producer> producer_;
  bool ground_truth_ = false;
  Endpoint control_endpoint_;
  std::unique_ptr<NodeApi> api_;
  std::unique_ptr<NodeServers> servers_;
  std::unique_ptr<ConnectionDropper> dropper_;
  std::unique_ptr<grpc::Service> control_service_;
  std::unique_ptr<grpc::Server> control_server_;
};

Result<std::unique_ptr<SimulatorImpl>> build_simulator(const SimConfig& config) {
  TRONIDX_TRY(validate_sim_config(config));
  auto sim = std::make_unique<SimulatorImpl>(config);
  TRONIDX_TRY(sim->build());
  return sim;
}

}  // namespace

Status validate_sim_config(const SimConfig& c) {
  TRONIDX_TRY(validate_gen(c.gen, FieldStyle::kFlag));
  TRONIDX_TRY(validate_chain(c.chain, FieldStyle::kFlag));
  TRONIDX_TRY(validate_faults(c.faults.with_defaults(), FieldStyle::kFlag));
  TRONIDX_TRY(parse_endpoint(c.serve.listen, "--listen"));
  TRONIDX_TRY(parse_endpoint(c.serve.solidity_listen, "--solidity-listen"));
  TRONIDX_TRY(parse_endpoint(c.serve.control_listen, "--control-listen"));
  if (c.serve.block_interval_ms < 0 || c.serve.block_interval_ms > 3'600'000) {
    return bad_flag("--block-interval-ms: must be within [0, 3600000]");
  }
  if (c.serve.prebuild < 0 || c.serve.prebuild > 10'000'000)
    return bad_flag("--prebuild: must be within [0, 10000000]");
  if (c.serve.gen_threads < 0 || c.serve.gen_threads > 256) return bad_flag("--gen-threads: must be within [0, 256]");
  return ok_status();
}

Result<std::unique_ptr<Simulator>> Simulator::create(const SimConfig& config) {
  TRONIDX_ASSIGN(auto sim, build_simulator(config));
  return std::unique_ptr<Simulator>(std::move(sim));
}

int run_serve(const SimConfig& config) {
  // Block the shutdown signals before any thread exists, so every thread inherits the mask and only
  // sigwait() below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  set_thread_name("sim-main");

  auto sim = Simulator::create(config);
  if (!sim.ok()) {
    std::fprintf(stderr, "tron-sim: %s\n", sim.error().message.c_str());
    return sim.error().code == Errc::kInvalidArgument ? 2 : 1;
  }
  const Status served = (*sim)->serve();
  if (!served.ok()) {
    std::fprintf(stderr, "tron-sim: %s\n", served.error().message.c_str());
    (*sim)->shutdown();
    return served.error().code == Errc::kInvalidArgument ? 2 : 1;
  }
  int received = 0;
  sigwait(&signals, &received);
  std::fprintf(stderr, "tron-sim: %s received, shutting down\n", received == SIGINT ? "SIGINT" : "SIGTERM");
  (*sim)->shutdown();
  return 0;
}

int run_record(const SimConfig& config, const std::string& out_dir, int64_t blocks) {
  if (blocks < 0 || blocks > 10'000'000) {
    std::fprintf(stderr, "tron-sim: --blocks: must be within [0, 10000000]\n");
    return 2;
  }
  SimConfig c = config;
  c.serve.prebuild = blocks;
  c.serve.replay_dir.clear();
  auto sim = build_simulator(c);
  if (!sim.ok()) {
    std::fprintf(stderr, "tron-sim: %s\n", sim.error().message.c_str());
    return sim.error().code == Errc::kInvalidArgument ? 2 : 1;
  }
  const Status written =
      write_recording((*sim)->chain(), out_dir, RecordingInfo{c.gen.seed, profile_name(c.gen.profile), true});
  if (!written.ok()) {
    std::fprintf(stderr, "tron-sim: %s\n", written.error().message.c_str());
    return 1;
  }
  if (!c.serve.quiet)
    std::printf("tron-sim: recorded genesis + %lld blocks to %s\n", static_cast<long long>(blocks), out_dir.c_str());
  return 0;
}

}  // namespace tronidx::sim
