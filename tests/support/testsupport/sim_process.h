#pragma once
// A tron-sim child process for integration tests: started on free ports (port 0 + --ports-file),
// ready when start() returns (ports file written and the control port answering), stopped with SIGTERM
// when destroyed.
//
//   auto sim = SimProcess::start({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "20"});
//   ASSERT_TRUE(sim.ok()) << sim.error().message;
//   auto wallet = protocol::Wallet::NewStub((*sim)->full_node_channel());
//   (*sim)->advance(5);
//
// Channels made here accept messages of any size (100-block ranges exceed gRPC's 4 MiB default) and
// reconnect fast (100 ms .. 1 s backoff) after DropConnections. The process's stdout/stderr go to files
// in its TempDir (stdout_text()/stderr_text()), and start() errors include the stderr tail.
// Not thread-safe for start/stop; the stubs and channels are (gRPC's own guarantees).

#include <grpcpp/channel.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "testsupport/child_process.h"
#include "testsupport/temp_dir.h"
#include "tronidx/chain/result.h"
#include "tronsim/v1/control.grpc.pb.h"

namespace tronidx::testsupport {

struct SimOptions {
  std::vector<std::string> args;  // tron-sim flags besides the listen/ports flags, which start() sets
  bool quiet = true;              // adds --quiet (no per-block lines)
  std::vector<std::pair<std::string, std::string>> env;  // added to the inherited environment
  std::chrono::milliseconds start_timeout{60000};        // generous: ASan and --prebuild take time
  std::filesystem::path binary;                          // empty: SimProcess::default_binary()
};

class SimProcess {
 public:
  // <build dir>/tools/tron-sim/tron-sim (from the compile definition TRONIDX_BINARY_DIR).
  static std::filesystem::path default_binary();
  // kUnavailable when the binary cannot run, exits early (message includes its stderr) or is not ready
  // within start_timeout.
  static Result<std::unique_ptr<SimProcess>> start(SimOptions options);
  // start() with these flags and the default options (quiet).
  static Result<std::unique_ptr<SimProcess>> start(std::vector<std::string> args);
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  const std::string& full_node_endpoint() const noexcept { return full_node_; }  // "127.0.0.1:port"
  const std::string& solidity_endpoint() const noexcept { return solidity_; }
  const std::string& control_endpoint() const noexcept { return control_; }
  // A new channel to `endpoint` with this class's settings (unlimited receive size, fast reconnect).
  static std::shared_ptr<grpc::Channel> make_channel(const std::string& endpoint);
  std::shared_ptr<grpc::Channel> full_node_channel() const { return full_node_channel_; }
  std::shared_ptr<grpc::Channel> solidity_channel() const { return solidity_channel_; }
  tronsim::v1::Control::Stub& control() const { return *control_stub_; }

  // Conveniences over control(), with a 60 s deadline. Errors carry the gRPC message, with the code
  // mapped to the Errc of the same name (INVALID_ARGUMENT -> kInvalidArgument, FAILED_PRECONDITION ->
  // kFailedPrecondition, UNAVAILABLE -> kUnavailable, others kInternal).
  Result<tronsim::v1::StatusResponse> status() const;
  Result<tronsim::v1::AdvanceResponse> advance(int64_t count) const;
  Result<tronsim::v1::ReorgResponse> reorg(const tronsim::v1::ReorgRequest& request) const;
  Status set_faults(const tronsim::v1::FaultConfig& faults, bool reset_counters = true) const;
  // DumpGroundTruth / DumpBlocks concatenated (JSONL text).
  Result<std::string> dump_ground_truth(int64_t from_block = 0, std::optional<int64_t> to_block = {}) const;
  Result<std::string> dump_blocks(int64_t from_block = 0, std::optional<int64_t> to_block = {}) const;

  // SIGTERM, then wait up to `timeout`; SIGKILL if it has not exited by then. The exit status.
  ExitStatus stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ChildProcess& process() noexcept { return process_; }
  pid_t pid() const noexcept { return process_.pid(); }
  const TempDir& dir() const noexcept { return dir_; }
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  SimProcess(TempDir dir, ChildProcess process) : dir_(std::move(dir)), process_(std::move(process)) {}
  Status wait_ready(std::chrono::milliseconds timeout);

  TempDir dir_;
  ChildProcess process_;
  std::string full_node_, solidity_, control_;
  std::shared_ptr<grpc::Channel> full_node_channel_, solidity_channel_, control_channel_;
  std::unique_ptr<tronsim::v1::Control::Stub> control_stub_;
};

}  // namespace tronidx::testsupport
