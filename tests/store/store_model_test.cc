// Randomized model test: random sequences of apply (random transfers), revert, solidify, watch/unwatch,
// backfill and prune, committed in random group sizes with reopens in between. After every commit the
// CommitResult and the state are compared with a simple in-memory model; every few commits (and at the
// end) every query, the journal, the watches and the invariants are compared too.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <sstream>
#include <random>
#include <set>

#include "invariants.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

using ::testing::IsEmpty;

struct MTransfer {
  decode::Transfer t;
  bool backfilled = false;
  uint64_t backfill_seq = 0;
  bool idx_from = false;  // by_address entry for `from` (outgoing)
  bool idx_to = false;    // by_address entry for `to` (incoming)
};

struct MBlock {
  BlockInfo info;
  std::vector<decode::Transfer> node;           // everything the node had in the block
  std::map<decode::Position, MTransfer> stored;  // what the index holds for this version
};

struct MWatch {
  chain::Address address;
  std::string label;
  uint64_t since = 0, added = 0, removed = 0;
};

// The whole model state; a transaction works on a copy that replaces the committed one on commit.
struct Model {
  ModeConfig mode;
  ChainPoint base;
  std::vector<MBlock> versions;  // every version ever applied and not pruned, in apply order
  std::vector<size_t> stack;     // canonical versions by height (indexes into versions)
  uint64_t solidified = 0, next_seq = 1, journal_first = 1;
  std::vector<MWatch> watches;
  std::vector<JournalRecord> journal;  // with transfers for APPLY/REVERT (as committed) and BACKFILL
  // Transaction-local.
  std::set<uint64_t> applied_in_txn, backfilled_in_txn;
  size_t txn_first_record = 0;
  int backfill_inserted = 0, backfill_existing = 0;  // statistics

  ChainPoint tip() const {
    if (stack.empty()) return base;
    const BlockInfo& b = versions[stack.back()].info;
    return ChainPoint{b.block_num, b.id};
  }
  bool watched(const chain::Address& a) const {
    for (auto it = watches.rbegin(); it != watches.rend(); ++it) {
      if (it->address == a) return it->removed == 0;
    }
    return false;
  }
  const MBlock* canonical(uint64_t num) const {
    if (num <= base.block_num || num > tip().block_num) return nullptr;
    return &versions[stack[num - base.block_num - 1]];
  }
  MBlock* canonical(uint64_t num) { return const_cast<MBlock*>(std::as_const(*this).canonical(num)); }
  JournalRecord& add(RecordType type) {
    JournalRecord& r = journal.emplace_back();
    r.seq = next_seq++;
    r.type = type;
    return r;
  }
  static IndexedTransfer indexed(const MTransfer& m, const BlockInfo& b) {
    return IndexedTransfer{m.t, b.id, b.timestamp_ms, m.backfilled, m.backfill_seq};
  }

  Status apply(const decode::BlockHeader& h, uint32_t tx_count, const std::vector<decode::Transfer>& node) {
    const ChainPoint t = tip();
    if (h.block_num != t.block_num + 1 || h.parent_id != t.id) return make_error(Errc::kFailedPrecondition, "");
    JournalRecord& r = add(RecordType::kApply);
    MBlock b;
    b.info = BlockInfo{h.block_num, h.id, h.parent_id, h.timestamp_ms, tx_count, 0, r.seq, 0};
    b.node = node;
    const bool all = mode.kind == ModeConfig::Kind::kAll;
    for (const auto& x : node) {
      if (all ? !mode.indexes_token(x.token) : !(watched(x.from) || watched(x.to))) continue;
      b.stored[x.position] = MTransfer{x, false, 0, all || watched(x.from), all || watched(x.to)};
      r.transfers.push_back(IndexedTransfer{x, h.id, h.timestamp_ms, false, 0});
    }
    b.info.transfer_count = static_cast<uint32_t>(r.transfers.size());
    r.block = b.info;
    versions.push_back(std::move(b));
    stack.push_back(versions.size() - 1);
    applied_in_txn.insert(h.block_num);
    return ok_status();
  }

