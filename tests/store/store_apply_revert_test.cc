// APPLY and REVERT: what is kept in each mode, connection and limit checks, reverts with their orphans,
// and reorg sequences A -> B -> A.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "invariants.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using V = std::vector<decode::Transfer>;

const chain::Address A = make_address(1);
const chain::Address B = make_address(2);
const chain::Address C = make_address(3);
const chain::Address D = make_address(4);

// Big amounts: above 2^64, above 2^128 and the largest uint256.
chain::Amount big1() { return amount_dec("18446744073709551616"); }
chain::Amount big2() { return amount_dec("340282366920938463463374607431768211457"); }
chain::Amount max256() {
  return amount_dec("115792089237316195423570985008687907853269984665640564039457584007913129639935");
}

// Three blocks with every kind of transfer, all touching A.
std::vector<std::vector<decode::Transfer>> mixed_blocks() {
  return {
      {trc20(101, 0, 0, usdt(), A, B, big1(), make_txid(1)), trc20(101, 0, 1, usdt(), B, A, amount_u64(5), make_txid(1)),
       trx(101, 2, A, C, 1'000'000, make_txid(2))},
      {trc10(102, 0, 1002000, C, A, 42, make_txid(3)), trc20(102, 7, 3, token_b(), A, A, max256(), make_txid(4))},
      {trc20(103, 65535, 65535, usdt(), D, A, big2(), make_txid(5)), trc20(103, 65535, 65534, usdt(), A, D, amount_u64(0), make_txid(5))},
  };
}

std::vector<decode::Transfer> sorted(std::vector<decode::Transfer> v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.position < b.position; });
  return v;
}

class StoreApplyTest : public ::testing::Test {
 protected:
  void open(const ModeConfig& mode) {
    store_ = open_store(dir_.path(), mode);
    ASSERT_OK(store_->set_base(chain_.base()));
  }
  void TearDown() override {
    if (store_) {
      EXPECT_THAT(check_invariants(*store_), IsEmpty());
    }
  }
  TempDir dir_;
  TestChain chain_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreApplyTest, AllModeKeepsEveryTransferAndRoundTripsThem) {
  open(all_mode());
  auto blocks = mixed_blocks();
  blocks[2] = sorted(blocks[2]);
  uint64_t seq = 1;
  for (const auto& transfers : blocks) {
    const decode::BlockHeader h = chain_.push();
    CommitResult r = apply_commit(*store_, h, transfers, 9);
    ASSERT_EQ(r.records.size(), 1u);
    const JournalRecord& rec = r.records[0];
    EXPECT_EQ(rec.seq, seq);
    EXPECT_EQ(rec.type, RecordType::kApply);
    EXPECT_EQ(rec.block.block_num, h.block_num);
    EXPECT_EQ(rec.block.id, h.id);
    EXPECT_EQ(rec.block.parent_id, h.parent_id);
    EXPECT_EQ(rec.block.timestamp_ms, h.timestamp_ms);
    EXPECT_EQ(rec.block.tx_count, 9u);
    EXPECT_EQ(rec.block.transfer_count, transfers.size());
    EXPECT_EQ(rec.block.apply_seq, seq);
    EXPECT_EQ(rec.block.revert_seq, 0u);
    ASSERT_EQ(rec.transfers.size(), transfers.size());
    for (size_t i = 0; i < transfers.size(); ++i) {
      EXPECT_EQ(rec.transfers[i], (IndexedTransfer{transfers[i], h.id, h.timestamp_ms, false, 0}));
    }
    ++seq;
  }
  EXPECT_EQ(store_->state().tip, chain_.tip());
  EXPECT_EQ(store_->state().next_seq, 4u);
  auto s = snap(*store_);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const decode::BlockHeader& h = chain_.blocks()[i];
    ASSERT_OK_AND_ASSIGN(auto b, s->block(h.block_num));
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->id, h.id);
    EXPECT_EQ(b->parent_id, h.parent_id);
    EXPECT_EQ(b->timestamp_ms, h.timestamp_ms);
    EXPECT_EQ(b->tx_count, 9u);
    EXPECT_EQ(b->transfer_count, blocks[i].size());
    EXPECT_EQ(b->apply_seq, i + 1);
    EXPECT_EQ(b->revert_seq, 0u);
    ASSERT_OK_AND_ASSIGN(auto ts, s->block_transfers(*b, s->next_seq()));
    EXPECT_EQ(plain(ts), blocks[i]);
    for (const auto& t : ts) {
      EXPECT_EQ(t.block_id, h.id);
      EXPECT_EQ(t.timestamp_ms, h.timestamp_ms);
      EXPECT_FALSE(t.backfilled);
    }
  }
  // Every transfer is found through each index, exactly (amounts above 2^64 included).
  std::vector<decode::Transfer> everything;
  for (const auto& b : blocks) everything.insert(everything.end(), b.begin(), b.end());
  Snapshot::HistoryQuery q;
  q.address = A;
  q.newest_first = false;
  q.limit = 1000;
  ASSERT_OK_AND_ASSIGN(auto hist, s->address_history(q));
  EXPECT_EQ(plain(hist), everything);  // every transfer touches A; the self-transfer once
  ASSERT_OK_AND_ASSIGN(auto txs, s->by_txid(make_txid(5)));
  EXPECT_EQ(plain(txs), blocks[2]);
  Snapshot::TokenQuery tq;
  tq.token = decode::trc10_token(1002000);
  tq.newest_first = false;
  ASSERT_OK_AND_ASSIGN(auto trc10s, s->token_history(tq));
  EXPECT_EQ(plain(trc10s), std::vector<decode::Transfer>{blocks[1][0]});
  tq.token = decode::trx_token();
  ASSERT_OK_AND_ASSIGN(auto trxs, s->token_history(tq));
  EXPECT_EQ(plain(trxs), std::vector<decode::Transfer>{blocks[0][2]});
}

