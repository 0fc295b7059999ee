// Watches: idempotent watch/unwatch, WATCH records, the WatchSet's watched_now/watched_at semantics
// (watch_set.h), persistence of label/since_block and the rebuild of the WatchSet on reopen.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "invariants.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

using ::testing::IsEmpty;

const chain::Address A = make_address(21);
const chain::Address B = make_address(22);
const chain::Address C = make_address(23);

class StoreWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_store(dir_.path(), watched_mode());
    ASSERT_OK(store_->set_base(chain_.base()));
  }
  void TearDown() override {
    if (store_) {
      EXPECT_THAT(check_invariants(*store_), IsEmpty());
    }
  }
  void reopen() {
    store_.reset();
    store_ = open_store(dir_.path(), watched_mode());
  }
  std::vector<WatchInfo> watches(bool include_removed) { return must(snap(*store_)->watches(include_removed), "watches"); }
  TempDir dir_;
  TestChain chain_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreWatchTest, WatchAndUnwatchAreIdempotent) {
  CommitResult r = watch_commit(*store_, A, "first", 7);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].seq, 1u);
  EXPECT_EQ(r.records[0].type, RecordType::kWatch);
  EXPECT_EQ(r.records[0].address, A);
  EXPECT_TRUE(r.records[0].watch_on);
  // Again, with another label: nothing changes, the label stays the first one.
  EXPECT_THAT(watch_commit(*store_, A, "second", 9).records, IsEmpty());
  {
    WriteTxn txn = store_->begin();
    ASSERT_OK(txn.watch(B, "b", 0));
    ASSERT_OK(txn.watch(B, "b again", 0));
    ASSERT_OK(txn.watch(A, "third", 0));
    EXPECT_EQ(txn.record_count(), 1u);
    ASSERT_OK_AND_ASSIGN(r, store_->commit(std::move(txn)));
  }
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].address, B);
  auto w = watches(false);
  ASSERT_EQ(w.size(), 2u);
  const WatchInfo& wa = w[0].address == A ? w[0] : w[1];
  EXPECT_EQ(wa.label, "first");
  EXPECT_EQ(wa.since_block, 7u);
  EXPECT_EQ(wa.added_seq, 1u);
  EXPECT_EQ(wa.removed_seq, 0u);

  // Unwatching something not watched: no record.
  EXPECT_THAT(unwatch_commit(*store_, C).records, IsEmpty());
  r = unwatch_commit(*store_, A);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].seq, 3u);
  EXPECT_FALSE(r.records[0].watch_on);
  EXPECT_EQ(r.records[0].address, A);
  EXPECT_THAT(unwatch_commit(*store_, A).records, IsEmpty());
  {
    WriteTxn txn = store_->begin();
    ASSERT_OK(txn.unwatch(B));
    ASSERT_OK(txn.unwatch(B));
    EXPECT_EQ(txn.record_count(), 1u);
    ASSERT_OK(store_->commit(std::move(txn)));
  }
  EXPECT_EQ(store_->state().next_seq, 5u);
  EXPECT_THAT(watches(false), IsEmpty());
  EXPECT_EQ(watches(true).size(), 2u);
  EXPECT_EQ(store_->watches().size(), 0u);
}

TEST_F(StoreWatchTest, WatchSetSemanticsAcrossOnOffOn) {
  apply_commit(*store_, chain_.push(), {});          // seq 1
  watch_commit(*store_, A, "a1", 0);                 // seq 2: on
  apply_commit(*store_, chain_.push(), {});          // seq 3
  unwatch_commit(*store_, A);                        // seq 4: off
  apply_commit(*store_, chain_.push(), {});          // seq 5
  watch_commit(*store_, A, "a2", 50);                // seq 6: on
  apply_commit(*store_, chain_.push(), {});          // seq 7
  // As documented: some interval with added_seq < seq and (removed_seq == 0 or seq < removed_seq).
  auto check = [&](const WatchSet& ws) {
    const bool expect[] = {false, false, false, true, false, false, false, true, true, true};
    for (uint64_t seq = 0; seq < 10; ++seq) EXPECT_EQ(ws.watched_at(A, seq), expect[seq]) << "seq " << seq;
    // watched_between(lo, hi) is watched_at for some seq strictly between, against the same table.
    for (uint64_t lo = 0; lo < 10; ++lo) {
      for (uint64_t hi = lo; hi < 10; ++hi) {
        bool any = false;
        for (uint64_t s = lo + 1; s < hi; ++s) any = any || expect[s];
        EXPECT_EQ(ws.watched_between(A, lo, hi), any) << "(" << lo << ", " << hi << ")";
      }
    }
    EXPECT_FALSE(ws.watched_between(B, 0, 9));
    EXPECT_TRUE(ws.watched_now(A));
    EXPECT_FALSE(ws.watched_now(B));
    EXPECT_FALSE(ws.watched_at(B, 3));
    EXPECT_EQ(ws.size(), 1u);
  };
  check(store_->watches());
  auto all = watches(true);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].label, "a1");
  EXPECT_EQ(all[0].added_seq, 2u);
  EXPECT_EQ(all[0].removed_seq, 4u);
  EXPECT_EQ(all[1].label, "a2");
  EXPECT_EQ(all[1].since_block, 50u);
  EXPECT_EQ(all[1].added_seq, 6u);
  EXPECT_EQ(all[1].removed_seq, 0u);
  auto open = watches(false);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].added_seq, 6u);
  reopen();
  check(store_->watches());
  EXPECT_EQ(watches(true).size(), 2u);
}

