#include "api_util.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <regex>
#include <sstream>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "testsupport/wait.h"
#include "tronidx/chain/hash.h"

namespace tronidx::apitest {

// ---- knobs -------------------------------------------------------------------------------------------

int long_factor() {
  const char* v = std::getenv("TRONIDX_LONG_TESTS");
  if (v == nullptr || *v == '\0' || std::string(v) == "0") return 1;
  const int n = std::atoi(v);
  return n >= 2 ? n : 5;
}

uint64_t test_seed() {
  uint64_t seed = 0;
  if (const char* v = std::getenv("TRONIDX_TEST_SEED"); v != nullptr && *v != '\0') {
    seed = std::strtoull(v, nullptr, 10);
  } else {
    std::random_device rd;
    seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    seed %= 1'000'000'000ull;
  }
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "?";
  std::cout << "[seed] " << name << " " << seed << " (replay: TRONIDX_TEST_SEED=" << seed << ")" << std::endl;
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  return seed;
}

// ---- the simulator -------------------------------------------------------------------------------------

Result<std::unique_ptr<SimProcess>> start_sim(std::vector<std::string> args) {
  testsupport::SimOptions o;
  o.args = std::move(args);
  if (const char* b = std::getenv("TRONIDX_API_SIM_BIN"); b != nullptr && *b != '\0') o.binary = b;
  return SimProcess::start(std::move(o));
}

Result<ChainTruth> read_truth(const SimProcess& sim) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    TRONIDX_ASSIGN(auto before, sim.status());
    TRONIDX_ASSIGN(auto blocks_text, sim.dump_blocks(0, before.head_num()));
    TRONIDX_ASSIGN(auto truth_text, sim.dump_ground_truth(0, before.head_num()));
    TRONIDX_ASSIGN(auto after, sim.status());
    if (after.head_id() != before.head_id() || after.solidified_num() != before.solidified_num()) continue;
    ChainTruth t;
    t.head = static_cast<uint64_t>(before.head_num());
    t.head_id = before.head_id();
    t.solidified = static_cast<uint64_t>(before.solidified_num());
    t.transfers = testsupport::parse_truth(truth_text);
    for (auto& b : testsupport::parse_blocks(blocks_text)) t.blocks[b.block_num] = b;
    for (const auto& h : before.hot_addresses()) t.hot_addresses.push_back(h);
    return t;
  }
  return make_error(Errc::kUnavailable, "the simulator's chain kept changing while it was read");
}

// ---- daemons ---------------------------------------------------------------------------------------------

ApiDaemonOptions daemon_options(const SimProcess& sim, const std::string& mode) {
  ApiDaemonOptions o;
  o.node_endpoints = {sim.full_node_endpoint()};
  o.mode = mode;
  return o;
}

namespace {

// TRONIDX_API_DAEMON_BIN overrides the binary (measurements with a Release build).
std::filesystem::path daemon_binary() {
  if (const char* b = std::getenv("TRONIDX_API_DAEMON_BIN"); b != nullptr && *b != '\0') return b;
  return std::filesystem::path(TRONIDX_BINARY_DIR) / "tools" / "tronidxd" / "tronidxd";
}

std::string substitute_data(std::string config, const std::filesystem::path& data) {
  for (size_t at; (at = config.find("{DATA}")) != std::string::npos;) config.replace(at, 6, data.string());
  return config;
}

}  // namespace