  Status revert() {
    const uint64_t n = tip().block_num;
    if (stack.empty() || n <= solidified || applied_in_txn.count(n) || backfilled_in_txn.count(n)) {
      return make_error(Errc::kFailedPrecondition, "");
    }
    MBlock& b = versions[stack.back()];
    JournalRecord& r = add(RecordType::kRevert);
    b.info.revert_seq = r.seq;
    r.block = b.info;
    for (const auto& [pos, m] : b.stored) r.transfers.push_back(indexed(m, b.info));
    stack.pop_back();
    return ok_status();
  }

  void solidify(uint64_t n) {
    const uint64_t m = std::min(n, tip().block_num);
    if (m <= solidified) return;
    JournalRecord& r = add(RecordType::kSolidify);
    r.solidified = m;
    r.previous_solidified = solidified;
    solidified = m;
  }

  void watch(const chain::Address& a, const std::string& label, uint64_t since) {
    if (watched(a)) return;
    JournalRecord& r = add(RecordType::kWatch);
    r.address = a;
    r.watch_on = true;
    watches.push_back(MWatch{a, label, since, r.seq, 0});
  }

  void unwatch(const chain::Address& a) {
    if (!watched(a)) return;
    JournalRecord& r = add(RecordType::kWatch);
    r.address = a;
    r.watch_on = false;
    for (auto it = watches.rbegin(); it != watches.rend(); ++it) {
      if (it->address == a) {
        it->removed = r.seq;
        break;
      }
    }
  }

  Status backfill(const chain::Address& a, const std::vector<IndexedTransfer>& ts) {
    for (const auto& in : ts) {
      const uint64_t n = in.transfer.position.block_num;
      if (in.transfer.from != a && in.transfer.to != a) return make_error(Errc::kInvalidArgument, "");
      if (!mode.indexes_token(in.transfer.token)) return make_error(Errc::kInvalidArgument, "");
      if (n > tip().block_num || applied_in_txn.count(n)) return make_error(Errc::kAborted, "");
      const MBlock* b = canonical(n);
      if (b == nullptr || b->info.id != in.block_id) return make_error(Errc::kAborted, "");
    }
    JournalRecord& r = add(RecordType::kBackfill);
    r.address = a;
    for (const auto& in : ts) {
      const decode::Transfer& t = in.transfer;
      MBlock& b = *canonical(t.position.block_num);
      auto it = b.stored.find(t.position);
      IndexedTransfer out = in;
      out.timestamp_ms = b.info.timestamp_ms;
      if (it != b.stored.end()) {
        it->second.idx_from = it->second.idx_from || t.from == a;
        it->second.idx_to = it->second.idx_to || t.to == a;
        out.backfilled = it->second.backfilled;
        out.backfill_seq = it->second.backfill_seq;
        ++backfill_existing;
      } else {
        b.stored[t.position] = MTransfer{t, true, r.seq, t.from == a || watched(t.from), t.to == a || watched(t.to)};
        out.backfilled = true;
        out.backfill_seq = r.seq;
        ++backfill_inserted;
      }
      r.transfers.push_back(out);
      backfilled_in_txn.insert(t.position.block_num);
    }
    return ok_status();
  }

  void prune(uint64_t keep) {
    keep = std::min(keep, next_seq);
    if (keep <= journal_first) return;
    // Versions whose REVERT record goes are dropped; indexes into `versions` must be remapped.
    std::vector<MBlock> kept;
    std::map<size_t, size_t> remap;
    for (size_t i = 0; i < versions.size(); ++i) {
      if (versions[i].info.revert_seq != 0 && versions[i].info.revert_seq < keep) continue;
      remap[i] = kept.size();
      kept.push_back(std::move(versions[i]));
    }
    versions = std::move(kept);
    for (auto& s : stack) s = remap.at(s);
    journal.erase(std::remove_if(journal.begin(), journal.end(), [&](const JournalRecord& r) { return r.seq < keep; }),
                  journal.end());
    journal_first = keep;
  }

