// Queries: address_history, token_history, by_txid, first_block_at_or_after, pagination (also while the
// chain moves), prefix collisions; snapshot isolation and reopen.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "invariants.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

using ::testing::IsEmpty;

const chain::Address X = make_address(51);
const chain::Address X2 = prefix_twin(X, 0x5a);  // shares X's first 8 bytes
const chain::Address Y = make_address(52);
const chain::Address Z = make_address(53);
const std::vector<chain::Address> kAddrs = {X, X2, Y, Z};
const std::vector<chain::Address> kTokens = {usdt(), token_b(), decode::trx_token(), decode::trc10_token(1000001)};

decode::Transfer random_transfer(std::mt19937_64& rng, uint64_t n, uint32_t tx, uint32_t ev, uint64_t txid_seed) {
  const chain::Address from = kAddrs[rng() % kAddrs.size()];
  const chain::Address to = kAddrs[rng() % kAddrs.size()];
  const size_t k = rng() % kTokens.size();
  const uint64_t amount = rng() % 1'000'000;
  if (k == 2) return trx(n, tx, from, to, amount, make_txid(txid_seed));
  if (k == 3) return trc10(n, tx, 1000001, from, to, amount, make_txid(txid_seed));
  return trc20(n, tx, ev, kTokens[k], from, to, amount_u64(amount), make_txid(txid_seed));
}

// Transfers of block n: a few transactions, TRC20 ones with several events.
std::vector<decode::Transfer> random_block(std::mt19937_64& rng, uint64_t n, uint64_t salt = 0) {
  std::vector<decode::Transfer> out;
  const uint32_t txs = static_cast<uint32_t>(rng() % 4);
  for (uint32_t tx = 0; tx < txs; ++tx) {
    const uint32_t events = 1 + static_cast<uint32_t>(rng() % 3);
    const uint64_t txid_seed = n * 1000 + tx + salt * 1'000'000;
    for (uint32_t ev = 0; ev < events; ++ev) {
      decode::Transfer t = random_transfer(rng, n, tx * 3, ev, txid_seed);
      if (t.kind != decode::TransferKind::kTrc20) {
        if (ev == 0) out.push_back(t);
        break;
      }
      out.push_back(t);
    }
  }
  return out;
}

