// BACKFILL (watched mode): historical transfers for a newly watched address.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "invariants.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

using ::testing::IsEmpty;

const chain::Address A = make_address(31);
const chain::Address B = make_address(32);
const chain::Address C = make_address(33);
const chain::Address D = make_address(34);
const chain::Address E = make_address(35);

class StoreBackfillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_store(dir_.path(), watched_mode());
    ASSERT_OK(store_->set_base(chain_.base()));
    watch_commit(*store_, A, "a");  // seq 1
    // The node's blocks 101..104; only transfers touching A are indexed at first.
    for (uint64_t n = 101; n <= 104; ++n) {
      const decode::BlockHeader h = chain_.push();
      std::vector<decode::Transfer> ts = {
          trc20(n, 0, 0, usdt(), A, B, amount_u64(n), make_txid(n * 10)),       // indexed (A)
          trc20(n, 1, 0, usdt(), B, C, amount_u64(n + 1), make_txid(n * 10 + 1)),  // not indexed
          trx(n, 2, C, B, n + 2, make_txid(n * 10 + 2)),                          // not indexed
          trc20(n, 3, 4, token_b(), B, A, amount_u64(n + 3), make_txid(n * 10 + 3)),  // indexed (A)
          trx(n, 4, D, E, n + 4, make_txid(n * 10 + 4)),                          // not indexed
      };
      node_[n] = ts;
      apply_commit(*store_, h, ts, 5);  // seqs 2..5
    }
  }
  void TearDown() override {
    if (store_) {
      EXPECT_THAT(check_invariants(*store_), IsEmpty());
    }
  }
  // The node's transfers touching `a` in blocks [from, to], as a backfill job would fetch them.
  std::vector<IndexedTransfer> fetched(const chain::Address& a, uint64_t from, uint64_t to) {
    std::vector<IndexedTransfer> out;
    for (uint64_t n = from; n <= to; ++n) {
      for (const auto& t : node_[n]) {
        if (t.from == a || t.to == a) out.push_back(IndexedTransfer{t, make_block_id(n), 0, false, 0});
      }
    }
    return out;
  }
  BlockInfo canonical(uint64_t n) {
    auto b = must(snap(*store_)->block(n), "block");
    if (!b) throw std::runtime_error("no canonical block");
    return *b;
  }
  TempDir dir_;
  TestChain chain_;
  std::unique_ptr<Store> store_;
  std::map<uint64_t, std::vector<decode::Transfer>> node_;
};