Result<std::unique_ptr<ApiDaemon>> ApiDaemon::start(ApiDaemonOptions options) {
  std::unique_ptr<ApiDaemon> d(new ApiDaemon());
  d->opts_ = std::move(options);
  d->data_dir_ = d->dir_.file("data");
  d->config_ = d->dir_.file("tronidxd.toml");
  const int port = testsupport::free_port();
  d->api_endpoint_ = "127.0.0.1:" + std::to_string(port);
  const auto& o = d->opts_;
  std::ofstream cfg(d->config_);
  cfg << "[node]\nendpoints = [";
  for (size_t i = 0; i < o.node_endpoints.size(); ++i) cfg << (i ? ", " : "") << "\"" << o.node_endpoints[i] << "\"";
  cfg << "]\ncall_timeout_ms = 5000\nmax_attempts = 3\n";
  cfg << "[store]\ndata_dir = \"" << d->data_dir_.string() << "\"\n";
  for (const auto& l : o.store_settings) cfg << l << "\n";
  cfg << "[index]\nmode = \"" << o.mode << "\"\n";
  if (o.mode == "all") {
    cfg << "tokens = [";
    if (o.tokens.empty()) cfg << "\"*\"";
    for (size_t i = 0; i < o.tokens.size(); ++i) cfg << (i ? ", " : "") << "\"" << o.tokens[i] << "\"";
    cfg << "]\n";
  }
  if (o.start_block) cfg << "start_block = " << *o.start_block << "\n";
  cfg << "[sync]\n";
  bool poll = false;
  for (const auto& l : o.sync_settings) poll = poll || l.rfind("poll_interval_ms", 0) == 0;
  if (!poll) cfg << "poll_interval_ms = 100\n";
  cfg << "progress_interval_ms = 1000\n";
  for (const auto& l : o.sync_settings) cfg << l << "\n";
  cfg << "[log]\nlevel = \"info\"\nstatus_interval_s = 5\n";
  cfg << "[metrics]\nlisten = \"127.0.0.1:0\"\n";
  cfg << "[api]\nlisten = \"" << o.listen_host << ":" << port << "\"\n";
  for (const auto& l : o.api_settings) cfg << l << "\n";
  for (const auto& [address, label] : o.watches) {
    cfg << "[[watch]]\naddress = \"" << address << "\"\nlabel = \"" << label << "\"\n";
  }
  cfg << o.extra_toml << "\n";
  cfg.close();
  TRONIDX_TRY(d->launch());
  return d;
}

Status ApiDaemon::launch() {
  TRONIDX_ASSIGN(const auto run_log, spawn_run(daemon_binary(), opts_.env));
  // A fresh channel: one that saw the previous process die would be in reconnect backoff.
  use_channel(make_channel(api_endpoint_));
  return wait_ready(
      [&] {
        if (testsupport::read_text_file(run_log).find("API listening") == std::string::npos) return false;
        if (!opts_.plaintext_unauthenticated) return true;
        auto ch = make_channel(api_endpoint_);
        auto stub = v1::Query::NewStub(ch);
        auto ctx = make_ctx(1000ms);
        v1::GetStatusResponse st;
        return stub->GetStatus(ctx.get(), v1::GetStatusRequest(), &st).ok();
      },
      opts_.start_timeout, 20ms);
}

int ApiDaemon::metrics_port() const {
  const std::string log = testsupport::read_text_file(log_path());
  std::smatch m;
  if (!std::regex_search(log, m, std::regex("metrics listening on [^ ]+ \\(port ([0-9]+)\\)"))) return 0;
  return std::stoi(m[1].str());
}

std::string ApiDaemon::metrics() const {
  const int port = metrics_port();
  if (port == 0) return "";
  const HttpAnswer a = http_get(port, "/metrics");
  return a.status == 200 ? a.body : "";
}

HttpAnswer http_get(int port, const std::string& path) {
  HttpAnswer a;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return a;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string resp;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {  // NOLINT
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) resp.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  const size_t head_end = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos || resp.size() < 12) return a;
  a.status = std::atoi(resp.substr(9, 3).c_str());
  a.body = resp.substr(head_end + 4);
  return a;
}

std::optional<double> metric_value(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return std::nullopt;
}

Status wait_synced(const ApiDaemon& d, const SimProcess& sim, std::chrono::milliseconds timeout) {
  std::string last = "no answer";
  const bool ok = testsupport::wait_until(
      [&] {
        if (!d.running()) {
          last = "tronidxd exited";
          return true;
        }
        auto s = sim.status();
        auto st = d.status();
        if (!s.ok() || !st.ok()) {
          last = s.ok() ? st.error().message : s.error().message;
          return false;
        }
        last = "daemon tip " + std::to_string(st->tip_block_num()) + " " + st->tip_block_id().substr(0, 12) +
               " solidified " + std::to_string(st->solidified()) + " phase " + st->phase() + "; node head " +
               std::to_string(s->head_num()) + " " + s->head_id().substr(0, 12) + " solidified " +
               std::to_string(s->solidified_num());
        return st->tip_block_id() == s->head_id() &&
               st->solidified() == static_cast<uint64_t>(s->solidified_num());
      },
      timeout, 20ms);
  if (ok && last != "tronidxd exited") return ok_status();
  return make_error(Errc::kDeadlineExceeded, "not synced: " + last + "\nlog tail:\n" + tail(d.log_text(), 3000));
}