// The reference answer over a list of canonical transfers (position order).
std::vector<decode::Transfer> expected(const std::vector<decode::Transfer>& all, const Snapshot::HistoryQuery& q) {
  std::vector<decode::Transfer> out;
  for (const auto& t : all) {
    const bool in = t.to == q.address && q.direction != Direction::kOut;
    const bool outgoing = t.from == q.address && q.direction != Direction::kIn;
    if (!in && !outgoing) continue;
    if (q.token && t.token != *q.token) continue;
    if (t.position.block_num < q.from_block || t.position.block_num > q.to_block) continue;
    out.push_back(t);
  }
  if (q.newest_first) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<decode::Transfer> expected(const std::vector<decode::Transfer>& all, const Snapshot::TokenQuery& q) {
  std::vector<decode::Transfer> out;
  for (const auto& t : all) {
    if (t.token != q.token || t.position.block_num < q.from_block || t.position.block_num > q.to_block) continue;
    out.push_back(t);
  }
  if (q.newest_first) std::reverse(out.begin(), out.end());
  return out;
}

Snapshot::HistoryQuery history_of(const chain::Address& a) {
  Snapshot::HistoryQuery q;
  q.address = a;
  return q;
}

class StoreQueryTest : public ::testing::Test {
 protected:
  void open() {
    store_ = open_store(dir_.path(), all_mode());
    ASSERT_OK(store_->set_base(chain_.base()));
  }
  // `blocks` random blocks; with `always` set, each also gets a transfer from that address.
  void fill(int blocks, uint64_t seed, std::optional<chain::Address> always = std::nullopt) {
    std::mt19937_64 rng(seed);
    for (int i = 0; i < blocks; ++i) {
      const decode::BlockHeader h = chain_.next_header();
      auto ts = random_block(rng, h.block_num);
      if (always) ts.push_back(trx(h.block_num, 50, *always, Z, 1, make_txid(h.block_num * 1000 + 50)));
      chain_.push();
      apply_commit(*store_, h, ts);
      all_.insert(all_.end(), ts.begin(), ts.end());
    }
  }
  void TearDown() override {
    if (store_) {
      EXPECT_THAT(check_invariants(*store_), IsEmpty());
    }
  }
  TempDir dir_;
  TestChain chain_;
  std::unique_ptr<Store> store_;
  std::vector<decode::Transfer> all_;
};

TEST_F(StoreQueryTest, AddressHistoryMatchesTheReferenceForEveryQueryShape) {
  open();
  fill(40, 1);
  auto s = snap(*store_);
  size_t checked = 0, nonempty = 0;
  for (const auto& addr : kAddrs) {
    for (auto dir : {Direction::kBoth, Direction::kIn, Direction::kOut}) {
      for (bool newest : {true, false}) {
        for (const std::optional<chain::Address>& token :
             {std::optional<chain::Address>{}, std::optional<chain::Address>{usdt()}, std::optional<chain::Address>{decode::trx_token()}}) {
          for (auto [from, to] : {std::pair<uint64_t, uint64_t>{0, UINT64_MAX}, {110, 125}, {131, 131}, {0, 100}, {141, 200}}) {
            Snapshot::HistoryQuery q;
            q.address = addr;
            q.direction = dir;
            q.newest_first = newest;
            q.token = token;
            q.from_block = from;
            q.to_block = to;
            const auto want = expected(all_, q);
            q.limit = 1000;
            ASSERT_OK_AND_ASSIGN(auto one_page, s->address_history(q));
            EXPECT_EQ(plain(one_page), want);
            for (size_t page : {1, 3, 7}) EXPECT_EQ(plain(all_pages(*s, q, page)), want) << "page " << page;
            ++checked;
            nonempty += want.empty() ? 0 : 1;
          }
        }
      }
    }
  }
  EXPECT_GT(nonempty, checked / 4);
  // The limit is honoured; limit 0 and an empty range give nothing.
  Snapshot::HistoryQuery q;
  q.address = X;
  q.limit = 5;
  ASSERT_OK_AND_ASSIGN(auto five, s->address_history(q));
  EXPECT_EQ(five.size(), 5u);
  q.limit = 0;
  ASSERT_OK_AND_ASSIGN(auto zero, s->address_history(q));
  EXPECT_THAT(zero, IsEmpty());
  q.limit = 10;
  q.from_block = 120;
  q.to_block = 119;
  ASSERT_OK_AND_ASSIGN(auto inverted, s->address_history(q));
  EXPECT_THAT(inverted, IsEmpty());
  // Every row carries its block id and timestamp.
  q = Snapshot::HistoryQuery{};
  q.address = Y;
  q.limit = 1000;
  ASSERT_OK_AND_ASSIGN(auto rows, s->address_history(q));
  for (const auto& r : rows) {
    EXPECT_EQ(r.block_id, make_block_id(r.transfer.position.block_num));
    EXPECT_EQ(r.timestamp_ms, TestChain::timestamp_of(r.transfer.position.block_num));
  }
}

TEST_F(StoreQueryTest, TokenHistoryMatchesTheReference) {
  open();
  fill(40, 2);
  auto s = snap(*store_);
  for (const auto& token : kTokens) {
    for (bool newest : {true, false}) {
      for (auto [from, to] : {std::pair<uint64_t, uint64_t>{0, UINT64_MAX}, {105, 120}, {200, 300}}) {
        Snapshot::TokenQuery q;
        q.token = token;
        q.newest_first = newest;
        q.from_block = from;
        q.to_block = to;
        const auto want = expected(all_, q);
        if (from == 0) {
          EXPECT_FALSE(want.empty());
        }
        q.limit = 1000;
        ASSERT_OK_AND_ASSIGN(auto one, s->token_history(q));
        EXPECT_EQ(plain(one), want);
        for (size_t page : {1, 4}) EXPECT_EQ(plain(all_pages(*s, q, page)), want);
      }
    }
  }
  Snapshot::TokenQuery unknown;
  unknown.token = make_address(999);
  ASSERT_OK_AND_ASSIGN(auto none, s->token_history(unknown));
  EXPECT_THAT(none, IsEmpty());
}

TEST_F(StoreQueryTest, SelfTransfersAppearOnce) {
  open();
  const decode::BlockHeader h = chain_.push();
  const std::vector<decode::Transfer> ts = {trc20(101, 0, 0, usdt(), X, X, amount_u64(1), make_txid(1)),
                                            trx(101, 1, X, Y, 2, make_txid(2)), trx(101, 2, Y, X, 3, make_txid(3))};
  apply_commit(*store_, h, ts);
  auto s = snap(*store_);
  for (auto dir : {Direction::kBoth, Direction::kIn, Direction::kOut}) {
    for (bool newest : {true, false}) {
      Snapshot::HistoryQuery q;
      q.address = X;
      q.direction = dir;
      q.newest_first = newest;
      ASSERT_OK_AND_ASSIGN(auto rows, s->address_history(q));
      EXPECT_EQ(plain(rows), expected(ts, q));
      EXPECT_EQ(plain(all_pages(*s, q, 1)), expected(ts, q));
    }
  }
}

TEST_F(StoreQueryTest, AddressesSharingTheKeyPrefixDoNotSeeEachOther) {
  open();
  ASSERT_TRUE(std::equal(X.evm().begin(), X.evm().begin() + 8, X2.evm().begin()));
  ASSERT_NE(X, X2);
  const std::vector<decode::Transfer> ts = {
      trx(101, 0, X, Y, 1, make_txid(1)),   trx(101, 1, Y, X2, 2, make_txid(2)), trx(101, 2, X, X2, 3, make_txid(3)),
      trx(101, 3, X2, X, 4, make_txid(4)),  trx(101, 4, X2, Z, 5, make_txid(5)), trx(101, 5, X2, X2, 6, make_txid(6)),
  };
  apply_commit(*store_, chain_.push(), ts);
  auto s = snap(*store_);
  for (const auto& addr : {X, X2}) {
    for (auto dir : {Direction::kBoth, Direction::kIn, Direction::kOut}) {
      for (bool newest : {true, false}) {
        Snapshot::HistoryQuery q;
        q.address = addr;
        q.direction = dir;
        q.newest_first = newest;
        ASSERT_OK_AND_ASSIGN(auto rows, s->address_history(q));
        EXPECT_EQ(plain(rows), expected(ts, q)) << addr.to_hex();
        EXPECT_EQ(plain(all_pages(*s, q, 1)), expected(ts, q));
        EXPECT_EQ(plain(all_pages(*s, q, 2)), expected(ts, q));
      }
    }
  }
  // A limit counts matches, not the other address's hits.
  Snapshot::HistoryQuery q;
  q.address = X;
  q.limit = 1;
  q.newest_first = false;
  ASSERT_OK_AND_ASSIGN(auto first, s->address_history(q));
  EXPECT_EQ(positions(first), (std::vector<decode::Position>{{101, 0, 0}}));
}

TEST_F(StoreQueryTest, PaginationIsStableWhileBlocksAreAppended) {
  open();
  fill(20, 3);
  for (bool newest : {true, false}) {
    Snapshot::HistoryQuery q;
    q.address = Y;
    q.newest_first = newest;
    q.limit = 2;
    const auto at_start = expected(all_, q);
    std::vector<decode::Transfer> seen;
    std::mt19937_64 rng(newest ? 11 : 12);
    for (int guard = 0; guard < 1000; ++guard) {
      auto rows = must(snap(*store_)->address_history(q), "address_history");
      for (const auto& r : rows) seen.push_back(r.transfer);
      if (rows.size() < q.limit) break;
      q.after = rows.back().transfer.position;
      if (guard >= 12) continue;
      // A new block arrives between two pages.
      const decode::BlockHeader h = chain_.next_header();
      auto ts = random_block(rng, h.block_num);
      ts.push_back(trx(h.block_num, 9, Y, Z, 1, make_txid(h.block_num * 1000 + 9)));
      chain_.push();
      apply_commit(*store_, h, ts);
      all_.insert(all_.end(), ts.begin(), ts.end());
    }
    if (newest) {
      // Newest first: the walk is exactly the history as of the first page.
      EXPECT_EQ(seen, at_start);
    } else {
      // Oldest first: it runs into the new blocks too, each row exactly once, in order.
      q.after.reset();
      EXPECT_EQ(seen, expected(all_, q));
    }
  }
}

TEST_F(StoreQueryTest, PaginationAfterARevertPastTheCursor) {
  open();
  fill(20, 4, X);  // 101..120, X in every block
  Snapshot::HistoryQuery q;
  q.address = X;
  q.newest_first = false;
  q.to_block = UINT64_MAX;
  // Walk up to block 110 first.
  std::vector<decode::Transfer> seen;
  q.limit = 1;
  while (true) {
    auto rows = must(snap(*store_)->address_history(q), "address_history");
    ASSERT_EQ(rows.size(), 1u);
    seen.push_back(rows[0].transfer);
    q.after = rows[0].transfer.position;
    if (q.after->block_num >= 110) break;
  }
  // Reorg: revert 120..111, apply a different 111..115.
  {
    WriteTxn txn = store_->begin();
    for (int i = 0; i < 10; ++i) {
      ASSERT_OK(txn.revert_tip());
      chain_.pop();
    }
    ASSERT_OK(store_->commit(std::move(txn)));
  }
  all_.erase(std::remove_if(all_.begin(), all_.end(), [](const auto& t) { return t.position.block_num > 110; }), all_.end());
  std::mt19937_64 rng(99);
  for (int i = 0; i < 5; ++i) {
    const decode::BlockHeader h = chain_.next_header(1);
    auto ts = random_block(rng, h.block_num, 7);
    ts.push_back(trx(h.block_num, 20, X, Z, 1, make_txid(h.block_num * 1000 + 20 + 7'000'000)));
    chain_.push(1);
    apply_commit(*store_, h, ts);
    all_.insert(all_.end(), ts.begin(), ts.end());
  }
  q.limit = 3;
  while (true) {
    auto rows = must(snap(*store_)->address_history(q), "address_history");
    for (const auto& r : rows) {
      seen.push_back(r.transfer);
      if (r.transfer.position.block_num > 110) {
        EXPECT_EQ(r.block_id, make_block_id(r.transfer.position.block_num, 1));
      }
    }
    if (rows.size() < q.limit) break;
    q.after = rows.back().transfer.position;
  }
  q.after.reset();
  EXPECT_EQ(seen, expected(all_, q));
  // Newest first, with a cursor below the reverted range: unaffected by it.
  Snapshot::HistoryQuery nq;
  nq.address = X;
  nq.after = decode::Position{108, 0, 0};
  nq.limit = 1000;
  ASSERT_OK_AND_ASSIGN(auto below, snap(*store_)->address_history(nq));
  nq.after.reset();
  nq.to_block = 107;
  EXPECT_EQ(plain(below), expected(all_, nq));
}

TEST_F(StoreQueryTest, CursorOutsideTheBlockRange) {
  open();
  fill(30, 5);
  auto s = snap(*store_);
  for (bool newest : {true, false}) {
    for (auto after : {decode::Position{105, 0, 0}, decode::Position{125, 3, 1}, decode::Position{200, 0, 0}, decode::Position{0, 0, 0}}) {
      Snapshot::HistoryQuery q;
      q.address = Y;
      q.newest_first = newest;
      q.from_block = 110;
      q.to_block = 120;
      q.after = after;
      q.limit = 1000;
      auto want = expected(all_, q);
      want.erase(std::remove_if(want.begin(), want.end(),
                                [&](const auto& t) { return newest ? !(t.position < after) : !(after < t.position); }),
                 want.end());
      ASSERT_OK_AND_ASSIGN(auto rows, s->address_history(q));
      EXPECT_EQ(plain(rows), want) << "newest " << newest << " after " << after.block_num;
      Snapshot::TokenQuery tq;
      tq.token = usdt();
      tq.newest_first = newest;
      tq.from_block = 110;
      tq.to_block = 120;
      tq.after = after;
      tq.limit = 1000;
      auto twant = expected(all_, tq);
      twant.erase(std::remove_if(twant.begin(), twant.end(),
                                 [&](const auto& t) { return newest ? !(t.position < after) : !(after < t.position); }),
                  twant.end());
      ASSERT_OK_AND_ASSIGN(auto trows, s->token_history(tq));
      EXPECT_EQ(plain(trows), twant);
    }
  }
}

TEST_F(StoreQueryTest, ByTxidFindsEveryTransferOfATransactionAndNoTwin) {
  open();
  const chain::TxId t1 = make_txid(1);
  const chain::TxId t1_twin = txid_twin(t1, 0x33);
  ASSERT_TRUE(std::equal(t1.hash.bytes.begin(), t1.hash.bytes.begin() + 8, t1_twin.hash.bytes.begin()));
  const std::vector<decode::Transfer> b1 = {
      trc20(101, 0, 0, usdt(), X, Y, amount_u64(1), t1), trc20(101, 0, 1, token_b(), Y, Z, amount_u64(2), t1),
      trc20(101, 0, 5, usdt(), Z, X, amount_u64(3), t1), trc20(101, 1, 0, usdt(), X, Y, amount_u64(4), t1_twin),
      trx(101, 2, X, Y, 5, make_txid(2)),
  };
  const std::vector<decode::Transfer> b2 = {trc20(102, 0, 0, usdt(), Y, X, amount_u64(6), t1_twin)};
  apply_commit(*store_, chain_.push(), b1);
  apply_commit(*store_, chain_.push(), b2);
  auto s = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto r1, s->by_txid(t1));
  EXPECT_EQ(plain(r1), (std::vector<decode::Transfer>{b1[0], b1[1], b1[2]}));
  for (const auto& r : r1) EXPECT_EQ(r.block_id, make_block_id(101));
  ASSERT_OK_AND_ASSIGN(auto r2, s->by_txid(t1_twin));
  EXPECT_EQ(plain(r2), (std::vector<decode::Transfer>{b1[3], b2[0]}));
  ASSERT_OK_AND_ASSIGN(auto r3, s->by_txid(make_txid(2)));
  EXPECT_EQ(plain(r3), (std::vector<decode::Transfer>{b1[4]}));
  ASSERT_OK_AND_ASSIGN(auto r4, s->by_txid(make_txid(3)));
  EXPECT_THAT(r4, IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto r5, s->by_txid(txid_twin(t1, 0x44)));
  EXPECT_THAT(r5, IsEmpty());
  // The twin in block 102 goes away with a revert, the one in 101 stays.
  revert_commit(*store_);
  chain_.pop();
  ASSERT_OK_AND_ASSIGN(auto r6, snap(*store_)->by_txid(t1_twin));
  EXPECT_EQ(plain(r6), (std::vector<decode::Transfer>{b1[3]}));
}

