#pragma once
// What the two tronidxd launchers of the integration tests share — DaemonProcess (engine and cli suites)
// and apitest::ApiDaemon (public-API suite, which also needs TLS and key-only configurations):
//   - a TempDir holding the config and one log file per run (run-1.log, run-2.log, ...);
//   - the child process: restart() after stop()/kill(), stop() = SIGTERM then SIGKILL past a timeout,
//     SIGKILL when the launcher is destroyed;
//   - the API channel and its four stubs, GetStatus, and the logs of every run.
// A launcher writes its config, then implements launch(): spawn_run(), then wait until the run is ready.
// Not thread-safe for start/stop/restart; the stubs are (gRPC's guarantees).

#include <grpcpp/channel.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "testsupport/child_process.h"
#include "testsupport/temp_dir.h"
#include "tronidx/chain/result.h"
#include "tronidx/v1/admin.grpc.pb.h"
#include "tronidx/v1/query.grpc.pb.h"
#include "tronidx/v1/subscribe.grpc.pb.h"
#include "tronidx/v1/watch.grpc.pb.h"

namespace tronidx::testsupport {

class LaunchedDaemon {
 public:
  virtual ~LaunchedDaemon();  // SIGKILL if still running
  LaunchedDaemon(const LaunchedDaemon&) = delete;
  LaunchedDaemon& operator=(const LaunchedDaemon&) = delete;

  // Starts the same configuration again (same data dir and API port) after stop()/kill().
  Status restart();
  // SIGTERM and wait (SIGKILL after `timeout`); the exit status.
  ExitStatus stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGKILL, immediately.
  ExitStatus kill();
  bool running() const { return process_ && process_->running(); }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  ChildProcess& process() { return *process_; }

  const std::string& api_endpoint() const noexcept { return api_endpoint_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  v1::Query::Stub& query() const { return *query_; }
  v1::Watch::Stub& watch() const { return *watch_; }
  v1::Subscribe::Stub& subscribe() const { return *subscribe_; }
  v1::Admin::Stub& admin() const { return *admin_; }
  // GetStatus (10 s deadline); kUnavailable naming the gRPC status when it fails.
  Result<v1::GetStatusResponse> status() const;

  const std::filesystem::path& data_dir() const noexcept { return data_dir_; }
  const std::filesystem::path& config_path() const noexcept { return config_; }
  std::string log_text() const;  // stdout and stderr of every run so far, appended
  std::filesystem::path log_path() const { return run_log(runs_); }  // the current (last) run's

 protected:
  explicit LaunchedDaemon(const std::string& dir_prefix) : dir_(dir_prefix) {}
  // Starts one run of the configuration; ready when it returns OK.
  virtual Status launch() = 0;
  // Spawns `program -c <config>` with `env`, stdout and stderr to the next run's log; returns that log.
  Result<std::filesystem::path> spawn_run(const std::filesystem::path& program,
                                          const std::vector<std::pair<std::string, std::string>>& env);
  // The stubs talk over `channel` from now on.
  void use_channel(std::shared_ptr<grpc::Channel> channel);
  // Polls `ready` every `poll` until it holds; kUnavailable with the current run's log tail when the process
  // exits first or `timeout` passes.
  Status wait_ready(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds poll);

  TempDir dir_;
  std::filesystem::path data_dir_, config_;
  std::string api_endpoint_;
  mutable std::optional<ChildProcess> process_;  // mutable: running() reaps

 private:
  std::filesystem::path run_log(int run) const { return dir_.file("run-" + std::to_string(run) + ".log"); }

  int runs_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Query::Stub> query_;
  std::unique_ptr<v1::Watch::Stub> watch_;
  std::unique_ptr<v1::Subscribe::Stub> subscribe_;
  std::unique_ptr<v1::Admin::Stub> admin_;
};

}  // namespace tronidx::testsupport