std::string base_config(const SimProcess& sim, const std::string& mode) {
  std::ostringstream c;
  c << "[node]\nendpoints = [\"" << sim.full_node_endpoint() << "\"]\ncall_timeout_ms = 5000\nmax_attempts = 3\n";
  c << "[store]\ndata_dir = \"{DATA}\"\n";
  c << "[index]\nmode = \"" << mode << "\"\n";
  if (mode == "all") c << "tokens = [\"*\"]\n";
  c << "[sync]\npoll_interval_ms = 100\nprogress_interval_ms = 1000\n";
  c << "[log]\nlevel = \"info\"\nstatus_interval_s = 5\n";
  c << "[metrics]\nlisten = \"127.0.0.1:0\"\n";
  return c.str();
}

RunResult run_tronidxd_to_exit(const std::string& config, std::chrono::milliseconds timeout) {
  TempDir dir("tronidxd-run");
  const auto cfg = dir.file("tronidxd.toml");
  {
    std::ofstream out(cfg);
    out << substitute_data(config, dir.file("data"));
  }
  const auto log = dir.file("out.log");
  testsupport::ChildOptions c;
  c.program = daemon_binary().string();
  c.args = {"-c", cfg.string()};
  c.stdout_path = log;
  c.stderr_path = log;
  RunResult r;
  auto child = testsupport::ChildProcess::spawn(c);
  if (!child.ok()) {
    r.output = child.error().message;
    return r;
  }
  r.status = child->wait_or_kill(timeout, &r.timed_out);
  r.output = testsupport::read_text_file(log);
  return r;
}

Result<std::vector<TruthTransfer>> list_all(const ApiDaemon& d, v1::ListTransfersRequest req) {
  if (req.page_size() == 0) req.set_page_size(1000);
  std::vector<TruthTransfer> out;
  for (int pages = 0; pages < 100000; ++pages) {
    auto ctx = make_ctx(30s);
    v1::ListTransfersResponse resp;
    auto s = d.query().ListTransfers(ctx.get(), req, &resp);
    if (!s.ok()) return make_error(Errc::kUnavailable, "ListTransfers: " + describe(s));
    for (const auto& t : resp.transfers()) out.push_back(testsupport::from_proto(t));
    if (resp.next_page_token().empty()) return out;
    req.set_page_token(resp.next_page_token());
  }
  return make_error(Errc::kInternal, "ListTransfers: too many pages");
}

std::string sha256_hex(const std::string& text) {
  const chain::Hash32 h = chain::sha256(text);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : h.bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

// ---- gRPC ---------------------------------------------------------------------------------------------

std::unique_ptr<grpc::ClientContext> make_ctx(std::chrono::milliseconds timeout, const std::string& api_key) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!api_key.empty()) ctx->AddMetadata("authorization", "Bearer " + api_key);
  return ctx;
}

grpc::Status subscribe_status(v1::Subscribe::Stub& stub, const v1::SubscribeRequest& req, bool* opened,
                              std::chrono::milliseconds timeout, const std::string& api_key) {
  auto ctx = make_ctx(timeout, api_key);
  auto reader = stub.Subscribe(ctx.get(), req);
  v1::Event e;
  if (reader->Read(&e)) {
    if (opened != nullptr) *opened = true;
    ctx->TryCancel();
    while (reader->Read(&e)) {
    }
    (void)reader->Finish();
    return grpc::Status::OK;
  }
  if (opened != nullptr) *opened = false;
  return reader->Finish();
}

Result<std::string> health_check(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  auto ctx = make_ctx(10s);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  const grpc::Status s = stub->Check(ctx.get(), req, &resp);
  if (!s.ok()) return make_error(Errc::kUnavailable, "Health/Check: " + describe(s));
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
}