TEST_F(StoreApplyTest, AllModeWithTokenListKeepsOnlyThoseTokens) {
  ModeConfig m = all_mode();
  m.tokens = {usdt(), decode::trx_token()};
  open(m);
  const auto blocks = mixed_blocks();
  CommitResult r = apply_commit(*store_, chain_.push(), blocks[0]);  // usdt, usdt, trx: all kept
  EXPECT_EQ(r.records[0].transfers.size(), 3u);
  r = apply_commit(*store_, chain_.push(), blocks[1]);  // trc10 and token_b: none kept
  EXPECT_THAT(r.records[0].transfers, IsEmpty());
  EXPECT_EQ(r.records[0].block.transfer_count, 0u);
  auto s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto b, s->block(102));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->transfer_count, 0u);
  ASSERT_OK_AND_ASSIGN(auto none, s->by_txid(make_txid(4)));
  EXPECT_THAT(none, IsEmpty());
}

TEST_F(StoreApplyTest, WatchedModeKeepsOnlyTransfersTouchingWatchedAddresses) {
  open(watched_mode());
  watch_commit(*store_, A);
  const decode::BlockHeader h1 = chain_.push();
  const std::vector<decode::Transfer> t1 = {
      trc20(101, 0, 0, usdt(), A, B, amount_u64(1), make_txid(10)),   // kept (A out)
      trc20(101, 1, 0, usdt(), C, D, amount_u64(2), make_txid(11)),   // dropped
      trc20(101, 2, 0, usdt(), C, A, amount_u64(3), make_txid(12)),   // kept (A in)
      trx(101, 3, B, C, 4, make_txid(13)),                            // dropped
  };
  CommitResult r = apply_commit(*store_, h1, t1);
  EXPECT_EQ(plain(r.records[0].transfers), (std::vector<decode::Transfer>{t1[0], t1[2]}));
  EXPECT_EQ(r.records[0].block.transfer_count, 2u);

  auto s = snap(*store_);
  Snapshot::HistoryQuery q;
  q.address = A;
  q.newest_first = false;
  ASSERT_OK_AND_ASSIGN(auto ha, s->address_history(q));
  EXPECT_EQ(plain(ha), (std::vector<decode::Transfer>{t1[0], t1[2]}));
  // Only the watched side is indexed: the counterparties have no history.
  q.address = B;
  ASSERT_OK_AND_ASSIGN(auto hb, s->address_history(q));
  EXPECT_THAT(hb, IsEmpty());
  q.address = C;
  ASSERT_OK_AND_ASSIGN(auto hc, s->address_history(q));
  EXPECT_THAT(hc, IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto dropped, s->by_txid(make_txid(11)));
  EXPECT_THAT(dropped, IsEmpty());

  // Watch C and unwatch A in the same transaction as the next block: the block sees the new set.
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.watch(C, "c", 0));
  ASSERT_OK(txn.unwatch(A));
  const decode::BlockHeader h2 = chain_.push();
  const std::vector<decode::Transfer> t2 = {
      trc20(102, 0, 0, usdt(), A, B, amount_u64(5), make_txid(20)),  // dropped: A no longer watched
      trc20(102, 1, 0, usdt(), C, D, amount_u64(6), make_txid(21)),  // kept (C out)
      trc20(102, 2, 0, usdt(), A, C, amount_u64(7), make_txid(22)),  // kept (C in), A side not indexed
  };
  ASSERT_OK(txn.apply_block(h2, 3, t2));
  ASSERT_OK_AND_ASSIGN(r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(plain(r.records[2].transfers), (std::vector<decode::Transfer>{t2[1], t2[2]}));
  s = snap(*store_);
  q.address = C;
  ASSERT_OK_AND_ASSIGN(hc, s->address_history(q));
  EXPECT_EQ(plain(hc), (std::vector<decode::Transfer>{t2[1], t2[2]}));
  q.address = A;
  ASSERT_OK_AND_ASSIGN(ha, s->address_history(q));
  EXPECT_EQ(plain(ha), (std::vector<decode::Transfer>{t1[0], t1[2]}));  // old entries stay
  Snapshot::TokenQuery tq;
  tq.token = usdt();
  tq.newest_first = false;
  ASSERT_OK_AND_ASSIGN(auto th, s->token_history(tq));
  EXPECT_EQ(plain(th), (std::vector<decode::Transfer>{t1[0], t1[2], t2[1], t2[2]}));
}

