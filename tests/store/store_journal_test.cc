// The journal: gap-free seqs across commits and reopen, record contents as committed and as read back,
// SOLIDIFY semantics, and prune_journal.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "invariants.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

using ::testing::IsEmpty;

const chain::Address A = make_address(11);
const chain::Address B = make_address(12);

void expect_same_record(const JournalRecord& stored, const JournalRecord& committed) {
  SCOPED_TRACE("seq " + std::to_string(committed.seq));
  EXPECT_EQ(stored.seq, committed.seq);
  EXPECT_EQ(stored.type, committed.type);
  EXPECT_EQ(stored.tip_after, committed.tip_after);
  EXPECT_EQ(stored.solidified_after, committed.solidified_after);
  // Transfers: always carried by BACKFILL; APPLY/REVERT carry them only as committed.
  EXPECT_EQ(stored.has_transfers, committed.type == RecordType::kBackfill);
  switch (committed.type) {
    case RecordType::kApply:
    case RecordType::kRevert:
      EXPECT_EQ(stored.block.block_num, committed.block.block_num);
      EXPECT_EQ(stored.block.id, committed.block.id);
      EXPECT_EQ(stored.block.parent_id, committed.block.parent_id);
      EXPECT_EQ(stored.block.timestamp_ms, committed.block.timestamp_ms);
      EXPECT_EQ(stored.block.tx_count, committed.block.tx_count);
      EXPECT_EQ(stored.block.transfer_count, committed.block.transfer_count);
      EXPECT_EQ(stored.block.apply_seq, committed.block.apply_seq);
      EXPECT_EQ(stored.block.revert_seq, committed.block.revert_seq);
      EXPECT_THAT(stored.transfers, IsEmpty());  // read with block_transfers
      break;
    case RecordType::kSolidify:
      EXPECT_EQ(stored.solidified, committed.solidified);
      EXPECT_EQ(stored.previous_solidified, committed.previous_solidified);
      break;
    case RecordType::kWatch:
      EXPECT_EQ(stored.address, committed.address);
      EXPECT_EQ(stored.watch_on, committed.watch_on);
      break;
    case RecordType::kBackfill:
      EXPECT_EQ(stored.address, committed.address);
      EXPECT_EQ(stored.transfers, committed.transfers);
      break;
  }
}

class StoreJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_store(dir_.path(), all_mode());
    ASSERT_OK(store_->set_base(chain_.base()));
  }
  void TearDown() override {
    if (store_) {
      EXPECT_THAT(check_invariants(*store_), IsEmpty());
    }
  }
  std::vector<decode::Transfer> block_transfers(uint64_t n, uint64_t tag) {
    return {trx(n, 0, A, B, n * 100 + tag, make_txid(n * 100 + tag)),
            trc20(n, 1, 0, usdt(), B, A, amount_u64(tag), make_txid(n * 100 + tag + 50))};
  }
  void reopen() {
    store_.reset();
    store_ = open_store(dir_.path(), all_mode());
  }
  TempDir dir_;
  TestChain chain_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreJournalTest, SeqsAreGapFreeAcrossCommitsAndReopenAndMatchWhatWasCommitted) {
  std::vector<JournalRecord> committed;
  auto add = [&](CommitResult r) {
    for (auto& rec : r.records) committed.push_back(std::move(rec));
  };
  add(apply_commit(*store_, chain_.push(), block_transfers(101, 1), 2));
  add(watch_commit(*store_, A, "a"));
  {
    WriteTxn txn = store_->begin();
    decode::BlockHeader h = chain_.push();
    ASSERT_OK(txn.apply_block(h, 2, block_transfers(102, 1)));
    h = chain_.push();
    ASSERT_OK(txn.apply_block(h, 2, block_transfers(103, 1)));
    ASSERT_OK(txn.solidify(102));
    ASSERT_OK(txn.unwatch(A));
    ASSERT_OK_AND_ASSIGN(auto r, store_->commit(std::move(txn)));
    add(std::move(r));
  }
  reopen();
  add(revert_commit(*store_));
  chain_.pop();
  add(apply_commit(*store_, chain_.push(5), block_transfers(103, 2), 2));
  add(solidify_commit(*store_, 103));

  for (size_t i = 0; i < committed.size(); ++i) EXPECT_EQ(committed[i].seq, i + 1) << i;
  // The state right after each record.
  const std::vector<std::pair<uint64_t, uint64_t>> after = {{101, 100}, {101, 100}, {102, 100}, {103, 100}, {103, 102},
                                                            {103, 102}, {102, 102}, {103, 102}, {103, 103}};
  ASSERT_EQ(committed.size(), after.size());
  for (size_t i = 0; i < committed.size(); ++i) {
    EXPECT_EQ(committed[i].tip_after, after[i].first) << "seq " << i + 1;
    EXPECT_EQ(committed[i].solidified_after, after[i].second) << "seq " << i + 1;
    const bool carries = committed[i].type == RecordType::kApply || committed[i].type == RecordType::kRevert ||
                         committed[i].type == RecordType::kBackfill;
    EXPECT_EQ(committed[i].has_transfers, carries) << "seq " << i + 1;
  }
  EXPECT_EQ(store_->state().next_seq, committed.size() + 1);
  auto s = snap(*store_);
  EXPECT_EQ(s->next_seq(), committed.size() + 1);
  EXPECT_EQ(s->journal_first(), 1u);
  const auto stored = whole_journal(*s);
  ASSERT_EQ(stored.size(), committed.size());
  for (size_t i = 0; i < stored.size(); ++i) expect_same_record(stored[i], committed[i]);
  // Windows of the journal.
  ASSERT_OK_AND_ASSIGN(auto window, s->journal(3, 2));
  ASSERT_EQ(window.size(), 2u);
  EXPECT_EQ(window[0].seq, 3u);
  EXPECT_EQ(window[1].seq, 4u);
  ASSERT_OK_AND_ASSIGN(auto tail, s->journal(committed.size(), 100));
  ASSERT_EQ(tail.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto beyond, s->journal(committed.size() + 1, 100));
  EXPECT_THAT(beyond, IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto zero, s->journal(1, 0));
  EXPECT_THAT(zero, IsEmpty());
  // APPLY and REVERT transfers as committed are what block_transfers gives for the version.
  for (const auto& c : committed) {
    if (c.type != RecordType::kApply && c.type != RecordType::kRevert) continue;
    ASSERT_OK_AND_ASSIGN(auto versions, s->block_versions(c.block.block_num));
    const BlockInfo* version = nullptr;
    for (const auto& v : versions) {
      if (v.apply_seq == c.block.apply_seq) version = &v;
    }
    ASSERT_NE(version, nullptr);
    ASSERT_OK_AND_ASSIGN(auto ts, s->block_transfers(*version, c.type == RecordType::kApply ? c.seq + 1 : c.seq));
    EXPECT_EQ(ts, c.transfers) << "seq " << c.seq;
  }
}

TEST_F(StoreJournalTest, SolidifyIsMinOfTipNeverMovesDownAndRecordsOnlyChanges) {
  for (int i = 0; i < 5; ++i) apply_commit(*store_, chain_.push(), {});
  // Above the tip: clamped to the tip.
  CommitResult r = solidify_commit(*store_, 1000);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].type, RecordType::kSolidify);
  EXPECT_EQ(r.records[0].solidified, 105u);
  EXPECT_EQ(r.records[0].previous_solidified, 100u);
  EXPECT_EQ(store_->state().solidified, 105u);
  // Unchanged or lower: no record at all.
  EXPECT_THAT(solidify_commit(*store_, 105).records, IsEmpty());
  EXPECT_THAT(solidify_commit(*store_, 50).records, IsEmpty());
  EXPECT_EQ(store_->state().solidified, 105u);
  EXPECT_EQ(store_->state().next_seq, 7u);
  apply_commit(*store_, chain_.push(), {});
  apply_commit(*store_, chain_.push(), {});
  {
    WriteTxn txn = store_->begin();
    ASSERT_OK(txn.solidify(106));
    ASSERT_OK(txn.solidify(106));  // no second record
    ASSERT_OK(txn.solidify(104));  // never down
    EXPECT_EQ(txn.solidified(), 106u);
    ASSERT_OK(txn.solidify(107));
    ASSERT_OK_AND_ASSIGN(r, store_->commit(std::move(txn)));
  }
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].solidified, 106u);
  EXPECT_EQ(r.records[0].previous_solidified, 105u);
  EXPECT_EQ(r.records[1].solidified, 107u);
  EXPECT_EQ(r.records[1].previous_solidified, 106u);
  reopen();
  EXPECT_EQ(store_->state().solidified, 107u);
  EXPECT_EQ(snap(*store_)->solidified(), 107u);
  // Solidify follows blocks applied earlier in the same transaction.
  WriteTxn txn = store_->begin();
  ASSERT_OK(txn.apply_block(chain_.push(), 0, {}));
  ASSERT_OK(txn.solidify(200));
  EXPECT_EQ(txn.solidified(), 108u);
  ASSERT_OK(store_->commit(std::move(txn)));
  EXPECT_EQ(store_->state().solidified, 108u);
}

