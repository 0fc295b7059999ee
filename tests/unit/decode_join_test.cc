// decode/decode.h: joining TransactionInfos to transactions by txid (TRON-PROTOCOL.md §6.2) — any order
// gives the same result; a list that does not match 1:1 is kUnavailable with no partial result — and
// the position/identity invariants of the output.

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "decode_fixtures.h"
#include "tronidx/decode/decode.h"
#include "vectors.h"

namespace tronidx::decode {
namespace {

using test::is_error;
using test::is_ok;
using test::stats_tuple;

constexpr uint64_t kBlock = 66861993;

// A block mixing mainnet material: a TRX transfer, two USDT transfers, an OUT_OF_ENERGY call and a plain
// receipt. The infos come from other mainnet blocks, so their blockNumber is rewritten to kBlock.
class JoinTest : public ::testing::Test {
 protected:
  JoinTest() {
    block_.header.block_num = kBlock;
    RawTx trx = test::tx_from_raw_hex(
        test::vector_by_txid("tx_raw", "979e0823f455f3b67d65b351052f0265233f422792d31d5dbeb7c24737dd5556")
            .at("raw_data_hex")
            .get<std::string>(),
        kContractRetSuccess);
    block_.infos.push_back(test::plain_info(trx, kBlock));
    block_.txs.push_back(trx);
    for (std::string_view id : {"b69c51db8f9d974e6a38c76852c8ce1adcb682dbacb25ad8ad4f6876121fe9dc",
                                "e63a324a43aebfe41273db4f7fdfe325b2257b4f5711595a5fc0f8a75cf1b481",
                                "2389719608ed69f7ec3e72c1abb92acaa43b7175f3062f4ebc6e2e02cc82d0d2",
                                "0af79242191c6728b79e858a36a4b5c65e4e52b9fcee4dc5af30eac57b6d0953"}) {
      const auto& v = test::vector_by_txid("transaction_info_json", id);
      RawTxInfo info = test::info_from_json(v.at("json"));
      info.block_num = static_cast<int64_t>(kBlock);
      block_.txs.push_back(test::tx_for_info(info, v.at("json")));
      block_.infos.push_back(std::move(info));
    }
  }

  static void expect_unavailable(const RawBlock& b) {
    const auto r = decode_block(b);
    ASSERT_FALSE(r.ok()) << "decoded " << r->transfers.size() << " transfers from a mismatched info list";
    EXPECT_EQ(r.error().code, Errc::kUnavailable) << r.error().message;
    EXPECT_TRUE(is_transient(r.error().code));
    EXPECT_NE(r.error().message.find(std::to_string(b.header.block_num)), std::string::npos) << r.error().message;
  }

  RawTxInfo foreign_info() const {
    RawTxInfo other = block_.infos[1];
    other.txid = test::txid("8971d5c2c3b45dee02860ce821e9c2ba601424c311a7a80545848a4c4c09b4a1");
    return other;
  }