TEST_F(StoreQueryTest, ByTxidOfATransactionReincludedInAnotherBlockAfterAReorg) {
  open();
  const chain::TxId t = make_txid(77);
  apply_commit(*store_, chain_.push(), {trx(101, 3, X, Y, 1, t)});
  revert_commit(*store_);
  chain_.pop();
  apply_commit(*store_, chain_.push(1), {});
  apply_commit(*store_, chain_.push(1), {trx(102, 0, X, Y, 1, t)});
  ASSERT_OK_AND_ASSIGN(auto rows, snap(*store_)->by_txid(t));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].transfer.position, (decode::Position{102, 0, 0}));
  EXPECT_EQ(rows[0].block_id, make_block_id(102, 1));
}

TEST_F(StoreQueryTest, FirstBlockAtOrAfter) {
  open();
  auto s0 = snap(*store_);
  ASSERT_OK_AND_ASSIGN(auto none, s0->first_block_at_or_after(0));
  EXPECT_FALSE(none.has_value());
  fill(10, 6);  // 101..110, timestamp_of(n)
  auto s = snap(*store_);
  auto at = [&](int64_t ts) { return must(s->first_block_at_or_after(ts), "first_block_at_or_after"); };
  EXPECT_EQ(at(0), std::optional<uint64_t>(101));
  EXPECT_EQ(at(TestChain::timestamp_of(101)), std::optional<uint64_t>(101));
  EXPECT_EQ(at(TestChain::timestamp_of(101) + 1), std::optional<uint64_t>(102));
  for (uint64_t n = 101; n <= 110; ++n) {
    EXPECT_EQ(at(TestChain::timestamp_of(n)), std::optional<uint64_t>(n));
    EXPECT_EQ(at(TestChain::timestamp_of(n) - 1), std::optional<uint64_t>(n));
  }
  EXPECT_EQ(at(TestChain::timestamp_of(110) + 1), std::nullopt);
  EXPECT_EQ(at(INT64_MAX), std::nullopt);
}