namespace {

Result<grpc::reflection::v1alpha::ServerReflectionResponse> reflect(
    const std::shared_ptr<grpc::Channel>& channel, const grpc::reflection::v1alpha::ServerReflectionRequest& req) {
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  auto ctx = make_ctx(10s);
  auto stream = stub->ServerReflectionInfo(ctx.get());
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  if (!stream->Write(req)) return make_error(Errc::kUnavailable, "reflection: write failed: " + describe(stream->Finish()));
  stream->WritesDone();
  const bool got = stream->Read(&resp);
  const grpc::Status s = stream->Finish();
  if (!got) return make_error(Errc::kUnavailable, "reflection: no answer: " + describe(s));
  if (resp.has_error_response()) {
    return make_error(Errc::kNotFound, "reflection: " + resp.error_response().error_message());
  }
  return resp;
}

}  // namespace

Result<std::vector<std::string>> reflection_services(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("*");
  TRONIDX_ASSIGN(auto resp, reflect(channel, req));
  std::vector<std::string> out;
  for (const auto& s : resp.list_services_response().service()) out.push_back(s.name());
  return out;
}

Result<std::vector<std::string>> reflection_file_containing(const std::shared_ptr<grpc::Channel>& channel,
                                                            const std::string& symbol) {
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_file_containing_symbol(symbol);
  TRONIDX_ASSIGN(auto resp, reflect(channel, req));
  std::vector<std::string> out;
  for (const auto& f : resp.file_descriptor_response().file_descriptor_proto()) out.push_back(f);
  return out;
}

// ---- cursors -------------------------------------------------------------------------------------------

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

uint64_t get_be(const std::string& in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + static_cast<size_t>(i)]);
  return v;
}

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
}  // namespace

std::string base64url_encode(const std::string& bytes) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kB64[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kB64[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<std::string> base64url_decode(const std::string& text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const char* p = std::find(kB64, kB64 + 64, c);
    if (p == kB64 + 64) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::optional<CursorPos> decode_cursor(const std::string& text) {
  if (text.rfind("c1.", 0) != 0) return std::nullopt;
  auto raw = base64url_decode(text.substr(3));
  if (!raw || raw->size() != 36) return std::nullopt;
  CursorPos c;
  c.instance = raw->substr(0, 16);
  c.seq = get_be(*raw, 16, 8);
  c.ordinal = static_cast<uint32_t>(get_be(*raw, 24, 4));
  c.binding = get_be(*raw, 28, 8);
  return c;
}

std::string encode_cursor(const CursorPos& c) {
  std::string raw = c.instance;
  raw.resize(16, '\0');
  put_be(raw, c.seq, 8);
  put_be(raw, c.ordinal, 4);
  put_be(raw, c.binding, 8);
  return "c1." + base64url_encode(raw);
}

// ---- subscriptions ---------------------------------------------------------------------------------------


const char* type_name(v1::Event::Type t) {
  switch (t) {
    case v1::Event::ADDED: return "ADDED";
    case v1::Event::CONFIRMED: return "CONFIRMED";
    case v1::Event::FINALIZED: return "FINALIZED";
    case v1::Event::REVERTED: return "REVERTED";
    case v1::Event::HEARTBEAT: return "HEARTBEAT";
    default: return "UNSPECIFIED";
  }
}

std::string event_key(v1::Event::Type type, const std::string& txid, uint32_t event_index, const std::string& block_id) {
  return std::string(type_name(type)) + "|" + txid + "|" + std::to_string(event_index) + "|" + block_id;
}

std::string event_key(const v1::Event& e) {
  return event_key(e.type(), e.transfer().txid(), e.transfer().event_index(), e.transfer().block_id());
}

// ---- misc ---------------------------------------------------------------------------------------------

std::vector<TruthTransfer> touching(const std::vector<TruthTransfer>& truth, const std::string& address) {
  std::vector<TruthTransfer> out;
  for (const auto& t : truth) {
    if (t.from == address || t.to == address) out.push_back(t);
  }
  return out;
}

}  // namespace tronidx::apitest
