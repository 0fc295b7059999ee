// B5: ListTransfers of an address with 1M (and 100k, 10k) transfers in a 10M-transfer database.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <random>
#include <thread>

#include "query_db.h"
#include "scenarios.h"
#include "tronidx/chain/hex.h"
#include "tronidx/v1/query.grpc.pb.h"

namespace tronidx::bench {
namespace {

using Clock = std::chrono::steady_clock;

// B5's database in `data_dir`: the one kept there (--query-db) when its manifest has `total` transfers, else
// built anew (its build rate reported) and, when kept, described by a manifest.
Result<QueryDb> kept_or_built(Report& report, const BenchOptions& opt, const std::filesystem::path& data_dir,
                              const chain::BlockId& genesis, uint64_t total) {
  if (!opt.query_db.empty()) {
    if (auto kept = read_query_db_manifest(data_dir, total)) return std::move(*kept);
    // Rebuilding wipes the directory: only one that is empty or holds a database (a kept one of another
    // size, or a build that was interrupted), never a directory given by mistake.
    std::error_code ec;
    if (std::filesystem::exists(data_dir) && !std::filesystem::is_empty(data_dir, ec) &&
        !std::filesystem::exists(data_dir / "CURRENT")) {
      return make_error(Errc::kFailedPrecondition,
                        "--query-db " + data_dir.string() + ": not empty and not a database; refusing to wipe it");
    }
  }
  std::filesystem::remove_all(data_dir);
  const auto built_at = Clock::now();
  auto db = build_query_db(data_dir.string(), genesis, total);
  if (!db.ok()) return make_error(db.error().code, "building the database: " + db.error().message);
  const double build_s = std::chrono::duration<double>(Clock::now() - built_at).count();
  report.add({"B5", "query database built (store API, all mode)", static_cast<double>(db->transfers) / build_s,
              "transfers/s", {}, "", "", {},
              std::to_string(db->transfers) + " transfers in " + std::to_string(db->blocks) + " blocks"});
  if (!opt.query_db.empty()) write_query_db_manifest(data_dir, *db);
  return db;
}

// The order of magnitude of `count` as the issue names its sizes: 1000208 -> "1M", 99937 -> "100k".
std::string magnitude(uint64_t count) {
  const double p = std::pow(10.0, std::round(std::log10(static_cast<double>(std::max<uint64_t>(count, 1)))));
  if (p >= 1e6) return std::to_string(static_cast<uint64_t>(p / 1e6)) + "M";
  if (p >= 1e3) return std::to_string(static_cast<uint64_t>(p / 1e3)) + "k";
  return std::to_string(static_cast<uint64_t>(p));
}

// The request for a page of `page` transfers of `address` at a random depth of its history.
v1::ListTransfersRequest page_request(const std::string& address, uint64_t tip, std::mt19937_64& rng, uint32_t page) {
  v1::ListTransfersRequest req;
  req.set_address(address);
  req.set_to_block(1 + rng() % tip);
  req.set_page_size(page);
  return req;
}

// One query (blocking), parsed into an arena.
bool query(v1::Query::Stub& stub, const std::string& address, uint64_t tip, std::mt19937_64& rng, uint32_t page) {
  google::protobuf::Arena arena;
  auto* resp = google::protobuf::Arena::CreateMessage<v1::ListTransfersResponse>(&arena);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return stub.ListTransfers(&ctx, page_request(address, tip, rng, page), resp).ok() && resp->transfers_size() > 0;
}

constexpr int kClients = 8;
constexpr int kWideClients = 32;  // B5's second load on the target's address
constexpr int kDrivers = 2;       // threads driving the clients (closed_loop)

struct Throughput {
  double qps = 0;
  double server_cpu_us = 0;  // the server's CPU time per call
  double client_cpu_us = 0;  // the clients' (this process's) CPU time per call, on the same cores
  double p99_ms = 0;         // latency of a call under this load (start to response parsed)
};

// Seconds on CLOCK_MONOTONIC (steady_clock here), the clock `perf record -k CLOCK_MONOTONIC` stamps its
// samples with: a profile of the daemon is cut to a window with `perf report --time START,END`.
double monotonic_s(Clock::time_point t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

// `clients` closed-loop clients, one channel each, each making its next call as soon as its last one returned,
// for `window`. kDrivers threads drive them, each polling one completion queue for its share of the clients,
// as a load generator does: a blocking thread per client cost the clients ~25 % more CPU per call on the
// cores they share with the server (docs/performance.md). A client parses every response, into the one
// response message it keeps (protobuf reuses its rows and strings), and counts the calls that returned OK
// with what `check` wants. `start` starts one call on the queue. Prints the window to stderr
// ("B5 window <label>: START,END"), for profiling exactly one of B5's throughput runs.
template <typename Resp, typename Start, typename Check>
Throughput closed_loop(const std::string& endpoint, pid_t server, int clients_total, std::chrono::seconds window,
                       const std::string& label, Start start, Check check) {
  struct Client {
    std::unique_ptr<v1::Query::Stub> stub;
    std::mt19937_64 rng;
    Clock::time_point started;
    std::unique_ptr<grpc::ClientContext> ctx;
    Resp resp;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<Resp>> reader;
  };
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  std::vector<std::vector<double>> latencies(kDrivers);  // ms, one list per driver
  const double cpu0 = cpu_seconds(server);
  const double client0 = cpu_seconds(getpid());
  const auto t0 = Clock::now();
  for (int d = 0; d < kDrivers; ++d) {
    threads.emplace_back([&, d] {
      grpc::CompletionQueue cq;
      std::vector<Client> clients(static_cast<size_t>(clients_total / kDrivers + (d < clients_total % kDrivers)));
      auto& lat = latencies[static_cast<size_t>(d)];
      lat.reserve(1 << 16);
      auto issue = [&](Client& c) {
        c.started = Clock::now();
        c.ctx = std::make_unique<grpc::ClientContext>();
        c.ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        c.reader = start(*c.stub, c.ctx.get(), c.rng, &cq);
        c.reader->Finish(&c.resp, &c.status, &c);
      };
      for (size_t i = 0; i < clients.size(); ++i) {
        const int id = d + kDrivers * static_cast<int>(i);
        grpc::ChannelArguments args;
        args.SetInt("grpc.channel_id", id);
        clients[i].stub =
            v1::Query::NewStub(grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args));
        clients[i].rng.seed(100 + static_cast<uint64_t>(id));
        issue(clients[i]);
      }
      size_t outstanding = clients.size();
      void* tag = nullptr;
      bool ok = false;
      while (outstanding > 0 && cq.Next(&tag, &ok)) {
        auto& c = *static_cast<Client*>(tag);
        if (ok && c.status.ok() && check(c.resp)) {
          done.fetch_add(1);
          lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - c.started).count());
        }
        if (stop.load()) {
          --outstanding;
        } else {
          issue(c);
        }
      }
      cq.Shutdown();
      while (cq.Next(&tag, &ok)) {
      }
    });
  }
  std::this_thread::sleep_for(window);
  stop = true;
  const auto stopped = Clock::now();
  for (auto& t : threads) t.join();
  std::cerr << "B5 window " << label << ": " << std::fixed << std::setprecision(3) << monotonic_s(t0) << ","
            << monotonic_s(stopped) << "\n";
  Throughput out;
  const uint64_t n = done.load();
  out.qps = static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - t0).count();
  out.server_cpu_us = n > 0 ? (cpu_seconds(server) - cpu0) * 1e6 / static_cast<double>(n) : 0;
  out.client_cpu_us = n > 0 ? (cpu_seconds(getpid()) - client0) * 1e6 / static_cast<double>(n) : 0;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  out.p99_ms = quantile(std::move(all), 0.99);
  return out;
}

}  // namespace

