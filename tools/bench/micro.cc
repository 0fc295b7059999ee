#include "micro.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <random>

#include "micro_work.h"
#include "query_db.h"
#include "tronidx/decode/decode.h"

namespace tronidx::bench {
namespace {

// ---- catch-up: one mainnet-shaped block ------------------------------------------------------------

const micro::WireBlock& block() {
  static const micro::WireBlock b = micro::mainnet_block(1000).value();
  return b;
}

void BM_ParseBlock(benchmark::State& state) {
  for (auto _ : state) {
    auto raw = micro::parse_block(block());
    if (!raw.ok() || raw->txs.size() != block().tx_count) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(raw);
  }
  state.counters["txs"] = static_cast<double>(block().tx_count);
}
BENCHMARK(BM_ParseBlock);

// With the daemon's default options: TRC20 and TRX transfers (TRC10 is a config switch).
void BM_DecodeBlock(benchmark::State& state) {
  const auto raw = micro::parse_block(block()).value();
  const auto expected = static_cast<size_t>(std::count_if(block().transfers.begin(), block().transfers.end(), [](const auto& t) {
    return t.kind != decode::TransferKind::kTrc10;
  }));
  for (auto _ : state) {
    auto decoded = decode::decode_block(raw);
    if (!decoded.ok() || decoded->transfers.size() != expected) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.counters["transfers"] = static_cast<double>(expected);
}
BENCHMARK(BM_DecodeBlock);

void BM_Base58check(benchmark::State& state) {
  std::vector<chain::Address> addresses;
  for (const auto& t : block().transfers) addresses.push_back(t.to);
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(addresses[i++ % addresses.size()].to_base58());
}
BENCHMARK(BM_Base58check);

// ---- queries: B5's database ------------------------------------------------------------------------

struct QueryFixture {
  QueryDb db;
  std::unique_ptr<store::Store> store;
};
const BenchOptions* g_options = nullptr;

// The kept B5 database (read-only) when there is one, else a 500,000-transfer one built once.
const QueryFixture& query_fixture() {
  static const QueryFixture f = [] {
    QueryFixture out;
    std::filesystem::path dir = g_options->query_db;
    auto kept = dir.empty() ? std::nullopt : read_query_db_manifest(dir);
    if (kept) {
      out.db = *kept;
    } else {
      dir = g_options->work_dir / "micro-query-db";
      std::cerr << "building a 500,000-transfer query database in " << dir << "...\n";
      out.db = build_query_db(dir.string(), chain::BlockId{}, 500'000).value();
    }
    store::OpenOptions o;
    o.path = dir.string();
    o.read_only = true;
    out.store = store::Store::open(o).value();
    return out;
  }();
  return f;
}

// A page of 100 of subject `state.range(0)` (0: a tenth of all transfers, 1: a hundredth, 2: a
// thousandth) at a random depth of its history, as B5's clients ask.
void BM_ReadPage(benchmark::State& state) {
  const auto& f = query_fixture();
  const auto& [address, count] = f.db.subjects.at(static_cast<size_t>(state.range(0)));
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    auto rows = micro::read_page(*f.store, address, 1 + rng() % f.db.blocks, 100);
    if (!rows.ok()) state.SkipWithError("read failed");
    benchmark::DoNotOptimize(rows);
  }
  state.SetLabel(std::to_string(count) + " of " + std::to_string(f.db.transfers) + " transfers");
}
BENCHMARK(BM_ReadPage)->Arg(0)->Arg(1)->Arg(2);

// Rendering and serialising a page of the densest subject (64 different pages, so that the counterparties'
// texts are not all in the per-thread memo).
void BM_RenderPage(benchmark::State& state) {
  const auto& f = query_fixture();
  const auto tokens = micro::default_tokens();
  std::mt19937_64 rng(3);
  std::vector<std::vector<store::IndexedTransfer>> pages;
  for (int i = 0; i < 64; ++i) pages.push_back(micro::read_page(*f.store, f.db.subjects[0].first, 1 + rng() % f.db.blocks, 100).value());
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    google::protobuf::Arena arena;
    micro::render_page(pages[i++ % pages.size()], f.db.blocks, f.db.blocks, tokens, arena, out);
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_RenderPage);

}  // namespace

int run_micro(const BenchOptions& options, std::vector<std::string> benchmark_args) {
  g_options = &options;
  std::vector<char*> argv;
  static char name[] = "tronidx-bench --micro";
  argv.push_back(name);
  for (auto& a : benchmark_args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  if (benchmark::ReportUnrecognizedArguments(argc, argv.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace tronidx::bench