TEST_F(StoreQueryTest, SnapshotsAreIsolatedFromLaterCommits) {
  open();
  fill(5, 7);
  auto before = snap(*store_);
  const auto hist_before = all_pages(*before, history_of(X), 1000);
  const std::vector<decode::Transfer> extra = {trx(106, 0, X, Y, 1, make_txid(555))};
  apply_commit(*store_, chain_.push(), extra);
  solidify_commit(*store_, 104);
  watch_commit(*store_, Y);
  EXPECT_EQ(before->tip().block_num, 105u);
  EXPECT_EQ(before->solidified(), 100u);
  EXPECT_EQ(before->next_seq(), 6u);
  ASSERT_OK_AND_ASSIGN(auto b106, before->block(106));
  EXPECT_FALSE(b106.has_value());
  ASSERT_OK_AND_ASSIGN(auto tx, before->by_txid(make_txid(555)));
  EXPECT_THAT(tx, IsEmpty());
  EXPECT_EQ(all_pages(*before, history_of(X), 1000), hist_before);
  ASSERT_OK_AND_ASSIGN(auto j, before->journal(1, 100));
  EXPECT_EQ(j.size(), 5u);
  ASSERT_OK_AND_ASSIGN(auto w, before->watches(true));
  EXPECT_THAT(w, IsEmpty());
  auto after = snap(*store_);
  EXPECT_EQ(after->tip().block_num, 106u);
  ASSERT_OK_AND_ASSIGN(auto tx2, after->by_txid(make_txid(555)));
  EXPECT_EQ(tx2.size(), 1u);
}