TEST_F(StoreJournalTest, SolidifyOnAFreshBaseDoesNothing) {
  EXPECT_THAT(solidify_commit(*store_, 500).records, IsEmpty());
  EXPECT_EQ(store_->state().solidified, chain_.base().block_num);
}

TEST_F(StoreJournalTest, BlockAsOfFollowsReorgs) {
  apply_commit(*store_, chain_.push(0), {});   // 1: 101a
  apply_commit(*store_, chain_.push(0), {});   // 2: 102a
  revert_commit(*store_);                      // 3
  chain_.pop();
  apply_commit(*store_, chain_.push(1), {});   // 4: 102b
  solidify_commit(*store_, 101);               // 5
  revert_commit(*store_);                      // 6
  chain_.pop();
  apply_commit(*store_, chain_.push(2), {});   // 7: 102c
  auto s = snap(*store_);
  auto id_at = [&](uint64_t num, uint64_t seq) -> std::optional<chain::BlockId> {
    auto b = must(s->block_as_of(num, seq), "block_as_of");
    if (!b) return std::nullopt;
    return b->id;
  };
  EXPECT_EQ(id_at(101, 1), std::nullopt);
  for (uint64_t seq = 2; seq <= 8; ++seq) EXPECT_EQ(id_at(101, seq), make_block_id(101, 0)) << seq;
  EXPECT_EQ(id_at(102, 2), std::nullopt);
  EXPECT_EQ(id_at(102, 3), make_block_id(102, 0));
  EXPECT_EQ(id_at(102, 4), std::nullopt);
  EXPECT_EQ(id_at(102, 5), make_block_id(102, 1));
  EXPECT_EQ(id_at(102, 6), make_block_id(102, 1));
  EXPECT_EQ(id_at(102, 7), std::nullopt);
  EXPECT_EQ(id_at(102, 8), make_block_id(102, 2));
  EXPECT_EQ(id_at(103, 8), std::nullopt);
  EXPECT_EQ(id_at(99, 8), std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto now, s->block(102));
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(now->id, make_block_id(102, 2));
  EXPECT_EQ(now->apply_seq, 7u);
}

