#include "testsupport/sim_process.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "testsupport/channel_args.h"
#include "testsupport/wait.h"

namespace tronidx::testsupport {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(60);

std::unique_ptr<grpc::ClientContext> context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  return ctx;
}

Errc errc_of(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Errc::kInvalidArgument;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return Errc::kFailedPrecondition;
    case grpc::StatusCode::NOT_FOUND:
      return Errc::kNotFound;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Errc::kDeadlineExceeded;
    case grpc::StatusCode::UNAVAILABLE:
      return Errc::kUnavailable;
    default:
      return Errc::kInternal;
  }
}

Error rpc_error(const std::string& what, const grpc::Status& s) {
  return make_error(errc_of(s.error_code()), what + ": " + s.error_message());
}

template <class Call>
Result<std::string> read_dump(Call call) {
  auto ctx = context();
  auto reader = call(ctx.get());
  std::string out;
  tronsim::v1::DumpChunk chunk;
  while (reader->Read(&chunk)) out += chunk.jsonl();
  const grpc::Status s = reader->Finish();
  if (!s.ok()) return rpc_error("dump", s);
  return out;
}

}  // namespace

std::filesystem::path SimProcess::default_binary() {
  return std::filesystem::path(TRONIDX_BINARY_DIR) / "tools" / "tron-sim" / "tron-sim";
}

std::shared_ptr<grpc::Channel> SimProcess::make_channel(const std::string& endpoint) {
  grpc::ChannelArguments args;
  set_test_channel_args(args);
  return grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args);
}

Result<std::unique_ptr<SimProcess>> SimProcess::start(SimOptions options) {
  TempDir dir("tron-sim");
  ChildOptions child;
  child.program = (options.binary.empty() ? default_binary() : options.binary).string();
  child.args = {"--listen",         "127.0.0.1:0", "--solidity-listen", "127.0.0.1:0",
                "--control-listen", "127.0.0.1:0", "--ports-file",      dir.file("ports.json").string()};
  if (options.quiet) child.args.push_back("--quiet");
  child.args.insert(child.args.end(), options.args.begin(), options.args.end());
  child.env = options.env;
  child.stdout_path = dir.file("stdout.log");
  child.stderr_path = dir.file("stderr.log");
  TRONIDX_ASSIGN(ChildProcess process, ChildProcess::spawn(child));
  std::unique_ptr<SimProcess> sim(new SimProcess(std::move(dir), std::move(process)));
  TRONIDX_TRY(sim->wait_ready(options.start_timeout));
  return sim;
}

Result<std::unique_ptr<SimProcess>> SimProcess::start(std::vector<std::string> args) {
  SimOptions options;
  options.args = std::move(args);
  return start(std::move(options));
}

Status SimProcess::wait_ready(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::filesystem::path ports = dir_.file("ports.json");
  nlohmann::json parsed;
  std::optional<ExitStatus> exited;
  const bool written = wait_until(
      [&] {
        exited = process_.try_wait();
        if (exited) return true;
        parsed = nlohmann::json::parse(read_text_file(ports), nullptr, false);
        return parsed.is_object();
      },
      timeout);
  if (exited) {
    return make_error(Errc::kUnavailable,
                      "tron-sim exited during start-up (" + exited->describe() + "): " + tail(stderr_text(), 2000));
  }
  if (!written) return make_error(Errc::kUnavailable, "tron-sim wrote no ports file in time: " + tail(stderr_text(), 2000));
  full_node_ = parsed.value("full_node", "");
  solidity_ = parsed.value("solidity", "");
  control_ = parsed.value("control", "");
  full_node_channel_ = make_channel(full_node_);
  solidity_channel_ = make_channel(solidity_);
  control_channel_ = make_channel(control_);
  control_stub_ = tronsim::v1::Control::NewStub(control_channel_);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::max<std::chrono::steady_clock::duration>(deadline - std::chrono::steady_clock::now(),
                                                                 std::chrono::seconds(1)));
  ctx.set_wait_for_ready(true);
  tronsim::v1::StatusResponse status;
  const grpc::Status s = control_stub_->Status(&ctx, tronsim::v1::StatusRequest{}, &status);
  if (!s.ok()) return rpc_error("tron-sim control port not ready", s);
  return ok_status();
}

SimProcess::~SimProcess() { stop(std::chrono::seconds(5)); }

ExitStatus SimProcess::stop(std::chrono::milliseconds timeout) {
  if (auto done = process_.try_wait()) return *done;
  ignore_status(process_.signal(SIGTERM));
  if (auto done = process_.wait_for(timeout)) return *done;
  return process_.kill_and_wait();
}

std::string SimProcess::stdout_text() const { return read_text_file(dir_.file("stdout.log")); }
std::string SimProcess::stderr_text() const { return read_text_file(dir_.file("stderr.log")); }

Result<tronsim::v1::StatusResponse> SimProcess::status() const {
  auto ctx = context();
  tronsim::v1::StatusResponse out;
  const grpc::Status s = control_stub_->Status(ctx.get(), tronsim::v1::StatusRequest{}, &out);
  if (!s.ok()) return rpc_error("Status", s);
  return out;
}

Result<tronsim::v1::AdvanceResponse> SimProcess::advance(int64_t count) const {
  auto ctx = context();
  tronsim::v1::AdvanceRequest req;
  req.set_count(count);
  tronsim::v1::AdvanceResponse out;
  const grpc::Status s = control_stub_->Advance(ctx.get(), req, &out);
  if (!s.ok()) return rpc_error("Advance", s);
  return out;
}

Result<tronsim::v1::ReorgResponse> SimProcess::reorg(const tronsim::v1::ReorgRequest& request) const {
  auto ctx = context();
  tronsim::v1::ReorgResponse out;
  const grpc::Status s = control_stub_->Reorg(ctx.get(), request, &out);
  if (!s.ok()) return rpc_error("Reorg", s);
  return out;
}

Status SimProcess::set_faults(const tronsim::v1::FaultConfig& faults, bool reset_counters) const {
  auto ctx = context();
  tronsim::v1::SetFaultsRequest req;
  *req.mutable_faults() = faults;
  req.set_reset_counters(reset_counters);
  tronsim::v1::SetFaultsResponse out;
  const grpc::Status s = control_stub_->SetFaults(ctx.get(), req, &out);
  if (!s.ok()) return rpc_error("SetFaults", s);
  return ok_status();
}

namespace {
tronsim::v1::DumpRequest dump_request(int64_t from_block, std::optional<int64_t> to_block) {
  tronsim::v1::DumpRequest req;
  req.set_from_block(from_block);
  if (to_block) req.set_to_block(*to_block);
  return req;
}
}  // namespace

Result<std::string> SimProcess::dump_ground_truth(int64_t from_block, std::optional<int64_t> to_block) const {
  const auto req = dump_request(from_block, to_block);
  return read_dump([&](grpc::ClientContext* ctx) { return control_stub_->DumpGroundTruth(ctx, req); });
}

Result<std::string> SimProcess::dump_blocks(int64_t from_block, std::optional<int64_t> to_block) const {
  const auto req = dump_request(from_block, to_block);
  return read_dump([&](grpc::ClientContext* ctx) { return control_stub_->DumpBlocks(ctx, req); });
}

}  // namespace tronidx::testsupport