TEST_F(StoreBackfillTest, InsertsNewTransfersAsBackfilledAndIndexesExistingOnes) {
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.watch(B, "b", 102));                // seq 6
  ASSERT_OK(txn.backfill(B, fetched(B, 102, 104)));  // seq 7
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 2u);
  const JournalRecord& rec = r.records[1];
  EXPECT_EQ(rec.type, RecordType::kBackfill);
  EXPECT_EQ(rec.seq, 7u);
  EXPECT_EQ(rec.address, B);
  EXPECT_TRUE(rec.has_transfers);
  EXPECT_EQ(rec.tip_after, 104u);
  EXPECT_EQ(rec.solidified_after, 100u);
  ASSERT_EQ(rec.transfers.size(), 12u);  // 4 per block touch B
  for (const auto& t : rec.transfers) {
    const uint64_t n = t.transfer.position.block_num;
    EXPECT_EQ(t.block_id, make_block_id(n));
    EXPECT_EQ(t.timestamp_ms, TestChain::timestamp_of(n));  // the block's, not the caller's 0
    const bool was_indexed = t.transfer.from == A || t.transfer.to == A;
    EXPECT_EQ(t.backfilled, !was_indexed) << describe(t);
    EXPECT_EQ(t.backfill_seq, was_indexed ? 0u : 7u) << describe(t);
  }
  // The record reads back exactly.
  auto s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto stored, s->journal(7, 1));
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].type, RecordType::kBackfill);
  EXPECT_EQ(stored[0].address, B);
  EXPECT_TRUE(stored[0].has_transfers);
  EXPECT_EQ(stored[0].tip_after, 104u);
  EXPECT_EQ(stored[0].transfers, rec.transfers);

  // B's history now has every transfer touching B in 102..104, none of 101.
  Snapshot::HistoryQuery q;
  q.address = B;
  q.newest_first = false;
  ASSERT_OK_AND_ASSIGN(auto hb, s->address_history(q));
  EXPECT_EQ(plain(hb), plain(fetched(B, 102, 104)));
  for (const auto& t : hb) EXPECT_EQ(t.backfilled, !(t.transfer.from == A || t.transfer.to == A));
  // C is not watched: B->C and C->B are indexed on B's side only.
  q.address = C;
  ASSERT_OK_AND_ASSIGN(auto hc, s->address_history(q));
  EXPECT_THAT(hc, IsEmpty());
  // A's history is unchanged (no duplicates).
  q.address = A;
  ASSERT_OK_AND_ASSIGN(auto ha, s->address_history(q));
  EXPECT_EQ(plain(ha), plain(fetched(A, 101, 104)));
  ASSERT_OK_AND_ASSIGN(auto tx, s->by_txid(make_txid(1031)));
  ASSERT_EQ(tx.size(), 1u);
  EXPECT_TRUE(tx[0].backfilled);
  EXPECT_EQ(tx[0].backfill_seq, 7u);
  Snapshot::TokenQuery tq;
  tq.token = decode::trx_token();
  tq.newest_first = false;
  ASSERT_OK_AND_ASSIGN(auto trxs, s->token_history(tq));
  EXPECT_EQ(positions(trxs), (std::vector<decode::Position>{{102, 2, 0}, {103, 2, 0}, {104, 2, 0}}));

  // block_transfers: the backfilled ones appear only as of records after 7; transfer_count unchanged.
  const BlockInfo b103 = canonical(103);
  EXPECT_EQ(b103.transfer_count, 2u);
  ASSERT_OK_AND_ASSIGN(auto at_apply, s->block_transfers(b103, b103.apply_seq + 1));
  EXPECT_EQ(positions(at_apply), (std::vector<decode::Position>{{103, 0, 0}, {103, 3, 4}}));
  ASSERT_OK_AND_ASSIGN(auto at7, s->block_transfers(b103, 7));
  EXPECT_EQ(positions(at7), positions(at_apply));
  ASSERT_OK_AND_ASSIGN(auto at8, s->block_transfers(b103, 8));
  EXPECT_EQ(positions(at8), (std::vector<decode::Position>{{103, 0, 0}, {103, 1, 0}, {103, 2, 0}, {103, 3, 4}}));
  const BlockInfo b101 = canonical(101);
  ASSERT_OK_AND_ASSIGN(auto b101_now, s->block_transfers(b101, s->next_seq()));
  EXPECT_EQ(b101_now.size(), 2u);

  // The record survives a reopen (snapshots must not outlive their Store).
  s.reset();
  store_.reset();
  store_ = open_store(dir_.path(), watched_mode());
  ASSERT_OK_AND_ASSIGN(auto again, snap(*store_)->journal(7, 1));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].transfers, rec.transfers);
}

TEST_F(StoreBackfillTest, RevertCarriesBackfilledTransfersAndKeepsThemAsOrphans) {
  watch_commit(*store_, B);                                                  // 6
  {
    WriteTxn txn = store_->begin();
    ASSERT_OK(txn.backfill(B, fetched(B, 104, 104)));  // 7
    ASSERT_OK(store_->commit(std::move(txn)));
  }
  CommitResult r = revert_commit(*store_);                                  // 8
  chain_.pop();
  ASSERT_EQ(r.records.size(), 1u);
  const JournalRecord& rec = r.records[0];
  EXPECT_EQ(rec.block.transfer_count, 2u);
  EXPECT_EQ(positions(rec.transfers), (std::vector<decode::Position>{{104, 0, 0}, {104, 1, 0}, {104, 2, 0}, {104, 3, 4}}));
  EXPECT_FALSE(rec.transfers[0].backfilled);
  EXPECT_TRUE(rec.transfers[1].backfilled);
  EXPECT_EQ(rec.transfers[1].backfill_seq, 7u);
  auto s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto versions, s->block_versions(104));
  ASSERT_EQ(versions.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto before_backfill, s->block_transfers(versions[0], 7));
  EXPECT_EQ(before_backfill.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto at_revert, s->block_transfers(versions[0], 8));
  EXPECT_EQ(at_revert, rec.transfers);
  Snapshot::HistoryQuery q;
  q.address = B;
  q.from_block = 104;
  ASSERT_OK_AND_ASSIGN(auto hb, s->address_history(q));
  EXPECT_THAT(hb, IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto tx, s->by_txid(make_txid(1041)));
  EXPECT_THAT(tx, IsEmpty());
}

