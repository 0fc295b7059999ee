#include "itsupport/daemon_process.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <random>

#include "testsupport/channel_args.h"
#include "testsupport/wait.h"

namespace tronidx::testsupport {

namespace {

// Binds 127.0.0.1:`port` (0: one the kernel picks) and returns the port bound, 0 if none.
int bind_port(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t len = sizeof addr;
  int bound = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&  // NOLINT
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {   // NOLINT
    bound = ntohs(addr.sin_port);
  }
  ::close(fd);
  return bound;
}

// The lowest port of the kernel's ephemeral range (net.ipv4.ip_local_port_range).
int ephemeral_low() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  return in >> low ? low : 32768;
}

}  // namespace

int free_port() {
  // Below the ephemeral range: a port the kernel picks there can be taken by any outgoing connection (a
  // client's local port) while a test has killed a daemon and restarts it on the same port, and the restart
  // then fails with "Address already in use" (it did, in a CI run of EngineCrash.KillDuringCatchUp). At
  // random among those, so that tests running in parallel rarely pick the same one; bound once to check.
  constexpr int kLow = 10000;
  const int high = ephemeral_low();
  if (high > kLow + 1000) {
    thread_local std::mt19937 rng{std::random_device{}()};
    for (int attempt = 0; attempt < 100; ++attempt) {
      const int port = kLow + static_cast<int>(rng() % static_cast<uint32_t>(high - kLow));
      if (bind_port(port) == port) return port;
    }
  }
  return bind_port(0);
}

std::filesystem::path DaemonProcess::default_binary() {
  return std::filesystem::path(TRONIDX_BINARY_DIR) / "tools" / "tronidxd" / "tronidxd";
}

Result<std::unique_ptr<DaemonProcess>> DaemonProcess::start(DaemonOptions options) {
  std::unique_ptr<DaemonProcess> d(new DaemonProcess());
  d->opts_ = std::move(options);
  d->data_dir_ = d->opts_.data_dir.empty() ? d->dir_.file("data") : d->opts_.data_dir;
  d->config_ = d->dir_.file("tronidxd.toml");
  d->api_endpoint_ = "127.0.0.1:" + std::to_string(free_port());

  const auto& o = d->opts_;
  std::ofstream cfg(d->config_);
  cfg << "[node]\nendpoints = [";
  for (size_t i = 0; i < o.node_endpoints.size(); ++i) cfg << (i ? ", " : "") << "\"" << o.node_endpoints[i] << "\"";
  cfg << "]\ncall_timeout_ms = 5000\nmax_attempts = 3\n";
  cfg << "[store]\ndata_dir = \"" << d->data_dir_.string() << "\"\nsync_writes = true\n";
  for (const auto& s : o.store_settings) cfg << s << "\n";
  cfg << "[index]\nmode = \"" << o.mode << "\"\n";
  if (o.mode == "all") {
    cfg << "tokens = [";
    if (o.tokens.empty()) cfg << "\"*\"";
    for (size_t i = 0; i < o.tokens.size(); ++i) cfg << (i ? ", " : "") << "\"" << o.tokens[i] << "\"";
    cfg << "]\n";
  }
  cfg << "trc10 = " << (o.trc10 ? "true" : "false") << "\n";
  if (o.start_block) cfg << "start_block = " << *o.start_block << "\n";
  cfg << "[sync]\n";
  auto has = [&](const std::string& key) {
    return std::any_of(o.sync_settings.begin(), o.sync_settings.end(),
                       [&](const std::string& line) { return line.rfind(key, 0) == 0; });
  };
  if (!has("poll_interval_ms")) cfg << "poll_interval_ms = 100\n";
  if (!has("progress_interval_ms")) cfg << "progress_interval_ms = 1000\n";
  for (const auto& s : o.sync_settings) cfg << s << "\n";
  cfg << "[log]\nlevel = \"" << o.log_level << "\"\nstatus_interval_s = 5\n";
  if (o.extra_toml.find("[api]") == std::string::npos) {
    cfg << "[api]\nenabled = " << (o.api ? "true" : "false") << "\nlisten = \"" << d->api_endpoint_
        << "\"\nallow_unauthenticated = " << (o.allow_unauthenticated ? "true" : "false")
        << "\nheartbeat_interval_ms = 1000\n";
    for (const auto& line : o.api_settings) cfg << line << "\n";
  }
  // The metrics port defaults to a fixed one (9464): daemons of concurrent tests would collide.
  if (o.extra_toml.find("[metrics]") == std::string::npos) cfg << "[metrics]\nlisten = \"127.0.0.1:0\"\n";
  for (const auto& [address, label] : o.watches) {
    cfg << "[[watch]]\naddress = \"" << address << "\"\nlabel = \"" << label << "\"\n";
  }
  cfg << o.extra_toml << "\n";
  cfg.close();

  // The API comes up only after the daemon has opened its database (and imported its watch file): with
  // gRPC's default reconnect back-off (1 s, growing) the client would notice seconds late.
  grpc::ChannelArguments args;
  testsupport::set_test_channel_args(args, std::chrono::milliseconds(250));
  d->use_channel(grpc::CreateCustomChannel(d->api_endpoint_, grpc::InsecureChannelCredentials(), args));
  TRONIDX_TRY(d->launch());
  return d;
}

Status DaemonProcess::launch() {
  TRONIDX_ASSIGN(const auto run_log, spawn_run(opts_.binary.empty() ? default_binary() : opts_.binary, opts_.env));
  if (!opts_.api) {
    return wait_ready([&] { return read_text_file(run_log).find("sync:") != std::string::npos; }, opts_.start_timeout,
                      std::chrono::milliseconds(50));
  }
  return wait_ready(
      [&] {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
        v1::GetStatusResponse st;
        return query().GetStatus(&ctx, v1::GetStatusRequest(), &st).ok();
      },
      opts_.start_timeout, std::chrono::milliseconds(50));
}

Status DaemonProcess::wait_for_tip(uint64_t block, std::chrono::milliseconds timeout,
                                   std::optional<uint64_t> solidified) const {
  std::string last = "no answer";
  const bool ok = wait_until(
      [&] {
        auto st = status();
        if (!st.ok()) {
          last = st.error().message;
          return false;
        }
        last = "tip " + std::to_string(st->tip_block_num()) + " solidified " + std::to_string(st->solidified()) +
               " phase " + st->phase();
        return st->tip_block_num() >= block && (!solidified || st->solidified() >= *solidified);
      },
      timeout, std::chrono::milliseconds(50));
  if (ok) return ok_status();
  return make_error(Errc::kDeadlineExceeded, "tronidxd did not reach block " + std::to_string(block) + " (" + last +
                                                 "); log tail:\n" + log_text().substr(log_text().size() > 3000 ? log_text().size() - 3000 : 0));
}

bool DaemonProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return log_text().find(text) != std::string::npos; }, timeout,
                    std::chrono::milliseconds(50));
}

}  // namespace tronidx::testsupport
