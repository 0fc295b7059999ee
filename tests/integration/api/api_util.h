#pragma once
// Helpers of the public-API tests (tests/integration/api): knobs, the simulator's truth, daemons with
// API settings the shared DaemonProcess fixture cannot express (API keys only, TLS), gRPC call helpers,
// cursor decoding, and EventStream — a Subscribe stream read on a thread of its own.
//
// Everything here is used from the test's main thread, except EventStream's reader thread.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "itsupport/daemon_process.h"
#include "itsupport/event_stream.h"
#include "itsupport/grpc_client.h"
#include "itsupport/launched_daemon.h"
#include "itsupport/truth.h"
#include "testsupport/child_process.h"
#include "testsupport/sim_process.h"
#include "testsupport/temp_dir.h"
#include "tronidx/chain/result.h"
#include "tronidx/v1/admin.grpc.pb.h"
#include "tronidx/v1/query.grpc.pb.h"
#include "tronidx/v1/subscribe.grpc.pb.h"
#include "tronidx/v1/watch.grpc.pb.h"
#include "testsupport/result_assert.h"

namespace tronidx::apitest {

using testsupport::code_name;
using testsupport::describe;
using testsupport::event_transfer;
using testsupport::EventStream;
using testsupport::ExitStatus;
using testsupport::make_channel;
using testsupport::Received;
using testsupport::SimProcess;
using testsupport::tail;
using testsupport::TempDir;
using testsupport::TruthBlock;
using testsupport::TruthTransfer;

using namespace std::chrono_literals;

// ---- knobs -------------------------------------------------------------------------------------------

// TRONIDX_LONG_TESTS: unset/""/"0" -> 1; "1" -> 5; N >= 2 -> N.
int long_factor();
// TRONIDX_TEST_SEED when set, else random. Printed ("[seed] <test> <seed>") and recorded as the gtest
// property "seed" so that a failure can be replayed with TRONIDX_TEST_SEED=<seed>.
uint64_t test_seed();

// ---- the simulator -------------------------------------------------------------------------------------

// tron-sim with these flags (quiet); the error carries the simulator's stderr tail.
Result<std::unique_ptr<SimProcess>> start_sim(std::vector<std::string> args);

// One consistent read of the simulator's canonical chain.
struct ChainTruth {
  uint64_t head = 0;
  std::string head_id;
  uint64_t solidified = 0;
  std::vector<TruthTransfer> transfers;    // canonical chain, position order
  std::map<uint64_t, TruthBlock> blocks;   // canonical chain by number
  std::vector<std::string> hot_addresses;  // base58
};
// Retries until head and solidified did not move during the read.
Result<ChainTruth> read_truth(const SimProcess& sim);

// ---- daemons ---------------------------------------------------------------------------------------------

// A tronidxd process with a configuration the test controls entirely (the shared DaemonProcess needs an
// unauthenticated plaintext API and reconnects slowly after a restart): restartable on the same data dir
// and API port; readiness is its log saying "API listening" and, for a plaintext unauthenticated API,
// GetStatus answering on a fresh channel. Stubs use a channel made after the last (re)start.
struct ApiDaemonOptions {
  std::vector<std::string> node_endpoints;                    // required
  std::string mode = "all";                                   // watched | all
  std::vector<std::string> tokens;                            // all mode; empty = "*"
  std::vector<std::pair<std::string, std::string>> watches;   // [[watch]] (address, label)
  std::optional<uint64_t> start_block;
  std::vector<std::string> sync_settings;                     // extra [sync] lines (poll_interval_ms = 100 set)
  std::vector<std::string> store_settings;                    // extra [store] lines
  // The [api] section's lines besides `listen`; default: allow_unauthenticated = true and
  // heartbeat_interval_ms = 300. Set plaintext_unauthenticated = false when they configure keys or TLS.
  std::vector<std::string> api_settings = {"allow_unauthenticated = true", "heartbeat_interval_ms = 300"};
  bool plaintext_unauthenticated = true;
  std::string listen_host = "127.0.0.1";
  std::string extra_toml;                                     // appended (e.g. [[api.key]] tables)
  std::vector<std::pair<std::string, std::string>> env;
  std::chrono::milliseconds start_timeout{60000};
};

// Options against `sim`.
ApiDaemonOptions daemon_options(const SimProcess& sim, const std::string& mode = "all");

class ApiDaemon : public testsupport::LaunchedDaemon {
 public:
  static Result<std::unique_ptr<ApiDaemon>> start(ApiDaemonOptions options);

  // The metrics HTTP port of the current run (from its log), 0 if unknown.
  int metrics_port() const;
  // GET /metrics of the current run ("" on failure).
  std::string metrics() const;

