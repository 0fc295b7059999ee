// tools/bench's micro-benchmark workloads (micro_work.h) do the whole job they are timed for: the block
// they parse and decode holds the generator's transfers, and a query page read from B5's kind of database
// and rendered is the address's newest transfers as ListTransfers returns them.
#include <gtest/gtest.h>

#include "micro_work.h"
#include "query_db.h"
#include "testsupport/temp_dir.h"
#include "tronidx/decode/decode.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/write_txn.h"
#include "tronidx/v1/query.pb.h"

namespace tronidx::bench {
namespace {

TEST(BenchMicroTest, MainnetBlockParsesAndDecodesToTheGeneratorsTransfers) {
  auto block = micro::mainnet_block(1000);
  ASSERT_TRUE(block.ok()) << block.error().message;
  EXPECT_GT(block->tx_count, 100u);  // the mainnet profile: ~300 transactions
  auto raw = micro::parse_block(*block);
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  EXPECT_EQ(raw->header.block_num, 1000u);
  EXPECT_EQ(raw->txs.size(), block->tx_count);
  EXPECT_EQ(raw->infos.size(), block->tx_count);
  decode::DecodeOptions all;
  all.trc10 = true;
  auto decoded = decode::decode_block(*raw, all);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->transfers, block->transfers);
}

TEST(BenchMicroTest, BlocksCommittedAsTheNextOnesHoldTheirTransfersAtTheNewPositions) {
  auto blocks = micro::mainnet_blocks(1000, 3);
  ASSERT_TRUE(blocks.ok()) << blocks.error().message;
  ASSERT_GT(blocks->transfer_count, 300u);
  testsupport::TempDir dir("bench-micro");
  store::OpenOptions o;
  o.path = (dir.path() / "db").string();
  o.genesis_id = chain::BlockId{};
  o.mode = store::ModeConfig{store::ModeConfig::Kind::kAll, {}};
  auto st = store::Store::open(o);
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_TRUE((*st)->set_base(store::ChainPoint{0, chain::BlockId{}}).ok());
  for (int commit = 0; commit < 2; ++commit) {
    auto txn = (*st)->begin();
    ASSERT_TRUE(micro::apply_as_next(txn, *blocks).ok());
    ASSERT_TRUE((*st)->commit(std::move(txn)).ok());
  }
  EXPECT_EQ((*st)->state().tip.block_num, 6u);
  EXPECT_EQ((*st)->state().solidified, 6u);
  auto snap = (*st)->snapshot();
  ASSERT_TRUE(snap.ok());
  auto block5 = (*snap)->block(5);  // the second commit's second block: generated block 1001
  ASSERT_TRUE(block5.ok() && block5->has_value());
  auto stored = (*snap)->block_transfers(**block5, (*snap)->next_seq());
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_EQ(stored->size(), blocks->transfers[1].size());
  for (size_t i = 0; i < stored->size(); ++i) {
    auto expected = blocks->transfers[1][i];
    expected.position.block_num = 5;
    EXPECT_EQ((*stored)[i].transfer, expected);
  }
}

TEST(BenchMicroTest, PageReadAndRenderedIsTheAddresssNewestTransfers) {
  testsupport::TempDir dir("bench-micro");
  auto db = build_query_db((dir.path() / "db").string(), chain::BlockId{}, 25'000);
  ASSERT_TRUE(db.ok()) << db.error().message;
  const auto& [subject, count] = db->subjects.front();
  ASSERT_GT(count, 1'000u);  // a tenth of the transfers
  store::OpenOptions o;
  o.path = (dir.path() / "db").string();
  o.read_only = true;
  auto st = store::Store::open(o);
  ASSERT_TRUE(st.ok()) << st.error().message;

  const uint64_t to_block = db->blocks / 2;
  auto rows = micro::read_page(**st, subject, to_block, 100);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 100u);
  for (size_t i = 0; i < rows->size(); ++i) {
    const auto& t = (*rows)[i].transfer;
    EXPECT_EQ(t.to, subject);
    EXPECT_LE(t.position.block_num, to_block);
    if (i > 0) {
      EXPECT_LT(t.position, (*rows)[i - 1].transfer.position);  // newest first
    }
  }

  // Rendered into a response that held a longer, older page first, as the daemon reuses its responses: that
  // page leaves no trace.
  auto older = micro::read_page(**st, subject, to_block / 2, 120);
  ASSERT_TRUE(older.ok()) << older.error().message;
  v1::ListTransfersResponse reused;
  std::string bytes;
  micro::render_page(*older, db->blocks, db->blocks, micro::default_tokens(), reused, bytes);
  micro::render_page(*rows, db->blocks, db->blocks, micro::default_tokens(), reused, bytes);
  v1::ListTransfersResponse resp;
  ASSERT_TRUE(resp.ParseFromString(bytes));
  ASSERT_EQ(resp.transfers_size(), 100);
  for (int i = 0; i < resp.transfers_size(); ++i) {
    const auto& t = resp.transfers(i);
    EXPECT_EQ(t.to(), subject.to_base58());
    EXPECT_EQ(t.from(), (*rows)[static_cast<size_t>(i)].transfer.from.to_base58());
    EXPECT_EQ(t.block_num(), (*rows)[static_cast<size_t>(i)].transfer.position.block_num);
    EXPECT_EQ(t.token_symbol(), "USDT");
    EXPECT_FALSE(t.amount_formatted().empty());
  }
}

}  // namespace
}  // namespace tronidx::bench
