#include "tronidx/api/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <condition_variable>
#include <fstream>
#include <sstream>
#include <thread>

#include "admin_service.h"
#include "query_service.h"
#include "subscribe_service.h"
#include "watch_service.h"
#include "tronidx/chain/hex.h"

namespace tronidx::api {
namespace {

Result<std::string> read_file(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::kInvalidArgument, key + ": cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kServices[] = {"tronidx.v1.Query", "tronidx.v1.Watch", "tronidx.v1.Subscribe", "tronidx.v1.Admin"};

}  // namespace

bool is_loopback_listen(const std::string& listen) {
  if (listen.rfind("unix:", 0) == 0) return true;
  const size_t colon = listen.rfind(':');
  const std::string host = listen.substr(0, colon);
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

struct ApiServer::Impl {
  ApiOptions opts;
  std::unique_ptr<Hub> hub;
  std::unique_ptr<ServiceContext> ctx;
  std::unique_ptr<QueryService> query;
  std::unique_ptr<WatchService> watch;
  std::unique_ptr<SubscribeService> subscribe;
  std::unique_ptr<AdminService> admin;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::thread health;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;

  void health_loop() {
    pthread_setname_np(pthread_self(), "api-health");
    std::unique_lock lock(mu);
    bool last = false;
    bool first = true;
    while (!stopping) {
      const auto st = ctx->syncer.status();
      const uint64_t tip = st.tip.block_num;
      const bool serving = (st.phase == sync::SyncPhase::kFollowing || st.phase == sync::SyncPhase::kCatchingUp) &&
                           st.node_head > 0 && st.node_head <= tip + opts.health_max_lag_blocks;
      if (first || serving != last) {
        auto* hc = server->GetHealthCheckService();
        hc->SetServingStatus(serving);
        for (const char* s : kServices) hc->SetServingStatus(s, serving);
        first = false;
        last = serving;
      }
      cv.wait_for(lock, std::chrono::milliseconds(500));
    }
  }
};

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiServer::~ApiServer() { shutdown(); }

Result<std::unique_ptr<ApiServer>> ApiServer::create(const ApiOptions& options, ApiDeps deps) {
  if (options.allow_unauthenticated && !is_loopback_listen(options.listen)) {
    return make_error(Errc::kInvalidArgument, "api.allow_unauthenticated: only allowed on a loopback listen address (" +
                                                  options.listen + " is not)");
  }
  if (!options.allow_unauthenticated && options.keys.empty()) {
    return make_error(Errc::kInvalidArgument,
                      "api.keys: no API key configured; add [[api.key]] entries or set api.allow_unauthenticated = "
                      "true on a loopback address");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return make_error(Errc::kInvalidArgument, "api.tls_cert_file: TLS needs both tls_cert_file and tls_key_file");
  }
  if (!options.tls_client_ca_file.empty() && options.tls_cert_file.empty()) {
    return make_error(Errc::kInvalidArgument, "api.tls_client_ca_file: mutual TLS needs tls_cert_file/tls_key_file");
  }
  std::vector<ApiKey> keys;
  for (size_t i = 0; i < options.keys.size(); ++i) {
    const auto& k = options.keys[i];
    const std::string field = "api.key[" + std::to_string(i) + "]";
    ApiKey key;
    key.name = k.name.empty() ? "key" + std::to_string(i) : k.name;
    TRONIDX_TRY(chain::from_hex_exact(k.sha256_hex, key.sha256.bytes, field + ".sha256"));
    TRONIDX_ASSIGN(key.scopes, Authorizer::parse_scopes(k.scopes, field + ".scopes"));
    keys.push_back(std::move(key));
  }
  std::vector<TokenInfo> tokens;
  for (const auto& t : deps.tokens) tokens.push_back(TokenInfo{t.address, t.symbol, t.decimals, {}});

  auto impl = std::make_unique<Impl>();
  impl->opts = options;
  HubOptions ho;
  ho.workers = options.hub_workers;
  ho.backlog_workers = options.hub_workers;
  ho.backlog_nice = options.backlog_nice;
  ho.backlog_catch_up_cores = options.backlog_catch_up_cpu_percent / 100.0;
  ho.max_lag_records = options.max_subscriber_lag;
  ho.heartbeat_interval = options.heartbeat_interval;
  impl->hub = std::make_unique<Hub>(deps.store, ho);
  Limits limits;
  limits.max_page_size = options.max_page_size;
  limits.max_filter_addresses = options.max_filter_addresses;
  limits.max_filter_tokens = options.max_filter_tokens;
  impl->ctx.reset(new ServiceContext{deps.store, deps.syncer, deps.jobs, *impl->hub, TokenBook(std::move(tokens)),
                                     Authorizer(std::move(keys), options.allow_unauthenticated),
                                     StreamLimiter(options.max_streams_per_key), limits, deps.confirmations_default,
                                     deps.version});
  impl->query = std::make_unique<QueryService>(*impl->ctx);
  impl->watch = std::make_unique<WatchService>(*impl->ctx);
  impl->subscribe = std::make_unique<SubscribeService>(*impl->ctx);
  impl->admin = std::make_unique<AdminService>(*impl->ctx);
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

sync::CommitListener& ApiServer::commit_listener() { return *impl_->hub; }

Status ApiServer::start() {
  auto& o = impl_->opts;
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!o.tls_cert_file.empty()) {
    grpc::SslServerCredentialsOptions ssl;
    TRONIDX_ASSIGN(std::string cert, read_file(o.tls_cert_file, "api.tls_cert_file"));
    TRONIDX_ASSIGN(std::string key, read_file(o.tls_key_file, "api.tls_key_file"));
    ssl.pem_key_cert_pairs.push_back({key, cert});
    if (!o.tls_client_ca_file.empty()) {
      TRONIDX_ASSIGN(ssl.pem_root_certs, read_file(o.tls_client_ca_file, "api.tls_client_ca_file"));
      ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    creds = grpc::SslServerCredentials(ssl);
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(o.listen, creds, &impl_->port);
  builder.SetMaxReceiveMessageSize(o.max_request_bytes);
  builder.RegisterService(impl_->query.get());
  builder.RegisterService(impl_->watch.get());
  builder.RegisterService(impl_->subscribe.get());
  builder.RegisterService(impl_->admin.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->port == 0) {
    return make_error(Errc::kUnavailable, "api.listen: cannot listen on " + o.listen);
  }
  impl_->health = std::thread([this] { impl_->health_loop(); });
  spdlog::info("API listening on {} (port {}{}{})", o.listen, impl_->port, o.tls_cert_file.empty() ? "" : ", TLS",
               o.tls_client_ca_file.empty() ? "" : " with client certificates");
  return ok_status();
}

int ApiServer::port() const { return impl_->port; }

size_t ApiServer::subscribers() const { return impl_->hub->subscribers(); }
uint64_t ApiServer::events_sent() const { return impl_->hub->events_sent.value(); }
uint64_t ApiServer::slow_disconnects() const { return impl_->hub->slow_disconnects.value(); }
const metrics::Histogram& ApiServer::delivery_latency() const { return impl_->hub->delivery_latency; }

void ApiServer::shutdown() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->health.joinable()) impl_->health.join();
  impl_->hub->shutdown();
  if (impl_->server) impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

}  // namespace tronidx::api