  RawBlock block_;
};

TEST_F(JoinTest, InBlockOrderGivesEveryTransferAtItsPosition) {
  const auto d = decode_block(block_);
  ASSERT_TRUE(is_ok(d));
  ASSERT_EQ(d->transfers.size(), 3u);
  EXPECT_EQ(d->transfers[0].kind, TransferKind::kTrx);
  EXPECT_EQ(d->transfers[0].position, (Position{kBlock, 0, 0}));
  EXPECT_EQ(d->transfers[0].amount, chain::Amount(50'000'000));
  EXPECT_EQ(d->transfers[1].kind, TransferKind::kTrc20);
  EXPECT_EQ(d->transfers[1].position, (Position{kBlock, 1, 0}));
  EXPECT_EQ(d->transfers[1].amount.to_decimal(), "3500000");
  EXPECT_EQ(d->transfers[2].kind, TransferKind::kTrc20);
  EXPECT_EQ(d->transfers[2].position, (Position{kBlock, 4, 0}));
  EXPECT_EQ(d->transfers[2].amount.to_decimal(), "532079999");
  for (const auto& t : d->transfers) EXPECT_EQ(t.txid, block_.txs[t.position.tx_index].txid);
  EXPECT_EQ(stats_tuple(d->stats), stats_tuple(DecodeStats{.trc20 = 2, .trx = 1, .failed_txs = 1}));
  EXPECT_TRUE(test::ordered_and_unique(d->transfers));
}

TEST_F(JoinTest, EveryOrderOfTheInfosGivesTheSameResult) {
  const auto reference = decode_block(block_);
  ASSERT_TRUE(is_ok(reference));
  std::vector<size_t> order(block_.infos.size());
  std::iota(order.begin(), order.end(), 0);
  size_t permutations = 0;
  while (std::next_permutation(order.begin(), order.end())) {  // all but the identity: 5! - 1
    RawBlock shuffled = block_;
    for (size_t i = 0; i < order.size(); ++i) shuffled.infos[i] = block_.infos[order[i]];
    const auto d = decode_block(shuffled);
    ASSERT_TRUE(is_ok(d));
    ASSERT_EQ(d->transfers, reference->transfers);
    ASSERT_EQ(stats_tuple(d->stats), stats_tuple(reference->stats));
    ++permutations;
  }
  EXPECT_EQ(permutations, 119u);
}

TEST_F(JoinTest, NoInfosForABlockWithTransactionsIsUnavailable) {
  RawBlock b = block_;
  b.infos.clear();
  expect_unavailable(b);
}

TEST_F(JoinTest, EachSingleMissingInfoIsUnavailable) {
  for (size_t i = 0; i < block_.infos.size(); ++i) {
    SCOPED_TRACE(i);
    RawBlock b = block_;
    b.infos.erase(b.infos.begin() + static_cast<std::ptrdiff_t>(i));
    expect_unavailable(b);
  }
}

TEST_F(JoinTest, AnExtraInfoIsUnavailable) {
  RawBlock b = block_;
  b.infos.push_back(foreign_info());
  expect_unavailable(b);
}

TEST_F(JoinTest, AForeignInfoInPlaceOfAnotherIsUnavailable) {
  for (size_t i = 0; i < block_.infos.size(); ++i) {
    SCOPED_TRACE(i);
    RawBlock b = block_;
    b.infos[i] = foreign_info();
    expect_unavailable(b);
  }
}

TEST_F(JoinTest, ADuplicatedInfoIsUnavailable) {
  RawBlock appended = block_;
  appended.infos.push_back(block_.infos[2]);
  expect_unavailable(appended);
  // Same count: the duplicate hides a missing info.
  RawBlock replaced = block_;
  replaced.infos[3] = block_.infos[2];
  expect_unavailable(replaced);
  RawBlock replaced_first = block_;
  replaced_first.infos[0] = block_.infos[4];
  expect_unavailable(replaced_first);
}

TEST_F(JoinTest, AnInfoOfAnotherBlockIsUnavailable) {
  for (int64_t other : {static_cast<int64_t>(kBlock) + 1, static_cast<int64_t>(kBlock) - 1, int64_t{30864600}}) {
    for (size_t i : {size_t{0}, size_t{4}}) {
      SCOPED_TRACE(std::to_string(other) + " at " + std::to_string(i));
      RawBlock b = block_;  // still in block order: the check must not depend on the join path
      b.infos[i].block_num = other;
      expect_unavailable(b);
      std::reverse(b.infos.begin(), b.infos.end());
      expect_unavailable(b);
    }
  }
}

TEST_F(JoinTest, AnInfoWithoutABlockNumberIsUnavailable) {
  // java-tron always sets blockNumber; 0 in a block above genesis is not a wildcard.
  RawBlock b = block_;
  b.infos[2].block_num = 0;
  expect_unavailable(b);
}

TEST_F(JoinTest, PositionsIncreaseAndIdentitiesAreUniqueWithManyLogs) {
  RawBlock b = block_;
  // Give the last USDT transaction several Transfer logs, with a non-transfer log in between.
  RawTxInfo& info = b.infos.back();
  RawLog approval = info.logs.at(0);
  approval.topics[0] = chain::keccak256(std::string_view("Approval(address,address,uint256)"));
  info.logs = {info.logs[0], approval, info.logs[0], info.logs[0]};
  const auto d = decode_block(b);
  ASSERT_TRUE(is_ok(d));
  ASSERT_EQ(d->transfers.size(), 5u);
  EXPECT_TRUE(test::ordered_and_unique(d->transfers));
  EXPECT_EQ(d->transfers[2].position, (Position{kBlock, 4, 0}));
  EXPECT_EQ(d->transfers[3].position, (Position{kBlock, 4, 2}));
  EXPECT_EQ(d->transfers[4].position, (Position{kBlock, 4, 3}));

  std::reverse(b.infos.begin(), b.infos.end());
  const auto reversed = decode_block(b);
  ASSERT_TRUE(is_ok(reversed));
  EXPECT_EQ(reversed->transfers, d->transfers);
}

TEST(JoinEdgeTest, EmptyBlockGivesNoTransfers) {
  for (uint64_t num : {uint64_t{0}, uint64_t{1}, kBlock}) {
    SCOPED_TRACE(num);
    RawBlock b;
    b.header.block_num = num;
    const auto d = decode_block(b);
    ASSERT_TRUE(is_ok(d));
    EXPECT_TRUE(d->transfers.empty());
    EXPECT_EQ(stats_tuple(d->stats), stats_tuple(DecodeStats{}));
  }
}

TEST(JoinEdgeTest, AnInfoInAnEmptyBlockIsUnavailable) {
  RawBlock b;
  b.header.block_num = kBlock;
  RawTxInfo info;
  info.txid = test::txid("8971d5c2c3b45dee02860ce821e9c2ba601424c311a7a80545848a4c4c09b4a1");
  info.block_num = static_cast<int64_t>(kBlock);
  info.result_ok = true;
  b.infos.push_back(info);
  const auto r = decode_block(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
}

}  // namespace
}  // namespace tronidx::decode
