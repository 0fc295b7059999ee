#pragma once
// A tronidxd child process for integration tests: a generated TOML config in its own TempDir, started
// against a simulator, ready when start() returns (its API answers GetStatus), restartable on the same
// data dir, stoppable with SIGTERM or SIGKILL.
//
//   auto sim = SimProcess::start({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "50"});
//   DaemonOptions o;
//   o.node_endpoints = {(*sim)->full_node_endpoint()};
//   o.mode = "all";
//   auto d = DaemonProcess::start(o);
//   ASSERT_TRUE(d.ok()) << d.error().message;
//   ASSERT_TRUE((*d)->wait_for_tip(50, 60s).ok());
//
// The API listens on a free loopback port without authentication unless `extra_toml` configures keys.
// Not thread-safe for start/stop/restart; the stubs are (gRPC's guarantees).

#include <grpcpp/channel.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "itsupport/launched_daemon.h"

namespace tronidx::testsupport {

struct DaemonOptions {
  std::vector<std::string> node_endpoints;                    // required
  std::string mode = "watched";                               // watched | all
  std::vector<std::string> tokens;                            // all mode; empty = "*"
  std::vector<std::pair<std::string, std::string>> watches;   // (address, label) in the config file
  std::optional<uint64_t> start_block;                        // index.start_block
  bool trc10 = false;
  bool api = true;
  bool allow_unauthenticated = true;                          // false: extra_toml must hold [[api.key]]
  std::string extra_toml;                                     // appended verbatim (keys of other sections)
  std::vector<std::string> sync_settings;                     // "key = value" lines for [sync] (defaults:
                                                              // poll_interval_ms = 100, progress_interval_ms = 1000)
  std::vector<std::string> api_settings;                      // more "key = value" lines for [api]
  std::vector<std::string> store_settings;                    // more "key = value" lines for [store]
  std::string log_level = "info";
  std::filesystem::path data_dir;                             // empty: <TempDir>/data
  std::filesystem::path binary;                               // empty: default_binary()
  std::chrono::milliseconds start_timeout{60000};
  std::vector<std::pair<std::string, std::string>> env;
};

class DaemonProcess : public LaunchedDaemon {
 public:
  static std::filesystem::path default_binary();  // <build>/tools/tronidxd/tronidxd
  // kUnavailable when it exits early (message has the log tail) or its API does not answer in time.
  static Result<std::unique_ptr<DaemonProcess>> start(DaemonOptions options);

  // Waits until the indexed tip is >= block (and, when set, the solidified number >= solidified).
  Status wait_for_tip(uint64_t block, std::chrono::milliseconds timeout,
                      std::optional<uint64_t> solidified = std::nullopt) const;
  // Waits until a log line contains `text`.
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const;

 private:
  DaemonProcess() : LaunchedDaemon("tronidxd") {}
  Status launch() override;

  DaemonOptions opts_;
};

// A free loopback TCP port (bound and released), below the kernel's ephemeral range: one that no outgoing
// connection can take while a test restarts a daemon on it.
int free_port();

}  // namespace tronidx::testsupport