TEST_F(StoreApplyTest, ApplyRejectsBlocksThatDoNotConnect) {
  open(all_mode());
  apply_commit(*store_, chain_.push(), {});
  WriteTxn txn = store_->begin();
  decode::BlockHeader skip = chain_.next_header();
  skip.block_num += 1;
  skip.id = make_block_id(skip.block_num);
  EXPECT_ERRC(txn.apply_block(skip, 0, {}), Errc::kFailedPrecondition);
  decode::BlockHeader wrong_parent = chain_.next_header();
  wrong_parent.parent_id = make_block_id(101, 9);
  EXPECT_ERRC(txn.apply_block(wrong_parent, 0, {}), Errc::kFailedPrecondition);
  decode::BlockHeader same_height = chain_.blocks().back();
  same_height.id = make_block_id(101, 3);
  EXPECT_ERRC(txn.apply_block(same_height, 0, {}), Errc::kFailedPrecondition);
  EXPECT_TRUE(txn.empty());
  EXPECT_EQ(txn.tip(), chain_.tip());
  // The transaction is unaffected: a connecting block still goes in with the next seq.
  const decode::BlockHeader ok = chain_.push();
  ASSERT_OK(txn.apply_block(ok, 0, V{trx(102, 0, A, B, 1, make_txid(1))}));
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].seq, 2u);
  EXPECT_EQ(store_->state().tip, chain_.tip());
}