TEST_F(StoreBackfillTest, NonCanonicalBlockIdIsAbortedAndWritesNothing) {
  watch_commit(*store_, B);  // 6
  auto ts = fetched(B, 102, 103);
  ts.back().block_id = make_block_id(103, 9);  // the range was reorganised meanwhile
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.solidify(101));  // 7: something else in the same transaction
  EXPECT_ERRC(txn.backfill(B, ts), Errc::kAborted);
  EXPECT_EQ(txn.record_count(), 1u);
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].type, RecordType::kSolidify);
  EXPECT_EQ(store_->state().next_seq, 8u);
  auto s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto tx, s->by_txid(make_txid(1021)));  // the first, valid, transfer
  EXPECT_THAT(tx, IsEmpty());
  Snapshot::HistoryQuery q;
  q.address = B;
  ASSERT_OK_AND_ASSIGN(auto hb, s->address_history(q));
  EXPECT_THAT(hb, IsEmpty());
  EXPECT_EQ(whole_journal(*s).size(), 7u);
}

TEST_F(StoreBackfillTest, BlocksNotCommittedOrNotTouchingTheAddressAreRefused) {
  watch_commit(*store_, B);
  WriteTxn txn = store_->begin();
  // Above the tip.
  std::vector<IndexedTransfer> above = {IndexedTransfer{trx(105, 0, B, C, 1, make_txid(1)), make_block_id(105), 0, false, 0}};
  EXPECT_ERRC(txn.backfill(B, above), Errc::kAborted);
  // Applied in this very transaction.
  const decode::BlockHeader h = chain_.push();
  ASSERT_OK(txn.apply_block(h, 1, {}));
  EXPECT_ERRC(txn.backfill(B, above), Errc::kAborted);
  // At or below the base.
  std::vector<IndexedTransfer> base = {IndexedTransfer{trx(100, 0, B, C, 1, make_txid(2)), make_block_id(100), 0, false, 0}};
  EXPECT_ERRC(txn.backfill(B, base), Errc::kAborted);
  // Not touching the address.
  auto other = fetched(D, 102, 102);
  EXPECT_ERRC(txn.backfill(B, other), Errc::kInvalidArgument);
  EXPECT_EQ(txn.record_count(), 1u);
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].type, RecordType::kApply);
  EXPECT_EQ(r.records[0].seq, 7u);
}

TEST_F(StoreBackfillTest, TwoNewAddressesSharingATransferInOneTransaction) {
  // D -> E is indexed for neither. Watch both and backfill both in one transaction.
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.watch(D, "d", 101));           // 6
  ASSERT_OK(txn.watch(E, "e", 101));           // 7
  ASSERT_OK(txn.backfill(D, fetched(D, 103, 103)));  // 8
  ASSERT_OK(txn.backfill(E, fetched(E, 103, 103)));  // 9
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 4u);
  ASSERT_EQ(r.records[2].transfers.size(), 1u);
  ASSERT_EQ(r.records[3].transfers.size(), 1u);
  EXPECT_TRUE(r.records[2].transfers[0].backfilled);
  EXPECT_EQ(r.records[2].transfers[0].backfill_seq, 8u);
  // The second record finds it already backfilled by the first.
  EXPECT_TRUE(r.records[3].transfers[0].backfilled);
  EXPECT_EQ(r.records[3].transfers[0].backfill_seq, 8u);
  auto s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto tx, s->by_txid(make_txid(1034)));
  ASSERT_EQ(tx.size(), 1u);
  EXPECT_EQ(tx[0].backfill_seq, 8u);
  // Visible to a reader of record 9 (it was backfilled by record 8).
  ASSERT_OK_AND_ASSIGN(auto at9, s->block_transfers(canonical(103), 9));
  EXPECT_EQ(at9.size(), 3u);
  for (const auto& addr : {D, E}) {
    Snapshot::HistoryQuery q;
    q.address = addr;
    ASSERT_OK_AND_ASSIGN(auto h, s->address_history(q));
    EXPECT_EQ(positions(h), (std::vector<decode::Position>{{103, 4, 0}}));
  }
}

