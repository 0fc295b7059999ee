#include "itsupport/launched_daemon.h"

#include <grpcpp/grpcpp.h>

#include <csignal>

#include "itsupport/grpc_client.h"
#include "testsupport/wait.h"

namespace tronidx::testsupport {

LaunchedDaemon::~LaunchedDaemon() {
  if (process_ && process_->running()) process_->kill_and_wait();
}

Status LaunchedDaemon::restart() {
  if (running()) return make_error(Errc::kFailedPrecondition, "tronidxd is still running");
  return launch();
}

ExitStatus LaunchedDaemon::stop(std::chrono::milliseconds timeout) {
  if (!process_) return ExitStatus{};
  ignore_status(process_->signal(SIGTERM));
  return process_->wait_or_kill(timeout);
}

ExitStatus LaunchedDaemon::kill() {
  if (!process_) return ExitStatus{};
  return process_->kill_and_wait();
}

Result<v1::GetStatusResponse> LaunchedDaemon::status() const {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::GetStatusResponse st;
  auto s = query_->GetStatus(&ctx, v1::GetStatusRequest(), &st);
  if (!s.ok()) return make_error(Errc::kUnavailable, "GetStatus: " + describe(s));
  return st;
}

std::string LaunchedDaemon::log_text() const {
  std::string all;
  for (int i = 1; i <= runs_; ++i) all += read_text_file(run_log(i));
  return all;
}

Result<std::filesystem::path> LaunchedDaemon::spawn_run(const std::filesystem::path& program,
                                                        const std::vector<std::pair<std::string, std::string>>& env) {
  ChildOptions c;
  c.program = program.string();
  c.args = {"-c", config_.string()};
  c.env = env;
  const auto log = run_log(++runs_);
  c.stdout_path = log;
  c.stderr_path = log;
  TRONIDX_ASSIGN(auto child, ChildProcess::spawn(c));
  process_.emplace(std::move(child));
  return log;
}

Status LaunchedDaemon::wait_ready(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds poll) {
  bool exited = false;
  const bool ok = wait_until(
      [&] {
        exited = !process_->running();
        return exited || ready();
      },
      timeout, poll);
  if (ok && !exited) return ok_status();
  return make_error(Errc::kUnavailable, std::string("tronidxd ") + (exited ? "exited" : "did not start in time") +
                                            ":\n" + tail(read_text_file(log_path())));
}

void LaunchedDaemon::use_channel(std::shared_ptr<grpc::Channel> channel) {
  channel_ = std::move(channel);
  query_ = v1::Query::NewStub(channel_);
  watch_ = v1::Watch::NewStub(channel_);
  subscribe_ = v1::Subscribe::NewStub(channel_);
  admin_ = v1::Admin::NewStub(channel_);
}

}  // namespace tronidx::testsupport