TEST_F(StoreApplyTest, PositionsBeyondTheSchemaLimitsAreOutOfRangeAndWriteNothing) {
  open(all_mode());
  const decode::BlockHeader h = chain_.next_header();
  for (const auto& bad : {trx(101, 65536, A, B, 1, make_txid(1)),
                          trc20(101, 0, 65536, usdt(), A, B, amount_u64(1), make_txid(1))}) {
    WriteTxn txn = store_->begin();
    EXPECT_ERRC(txn.apply_block(h, 1, V{trx(101, 0, A, B, 1, make_txid(2)), bad}), Errc::kOutOfRange);
    EXPECT_TRUE(txn.empty());
    ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
    EXPECT_THAT(r.records, IsEmpty());
  }
  EXPECT_EQ(store_->state().tip, chain_.base());
  EXPECT_EQ(store_->state().next_seq, 1u);
  auto s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto b, s->block(101));
  EXPECT_FALSE(b.has_value());
  ASSERT_OK_AND_ASSIGN(auto none, s->by_txid(make_txid(2)));
  EXPECT_THAT(none, IsEmpty());
  // The largest positions are fine.
  apply_commit(*store_, chain_.push(), {trc20(101, 65535, 65535, usdt(), A, B, amount_u64(1), make_txid(3))});
  ASSERT_OK_AND_ASSIGN(auto one, snap(*store_)->by_txid(make_txid(3)));
  EXPECT_EQ(one.size(), 1u);
}

TEST_F(StoreApplyTest, BlockNumberBeyondTheSchemaLimitIsOutOfRange) {
  TestChain high(UINT32_MAX);
  store_ = open_store(dir_.path(), all_mode());
  ASSERT_OK(store_->set_base(high.base()));
  WriteTxn txn = store_->begin();
  EXPECT_ERRC(txn.apply_block(high.next_header(), 0, {}), Errc::kOutOfRange);
  EXPECT_TRUE(txn.empty());
}

TEST_F(StoreApplyTest, TransfersMustBelongToTheBlockInPositionOrder) {
  open(all_mode());
  const decode::BlockHeader h = chain_.next_header();
  WriteTxn txn = store_->begin();
  // A transfer of another block would be stored at that block's position.
  EXPECT_ERRC(txn.apply_block(h, 1, V{trx(100, 0, A, B, 1, make_txid(1))}), Errc::kInvalidArgument);
  // Two transfers at one position: the second would overwrite the first but both would be counted.
  EXPECT_ERRC(txn.apply_block(h, 1, V{trx(101, 0, A, B, 1, make_txid(1)), trx(101, 0, A, C, 2, make_txid(1))}),
              Errc::kInvalidArgument);
  // Out of position order.
  EXPECT_ERRC(txn.apply_block(h, 2, V{trx(101, 1, A, B, 1, make_txid(1)), trx(101, 0, A, C, 2, make_txid(2))}),
              Errc::kInvalidArgument);
  EXPECT_TRUE(txn.empty());
  ASSERT_OK(txn.apply_block(h, 2, V{trx(101, 0, A, C, 2, make_txid(2)), trx(101, 1, A, B, 1, make_txid(1))}));
  ASSERT_OK(store_->commit(std::move(txn)));
  chain_.push();
}