 private:
  ApiDaemon() : LaunchedDaemon("tronidxd-api") {}
  Status launch() override;
  ApiDaemonOptions opts_;
};

// Until the daemon's tip is the simulator's head (same id) and its solidified number the simulator's.
Status wait_synced(const ApiDaemon& d, const SimProcess& sim, std::chrono::milliseconds timeout = 60s);

// The [node]/[store]/[index]/[sync]/[log]/[metrics] sections of a minimal config (all mode) against
// `sim`, with `{DATA}` for the data dir; append an [api] section.
std::string base_config(const SimProcess& sim, const std::string& mode = "all");

// Runs tronidxd -c <config> to its exit (at most `timeout`, SIGKILL then). `{DATA}` is replaced.
struct RunResult {
  ExitStatus status;
  bool timed_out = false;
  std::string output;
};
RunResult run_tronidxd_to_exit(const std::string& config, std::chrono::milliseconds timeout = 60s);

// Every transfer ListTransfers returns for `req` (all pages, page size as in req or 1000).
Result<std::vector<TruthTransfer>> list_all(const ApiDaemon& d, v1::ListTransfersRequest req);

// SHA-256 of `text` in lower-case hex (what [[api.key]] sha256 holds).
std::string sha256_hex(const std::string& text);

struct HttpAnswer {
  int status = 0;
  std::string body;
};
// A plain HTTP/1.0 GET on 127.0.0.1:port: status code and body (status 0 when there is no valid answer).
HttpAnswer http_get(int port, const std::string& path);
// The value of a Prometheus sample `name` (without labels) in `text`, or nullopt.
std::optional<double> metric_value(const std::string& text, const std::string& name);

// ---- gRPC ---------------------------------------------------------------------------------------------

// A client context with a deadline and, when `api_key` is set, "authorization: Bearer <api_key>".
std::unique_ptr<grpc::ClientContext> make_ctx(std::chrono::milliseconds timeout = 30s, const std::string& api_key = "");

// Opens Subscribe(req) and returns the status of the stream when the server ends it before sending
// anything within `timeout` (the way requests are refused); OK with `*opened` = true when the stream
// delivered a message (event or heartbeat) instead.
grpc::Status subscribe_status(v1::Subscribe::Stub& stub, const v1::SubscribeRequest& req, bool* opened = nullptr,
                              std::chrono::milliseconds timeout = 10s, const std::string& api_key = "");

// grpc.health.v1.Health/Check of `service` ("" = the server): SERVING / NOT_SERVING / ..., or the
// call's error.
Result<std::string> health_check(const std::shared_ptr<grpc::Channel>& channel, const std::string& service = "");
// grpc.reflection.v1alpha.ServerReflection: the services the server lists.
Result<std::vector<std::string>> reflection_services(const std::shared_ptr<grpc::Channel>& channel);
// ... and the serialized FileDescriptorProtos of the file defining `symbol` (with its dependencies).
Result<std::vector<std::string>> reflection_file_containing(const std::shared_ptr<grpc::Channel>& channel,
                                                            const std::string& symbol);

// ---- cursors -------------------------------------------------------------------------------------------

// A cursor as documented in docs/subscriptions.md: "c1." + base64url(instance id[16] | BE64 seq |
// BE32 ordinal | BE64 binding). Decoded by the tests to order and compare positions; clients treat them
// as opaque.
struct CursorPos {
  static constexpr uint32_t kAfterRecord = 0xffffffffu;
  std::string instance;  // 16 raw bytes
  uint64_t seq = 0;
  uint32_t ordinal = 0;
  uint64_t binding = 0;
  std::pair<uint64_t, uint32_t> pos() const { return {seq, ordinal}; }
};
std::optional<CursorPos> decode_cursor(const std::string& text);
std::string encode_cursor(const CursorPos& c);
std::string base64url_encode(const std::string& bytes);
std::optional<std::string> base64url_decode(const std::string& text);

// ---- subscriptions ---------------------------------------------------------------------------------------

const char* type_name(v1::Event::Type t);
// The idempotency key of docs/subscriptions.md: (type, txid, event_index, block_id).
std::string event_key(v1::Event::Type type, const std::string& txid, uint32_t event_index, const std::string& block_id);
std::string event_key(const v1::Event& e);

// ---- misc ---------------------------------------------------------------------------------------------

// All transfers of `truth` touching `address` (base58).
std::vector<TruthTransfer> touching(const std::vector<TruthTransfer>& truth, const std::string& address);

}  // namespace tronidx::apitest