  // ---- queries ----
  std::vector<IndexedTransfer> history(const Snapshot::HistoryQuery& q) const {
    std::vector<IndexedTransfer> out;
    for (size_t i : stack) {
      const MBlock& b = versions[i];
      if (b.info.block_num < q.from_block || b.info.block_num > q.to_block) continue;
      for (const auto& [pos, m] : b.stored) {
        const bool in = m.t.to == q.address && m.idx_to && q.direction != Direction::kOut;
        const bool outgoing = m.t.from == q.address && m.idx_from && q.direction != Direction::kIn;
        if (!in && !outgoing) continue;
        if (q.token && m.t.token != *q.token) continue;
        out.push_back(indexed(m, b.info));
      }
    }
    if (q.newest_first) std::reverse(out.begin(), out.end());
    return out;
  }
  std::vector<IndexedTransfer> token_history(const Snapshot::TokenQuery& q) const {
    std::vector<IndexedTransfer> out;
    for (size_t i : stack) {
      const MBlock& b = versions[i];
      if (b.info.block_num < q.from_block || b.info.block_num > q.to_block) continue;
      for (const auto& [pos, m] : b.stored) {
        if (m.t.token == q.token) out.push_back(indexed(m, b.info));
      }
    }
    if (q.newest_first) std::reverse(out.begin(), out.end());
    return out;
  }
  std::vector<IndexedTransfer> by_txid(const chain::TxId& txid) const {
    std::vector<IndexedTransfer> out;
    for (size_t i : stack) {
      for (const auto& [pos, m] : versions[i].stored) {
        if (m.t.txid == txid) out.push_back(indexed(m, versions[i].info));
      }
    }
    return out;
  }
  std::vector<IndexedTransfer> block_transfers(const MBlock& b, uint64_t as_of) const {
    std::vector<IndexedTransfer> out;
    for (const auto& [pos, m] : b.stored) {
      if (!m.backfilled || m.backfill_seq < as_of) out.push_back(indexed(m, b.info));
    }
    return out;
  }
  std::optional<BlockInfo> block_as_of(uint64_t num, uint64_t seq) const {
    for (const auto& v : versions) {
      if (v.info.block_num == num && v.info.apply_seq < seq && (v.info.revert_seq == 0 || v.info.revert_seq >= seq)) {
        return v.info;
      }
    }
    return std::nullopt;
  }
};

void expect_block_eq(const BlockInfo& a, const BlockInfo& b, const std::string& what) {
  EXPECT_TRUE(a.block_num == b.block_num && a.id == b.id && a.parent_id == b.parent_id &&
              a.timestamp_ms == b.timestamp_ms && a.tx_count == b.tx_count && a.transfer_count == b.transfer_count &&
              a.apply_seq == b.apply_seq && a.revert_seq == b.revert_seq)
      << what << ": block " << a.block_num << "@" << a.apply_seq << "/" << a.revert_seq << " vs " << b.block_num << "@"
      << b.apply_seq << "/" << b.revert_seq;
}

void expect_record_eq(const JournalRecord& got, const JournalRecord& want, bool with_block_transfers) {
  SCOPED_TRACE(std::string("record ") + std::to_string(want.seq) + " " + record_type_name(want.type));
  ASSERT_EQ(got.seq, want.seq);
  ASSERT_EQ(got.type, want.type);
  EXPECT_EQ(got.tip_after, want.tip_after);
  EXPECT_EQ(got.solidified_after, want.solidified_after);
  const bool block_record = want.type == RecordType::kApply || want.type == RecordType::kRevert;
  EXPECT_EQ(got.has_transfers, want.type == RecordType::kBackfill || (block_record && with_block_transfers));
  switch (want.type) {
    case RecordType::kApply:
    case RecordType::kRevert:
      expect_block_eq(got.block, want.block, "record block");
      if (with_block_transfers) {
        EXPECT_EQ(got.transfers, want.transfers);
      } else {
        EXPECT_THAT(got.transfers, IsEmpty());
      }
      break;
    case RecordType::kSolidify:
      EXPECT_EQ(got.solidified, want.solidified);
      EXPECT_EQ(got.previous_solidified, want.previous_solidified);
      break;
    case RecordType::kWatch:
      EXPECT_EQ(got.address, want.address);
      EXPECT_EQ(got.watch_on, want.watch_on);
      break;
    case RecordType::kBackfill:
      EXPECT_EQ(got.address, want.address);
      EXPECT_EQ(got.transfers, want.transfers);
      break;
  }
}