TEST_F(StoreApplyTest, RevertRemovesTransfersAndKeepsTheVersionWithItsOrphans) {
  open(all_mode());
  auto blocks = mixed_blocks();
  blocks[2] = sorted(blocks[2]);
  for (const auto& b : blocks) apply_commit(*store_, chain_.push(), b, 4);
  const decode::BlockHeader h3 = chain_.blocks().back();
  auto before = snap(*store_);

  CommitResult r = revert_commit(*store_);
  chain_.pop();
  ASSERT_EQ(r.records.size(), 1u);
  const JournalRecord& rec = r.records[0];
  EXPECT_EQ(rec.type, RecordType::kRevert);
  EXPECT_EQ(rec.seq, 4u);
  EXPECT_EQ(rec.block.block_num, 103u);
  EXPECT_EQ(rec.block.id, h3.id);
  EXPECT_EQ(rec.block.parent_id, h3.parent_id);
  EXPECT_EQ(rec.block.timestamp_ms, h3.timestamp_ms);
  EXPECT_EQ(rec.block.tx_count, 4u);
  EXPECT_EQ(rec.block.transfer_count, 2u);
  EXPECT_EQ(rec.block.apply_seq, 3u);
  EXPECT_EQ(rec.block.revert_seq, 4u);
  EXPECT_EQ(plain(rec.transfers), blocks[2]);
  for (const auto& t : rec.transfers) EXPECT_EQ(t.block_id, h3.id);
  EXPECT_EQ(store_->state().tip, chain_.tip());

  auto s = snap(*store_);
  EXPECT_EQ(s->tip(), chain_.tip());
  ASSERT_OK_AND_ASSIGN(auto b, s->block(103));
  EXPECT_FALSE(b.has_value());
  ASSERT_OK_AND_ASSIGN(auto versions, s->block_versions(103));
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].apply_seq, 3u);
  EXPECT_EQ(versions[0].revert_seq, 4u);
  EXPECT_EQ(versions[0].id, h3.id);
  ASSERT_OK_AND_ASSIGN(auto orphans, s->block_transfers(versions[0], 4));
  EXPECT_EQ(plain(orphans), blocks[2]);
  ASSERT_OK_AND_ASSIGN(auto orphans_now, s->block_transfers(versions[0], s->next_seq()));
  EXPECT_EQ(plain(orphans_now), blocks[2]);
  // Gone from every index.
  ASSERT_OK_AND_ASSIGN(auto tx, s->by_txid(make_txid(5)));
  EXPECT_THAT(tx, IsEmpty());
  for (const auto& addr : {A, D}) {
    Snapshot::HistoryQuery q;
    q.address = addr;
    q.from_block = 103;
    ASSERT_OK_AND_ASSIGN(auto h, s->address_history(q));
    EXPECT_THAT(h, IsEmpty());
  }
  Snapshot::TokenQuery tq;
  tq.token = usdt();
  ASSERT_OK_AND_ASSIGN(auto th, s->token_history(tq));
  EXPECT_EQ(positions(th), (std::vector<decode::Position>{{101, 0, 1}, {101, 0, 0}}));
  // The snapshot taken before still sees block 103.
  ASSERT_OK_AND_ASSIGN(auto tx_before, before->by_txid(make_txid(5)));
  EXPECT_EQ(tx_before.size(), 2u);
  // The journal record as stored.
  ASSERT_OK_AND_ASSIGN(auto jr, s->journal(4, 1));
  ASSERT_EQ(jr.size(), 1u);
  EXPECT_EQ(jr[0].type, RecordType::kRevert);
  EXPECT_EQ(jr[0].block.apply_seq, 3u);
  EXPECT_EQ(jr[0].block.revert_seq, 4u);
  EXPECT_EQ(jr[0].block.id, h3.id);
  EXPECT_EQ(jr[0].block.transfer_count, 2u);
  EXPECT_THAT(jr[0].transfers, IsEmpty());
}

TEST_F(StoreApplyTest, RevertRefusals) {
  open(all_mode());
  {
    WriteTxn txn = store_->begin();
    EXPECT_ERRC(txn.revert_tip(), Errc::kFailedPrecondition);  // the base
    EXPECT_TRUE(txn.empty());
  }
  apply_commit(*store_, chain_.push(), {trx(101, 0, A, B, 1, make_txid(1))});
  apply_commit(*store_, chain_.push(), {trx(102, 0, A, B, 1, make_txid(2))});
  {
    // Reverting down to the base and one more is refused at the base.
    WriteTxn txn = store_->begin();
    ASSERT_OK(txn.revert_tip());
    ASSERT_OK(txn.revert_tip());
    EXPECT_ERRC(txn.revert_tip(), Errc::kFailedPrecondition);
    EXPECT_EQ(txn.tip(), chain_.base());
    EXPECT_EQ(txn.record_count(), 2u);
  }
  {
    // A block applied in the same transaction.
    WriteTxn txn = store_->begin();
    const decode::BlockHeader h = chain_.next_header();
    ASSERT_OK(txn.apply_block(h, 0, {}));
    EXPECT_ERRC(txn.revert_tip(), Errc::kFailedPrecondition);
    EXPECT_EQ(txn.tip(), (ChainPoint{h.block_num, h.id}));
    EXPECT_EQ(txn.record_count(), 1u);
  }
  solidify_commit(*store_, 102);
  {
    WriteTxn txn = store_->begin();
    EXPECT_ERRC(txn.revert_tip(), Errc::kFailedPrecondition);  // solidified
    EXPECT_TRUE(txn.empty());
  }
  apply_commit(*store_, chain_.push(), {});
  {
    // Solidified in the same transaction, then reverted.
    WriteTxn txn = store_->begin();
    ASSERT_OK(txn.solidify(103));
    EXPECT_ERRC(txn.revert_tip(), Errc::kFailedPrecondition);
  }
  EXPECT_EQ(store_->state().tip, chain_.tip());
}