void run_queries(Report& report, const BenchOptions& opt) {
  const uint64_t total = opt.quick ? 500'000 : 10'000'000;
  auto sim = start_prebuilt_sim(20, "tiny");
  if (!sim.ok()) {
    report.add({"B5", "ListTransfers", 0, "ms", {}, "", "", {}, sim.error().message});
    return;
  }
  auto status = (*sim)->status();
  auto genesis = status.ok() ? chain::BlockId::parse_hex(status->genesis_id()) : Result<chain::BlockId>(
                                                                                     make_error(Errc::kInternal, "no status"));
  if (!genesis.ok()) {
    report.add({"B5", "ListTransfers", 0, "ms", {}, "", "", {}, genesis.error().message});
    return;
  }
  const auto data_dir = opt.query_db.empty() ? opt.work_dir / "query-db" : opt.query_db;
  auto db = kept_or_built(report, opt, data_dir, *genesis, total);
  if (!db.ok()) {
    report.add({"B5", "ListTransfers", 0, "ms", {}, "", "", {}, db.error().message});
    return;
  }

  // Serve it: a daemon on that data dir (its node is behind the database, so it only serves queries).
  auto o = bench_daemon(**sim, "all", opt.concurrency, testsupport::free_port());
  o.data_dir = data_dir;
  auto d = testsupport::DaemonProcess::start(o);
  if (!d.ok()) {
    report.add({"B5", "ListTransfers", 0, "ms", {}, "", "", {}, d.error().message});
    return;
  }
  for (size_t subject = 0; subject < db->subjects.size(); ++subject) {
    const auto& [address, count] = db->subjects[subject];
    const std::string a = address.to_base58();
    const std::string scale = magnitude(count);
    auto stub = v1::Query::NewStub(grpc::CreateChannel((*d)->api_endpoint(), grpc::InsecureChannelCredentials()));
    std::mt19937_64 rng(3);
    for (int i = 0; i < 50; ++i) query(*stub, a, db->blocks, rng, 100);  // warm the channel and caches
    std::vector<double> lat;
    const int n = opt.quick ? 300 : 2000;
    for (int i = 0; i < n; ++i) {
      const auto t0 = Clock::now();
      if (!query(*stub, a, db->blocks, rng, 100)) break;
      lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    const double p99 = quantile(lat, 0.99);
    const bool big = subject == 0;  // the address with a tenth of all transfers: the target's case
    report.add({"B5", "ListTransfers page of 100, " + scale + " transfers/address, p50", quantile(lat, 0.5), "ms", {},
                "", "", {}, std::to_string(count) + " transfers, one client"});
    report.add({"B5", "ListTransfers page of 100, " + scale + " transfers/address, p99", p99, "ms", {}, "",
                big ? "<= 5 ms" : "", big ? std::optional<bool>(p99 <= 5.0) : std::nullopt, ""});
    // Throughput, next to this machine's ceiling for any unary call measured just before: GetStatus (no
    // index work) with the same clients.
    const pid_t server = (*d)->process().pid();
    const auto window = std::chrono::seconds(opt.quick ? 2 : 5);
    const Throughput ceiling = closed_loop<v1::GetStatusResponse>(
        (*d)->api_endpoint(), server, kClients, window, "GetStatus, " + scale,
        [](v1::Query::Stub& s, grpc::ClientContext* ctx, std::mt19937_64&, grpc::CompletionQueue* cq) {
          return s.AsyncGetStatus(ctx, v1::GetStatusRequest(), cq);
        },
        [](const v1::GetStatusResponse&) { return true; });
    // `mask` empty: every field of each row.
    auto list_run = [&](int clients, const std::string& label, const google::protobuf::FieldMask& mask) {
      return closed_loop<v1::ListTransfersResponse>(
          (*d)->api_endpoint(), server, clients, window, label,
          [&](v1::Query::Stub& s, grpc::ClientContext* ctx, std::mt19937_64& r, grpc::CompletionQueue* cq) {
            auto req = page_request(a, db->blocks, r, 100);
            *req.mutable_read_mask() = mask;
            return s.AsyncListTransfers(ctx, req, cq);
          },
          [](const v1::ListTransfersResponse& resp) { return resp.transfers_size() > 0; });
    };
    const Throughput list = list_run(kClients, "ListTransfers, " + scale, {});
    report.add({"B5", "ListTransfers QPS, " + scale + " transfers/address", list.qps, "queries/s", ceiling.qps,
                "GetStatus QPS, same clients", big ? ">= 5000" : "", big ? std::optional<bool>(list.qps >= 5000) : std::nullopt,
                std::to_string(kClients) + " concurrent clients on loopback"});
    report.add({"B5", "ListTransfers p99 under that load, " + scale + " transfers/address", list.p99_ms, "ms", {}, "",
                "", {}, "each call, from its start to its response parsed"});
    report.add({"B5", "server CPU per query, " + scale + " transfers/address", list.server_cpu_us, "us",
                ceiling.server_cpu_us, "per GetStatus", "", {},
                "tronidxd's user + system time during the QPS run / queries"});
    const std::string clients_note = "the bench's " + std::to_string(kClients) + " clients (this process: " +
                                     std::to_string(kDrivers) + " threads driving them, and gRPC's) / queries";
    report.add({"B5", "client CPU per query, " + scale + " transfers/address", list.client_cpu_us, "us", {}, "", "",
                {}, clients_note});
    // What the machine allows at these costs: its cores divided by the CPU one query takes in the server
    // and in the clients together (the clients share the cores with the server on loopback).
    const double cores = static_cast<double>(std::max(1u, std::thread::hardware_concurrency()));
    const double per_query = list.server_cpu_us + list.client_cpu_us;
    report.add({"B5", "QPS the cores allow at that CPU, " + scale + " transfers/address",
                per_query > 0 ? cores * 1e6 / per_query : 0, "queries/s", {}, "", "", {},
                std::to_string(static_cast<int>(cores)) + " cores / (server + client CPU per query)"});
    if (big) {
      // More concurrent calls cost less CPU each (gRPC and the kernel handle several per wakeup) and wait
      // longer: the same address with kWideClients clients, for the trade between the two.
      auto cpu = [](const Throughput& t) {
        return "server + client CPU per query " + std::to_string(std::lround(t.server_cpu_us)) + " + " +
               std::to_string(std::lround(t.client_cpu_us)) + " us";
      };
      const Throughput wide =
          list_run(kWideClients, "ListTransfers " + std::to_string(kWideClients) + " clients, " + scale, {});
      const std::string with = std::to_string(kWideClients) + " clients, " + scale + " transfers/address";
      report.add({"B5", "ListTransfers QPS with " + with, wide.qps, "queries/s", {}, "", "", {}, cpu(wide)});
      report.add({"B5", "ListTransfers p99 under that load, " + with, wide.p99_ms, "ms", {}, "", "", {}, ""});
      // The same pages with a read mask of the fields a payment backend reads (no hex forms, block id,
      // token metadata, tx index or formatted amount): what a partial response saves both sides.
      google::protobuf::FieldMask payment;
      for (const char* f : {"kind", "token", "from", "to", "amount", "txid", "event_index", "block_num", "timestamp_ms",
                            "confirmations", "final"}) {
        payment.add_paths(f);
      }
      const Throughput masked = list_run(kClients, "ListTransfers read mask, " + scale, payment);
      report.add({"B5",
                  "ListTransfers QPS with a payment read mask, " + scale + " transfers/address",
                  masked.qps,
                  "queries/s",
                  {},
                  "",
                  "",
                  {},
                  cpu(masked) + "; 11 of 20 fields"});
    }
  }
}

}  // namespace tronidx::bench