// What a run exercised; a run that stops exercising something fails instead of passing vacuously.
struct Stats {
  struct Count {
    int ok = 0, failed = 0;
  };
  std::map<std::string, Count> ops;
  int backfilled_inserted = 0, backfilled_existing = 0, prunes = 0, reopens = 0, full_checks = 0;
  int max_versions_at_a_height = 0;
};

class ModelRun {
 public:
  // `ingest`: every open picks how large a commit must be to go in as ingested table files (src/store/
  // ingest.h): always, from 30 writes (so batches and ingestions interleave), or never.
  ModelRun(ModeConfig mode, uint64_t seed, bool ingest = false) : rng_(seed), ingest_(ingest), ingest_rng_(seed) {
    model_.mode = mode;
    model_.base = chain_.base();
    model_.solidified = chain_.base().block_num;
    const chain::Address x = make_address(seed * 100 + 1);
    pool_ = {x, prefix_twin(x, 0x21)};
    for (uint64_t i = 2; i < 8; ++i) pool_.push_back(make_address(seed * 100 + i));
    tokens_ = {usdt(), token_b(), decode::trx_token(), decode::trc10_token(1002000)};
    open();
    must(store_->set_base(chain_.base()), "set_base");
  }

  void run(int commits) {
    for (int c = 0; c < commits && !::testing::Test::HasFatalFailure(); ++c) {
      one_commit();
      if (::testing::Test::HasFailure()) return;
      if (rng_() % 12 == 0) reopen();
      if (rng_() % 15 == 0) {
        const uint64_t keep = model_.journal_first + rng_() % (model_.next_seq - model_.journal_first + 3);
        must(store_->prune_journal(keep), "prune_journal");
        model_.prune(keep);
        ++stats_.prunes;
      }
      if (c % 6 == 5) full_check();
      if (::testing::Test::HasFailure()) {
        ADD_FAILURE() << "diverged after commit " << c;
        return;
      }
    }
    reopen();
    full_check();
    stats_.backfilled_inserted = model_.backfill_inserted;
    stats_.backfilled_existing = model_.backfill_existing;
    std::map<uint64_t, int> per_height;
    for (const auto& v : model_.versions) {
      stats_.max_versions_at_a_height = std::max(stats_.max_versions_at_a_height, ++per_height[v.info.block_num]);
    }
    std::ostringstream os;
    for (const auto& [name, c] : stats_.ops) os << name << " " << c.ok << " ok/" << c.failed << " refused; ";
    os << "backfilled transfers " << stats_.backfilled_inserted << " new/" << stats_.backfilled_existing
       << " existing; prunes " << stats_.prunes << "; reopens " << stats_.reopens << "; full checks " << stats_.full_checks
       << "; max versions at a height " << stats_.max_versions_at_a_height << "; tip " << model_.tip().block_num
       << "; next_seq " << model_.next_seq;
    std::cout << "[ stats    ] " << os.str() << "\n";
  }

  const Stats& stats() const { return stats_; }

 private:
  bool chance(unsigned percent) { return rng_() % 100 < percent; }
  const chain::Address& any_address() { return pool_[rng_() % pool_.size()]; }

