// Reorgs: scripted ones replace the top of the chain with new blocks (new ids, consistent links), the
// ground truth follows, orphaned transactions reappear; random ones keep the chain consistent; reorgs
// below the solidified block are refused unless explicitly allowed.
#include <gtest/gtest.h>

#include <set>

#include "sim_test_util.h"
#include "testsupport/sim_process.h"

namespace tronidx::simtest {
namespace {

using testsupport::SimProcess;

void expect_consistent_chain(const std::vector<FetchedBlock>& chain) {
  for (size_t i = 0; i < chain.size(); ++i) {
    ASSERT_EQ(check_block(chain[i].block), "");
    ASSERT_EQ(check_infos(chain[i]), "");
    if (i > 0) {
      ASSERT_EQ(chain[i].block.block_header().raw_data().parenthash(), chain[i - 1].block.blockid())
          << "block " << chain[i].block.block_header().raw_data().number();
    }
  }
}

std::unique_ptr<SimProcess> start(std::vector<std::string> extra) {
  std::vector<std::string> args = {"--profile", "small", "--block-interval-ms", "0", "--seed", "3"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto sim = SimProcess::start(args);
  EXPECT_TRUE(sim.ok()) << sim.error().message;
  return sim.ok() ? std::move(*sim) : nullptr;
}

TEST(ReorgTest, ScriptedReorgReplacesTheTopAndTheGroundTruthFollows) {
  auto sim = start({"--prebuild", "40", "--solid-lag", "10"});
  ASSERT_TRUE(sim);
  Node node(*sim);
  const auto before = node.fetch(0, 40);
  ASSERT_EQ(before.size(), 41u);

  tronsim::v1::ReorgRequest req;
  req.set_depth(4);
  auto reorg = sim->reorg(req);
  ASSERT_TRUE(reorg.ok()) << reorg.error().message;
  EXPECT_EQ(reorg->reorg().fork_at(), 37);
  EXPECT_EQ(reorg->reorg().depth(), 4);
  EXPECT_EQ(reorg->reorg().new_length(), 5);
  EXPECT_EQ(reorg->head_num(), 41);
  ASSERT_EQ(reorg->orphaned_ids_size(), 4);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(reorg->orphaned_ids(i), hex(before[static_cast<size_t>(37 + i)].block.blockid()));

  const auto after = node.fetch(0, 41);
  ASSERT_EQ(after.size(), 42u);
  expect_consistent_chain(after);
  for (int64_t n = 0; n <= 41; ++n) {
    const auto& id = after[static_cast<size_t>(n)].block.blockid();
    if (n < 37) {
      EXPECT_EQ(id, before[static_cast<size_t>(n)].block.blockid()) << n;
    } else if (n <= 40) {
      EXPECT_NE(id, before[static_cast<size_t>(n)].block.blockid()) << n;
    }
  }

  // Some orphaned transactions reappear in the new branch with the same txid.
  std::set<std::string> orphaned_txids, new_txids;
  for (size_t n = 37; n <= 40; ++n) {
    for (const auto& te : before[n].block.transactions()) orphaned_txids.insert(te.txid());
  }
  for (size_t n = 37; n <= 41; ++n) {
    for (const auto& te : after[n].block.transactions()) new_txids.insert(te.txid());
  }
  int reappeared = 0;
  for (const auto& t : orphaned_txids) reappeared += static_cast<int>(new_txids.count(t));
  EXPECT_GT(reappeared, 0);
  EXPECT_EQ(reappeared, reorg->reorg().reappeared_txs());

  // The ground truth is the new canonical chain's.
  auto dump = sim->dump_ground_truth();
  ASSERT_TRUE(dump.ok());
  EXPECT_EQ(parse_truth_jsonl(*dump), decode_transfers(after));
  auto blocks = sim->dump_blocks(36, 41);
  ASSERT_TRUE(blocks.ok());
  EXPECT_NE(blocks->find(hex(after[41].block.blockid())), std::string::npos);
  EXPECT_EQ(blocks->find(hex(before[38].block.blockid())), std::string::npos);
}

TEST(ReorgTest, ForkAtWithALongerBranch) {
  auto sim = start({"--prebuild", "30", "--solid-lag", "10"});
  ASSERT_TRUE(sim);
  tronsim::v1::ReorgRequest req;
  req.set_fork_at(25);
  req.set_new_length(9);
  auto reorg = sim->reorg(req);
  ASSERT_TRUE(reorg.ok()) << reorg.error().message;
  EXPECT_EQ(reorg->reorg().depth(), 6);
  EXPECT_EQ(reorg->head_num(), 33);
  Node node(*sim);
  const auto chain = node.fetch(0, 33);
  ASSERT_EQ(chain.size(), 34u);
  expect_consistent_chain(chain);
  auto status = sim->status();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->reorgs(), 1);
  EXPECT_EQ(status->orphaned_blocks(), 6);
  EXPECT_EQ(status->last_reorg().fork_at(), 25);
}

TEST(ReorgTest, RandomReorgsKeepTheChainConsistent) {
  auto sim = start({"--prebuild", "10", "--solid-lag", "6", "--reorg-rate", "0.3", "--reorg-max-depth", "3"});
  ASSERT_TRUE(sim);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(sim->advance(10).ok());
  auto status = sim->status();
  ASSERT_TRUE(status.ok());
  EXPECT_GT(status->reorgs(), 3);
  EXPECT_TRUE(status->last_reorg().random());
  Node node(*sim);
  const auto chain = node.fetch(0, status->head_num());
  ASSERT_EQ(chain.size(), static_cast<size_t>(status->head_num() + 1));
  expect_consistent_chain(chain);
  auto dump = sim->dump_ground_truth();
  ASSERT_TRUE(dump.ok());
  EXPECT_EQ(parse_truth_jsonl(*dump), decode_transfers(chain));
  const auto exit = sim->stop();
  EXPECT_TRUE(exit.success()) << exit.describe() << sim->stderr_text();
}

TEST(ReorgTest, ReorgBelowTheSolidifiedBlockNeedsExplicitPermission) {
  auto sim = start({"--prebuild", "30", "--solid-lag", "10"});
  ASSERT_TRUE(sim);
  Node node(*sim);
  protocol::BlockExtention old_solid;
  ASSERT_TRUE(node.block_by_num(20, old_solid).ok());

  tronsim::v1::ReorgRequest req;
  req.set_fork_at(20);  // == solidified
  auto refused = sim->reorg(req);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("allow_below_solidified"), std::string::npos) << refused.error().message;
  EXPECT_EQ(refused.error().code, Errc::kFailedPrecondition);

  req.set_allow_below_solidified(true);
  auto forced = sim->reorg(req);
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  auto status = sim->status();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->solidified_num(), 21) << "never moves down (head 31 - lag 10)";
  protocol::BlockExtention new_twenty;
  ASSERT_TRUE(node.block_by_num(20, new_twenty).ok());
  EXPECT_NE(new_twenty.blockid(), old_solid.blockid()) << "a solidified block changed: the fatal-inconsistency case";
}

}  // namespace
}  // namespace tronidx::simtest