// Rows name their canonical block. A final block's version is remembered across queries and snapshots
// (src/store/final_blocks.h); one above the solidified number is read from each snapshot: after a reorg of
// the unsolidified blocks a new snapshot's rows name the new branch's blocks, an older snapshot's the old.
TEST_F(StoreQueryTest, RowsNameTheirCanonicalBlockAcrossAReorgAboveTheFinalBlocks) {
  open();
  auto apply_next = [&](uint64_t fork) {
    const decode::BlockHeader h = chain_.push(fork);
    apply_commit(*store_, h, {trx(h.block_num, 0, X, Y, 1, make_txid(h.block_num))});
  };
  auto block_ids = [](const std::vector<IndexedTransfer>& rows) {
    std::map<uint64_t, chain::BlockId> out;
    for (const auto& r : rows) out[r.transfer.position.block_num] = r.block_id;
    return out;
  };
  for (int i = 0; i < 5; ++i) apply_next(0);  // 101..105
  solidify_commit(*store_, 103);
  const auto before = snap(*store_);
  const auto old_ids = block_ids(all_pages(*before, history_of(X), 1000));  // remembers 101..103
  ASSERT_EQ(old_ids.size(), 5u);
  for (uint64_t n = 101; n <= 105; ++n) EXPECT_EQ(old_ids.at(n), make_block_id(n, 0)) << n;

  for (int i = 0; i < 2; ++i) {  // 105 and 104 reverted, 104' and 105' applied
    revert_commit(*store_);
    chain_.pop();
  }
  for (int i = 0; i < 2; ++i) apply_next(1);
  const auto new_ids = block_ids(all_pages(*snap(*store_), history_of(X), 1000));
  ASSERT_EQ(new_ids.size(), 5u);
  for (uint64_t n = 101; n <= 105; ++n) EXPECT_EQ(new_ids.at(n), make_block_id(n, n <= 103 ? 0 : 1)) << n;
  EXPECT_EQ(block_ids(all_pages(*before, history_of(X), 1000)), old_ids);
}