TEST_F(StoreBackfillTest, TheSameTransferTwiceInOneBackfillIsStoredOnce) {
  watch_commit(*store_, C);  // 6
  auto ts = fetched(C, 102, 102);
  ts.push_back(ts.front());
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.backfill(C, ts));  // 7
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records[0].transfers.size(), 3u);  // carried as given
  auto s = snap(*store_);
  Snapshot::HistoryQuery q;
  q.address = C;
  q.newest_first = false;
  ASSERT_OK_AND_ASSIGN(auto h, s->address_history(q));
  EXPECT_EQ(positions(h), (std::vector<decode::Position>{{102, 1, 0}, {102, 2, 0}}));
}

TEST_F(StoreBackfillTest, RevertOfABlockBackfilledInTheSameTransactionIsRefused) {
  watch_commit(*store_, C);  // 6
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.backfill(C, fetched(C, 104, 104)));
  // The revert could not see the backfilled transfers (they are only in the batch) and would leave
  // them behind in `transfers` without a canonical block.
  EXPECT_ERRC(txn.revert_tip(), Errc::kFailedPrecondition);
  EXPECT_EQ(txn.record_count(), 1u);
  ASSERT_OK(store_->commit(std::move(txn)));
  // In its own transaction it is fine.
  CommitResult r = revert_commit(*store_);
  chain_.pop();
  EXPECT_EQ(r.records[0].transfers.size(), 4u);
}

TEST_F(StoreBackfillTest, RevertOfALowerBlockAfterABackfillInTheSameTransactionIsFine) {
  watch_commit(*store_, C);  // 6
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.backfill(C, fetched(C, 102, 102)));
  ASSERT_OK(txn.revert_tip());  // 104, nothing backfilled there
  ASSERT_OK(store_->commit(std::move(txn)));
  chain_.pop();
}

TEST(StoreBackfillAllMode, EverythingIsAlreadyIndexedSoNothingIsDuplicated) {
  TempDir dir;
  TestChain chain;
  auto store = open_store(dir.path(), all_mode());
  ASSERT_OK(store->set_base(chain.base()));
  const chain::Address X = make_address(41), Y = make_address(42);
  const decode::BlockHeader h = chain.push();
  std::vector<decode::Transfer> ts = {trx(101, 0, X, Y, 1, make_txid(1)), trx(101, 1, Y, X, 2, make_txid(2))};
  apply_commit(*store, h, ts);
  WriteTxn txn = store->begin();
  ASSERT_OK(txn.watch(X, "", 0));
  std::vector<IndexedTransfer> in;
  for (const auto& t : ts) in.push_back(IndexedTransfer{t, h.id, 0, false, 0});
  ASSERT_OK(txn.backfill(X, in));
  ASSERT_OK_AND_ASSIGN(auto r, store->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 2u);
  for (const auto& t : r.records[1].transfers) EXPECT_FALSE(t.backfilled);
  Snapshot::HistoryQuery q;
  q.address = X;
  ASSERT_OK_AND_ASSIGN(auto hx, snap(*store)->address_history(q));
  EXPECT_EQ(hx.size(), 2u);
  EXPECT_THAT(check_invariants(*store), IsEmpty());
}

}  // namespace
}  // namespace tronidx::store::testing
