#include "tronidx/daemon/daemon.h"

#include <utility>  // before Asio: Boost 1.74 + gcc 12 in C++20 needs std::exchange declared
#include <boost/asio.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include <pthread.h>

#include "tronidx/api/server.h"
#include "tronidx/common/callback_keepawake.h"
#include "tronidx/daemon/http_server.h"
#include "tronidx/daemon/metrics_text.h"
#include "tronidx/node/grpc_node_client.h"
#include "tronidx/store/store.h"
#include "tronidx/store/write_txn.h"
#include "tronidx/sync/jobs.h"
#include "tronidx/sync/syncer.h"

namespace tronidx::daemon {

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("tronidx");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

struct Daemon::Impl {
  common::CallbackKeepAwake keepawake;  // first in, last out: API handlers never wait 100 ms
  Config config;
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  sync::Syncer* active_syncer = nullptr;  // set while the writer runs
  node::NodeClient* active_node = nullptr;

  void request_stop() {
    {
      std::lock_guard lock(mu);
      if (stop) return;
      stop = true;
      if (active_syncer != nullptr) active_syncer->stop();
      // Node calls (and their retries) end at once; a commit is never a node call, so the commit in
      // progress still completes.
      if (active_node != nullptr) active_node->cancel();
    }
    cv.notify_all();
  }

  bool stopping() {
    std::lock_guard lock(mu);
    return stop;
  }

  // Waits for `d` or a stop request; false when stopping.
  bool sleep(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    return !cv.wait_for(lock, d, [&] { return stop; });
  }