TEST_F(StoreQueryTest, EverythingIsIntactAfterReopen) {
  open();
  fill(25, 8);
  revert_commit(*store_);
  chain_.pop();
  all_.erase(std::remove_if(all_.begin(), all_.end(), [](const auto& t) { return t.position.block_num > 124; }), all_.end());
  solidify_commit(*store_, 120);
  auto collect = [&](const Snapshot& s) {
    std::vector<std::vector<IndexedTransfer>> out;
    for (const auto& a : kAddrs) out.push_back(all_pages(s, history_of(a), 1000));
    for (const auto& t : kTokens) {
      Snapshot::TokenQuery q;
      q.token = t;
      out.push_back(all_pages(s, q, 1000));
    }
    return out;
  };
  const auto before = collect(*snap(*store_));
  const auto journal_before = whole_journal(*snap(*store_));
  const Store::State st = store_->state();
  store_.reset();
  store_ = open_store(dir_.path(), all_mode());
  auto s = snap(*store_);
  EXPECT_EQ(collect(*s), before);
  EXPECT_EQ(store_->state().tip, st.tip);
  EXPECT_EQ(store_->state().solidified, 120u);
  EXPECT_EQ(store_->state().next_seq, st.next_seq);
  EXPECT_EQ(whole_journal(*s).size(), journal_before.size());
  Snapshot::HistoryQuery q = history_of(X);
  q.limit = 1000;
  EXPECT_EQ(plain(must(s->address_history(q), "history")), expected(all_, q));
  // And it keeps working: a new block applies on top of the reopened tip.
  apply_commit(*store_, chain_.push(), {trx(125, 0, X, Y, 1, make_txid(42))});
}

