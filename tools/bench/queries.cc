// B5: ListTransfers of an address with 1M (and 100k, 10k) transfers in a 10M-transfer database.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <random>
#include <thread>

#include <unistd.h>

#include "scenarios.h"
#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"
#include "tronidx/decode/transfer.h"
#include "tronidx/store/store.h"
#include "tronidx/store/write_txn.h"
#include "tronidx/v1/query.grpc.pb.h"

namespace tronidx::bench {
namespace {

using Clock = std::chrono::steady_clock;

chain::Address synthetic(uint64_t i, const char* tag) {
  const auto h = chain::sha256(std::string(tag) + std::to_string(i));
  std::array<uint8_t, 20> a{};
  std::copy(h.bytes.begin(), h.bytes.begin() + 20, a.begin());
  return chain::Address::from_evm(a);
}

// The recipient of the `s`-th subject's transfers (0: a tenth of all, 1: a hundredth, 2: a thousandth).
chain::Address subject_address(int s) { return synthetic(static_cast<uint64_t>(s) + 1, "subject"); }

struct QueryDb {
  uint64_t blocks = 0;
  uint64_t transfers = 0;
  std::vector<std::pair<chain::Address, uint64_t>> subjects;  // address, its transfer count
};

// Builds an `all`-mode database of `total` USDT transfers, 250 per block, whose recipients include three
// subject addresses with total/10, total/100 and total/1000 transfers.
Result<QueryDb> build(const std::string& path, const chain::BlockId& genesis, uint64_t total) {
  store::OpenOptions o;
  o.path = path;
  o.genesis_id = genesis;
  o.mode = store::ModeConfig{store::ModeConfig::Kind::kAll, {}};
  o.sync_writes = false;
  TRONIDX_ASSIGN(auto st, store::Store::open(o));
  TRONIDX_TRY(st->set_base(store::ChainPoint{0, genesis}));
  QueryDb db;
  const uint64_t per_block = 250;
  db.blocks = total / per_block;
  const chain::Address usdt = *chain::Address::parse("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  const chain::Address subject[3] = {subject_address(0), subject_address(1), subject_address(2)};
  uint64_t counts[3] = {0, 0, 0};
  std::mt19937_64 rng(5);
  chain::BlockId parent = genesis;
  auto txn = std::make_unique<store::WriteTxn>(st->begin());
  for (uint64_t b = 1; b <= db.blocks; ++b) {
    decode::BlockHeader h;
    h.block_num = b;
    h.parent_id = parent;
    h.timestamp_ms = 1'700'000'000'000 + static_cast<int64_t>(b) * 3000;
    h.id = chain::BlockId::compute(b, chain::as_bytes(std::to_string(b) + "query-db"));
    std::vector<decode::Transfer> ts(per_block);
    for (uint64_t i = 0; i < per_block; ++i) {
      auto& t = ts[i];
      t.position = decode::Position{b, static_cast<uint32_t>(i), 0};
      t.kind = decode::TransferKind::kTrc20;
      t.token = usdt;
      t.from = synthetic(rng() % 1'000'000, "account");
      const uint64_t r = rng() % 1000;
      int s = r < 100 ? 0 : r < 110 ? 1 : r < 111 ? 2 : -1;
      t.to = s >= 0 ? subject[s] : synthetic(rng() % 1'000'000, "account");
      if (s >= 0) ++counts[s];
      t.amount = chain::Amount(rng() % 100'000'000'000ull);
      t.txid = chain::TxId{chain::sha256(std::to_string(b) + "/" + std::to_string(i))};
    }
    TRONIDX_TRY(txn->apply_block(h, static_cast<uint32_t>(per_block), ts));
    parent = h.id;
    if (b % 100 == 0 || b == db.blocks) {
      TRONIDX_TRY(txn->solidify(b));
      auto r = st->commit(std::move(*txn));
      if (!r.ok()) return std::move(r).error();
      txn = std::make_unique<store::WriteTxn>(st->begin());
    }
  }
  TRONIDX_TRY(st->compact());
  db.transfers = db.blocks * per_block;
  for (int s = 0; s < 3; ++s) db.subjects.emplace_back(subject[s], counts[s]);
  return db;
}

// A kept database (--query-db) describes itself in this file, written once its build completed.
std::filesystem::path manifest_path(const std::filesystem::path& dir) { return dir / "bench-query-db.txt"; }

void write_manifest(const std::filesystem::path& dir, const QueryDb& db) {
  std::ofstream f(manifest_path(dir));
  f << db.blocks << " " << db.transfers;
  for (const auto& s : db.subjects) f << " " << s.second;
  f << "\n";
}

// The kept database in `dir` if its manifest says it has `total` transfers.
std::optional<QueryDb> read_manifest(const std::filesystem::path& dir, uint64_t total) {
  std::ifstream f(manifest_path(dir));
  QueryDb db;
  uint64_t counts[3] = {};
  if (!(f >> db.blocks >> db.transfers >> counts[0] >> counts[1] >> counts[2]) || db.transfers != total) return std::nullopt;
  for (int s = 0; s < 3; ++s) db.subjects.emplace_back(subject_address(s), counts[s]);
  return db;
}

// B5's database in `data_dir`: the one kept there (--query-db) when its manifest has `total` transfers, else
// built anew (its build rate reported) and, when kept, described by a manifest.
Result<QueryDb> kept_or_built(Report& report, const BenchOptions& opt, const std::filesystem::path& data_dir,
                              const chain::BlockId& genesis, uint64_t total) {
  if (!opt.query_db.empty()) {
    if (auto kept = read_manifest(data_dir, total)) return std::move(*kept);
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
  auto db = build(data_dir.string(), genesis, total);
  if (!db.ok()) return make_error(db.error().code, "building the database: " + db.error().message);
  const double build_s = std::chrono::duration<double>(Clock::now() - built_at).count();
  report.add({"B5", "query database built (store API, all mode)", static_cast<double>(db->transfers) / build_s,
              "transfers/s", {}, "", "", {},
              std::to_string(db->transfers) + " transfers in " + std::to_string(db->blocks) + " blocks"});
  if (!opt.query_db.empty()) write_manifest(data_dir, *db);
  return db;
}

// The order of magnitude of `count` as the issue names its sizes: 1000208 -> "1M", 99937 -> "100k".
std::string magnitude(uint64_t count) {
  const double p = std::pow(10.0, std::round(std::log10(static_cast<double>(std::max<uint64_t>(count, 1)))));
  if (p >= 1e6) return std::to_string(static_cast<uint64_t>(p / 1e6)) + "M";
  if (p >= 1e3) return std::to_string(static_cast<uint64_t>(p / 1e3)) + "k";
  return std::to_string(static_cast<uint64_t>(p));
}

// One query: the page of `page` transfers of `address` at a random depth of its history.
bool query(v1::Query::Stub& stub, const std::string& address, uint64_t tip, std::mt19937_64& rng, uint32_t page) {
  v1::ListTransfersRequest req;
  req.set_address(address);
  req.set_to_block(1 + rng() % tip);
  req.set_page_size(page);
  // The response is parsed into an arena, as a client that cares about throughput would do.
  google::protobuf::Arena arena;
  auto* resp = google::protobuf::Arena::CreateMessage<v1::ListTransfersResponse>(&arena);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return stub.ListTransfers(&ctx, req, resp).ok() && resp->transfers_size() > 0;
}

constexpr int kClients = 8;

struct Throughput {
  double qps = 0;
  double server_cpu_us = 0;  // the server's CPU time per call
  double client_cpu_us = 0;  // the clients' (this process's) CPU time per call, on the same cores
};

// kClients closed-loop clients, one channel each, calling `call` for `window`.
template <typename Call>
Throughput closed_loop(const std::string& endpoint, pid_t server, std::chrono::seconds window, Call call) {
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const double cpu0 = cpu_seconds(server);
  const double client0 = cpu_seconds(getpid());
  const auto t0 = Clock::now();
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", c);
      auto s = v1::Query::NewStub(grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args));
      std::mt19937_64 r(100 + static_cast<uint64_t>(c));
      while (!stop.load()) {
        if (call(*s, r)) done.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(window);
  stop = true;
  for (auto& t : threads) t.join();
  Throughput out;
  const uint64_t n = done.load();
  out.qps = static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - t0).count();
  out.server_cpu_us = n > 0 ? (cpu_seconds(server) - cpu0) * 1e6 / static_cast<double>(n) : 0;
  out.client_cpu_us = n > 0 ? (cpu_seconds(getpid()) - client0) * 1e6 / static_cast<double>(n) : 0;
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
    const Throughput ceiling = closed_loop((*d)->api_endpoint(), server, window, [](v1::Query::Stub& s, std::mt19937_64&) {
      v1::GetStatusResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      return s.GetStatus(&ctx, v1::GetStatusRequest(), &resp).ok();
    });
    const Throughput list = closed_loop((*d)->api_endpoint(), server, window, [&](v1::Query::Stub& s, std::mt19937_64& r) {
      return query(s, a, db->blocks, r, 100);
    });
    report.add({"B5", "ListTransfers QPS, " + scale + " transfers/address", list.qps, "queries/s", ceiling.qps,
                "GetStatus QPS, same clients", big ? ">= 5000" : "", big ? std::optional<bool>(list.qps >= 5000) : std::nullopt,
                std::to_string(kClients) + " concurrent clients on loopback"});
    report.add({"B5", "server CPU per query, " + scale + " transfers/address", list.server_cpu_us, "us",
                ceiling.server_cpu_us, "per GetStatus", "", {},
                "tronidxd's user + system time during the QPS run / queries"});
    // What the machine allows at these costs: its cores divided by the CPU one query takes in the server
    // and in the clients together (the clients share the cores with the server on loopback).
    const double cores = static_cast<double>(std::max(1u, std::thread::hardware_concurrency()));
    const double per_query = list.server_cpu_us + list.client_cpu_us;
    report.add({"B5", "client CPU per query, " + scale + " transfers/address", list.client_cpu_us, "us", {}, "", "", {},
                "the bench's " + std::to_string(kClients) + " client threads (this process) / queries"});
    report.add({"B5", "QPS the cores allow at that CPU, " + scale + " transfers/address",
                per_query > 0 ? cores * 1e6 / per_query : 0, "queries/s", {}, "", "", {},
                std::to_string(static_cast<int>(cores)) + " cores / (server + client CPU per query)"});
  }
}

}  // namespace tronidx::bench