TEST_F(StoreWatchTest, LabelsAndSinceBlockPersistAcrossReopen) {
  static constexpr char kOdd[] = "zero\0byte \xe2\x82\xac";
  const std::string odd(kOdd, sizeof kOdd - 1);
  const std::string long_label(1000, 'x');
  {
    WriteTxn txn = store_->begin();
    ASSERT_OK(txn.watch(A, odd, 123456789));
    ASSERT_OK(txn.watch(B, long_label, 0));
    ASSERT_OK(txn.watch(C, "", 1));
    ASSERT_OK(store_->commit(std::move(txn)));
  }
  unwatch_commit(*store_, C);
  reopen();
  auto w = watches(true);
  ASSERT_EQ(w.size(), 3u);
  std::map<chain::Address, WatchInfo> by;
  for (const auto& x : w) by[x.address] = x;
  EXPECT_EQ(by[A].label, odd);
  EXPECT_EQ(by[A].since_block, 123456789u);
  EXPECT_EQ(by[A].added_seq, 1u);
  EXPECT_EQ(by[B].label, long_label);
  EXPECT_EQ(by[B].added_seq, 2u);
  EXPECT_EQ(by[C].label, "");
  EXPECT_EQ(by[C].since_block, 1u);
  EXPECT_EQ(by[C].removed_seq, 4u);
  EXPECT_TRUE(store_->watches().watched_now(A));
  EXPECT_TRUE(store_->watches().watched_now(B));
  EXPECT_FALSE(store_->watches().watched_now(C));
  // Added at 3, removed at 4: no record lies strictly inside the interval.
  EXPECT_FALSE(store_->watches().watched_at(C, 3));
  EXPECT_FALSE(store_->watches().watched_at(C, 4));
  EXPECT_TRUE(store_->watches().watched_at(A, 5));
  EXPECT_EQ(store_->watches().size(), 2u);
}

TEST_F(StoreWatchTest, OnOffOnInsideOneTransaction) {
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.watch(A, "one", 1));
  ASSERT_OK(txn.unwatch(A));
  ASSERT_OK(txn.watch(A, "two", 2));
  ASSERT_OK(txn.unwatch(B));  // never watched: nothing
  EXPECT_EQ(txn.record_count(), 3u);
  ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_TRUE(r.records[0].watch_on);
  EXPECT_FALSE(r.records[1].watch_on);
  EXPECT_TRUE(r.records[2].watch_on);
  const WatchSet& ws = store_->watches();
  EXPECT_TRUE(ws.watched_now(A));
  // Intervals [1, 2) and [3, open): watched for records strictly after the on, before the off.
  EXPECT_FALSE(ws.watched_at(A, 1));
  EXPECT_FALSE(ws.watched_at(A, 2));
  EXPECT_FALSE(ws.watched_at(A, 3));
  EXPECT_TRUE(ws.watched_at(A, 4));
  EXPECT_TRUE(ws.watched_at(A, 100));
  auto w = watches(true);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].label, "one");
  EXPECT_EQ(w[0].removed_seq, 2u);
  EXPECT_EQ(w[1].label, "two");
  EXPECT_EQ(w[1].since_block, 2u);
  // And an interval opened and closed in one transaction on a committed watch.
  WriteTxn again = store_->begin();
  ASSERT_OK(again.unwatch(A));
  ASSERT_OK(again.watch(A, "three", 3));
  ASSERT_OK(again.unwatch(A));
  ASSERT_OK(store_->commit(std::move(again)));
  EXPECT_FALSE(store_->watches().watched_now(A));
  w = watches(true);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1].removed_seq, 4u);
  EXPECT_EQ(w[2].label, "three");
  EXPECT_EQ(w[2].added_seq, 5u);
  EXPECT_EQ(w[2].removed_seq, 6u);
  reopen();
  // [1, 2), [3, 4), [5, 6): no record lies strictly inside any of them.
  EXPECT_FALSE(store_->watches().watched_now(A));
  for (uint64_t seq = 0; seq < 9; ++seq) EXPECT_FALSE(store_->watches().watched_at(A, seq)) << seq;
  EXPECT_EQ(store_->watches().size(), 0u);
}

TEST_F(StoreWatchTest, WatchRecordsInTheJournal) {
  watch_commit(*store_, A);
  unwatch_commit(*store_, A);
  auto recs = whole_journal(*snap(*store_));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].type, RecordType::kWatch);
  EXPECT_EQ(recs[0].address, A);
  EXPECT_TRUE(recs[0].watch_on);
  EXPECT_EQ(recs[1].type, RecordType::kWatch);
  EXPECT_FALSE(recs[1].watch_on);
}

TEST_F(StoreWatchTest, SnapshotsDoNotSeeLaterWatches) {
  watch_commit(*store_, A);
  auto before = snap(*store_);
  watch_commit(*store_, B);
  unwatch_commit(*store_, A);
  ASSERT_OK_AND_ASSIGN(auto w, before->watches(true));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].address, A);
  EXPECT_EQ(w[0].removed_seq, 0u);
}

TEST(StoreWatchNoBase, WatchesWorkBeforeTheBaseIsSet) {
  TempDir dir;
  auto store = open_store(dir.path(), watched_mode());
  watch_commit(*store, A, "early");
  EXPECT_TRUE(store->watches().watched_now(A));
  TestChain chain;
  ASSERT_OK(store->set_base(chain.base()));
  EXPECT_EQ(store->state().next_seq, 2u);
  CommitResult r = apply_commit(*store, chain.push(), {trx(101, 0, A, B, 1, make_txid(1))});
  EXPECT_EQ(r.records[0].seq, 2u);
  EXPECT_EQ(r.records[0].transfers.size(), 1u);
  EXPECT_THAT(check_invariants(*store), IsEmpty());
}

}  // namespace
}  // namespace tronidx::store::testing