TEST(StoreQueryHighBlocks, TransfersNearTheTopOfTheBlockNumberRangeAreFound) {
  TempDir dir;
  TestChain chain(0xFEFFFFFE);  // blocks 0xFEFFFFFF, 0xFF000000, 0xFF000001
  auto store = open_store(dir.path(), all_mode());
  ASSERT_OK(store->set_base(chain.base()));
  std::vector<decode::Transfer> all;
  for (int i = 0; i < 3; ++i) {
    const decode::BlockHeader h = chain.push();
    const std::vector<decode::Transfer> ts = {trx(h.block_num, 0, X, Y, 1, make_txid(h.block_num))};
    apply_commit(*store, h, ts);
    all.insert(all.end(), ts.begin(), ts.end());
  }
  auto s = snap(*store);
  for (bool newest : {true, false}) {
    Snapshot::HistoryQuery q;
    q.address = X;
    q.newest_first = newest;
    ASSERT_OK_AND_ASSIGN(auto rows, s->address_history(q));
    EXPECT_EQ(plain(rows), expected(all, q));
    Snapshot::TokenQuery tq;
    tq.token = decode::trx_token();
    tq.newest_first = newest;
    ASSERT_OK_AND_ASSIGN(auto trows, s->token_history(tq));
    EXPECT_EQ(plain(trows), expected(all, tq));
  }
  EXPECT_THAT(check_invariants(*store), IsEmpty());
}

}  // namespace
}  // namespace tronidx::store::testing