TEST_F(StoreApplyTest, ReorgAtoBtoAKeepsVersionsDistinctByApplySeq) {
  open(all_mode());
  // Branch a: 101a, 102a.  Branch b: 101b, 102b. Same positions, different transfers.
  auto block_a = [](uint64_t n) {
    return std::vector<decode::Transfer>{trx(n, 0, A, B, n, make_txid(n * 10)),
                                         trc20(n, 1, 0, usdt(), A, C, amount_u64(n), make_txid(n * 10 + 1))};
  };
  auto block_b = [](uint64_t n) {
    return std::vector<decode::Transfer>{trx(n, 0, D, B, n + 1000, make_txid(n * 10 + 5))};
  };
  apply_commit(*store_, chain_.push(0), block_a(101));
  apply_commit(*store_, chain_.push(0), block_a(102));
  const auto a101 = chain_.blocks()[0], a102 = chain_.blocks()[1];

  // Reorg to b in one transaction: two reverts then two applies.
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.revert_tip());
  ASSERT_OK(txn.revert_tip());
  chain_.pop();
  chain_.pop();
  const auto b101 = chain_.push(1);
  const auto b102 = chain_.push(1);
  ASSERT_OK(txn.apply_block(b101, 1, block_b(101)));
  ASSERT_OK(txn.apply_block(b102, 1, block_b(102)));
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.records[0].type, RecordType::kRevert);
  EXPECT_EQ(r.records[0].block.block_num, 102u);
  EXPECT_EQ(plain(r.records[0].transfers), block_a(102));
  EXPECT_EQ(r.records[1].type, RecordType::kRevert);
  EXPECT_EQ(r.records[1].block.block_num, 101u);
  EXPECT_EQ(plain(r.records[1].transfers), block_a(101));
  EXPECT_EQ(r.records[2].type, RecordType::kApply);
  EXPECT_EQ(r.records[3].type, RecordType::kApply);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(r.records[i].seq, 3 + i);

  // And back to a, with the very same block ids.
  WriteTxn back = store_->begin();
  ASSERT_OK(back.revert_tip());
  ASSERT_OK(back.revert_tip());
  ASSERT_OK(back.apply_block(a101, 2, block_a(101)));
  ASSERT_OK(back.apply_block(a102, 2, block_a(102)));
  ASSERT_OK_AND_ASSIGN(r, store_->commit(std::move(back)));
  chain_.pop();
  chain_.pop();
  chain_.push(0);
  chain_.push(0);
  EXPECT_EQ(store_->state().tip, (ChainPoint{102, a102.id}));
  EXPECT_EQ(store_->state().next_seq, 11u);

  auto s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto v101, s->block_versions(101));
  ASSERT_EQ(v101.size(), 3u);
  EXPECT_EQ(v101[0].id, a101.id);
  EXPECT_EQ(v101[0].apply_seq, 1u);
  EXPECT_EQ(v101[0].revert_seq, 4u);
  EXPECT_EQ(v101[1].id, b101.id);
  EXPECT_EQ(v101[1].apply_seq, 5u);
  EXPECT_EQ(v101[1].revert_seq, 8u);
  EXPECT_EQ(v101[2].id, a101.id);
  EXPECT_EQ(v101[2].apply_seq, 9u);
  EXPECT_EQ(v101[2].revert_seq, 0u);
  ASSERT_OK_AND_ASSIGN(auto v102, s->block_versions(102));
  ASSERT_EQ(v102.size(), 3u);
  EXPECT_EQ(v102[1].id, b102.id);
  // Each version keeps its own transfers.
  ASSERT_OK_AND_ASSIGN(auto t0, s->block_transfers(v101[0], s->next_seq()));
  EXPECT_EQ(plain(t0), block_a(101));
  ASSERT_OK_AND_ASSIGN(auto t1, s->block_transfers(v101[1], s->next_seq()));
  EXPECT_EQ(plain(t1), block_b(101));
  ASSERT_OK_AND_ASSIGN(auto t2, s->block_transfers(v101[2], s->next_seq()));
  EXPECT_EQ(plain(t2), block_a(101));
  // block_as_of: the canonical version just before each seq.
  auto as_of = [&](uint64_t num, uint64_t seq) -> uint64_t {
    auto b = must(s->block_as_of(num, seq), "block_as_of");
    return b ? b->apply_seq : 0;
  };
  EXPECT_EQ(as_of(101, 1), 0u);
  EXPECT_EQ(as_of(101, 2), 1u);
  EXPECT_EQ(as_of(101, 4), 1u);   // the REVERT at 4 itself: still a
  EXPECT_EQ(as_of(101, 5), 0u);   // reverted, b not yet applied
  EXPECT_EQ(as_of(101, 6), 5u);
  EXPECT_EQ(as_of(101, 8), 5u);
  EXPECT_EQ(as_of(101, 9), 0u);
  EXPECT_EQ(as_of(101, 10), 9u);
  EXPECT_EQ(as_of(101, 11), 9u);
  EXPECT_EQ(as_of(102, 3), 2u);
  EXPECT_EQ(as_of(102, 4), 0u);
  EXPECT_EQ(as_of(102, 7), 6u);
  EXPECT_EQ(as_of(102, 10), 0u);
  EXPECT_EQ(as_of(102, 11), 10u);
  // Queries see branch a only.
  ASSERT_OK_AND_ASSIGN(auto gone, s->by_txid(make_txid(1015)));
  EXPECT_THAT(gone, IsEmpty());
  Snapshot::HistoryQuery q;
  q.address = B;
  q.newest_first = false;
  ASSERT_OK_AND_ASSIGN(auto hb, s->address_history(q));
  EXPECT_EQ(plain(hb), (std::vector<decode::Transfer>{block_a(101)[0], block_a(102)[0]}));
  q.address = D;
  ASSERT_OK_AND_ASSIGN(auto hd, s->address_history(q));
  EXPECT_THAT(hd, IsEmpty());
  for (const auto& t : hb) EXPECT_EQ(t.block_id, t.transfer.position.block_num == 101 ? a101.id : a102.id);
}

TEST_F(StoreApplyTest, SeveralBlocksInOneTransaction) {
  open(all_mode());
  WriteTxn txn = store_->begin();
  for (int i = 0; i < 5; ++i) {
    const decode::BlockHeader h = chain_.push();
    ASSERT_OK(txn.apply_block(h, 1, V{trx(h.block_num, 0, A, B, h.block_num, make_txid(h.block_num))}));
    EXPECT_EQ(txn.tip(), chain_.tip());
  }
  // Nothing visible before the commit.
  EXPECT_EQ(store_->state().tip, chain_.base());
  EXPECT_EQ(snap(*store_)->tip(), chain_.base());
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(r.records[i].seq, i + 1);
    EXPECT_EQ(r.records[i].block.block_num, 101 + i);
  }
  EXPECT_EQ(store_->state().tip, chain_.tip());
}

TEST_F(StoreApplyTest, EmptyTransactionCommitsNothing) {
  open(all_mode());
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(store_->begin()));
  EXPECT_THAT(r.records, IsEmpty());
  EXPECT_EQ(store_->state().next_seq, 1u);
  EXPECT_EQ(snap(*store_)->next_seq(), 1u);
}

}  // namespace
}  // namespace tronidx::store::testing