TEST_F(StoreJournalTest, PruneRemovesOldRecordsAndTheOrphansOnlyTheyReferenced) {
  apply_commit(*store_, chain_.push(0), block_transfers(101, 1));   // 1
  apply_commit(*store_, chain_.push(0), block_transfers(102, 1));   // 2: 102a
  revert_commit(*store_);                                           // 3: revert 102a
  chain_.pop();
  apply_commit(*store_, chain_.push(1), block_transfers(102, 2));   // 4: 102b
  watch_commit(*store_, A);                                         // 5
  revert_commit(*store_);                                           // 6: revert 102b
  chain_.pop();
  apply_commit(*store_, chain_.push(2), block_transfers(102, 3));   // 7: 102c
  solidify_commit(*store_, 101);                                    // 8
  auto before = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto v_before, before->block_versions(102));
  ASSERT_EQ(v_before.size(), 3u);

  // Below or at journal_first: nothing happens.
  ASSERT_OK(store_->prune_journal(1));
  EXPECT_EQ(store_->state().journal_first, 1u);
  ASSERT_OK(store_->prune_journal(0));
  EXPECT_EQ(store_->state().journal_first, 1u);

  ASSERT_OK(store_->prune_journal(5));
  EXPECT_EQ(store_->state().journal_first, 5u);
  auto s = snap(*store_);
  EXPECT_EQ(s->journal_first(), 5u);
  ASSERT_OK_AND_ASSIGN(auto from1, s->journal(1, 100));
  ASSERT_FALSE(from1.empty());
  EXPECT_EQ(from1.front().seq, 5u);
  EXPECT_EQ(from1.size(), 4u);
  // A window below journal_first is not empty: it starts at journal_first, which tells the reader
  // (api/hub.cc) that the records it asked for were pruned.
  ASSERT_OK_AND_ASSIGN(auto below, s->journal(2, 2));
  ASSERT_EQ(below.size(), 2u);
  EXPECT_EQ(below[0].seq, 5u);
  EXPECT_EQ(below[1].seq, 6u);
  // 102a (REVERT at 3, pruned) is gone with its orphans; 102b (REVERT at 6, kept) stays.
  ASSERT_OK_AND_ASSIGN(auto v, s->block_versions(102));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].apply_seq, 4u);
  EXPECT_EQ(v[0].revert_seq, 6u);
  EXPECT_EQ(v[1].apply_seq, 7u);
  ASSERT_OK_AND_ASSIGN(auto orphans_b, s->block_transfers(v[0], 6));
  EXPECT_EQ(plain(orphans_b), block_transfers(102, 2));
  ASSERT_OK_AND_ASSIGN(auto orphans_a, s->block_transfers(v_before[0], 100));
  EXPECT_THAT(orphans_a, IsEmpty());
  // The snapshot from before still sees everything.
  ASSERT_OK_AND_ASSIGN(auto old_orphans, before->block_transfers(v_before[0], 100));
  EXPECT_EQ(plain(old_orphans), block_transfers(102, 1));
  ASSERT_OK_AND_ASSIGN(auto old_journal, before->journal(1, 100));
  EXPECT_EQ(old_journal.size(), 8u);
  // Canonical data untouched (101's APPLY record was pruned, the block is still there).
  ASSERT_OK_AND_ASSIGN(auto b101, s->block(101));
  ASSERT_TRUE(b101.has_value());
  EXPECT_EQ(b101->apply_seq, 1u);
  ASSERT_OK_AND_ASSIGN(auto tx, s->by_txid(make_txid(10101)));
  EXPECT_EQ(tx.size(), 1u);
  EXPECT_THAT(check_invariants(*store_), IsEmpty());

  // Beyond next_seq: clamped, the journal is empty, and the next record continues the seqs.
  ASSERT_OK(store_->prune_journal(1000));
  EXPECT_EQ(store_->state().journal_first, 9u);
  s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto none, s->journal(0, 100));
  EXPECT_THAT(none, IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto v_all, s->block_versions(102));
  EXPECT_EQ(v_all.size(), 1u);  // only the canonical one
  EXPECT_THAT(check_invariants(*store_), IsEmpty());
  // Snapshots must not outlive their Store.
  s.reset();
  before.reset();
  reopen();
  EXPECT_EQ(store_->state().journal_first, 9u);
  CommitResult r = apply_commit(*store_, chain_.push(), {});
  EXPECT_EQ(r.records[0].seq, 9u);
  s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto last, s->journal(1, 100));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].seq, 9u);
  EXPECT_EQ(s->journal_first(), 9u);
}

TEST_F(StoreJournalTest, RevertOfABlockWhoseApplyWasPrunedStillWorks) {
  apply_commit(*store_, chain_.push(), block_transfers(101, 1));  // 1
  apply_commit(*store_, chain_.push(), block_transfers(102, 1));  // 2
  ASSERT_OK(store_->prune_journal(3));
  CommitResult r = revert_commit(*store_);  // 3
  chain_.pop();
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].block.apply_seq, 2u);
  EXPECT_EQ(plain(r.records[0].transfers), block_transfers(102, 1));
  auto s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto v, s->block_versions(102));
  ASSERT_EQ(v.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto orphans, s->block_transfers(v[0], 4));
  EXPECT_EQ(plain(orphans), block_transfers(102, 1));
}

}  // namespace
}  // namespace tronidx::store::testing
