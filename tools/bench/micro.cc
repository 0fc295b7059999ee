#include "micro.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>

#include "micro_work.h"
#include "query_db.h"
#include "tronidx/decode/decode.h"
#include "tronidx/store/write_txn.h"

namespace tronidx::bench {
namespace {

const BenchOptions* g_options = nullptr;  // run_micro's, for the benchmarks that need a directory

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
  const auto expected = static_cast<size_t>(
      std::count_if(block().transfers.begin(), block().transfers.end(), micro::decoded_by_default));
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

// A catch-up commit as the daemon makes them, 350 mainnet-shaped blocks (~99,000 transfers: the syncer closes
// a commit at 1,000 blocks or 100,000 transfers, include/tronidx/sync/syncer.h), into an `all`-mode database
// that grows with every iteration, as written by the committing thread: the table files of an ingested
// commit. The _process variant also counts RocksDB's background flushes and compactions and the store's
// work when a catch-up ends (the index families' deferred L0 compacted, the ingested ranges rewritten), to
// the end of what the commits caused (it trails them and grows with the database): both run 17 commits from
// an empty database, ~6,000 blocks like B1's chain, so that their figures compare with B1's CPU per block.
void commit_blocks(benchmark::State& state) {
  constexpr size_t kBlocks = 350;
  static const auto blocks = micro::mainnet_blocks(1000, kBlocks).value();
  const auto dir = g_options->work_dir / "micro-commit-db";
  std::filesystem::remove_all(dir);
  store::OpenOptions o;
  o.path = dir.string();
  o.genesis_id = chain::BlockId{};
  o.mode = store::ModeConfig{store::ModeConfig::Kind::kAll, {}};
  o.sync_writes = false;  // what a catch-up commit does is the question here, not the disk's fsync
  // store.catch_up_l0_files from the variable the daemon reads it from too, for A/B runs of the two settings.
  if (const char* e = std::getenv("TRONIDX_STORE_CATCH_UP_L0_FILES"))
    o.catch_up_l0_files = std::strtoull(e, nullptr, 10);
  auto st = store::Store::open(o).value();
  if (!st->set_base(store::ChainPoint{0, chain::BlockId{}}).ok()) state.SkipWithError("set_base failed");
  benchmark::IterationCount done = 0;
  for (auto _ : state) {
    auto txn = st->begin();
    if (!micro::apply_as_next(txn, blocks).ok() || !st->commit(std::move(txn)).ok()) state.SkipWithError("commit failed");
    // The last commit ends the catch-up as the daemon's writer does (the index families compact again, the
    // ingested ranges are rewritten) and waits for that and the flushes and compactions the commits left
    // behind, so that the _process variant counts all the work of the catch-up, not only what finished
    // while it ran.
    if (++done == state.max_iterations) {
      st->catch_up_ended();
      st->wait_recompressed();
      if (!st->wait_for_compactions(std::chrono::minutes(10)).ok()) state.SkipWithError("compactions did not finish");
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBlocks));
  state.counters["transfers/block"] = static_cast<double>(blocks.transfer_count) / kBlocks;
  st.reset();
  std::filesystem::remove_all(dir);
}
// The committing thread's CPU only: a commit's table files are built partly on an ingest-lane thread beside
// it (src/store/ingest.cc), whose CPU the _process variants count.
void BM_CommitBlocks(benchmark::State& state) { commit_blocks(state); }
BENCHMARK(BM_CommitBlocks)->Unit(benchmark::kMillisecond)->Iterations(17);
void BM_CommitBlocks_process(benchmark::State& state) { commit_blocks(state); }
BENCHMARK(BM_CommitBlocks_process)->Unit(benchmark::kMillisecond)->Iterations(17)->MeasureProcessCPUTime();
// The same over 86 commits, ~30,000 blocks like `--scenarios B1 --blocks 30000`: how the catch-up's cost per
// block grows with the database (the index families' compaction).
void BM_CommitBlocks30k_process(benchmark::State& state) { commit_blocks(state); }
BENCHMARK(BM_CommitBlocks30k_process)->Unit(benchmark::kMillisecond)->Iterations(86)->MeasureProcessCPUTime();

// ---- queries: B5's database ------------------------------------------------------------------------

struct QueryFixture {
  QueryDb db;
  std::unique_ptr<store::Store> store;
};

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
    // Warm the block cache as B5's server is by the time it measures throughput (it has answered ~2,000
    // pages of each address): otherwise the first repetition measures a cold cache.
    std::mt19937_64 rng(7);
    for (const auto& subject : out.db.subjects) {
      for (int i = 0; i < 2000; ++i) (void)micro::read_page(*out.store, subject.first, 1 + rng() % out.db.blocks, 100);
    }
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
  v1::ListTransfersResponse resp;  // reused, as the daemon reuses its responses
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    micro::render_page(pages[i++ % pages.size()], f.db.blocks, f.db.blocks, tokens, resp, out);
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