  chain::Amount random_amount() {
    if (chance(15)) {
      std::array<uint8_t, 32> word{};
      const size_t len = 9 + rng_() % 24;
      for (size_t i = 32 - len; i < 32; ++i) word[i] = static_cast<uint8_t>(rng_());
      word[32 - len] |= 1;
      return chain::Amount::from_word(word);
    }
    return chain::Amount(rng_() % 10'000'000);
  }

  std::vector<decode::Transfer> random_node_block(uint64_t n, uint64_t fork) {
    std::vector<decode::Transfer> out;
    uint32_t tx = static_cast<uint32_t>(rng_() % 3);
    const int txs = static_cast<int>(rng_() % 5);
    for (int i = 0; i < txs; ++i, tx += 1 + static_cast<uint32_t>(rng_() % 3)) {
      // Usually a fresh txid; sometimes one re-included from another branch at the same height.
      const chain::TxId txid = make_txid((n * 131 + tx) * 7 + (chance(30) ? 0 : fork + 1));
      const int kind = static_cast<int>(rng_() % 4);
      if (kind == 2) {
        out.push_back(trx(n, tx, any_address(), any_address(), rng_() % 1000, txid));
      } else if (kind == 3) {
        out.push_back(trc10(n, tx, 1002000, any_address(), any_address(), rng_() % 1000, txid));
      } else {
        uint32_t ev = static_cast<uint32_t>(rng_() % 2);
        const int events = 1 + static_cast<int>(rng_() % 3);
        for (int e = 0; e < events; ++e, ev += 1 + static_cast<uint32_t>(rng_() % 2)) {
          out.push_back(trc20(n, tx, ev, tokens_[rng_() % 2], any_address(), any_address(), random_amount(), txid));
        }
      }
    }
    return out;
  }

  template <class F>
  void op(WriteTxn& txn, Model& pending, const char* what, F&& both) {
    const size_t before = pending.journal.size();
    auto [got, want] = both(txn, pending);
    stamp(pending, before);
    Stats::Count& c = stats_.ops[what];
    ++(got.ok() ? c.ok : c.failed);
    if (want.ok()) {
      ASSERT_TRUE(got.ok()) << what << ": " << TRONIDX_STATUS_MSG(got);
    } else {
      ASSERT_FALSE(got.ok()) << what << " succeeded, the model expects " << errc_name(want.error().code);
      EXPECT_EQ(got.error().code, want.error().code) << what << ": " << got.error().message;
    }
  }

  // The state right after each record (JournalRecord::tip_after / solidified_after).
  static void stamp(Model& m, size_t first_new) {
    for (size_t i = first_new; i < m.journal.size(); ++i) {
      m.journal[i].tip_after = m.tip().block_num;
      m.journal[i].solidified_after = m.solidified;
    }
  }

