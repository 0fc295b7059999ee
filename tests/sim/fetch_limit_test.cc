// fetch_limit (tools/bench) reads a whole range like an indexer's catch-up and counts what it parsed.
#include "fetch_limit.h"

#include <gtest/gtest.h>

#include "sim_test_util.h"
#include "testsupport/sim_process.h"

namespace tronidx::simtest {
namespace {

TEST(FetchLimitTest, ReadsEveryBlockAndTheInfosOfBlocksWithTransactions) {
  auto sim = testsupport::SimProcess::start(
      std::vector<std::string>{"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "250"});
  ASSERT_TRUE(sim.ok()) << sim.error().message;
  Node node(**sim);
  const auto blocks = node.fetch(1, 250);
  uint64_t with_txs = 0, txs = 0;
  for (const auto& b : blocks) {
    with_txs += b.block.transactions_size() > 0;
    txs += static_cast<uint64_t>(b.block.transactions_size());
  }

  bench::FetchLimitOptions o;
  o.endpoint = (*sim)->full_node_endpoint();
  o.from_block = 1;
  o.in_flight = 4;
  auto r = bench::run_fetch_limit(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->blocks, 250u);
  EXPECT_EQ(r->range_calls, 3u);
  EXPECT_EQ(r->info_calls, with_txs);
  EXPECT_EQ(r->transactions, txs);
  EXPECT_EQ(r->infos, txs);
  EXPECT_GT(r->bytes, 0u);
  EXPECT_GT(r->blocks_per_s(), 0);
  EXPECT_NE(bench::format_json(o, *r).find("\"blocks\":250"), std::string::npos);

  o.in_flight = 0;
  EXPECT_FALSE(bench::run_fetch_limit(o).ok());
}

}  // namespace
}  // namespace tronidx::simtest
