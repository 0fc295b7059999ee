// Determinism: the chain is a pure function of the seed (and of the control operations), whatever the
// number of generator threads; different seeds give different genesis blocks.
#include <gtest/gtest.h>

#include "block_factory.h"
#include "merkle.h"
#include "producer.h"
#include "sim_test_util.h"
#include "testsupport/sim_process.h"
#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"
#include "wire.h"

namespace tronidx::simtest {
namespace {

using testsupport::SimProcess;

std::string blocks_of(uint64_t seed, const std::string& threads) {
  auto sim = SimProcess::start(std::vector<std::string>{"--profile", "tiny", "--seed", std::to_string(seed),
                                                        "--block-interval-ms", "0", "--prebuild", "25", "--gen-threads",
                                                        threads});
  EXPECT_TRUE(sim.ok()) << sim.error().message;
  if (!sim.ok()) return "";
  auto advanced = (*sim)->advance(3);
  EXPECT_TRUE(advanced.ok());
  auto dump = (*sim)->dump_blocks();
  EXPECT_TRUE(dump.ok());
  return dump.ok() ? *dump : "";
}

TEST(DeterminismTest, SameSeedSameChainDifferentSeedDifferentGenesis) {
  const std::string a = blocks_of(11, "1");
  const std::string b = blocks_of(11, "2");
  const std::string c = blocks_of(12, "2");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  const auto first_line = [](const std::string& s) { return s.substr(0, s.find('\n')); };
  EXPECT_NE(first_line(a), first_line(c)) << "genesis ids must differ between seeds";
}

// In-process: bodies generated in parallel equal bodies generated one by one, and a reorg sequence
// replays identically.
std::vector<std::string> build(unsigned threads, bool with_reorg) {
  sim::GenConfig gen;
  gen.seed = 99;
  gen.profile = sim::Profile::kSmall;
  gen.accounts = 1000;
  auto population = std::make_shared<const sim::Population>(sim::Population::create(gen).value());
  auto factory = std::make_shared<const sim::BlockFactory>(gen, population);
  sim::Chain chain(18);
  sim::Producer producer(factory, chain, sim::ChainConfig{}, gen.seed, {});
  EXPECT_TRUE(producer.build_initial(40, threads).ok());
  if (with_reorg) {
    sim::ReorgSpec spec;
    spec.depth = 5;
    EXPECT_TRUE(producer.reorg(spec).ok());
    EXPECT_TRUE(producer.advance(3).ok());
  }
  std::vector<std::string> out;
  for (const auto& b : chain.range(0, 1000)) out.push_back(b->block + b->infos);
  return out;
}

TEST(DeterminismTest, ThreadCountDoesNotChangeTheBytes) {
  EXPECT_EQ(build(1, false), build(2, false));
  EXPECT_EQ(build(1, true), build(3, true));
}

TEST(MerkleTest, PairsHashedOddNodeCarriedUp) {
  const chain::Hash32 a = chain::sha256(std::string_view("a"));
  const chain::Hash32 b = chain::sha256(std::string_view("b"));
  const chain::Hash32 c = chain::sha256(std::string_view("c"));
  auto cat = [](const chain::Hash32& x, const chain::Hash32& y) {
    std::string s(chain::as_chars(x.bytes));
    s += chain::as_chars(y.bytes);
    return chain::sha256(s);
  };
  EXPECT_EQ(sim::merkle_root({}), chain::Hash32{});
  EXPECT_EQ(sim::merkle_root({a}), a);
  EXPECT_EQ(sim::merkle_root({a, b}), cat(a, b));
  EXPECT_EQ(sim::merkle_root({a, b, c}), cat(cat(a, b), c));
}

TEST(WireTest, HeaderOffsetSplitsCanonicalBlockExtention) {
  protocol::BlockExtention b;
  b.add_transactions()->set_txid(std::string(32, 'x'));
  b.mutable_block_header()->mutable_raw_data()->set_number(7);
  b.set_blockid(std::string(32, 'y'));
  const std::string bytes = b.SerializeAsString();
  auto offset = sim::wire::block_header_offset(bytes);
  ASSERT_TRUE(offset.ok());
  protocol::BlockExtention tail;
  ASSERT_TRUE(tail.ParseFromString(bytes.substr(*offset)));
  EXPECT_EQ(tail.transactions_size(), 0);
  EXPECT_EQ(tail.block_header().raw_data().number(), 7);
  EXPECT_EQ(tail.blockid(), std::string(32, 'y'));
  EXPECT_FALSE(sim::wire::block_header_offset(bytes.substr(0, bytes.size() - 1)).ok()) << "truncated";
  EXPECT_FALSE(sim::wire::block_header_offset(bytes.substr(*offset) + bytes.substr(0, *offset)).ok())
      << "transactions after the header";
}

}  // namespace
}  // namespace tronidx::simtest
