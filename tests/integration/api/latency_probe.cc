// Measurements (not a test; not registered with CTest): delivery latency of subscription events and
// ListTransfers latency / QPS, against tron-sim + tronidxd on loopback.
//
//   api_latency_probe subscribers <N> [samples]   commit -> ADDED at N subscribers (same filter)
//   api_latency_probe queries <blocks> [clients] [seconds]
//
// Delivery latency is measured from Advance(1) returning (the block exists at the node) to the ADDED of
// that block's transfers arriving at each subscriber; it includes the daemon's head polling
// (sync.poll_interval_ms = 50, the smallest allowed), fetching and indexing the block, the fsynced commit
// and the fan-out. Binaries: TRONIDX_API_DAEMON_BIN / TRONIDX_API_SIM_BIN (e.g. a Release build), else
// the build tree's.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <random>

#include "api_util.h"
#include "testsupport/wait.h"

using namespace tronidx;
using namespace tronidx::apitest;

namespace {

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  return v[i];
}

int fail(const std::string& m) {
  std::cerr << m << std::endl;
  return 1;
}

int subscribers(int n, int samples) {
  auto sim = start_sim({"--profile", "tiny", "--txs-per-block", "6", "--block-interval-ms", "0", "--prebuild", "20",
                        "--solid-lag", "18", "--seed", "11"});
  if (!sim.ok()) return fail(sim.error().message);
  ApiDaemonOptions o = daemon_options(**sim, "all");
  o.sync_settings = {"poll_interval_ms = 50"};
  o.api_settings.push_back("max_streams_per_key = 100000");
  auto d = ApiDaemon::start(o);
  if (!d.ok()) return fail(d.error().message);
  if (!wait_synced(**d, **sim).ok()) return fail("not synced");
  v1::SubscribeRequest req;
  for (const char* t : {"TRX", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"}) req.add_tokens(t);
  // Streams share a few channels (one connection per 50 streams).
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<EventStream>> streams;
  for (int i = 0; i < n; ++i) {
    if (i % 50 == 0) channels.push_back(make_channel((*d)->api_endpoint()));
    EventStream::Options so;
    so.channel = channels.back();
    streams.push_back(std::make_unique<EventStream>((*d)->api_endpoint(), req, so));
  }
  for (auto& s : streams) {
    if (!s->wait_for([](const std::vector<Received>& r) { return !r.empty(); }, std::chrono::seconds(120))) {
      return fail("a stream did not open: " + describe(s->status()));
    }
  }
  std::vector<double> lat;
  int used = 0;
  for (int k = 0; k < samples * 3 && used < samples; ++k) {
    std::vector<size_t> before;
    for (auto& s : streams) before.push_back(s->size());
    auto adv = (*sim)->advance(1);
    const auto t0 = std::chrono::steady_clock::now();
    if (!adv.ok()) return fail(adv.error().message);
    const uint64_t head = static_cast<uint64_t>(adv->head_num());
    auto gt = (*sim)->dump_ground_truth(static_cast<int64_t>(head), static_cast<int64_t>(head));
    if (!gt.ok() || testsupport::parse_truth(*gt).empty()) {
      if (!wait_synced(**d, **sim).ok()) return fail("not synced");
      continue;  // a block without TRX/USDT transfers would produce no ADDED
    }
    bool any = false;
    for (const auto& x : testsupport::parse_truth(*gt)) any = any || x.token == "TRX" || x.kind == "TRC20";
    std::vector<double> sample;
    for (size_t i = 0; i < streams.size(); ++i) {
      Received got;
      const bool ok = streams[i]->wait_for(
          [&](const std::vector<Received>& r) {
            for (size_t j = before[i]; j < r.size(); ++j) {
              if (r[j].event.type() == v1::Event::ADDED && r[j].event.transfer().block_num() == head) {
                got = r[j];
                return true;
              }
            }
            return false;
          },
          std::chrono::seconds(30));
      if (!ok) break;
      sample.push_back(std::chrono::duration<double, std::milli>(got.at - t0).count());
    }
    if (sample.size() != streams.size()) {
      if (!any) continue;
      if (!wait_synced(**d, **sim).ok()) return fail("not synced");
      continue;
    }
    lat.insert(lat.end(), sample.begin(), sample.end());
    ++used;
  }
  std::cout << "subscribers=" << n << " samples(blocks)=" << used << " deliveries=" << lat.size()
            << " p50_ms=" << pct(lat, 0.5) << " p99_ms=" << pct(lat, 0.99) << " max_ms=" << pct(lat, 1.0) << std::endl;
  return 0;
}

int queries(int blocks, int clients, int seconds) {
  auto sim = start_sim({"--profile", "small", "--txs-per-block", "60", "--block-interval-ms", "0", "--prebuild",
                        std::to_string(blocks), "--hot-addresses", "1", "--hot-share", "0.5", "--seed", "5"});
  if (!sim.ok()) return fail(sim.error().message);
  ApiDaemonOptions o = daemon_options(**sim, "all");
  o.start_block = 1;
  o.store_settings = {"sync_writes = false"};
  auto d = ApiDaemon::start(o);
  if (!d.ok()) return fail(d.error().message);
  const auto t0 = std::chrono::steady_clock::now();
  if (!wait_synced(**d, **sim, std::chrono::seconds(3600)).ok()) return fail("not synced");
  const double catchup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto truth = read_truth(**sim);
  if (!truth.ok()) return fail(truth.error().message);
  const std::string address = truth->hot_addresses[0];
  const size_t history = touching(truth->transfers, address).size();
  std::cout << "address " << address << ": " << history << " transfers; catch-up of " << blocks << " blocks took "
            << catchup << " s" << std::endl;
  for (const bool deep : {false, true}) {
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> lat(static_cast<size_t>(clients));
    std::vector<std::thread> threads;
    std::atomic<int> errors{0};
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        auto ch = make_channel((*d)->api_endpoint());
        auto stub = v1::Query::NewStub(ch);
        std::mt19937 rng(static_cast<unsigned>(c));
        while (!stop.load()) {
          v1::ListTransfersRequest r;
          r.set_address(address);
          r.set_page_size(100);
          if (deep) {  // a page somewhere in the history (block range), oldest first
            r.set_order(v1::OLDEST_FIRST);
            r.set_from_block(1 + rng() % static_cast<unsigned>(blocks));
          }
          auto ctx = make_ctx(std::chrono::seconds(30));
          v1::ListTransfersResponse resp;
          const auto q0 = std::chrono::steady_clock::now();
          const grpc::Status s = stub->ListTransfers(ctx.get(), r, &resp);
          const auto q1 = std::chrono::steady_clock::now();
          if (!s.ok()) ++errors;
          lat[static_cast<size_t>(c)].push_back(std::chrono::duration<double, std::milli>(q1 - q0).count());
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(seconds));  // measurement window (not a test)
    stop = true;
    for (auto& t : threads) t.join();
    std::vector<double> all;
    for (const auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    std::cout << (deep ? "ListTransfers page at a random block (oldest first)" : "ListTransfers newest page")
              << ", page_size 100, clients=" << clients << ": calls=" << all.size()
              << " qps=" << static_cast<double>(all.size()) / seconds << " p50_ms=" << pct(all, 0.5)
              << " p99_ms=" << pct(all, 0.99) << " errors=" << errors.load() << std::endl;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "subscribers" && argc > 2) return subscribers(std::atoi(argv[2]), argc > 3 ? std::atoi(argv[3]) : 50);
  if (mode == "queries" && argc > 2) {
    return queries(std::atoi(argv[2]), argc > 3 ? std::atoi(argv[3]) : 4, argc > 4 ? std::atoi(argv[4]) : 10);
  }
  std::cerr << "usage: api_latency_probe subscribers <N> [samples] | queries <blocks> [clients] [seconds]\n";
  return 2;
}