  void one_commit() {
    Model pending = model_;
    pending.applied_in_txn.clear();
    pending.backfilled_in_txn.clear();
    pending.txn_first_record = pending.journal.size();
    WriteTxn txn = store_->begin();
    const int ops = 1 + static_cast<int>(rng_() % 4);
    for (int i = 0; i < ops && !::testing::Test::HasFatalFailure(); ++i) {
      const unsigned r = static_cast<unsigned>(rng_() % 100);
      if (r < 40) {
        const uint64_t fork = rng_() % 3;
        const ChainPoint t = pending.tip();
        decode::BlockHeader h;
        h.block_num = t.block_num + 1;
        h.id = make_block_id(h.block_num, fork);
        h.parent_id = t.id;
        h.timestamp_ms = TestChain::timestamp_of(h.block_num);
        if (chance(3)) h.parent_id = make_block_id(t.block_num, 17);  // does not connect
        const auto node = random_node_block(h.block_num, fork);
        const uint32_t tx_count = static_cast<uint32_t>(node.size() + rng_() % 3);
        op(txn, pending, "apply_block", [&](WriteTxn& w, Model& m) {
          return std::pair{w.apply_block(h, tx_count, node), m.apply(h, tx_count, node)};
        });
      } else if (r < 58) {
        op(txn, pending, "revert_tip", [&](WriteTxn& w, Model& m) { return std::pair{w.revert_tip(), m.revert()}; });
      } else if (r < 66) {
        const uint64_t n = pending.solidified + rng_() % 6;
        const size_t before = pending.journal.size();
        pending.solidify(n);
        stamp(pending, before);
        ASSERT_OK(txn.solidify(n));
      } else if (r < 78) {
        const chain::Address& a = any_address();
        const std::string label = "label-" + std::to_string(rng_() % 1000);
        const uint64_t since = rng_() % 200;
        const size_t before = pending.journal.size();
        pending.watch(a, label, since);
        stamp(pending, before);
        ASSERT_OK(txn.watch(a, label, since));
      } else if (r < 86) {
        const chain::Address& a = any_address();
        const size_t before = pending.journal.size();
        pending.unwatch(a);
        stamp(pending, before);
        ASSERT_OK(txn.unwatch(a));
      } else {
        // Backfill a (usually watched) address over a range of the node's canonical blocks.
        const chain::Address& a = any_address();
        const uint64_t tip = pending.tip().block_num;
        std::vector<IndexedTransfer> ts;
        if (tip > pending.base.block_num) {
          const uint64_t lo = tip - rng_() % (tip - pending.base.block_num);
          for (uint64_t n = lo; n <= tip; ++n) {
            const MBlock* b = pending.canonical(n);
            for (const auto& t : b->node) {
              // What a caller passes: the address's transfers of the tokens this database indexes.
              if ((t.from == a || t.to == a) && pending.mode.indexes_token(t.token)) {
                ts.push_back(IndexedTransfer{t, b->info.id, 0, false, 0});
              }
            }
          }
        }
        if (!ts.empty() && chance(10)) ts[rng_() % ts.size()].block_id = make_block_id(ts.back().transfer.position.block_num, 23);
        if (!ts.empty() && chance(5)) ts.push_back(IndexedTransfer{trx(tip, 0, pool_[0] == a ? pool_[2] : pool_[0], pool_[3] == a ? pool_[4] : pool_[3], 1, make_txid(5)), pending.tip().id, 0, false, 0});
        if (!ts.empty() && chance(10)) ts.push_back(ts.front());
        op(txn, pending, "backfill", [&](WriteTxn& w, Model& m) { return std::pair{w.backfill(a, ts), m.backfill(a, ts)}; });
      }
      ASSERT_EQ(txn.record_count(), pending.journal.size() - pending.txn_first_record) << "after op " << i;
      ASSERT_EQ(txn.tip(), pending.tip());
      ASSERT_EQ(txn.solidified(), pending.solidified);
    }
    if (::testing::Test::HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(CommitResult result, store_->commit(std::move(txn)));
    const size_t expect = pending.journal.size() - pending.txn_first_record;
    ASSERT_EQ(result.records.size(), expect);
    for (size_t i = 0; i < expect; ++i) {
      expect_record_eq(result.records[i], pending.journal[pending.txn_first_record + i], true);
    }
    model_ = std::move(pending);
    const Store::State st = store_->state();
    ASSERT_EQ(st.tip, model_.tip());
    ASSERT_EQ(st.solidified, model_.solidified);
    ASSERT_EQ(st.next_seq, model_.next_seq);
    ASSERT_EQ(st.journal_first, model_.journal_first);
    ++commits_;
  }

  void reopen() {
    ++stats_.reopens;
    store_.reset();
    open();
  }

  void open() {
    OpenOptions o = open_options(dir_.path(), model_.mode);
    if (ingest_) {
      const size_t thresholds[] = {1, 30, 0};
      o.ingest_min_writes = thresholds[ingest_rng_() % 3];
    }
    store_ = must(Store::open(o), "Store::open");
  }

  void full_check() {
    SCOPED_TRACE("full check after " + std::to_string(commits_) + " commits");
    ++stats_.full_checks;
    auto s = snap(*store_);
    ASSERT_EQ(s->tip(), model_.tip());
    ASSERT_EQ(s->next_seq(), model_.next_seq);
    // Histories of every pool address, every shape, with random pages.
    for (const auto& a : pool_) {
      for (auto dir : {Direction::kBoth, Direction::kIn, Direction::kOut}) {
        for (bool newest : {true, false}) {
          Snapshot::HistoryQuery q;
          q.address = a;
          q.direction = dir;
          q.newest_first = newest;
          if (chance(30)) q.token = tokens_[rng_() % tokens_.size()];
          if (chance(30)) {
            q.from_block = model_.base.block_num + rng_() % 20;
            q.to_block = q.from_block + rng_() % 20;
          }
          const auto want = model_.history(q);
          EXPECT_EQ(all_pages(*s, q, 1 + rng_() % 5), want) << a.to_hex() << " dir " << static_cast<int>(dir);
        }
      }
    }
    for (const auto& token : tokens_) {
      for (bool newest : {true, false}) {
        Snapshot::TokenQuery q;
        q.token = token;
        q.newest_first = newest;
        EXPECT_EQ(all_pages(*s, q, 1 + rng_() % 7), model_.token_history(q)) << token.to_hex();
      }
    }
    // by_txid of every txid the node ever produced.
    std::set<chain::TxId> txids;
    for (const auto& v : model_.versions) {
      for (const auto& t : v.node) txids.insert(t.txid);
    }
    for (const auto& txid : txids) {
      if (txids.size() > 150 && !chance(150 * 100 / static_cast<unsigned>(txids.size()))) continue;
      ASSERT_OK_AND_ASSIGN(auto rows, s->by_txid(txid));
      EXPECT_EQ(rows, model_.by_txid(txid)) << txid.to_hex();
    }
    // Blocks and versions.
    uint64_t top = model_.tip().block_num;
    for (const auto& v : model_.versions) top = std::max(top, v.info.block_num);
    for (uint64_t n = model_.base.block_num; n <= top + 1; ++n) {
      ASSERT_OK_AND_ASSIGN(auto b, s->block(n));
      const MBlock* mb = model_.canonical(n);
      ASSERT_EQ(b.has_value(), mb != nullptr) << n;
      if (b) expect_block_eq(*b, mb->info, "block()");
      ASSERT_OK_AND_ASSIGN(auto vs, s->block_versions(n));
      std::vector<const MBlock*> want;
      for (const auto& v : model_.versions) {
        if (v.info.block_num == n) want.push_back(&v);
      }
      ASSERT_EQ(vs.size(), want.size()) << "versions of " << n;
      for (size_t i = 0; i < vs.size(); ++i) {
        expect_block_eq(vs[i], want[i]->info, "block_versions()");
        const uint64_t as_of = model_.journal_first + rng_() % (model_.next_seq - model_.journal_first + 1);
        ASSERT_OK_AND_ASSIGN(auto ts, s->block_transfers(vs[i], as_of));
        EXPECT_EQ(ts, model_.block_transfers(*want[i], as_of)) << "block_transfers " << n << " as of " << as_of;
      }
      for (int k = 0; k < 8; ++k) {
        const uint64_t seq = model_.journal_first + rng_() % (model_.next_seq - model_.journal_first + 1);
        ASSERT_OK_AND_ASSIGN(auto got, s->block_as_of(n, seq));
        const auto exp = model_.block_as_of(n, seq);
        ASSERT_EQ(got.has_value(), exp.has_value()) << "block_as_of(" << n << ", " << seq << ")";
        if (got) expect_block_eq(*got, *exp, "block_as_of()");
      }
    }
    // The journal.
    const auto journal = whole_journal(*s);
    ASSERT_EQ(journal.size(), model_.journal.size());
    for (size_t i = 0; i < journal.size(); ++i) {
      const JournalRecord& want = model_.journal[i];
      expect_record_eq(journal[i], want, false);
    }
    // Watches and the WatchSet.
    ASSERT_OK_AND_ASSIGN(auto ws, s->watches(true));
    std::vector<MWatch> sorted_model = model_.watches;
    std::sort(sorted_model.begin(), sorted_model.end(), [](const MWatch& a, const MWatch& b) {
      return std::tie(a.address, a.added) < std::tie(b.address, b.added);
    });
    ASSERT_EQ(ws.size(), sorted_model.size());
    for (size_t i = 0; i < ws.size(); ++i) {
      EXPECT_EQ(ws[i].address, sorted_model[i].address);
      EXPECT_EQ(ws[i].label, sorted_model[i].label);
      EXPECT_EQ(ws[i].since_block, sorted_model[i].since);
      EXPECT_EQ(ws[i].added_seq, sorted_model[i].added);
      EXPECT_EQ(ws[i].removed_seq, sorted_model[i].removed);
    }
    for (const auto& a : pool_) {
      EXPECT_EQ(store_->watches().watched_now(a), model_.watched(a));
      for (uint64_t seq = 1; seq <= model_.next_seq; ++seq) {
        bool want = false;
        for (const auto& w : model_.watches) want = want || (w.address == a && w.added < seq && (w.removed == 0 || seq < w.removed));
        EXPECT_EQ(store_->watches().watched_at(a, seq), want) << a.to_hex() << " at " << seq;
      }
    }
    EXPECT_THAT(check_invariants(*store_), IsEmpty());
  }

  std::mt19937_64 rng_;
  bool ingest_ = false;
  std::mt19937_64 ingest_rng_;
  TempDir dir_;
  TestChain chain_;
  std::unique_ptr<Store> store_;
  Model model_;
  std::vector<chain::Address> pool_;
  std::vector<chain::Address> tokens_;
  int commits_ = 0;
  Stats stats_;
};

void expect_coverage(const Stats& s, bool watched) {
  auto ok = [&](const char* op) { return s.ops.count(op) ? s.ops.at(op).ok : 0; };
  auto refused = [&](const char* op) { return s.ops.count(op) ? s.ops.at(op).failed : 0; };
  EXPECT_GE(ok("apply_block"), 40);
  EXPECT_GE(refused("apply_block"), 1);
  EXPECT_GE(ok("revert_tip"), 15);
  EXPECT_GE(refused("revert_tip"), 3);
  EXPECT_GE(ok("backfill"), 10);
  EXPECT_GE(refused("backfill"), 3);
  if (watched) {
    EXPECT_GE(s.backfilled_inserted, 5);
  }
  EXPECT_GE(s.prunes, 2);
  EXPECT_GE(s.reopens, 3);
  EXPECT_GE(s.max_versions_at_a_height, 3);
}

class StoreModelTest : public ::testing::TestWithParam<std::tuple<bool, uint64_t>> {};

TEST_P(StoreModelTest, RandomOperationsMatchTheModel) {
  const auto [all, seed] = GetParam();
  ModeConfig mode = all ? all_mode() : watched_mode();
  ModelRun run(mode, seed);
  run.run(150);
  expect_coverage(run.stats(), !all);
}

TEST_P(StoreModelTest, RandomOperationsCommittedAsIngestionsMatchTheModel) {
  const auto [all, seed] = GetParam();
  ModeConfig mode = all ? all_mode() : watched_mode();
  ModelRun run(mode, seed, /*ingest=*/true);
  run.run(150);
  expect_coverage(run.stats(), !all);
}

INSTANTIATE_TEST_SUITE_P(Seeds, StoreModelTest,
                         ::testing::Combine(::testing::Bool(), ::testing::Values(1, 2, 3)),
                         [](const auto& param_info) {
                           return std::string(std::get<0>(param_info.param) ? "all" : "watched") + "_seed" +
                                  std::to_string(std::get<1>(param_info.param));
                         });

TEST(StoreModelTest, AllModeWithATokenList) {
  ModeConfig mode = all_mode();
  mode.tokens = {usdt(), decode::trx_token()};
  ModelRun run(mode, 9);
  run.run(150);
  expect_coverage(run.stats(), false);
}

}  // namespace
}  // namespace tronidx::store::testing