  int run();
  std::optional<chain::BlockId> fetch_genesis(node::NodeClient& node);
};

Daemon::Daemon(Config config) : impl_(std::make_unique<Impl>()) { impl_->config = std::move(config); }
Daemon::~Daemon() = default;
int Daemon::run() { return impl_->run(); }
void Daemon::request_stop() { impl_->request_stop(); }

std::optional<chain::BlockId> Daemon::Impl::fetch_genesis(node::NodeClient& node) {
  auto backoff = std::chrono::milliseconds(500);
  while (!stopping()) {
    auto g = node.header(0);
    std::string why = g.ok() ? "" : g.error().message;
    if (g.ok()) {
      // The genesis id becomes the database's identity: one answer is not enough (a node may serve a
      // garbage header that passes validation). Block 1 must name it as its parent.
      auto next = node.header(1);
      if (next.ok() && next->parent_id == g->id) return g->id;
      why = next.ok() ? "invalid answer from node: its block 1 does not connect to its block 0" : next.error().message;
    }
    spdlog::warn("waiting for the node to answer (genesis block): {}", why);
    if (!sleep(backoff)) break;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  }
  return std::nullopt;
}

int Daemon::Impl::run() {
  // Signals and timers run on their own Asio thread.
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("received {}, shutting down after the commit in progress", sig == SIGINT ? "SIGINT" : "SIGTERM");
    request_stop();
  });
  auto work = boost::asio::make_work_guard(io);
  std::thread io_thread([&] {
    pthread_setname_np(pthread_self(), "asio");
    io.run();
  });
  // Stops the Asio thread; called explicitly before the objects its handlers use are destroyed, and
  // again (as a no-op) on every other way out.
  auto stop_io = [&] {
    io.stop();
    if (io_thread.joinable()) io_thread.join();
  };
  struct StopIo {
    std::function<void()> f;
    ~StopIo() { f(); }
  } stop_io_on_exit{stop_io};

  auto node_r = node::make_grpc_node_client(config.node);
  if (!node_r.ok()) {
    spdlog::error("{}", node_r.error().message);
    return kExitUsage;
  }
  std::unique_ptr<node::NodeClient> node_client = std::move(*node_r);
  {
    std::lock_guard lock(mu);
    active_node = node_client.get();
  }

  spdlog::info("tronidxd starting: node {} data dir {} mode {}", config.node.endpoints.front().address,
               config.data_dir, config.mode.to_string());
  const auto genesis = fetch_genesis(*node_client);
  if (!genesis) return kExitOk;

  store::OpenOptions so;
  so.path = config.data_dir;
  so.genesis_id = *genesis;
  so.mode = config.mode;
  so.sync_writes = config.sync_writes;
  so.block_cache_bytes = config.block_cache_mb << 20;
  so.ingest_min_writes = config.ingest_min_writes;
  so.inline_rows_budget = config.inline_rows_bytes;
  so.catch_up_l0_files = config.catch_up_l0_files;
  auto store_r = store::Store::open(so);
  if (!store_r.ok()) {
    spdlog::error("{}", store_r.error().message);
    return store_r.error().code == Errc::kFailedPrecondition ? kExitUsage : kExitFailure;
  }
  std::unique_ptr<store::Store> store = std::move(*store_r);

  // The configured watches (additive), before the writer starts: this thread may write. Chunked, so a
  // watch file of a million addresses does not become one giant transaction.
  constexpr size_t kWatchChunk = 10000;
  for (size_t i = 0; i < config.watches.size(); i += kWatchChunk) {
    auto txn = store->begin();
    for (size_t j = i; j < std::min(config.watches.size(), i + kWatchChunk); ++j) {
      const auto& w = config.watches[j];
      if (auto s = txn.watch(w.address, w.label, 0); !s.ok()) {
        spdlog::error("watch {}: {}", w.address.to_base58(), s.error().message);
        return kExitFailure;
      }
    }
    if (auto c = store->commit(std::move(txn)); !c.ok()) {
      spdlog::error("{}", c.error().message);
      return kExitFailure;
    }
  }
  if (!config.watches.empty()) spdlog::info("{} addresses watched", store->watches().size());

  sync::Syncer syncer(*store, *node_client, config.sync);
  sync::JobOptions jo;
  jo.decode = config.decode;
  sync::JobManager jobs(*store, *node_client, syncer, jo);

  std::unique_ptr<api::ApiServer> api_server;
  if (config.api_enabled) {
    std::vector<api::TokenMetadata> tokens;
    for (const auto& t : config.tokens) tokens.push_back(api::TokenMetadata{t.address, t.symbol, t.decimals});
    auto api_r = api::ApiServer::create(config.api, api::ApiDeps{*store, syncer, jobs, std::move(tokens),
                                                                 config.confirmations, TRONIDX_VERSION});
    if (!api_r.ok()) {
      spdlog::error("{}", api_r.error().message);
      return kExitUsage;
    }
    api_server = std::move(*api_r);
    syncer.add_listener(&api_server->commit_listener());
    auto started = api_server->start();
    if (!started.ok()) {
      spdlog::error("{}", started.error().message);
      return kExitFailure;
    }
  }
  {
    std::lock_guard lock(mu);
    if (stop) return kExitOk;
    active_syncer = &syncer;
  }

  std::unique_ptr<HttpServer> http;
  if (config.metrics_enabled) {
    auto handler = [&](const std::string& target) -> HttpResponse {
      const std::string path = target.substr(0, target.find('?'));
      if (path == "/metrics") {
        MetricsSnapshot m;
        m.status = syncer.status();
        m.sync = &syncer.metrics();
        m.node = node::grpc_node_metrics(*node_client);
        if (auto cfs = store->cf_stats(); cfs.ok()) m.column_families = std::move(*cfs);
        const auto st = store->state();
        m.journal_records = st.next_seq - st.journal_first;
        m.watched = store->watches().size();
        m.ingest_stalls = store->ingest_stalls();
        m.compactions_running = store->compactions_running();
        if (api_server) {
          m.subscribers = api_server->subscribers();
          m.events_sent = api_server->events_sent();
          m.slow_disconnects = api_server->slow_disconnects();
          m.delivery_latency = &api_server->delivery_latency();
        }
        m.jobs_running = jobs.running();
        m.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", render_prometheus(m)};
      }
      if (path == "/healthz") return HttpResponse{200, "text/plain; charset=utf-8", "ok\n"};
      if (path == "/readyz") {
        const auto st = syncer.status();
        const uint64_t lag = st.node_head > st.tip.block_num ? st.node_head - st.tip.block_num : 0;
        if (st.phase == sync::SyncPhase::kHalted) return HttpResponse{503, "text/plain", "halted: " + st.halt_reason + "\n"};
        if (st.phase == sync::SyncPhase::kStarting || st.node_head == 0) {
          return HttpResponse{503, "text/plain", "starting\n"};
        }
        if (lag > config.ready_max_lag_blocks) {
          return HttpResponse{503, "text/plain", "catching up: " + std::to_string(lag) + " blocks behind the node\n"};
        }
        return HttpResponse{200, "text/plain", "ready: lag " + std::to_string(lag) + " blocks\n"};
      }
      return HttpResponse{404, "text/plain", "not found (try /metrics, /healthz, /readyz)\n"};
    };
    auto h = HttpServer::start(io, config.metrics_listen, handler);
    if (!h.ok()) {
      spdlog::error("{}", h.error().message);
      return h.error().code == Errc::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    http = std::move(*h);
    spdlog::info("metrics listening on {} (port {})", config.metrics_listen, http->port());
  }

  boost::asio::steady_timer status_timer(io);
  std::function<void()> arm_status = [&] {
    status_timer.expires_after(config.status_interval);
    status_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      const auto st = syncer.status();
      spdlog::info("status: {} tip {} node head {} solidified {} lag {} blocks watched {} subscribers {} jobs {}",
                   sync::phase_name(st.phase), st.tip.block_num, st.node_head, st.solidified,
                   st.node_head > st.tip.block_num ? st.node_head - st.tip.block_num : 0, store->watches().size(),
                   api_server ? api_server->subscribers() : 0, jobs.running());
      arm_status();
    });
  };
  boost::asio::post(io, arm_status);

  Status result = ok_status();
  std::thread writer([&] {
    pthread_setname_np(pthread_self(), "writer");
    result = syncer.run();
  });
  if (auto resumed = jobs.resume(); !resumed.ok()) spdlog::error("jobs: {}", resumed.error().message);
  writer.join();
  jobs.shutdown();
  {
    std::unique_lock lock(mu);
    if (!result.ok()) {
      // Halted: keep the process (and, later, its read API) up until told to stop.
      spdlog::critical("indexing halted: {}", result.error().message);
      cv.wait(lock, [&] { return stop; });
    }
    active_syncer = nullptr;
  }
  stop_io();  // no status line or HTTP request runs past this point
  if (api_server) api_server->shutdown();
  spdlog::info("tronidxd stopped at tip {}", store->state().tip.block_num);
  return result.ok() ? kExitOk : kExitFatalInconsistency;
}

}  // namespace tronidx::daemon
