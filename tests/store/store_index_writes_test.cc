// IndexWrites (src/store/index_writes.h) hands a commit's index keys to a WriteBatch grouped by family
// and in strictly increasing key order, of the writes of one key only the last queued. Checked against a reference
// order (std::string comparison, i.e. memcmp then length) on real column families of a RocksDB in a temp dir, for small
// and large queues, keys that are prefixes of others, keys sharing their first bytes (one bucket), repeated keys with
// puts and deletes, and queues that arrive sorted; and each family drained on a thread of its own (as a catch-up commit
// builds its table files) hands out the same writes as drain().
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "index_writes.h"
#include "store_test_util.h"

namespace tronidx::store {
namespace {

struct Write {
  uint32_t family;
  std::string key;
  bool erase;
  bool operator==(const Write&) const = default;
};

// Records what a WriteBatch holds, in order.
class Recorder : public rocksdb::WriteBatch::Handler {
 public:
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    EXPECT_TRUE(value.empty());
    writes.push_back({cf, key.ToString(), false});
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    writes.push_back({cf, key.ToString(), true});
    return rocksdb::Status::OK();
  }
  std::vector<Write> writes;
};

class IndexWritesOrder : public ::testing::Test {
 protected:
  void SetUp() override {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {{rocksdb::kDefaultColumnFamilyName, o},
                                                        {"a", o},
                                                        {"b", o}};
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir_.path(), cfs, &handles_, &raw).ok());
    db_.reset(raw);
  }
  void TearDown() override {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  }

  // Queues `writes` into `iw`, in this order.
  void queue(IndexWrites& iw, const std::vector<Write>& writes) {
    for (const auto& w : writes) {
      if (w.erase) {
        iw.erase(handles_[w.family], w.key);
      } else {
        iw.put(handles_[w.family], w.key);
      }
    }
  }

  // Queues `writes` (in this order) into IndexWrites and returns what it emits.
  std::vector<Write> emit(const std::vector<Write>& writes) {
    IndexWrites iw;
    queue(iw, writes);
    EXPECT_EQ(iw.size(), writes.size());
    rocksdb::WriteBatch batch;
    iw.emit_into(batch);
    EXPECT_EQ(iw.size(), 0u);
    Recorder r;
    EXPECT_TRUE(batch.Iterate(&r).ok());
    return r.writes;
  }

  // The expected emission: families in first-use order, each by key (std::string order), of the writes of
  // one key the last queued.
  static std::vector<Write> reference(const std::vector<Write>& writes) {
    std::vector<uint32_t> family_order;
    for (const auto& w : writes) {
      if (std::find(family_order.begin(), family_order.end(), w.family) == family_order.end()) {
        family_order.push_back(w.family);
      }
    }
    std::vector<std::pair<size_t, Write>> indexed;
    for (size_t i = 0; i < writes.size(); ++i) indexed.emplace_back(i, writes[i]);
    std::stable_sort(indexed.begin(), indexed.end(), [&](const auto& x, const auto& y) {
      const auto fx = std::find(family_order.begin(), family_order.end(), x.second.family);
      const auto fy = std::find(family_order.begin(), family_order.end(), y.second.family);
      return std::tie(fx, x.second.key) < std::tie(fy, y.second.key);
    });
    std::vector<Write> out;
    for (size_t n = 0; n < indexed.size(); ++n) {
      const Write& w = indexed[n].second;
      const bool superseded = n + 1 < indexed.size() && indexed[n + 1].second.family == w.family &&
                              indexed[n + 1].second.key == w.key;
      if (!superseded) out.push_back(w);
    }
    return out;
  }

  // `n` writes over both families: random keys of 1..24 bytes drawn from a small set of stems, so that
  // keys repeat and some are prefixes of others; `shared_prefix` makes every key start with the same two
  // bytes (all in one bucket).
  std::vector<Write> random_writes(size_t n, bool shared_prefix) {
    std::vector<std::string> stems;
    for (int i = 0; i < 500; ++i) {
      std::string s(IndexWrites::kMaxKey, '\0');
      for (auto& c : s) c = static_cast<char>(rng_() % 4 == 0 ? 0 : rng_() % 256);  // zero bytes too
      if (shared_prefix) s[0] = '\x41', s[1] = '\x07';
      stems.push_back(s);
    }
    std::vector<Write> writes;
    for (size_t i = 0; i < n; ++i) {
      const std::string& stem = stems[rng_() % stems.size()];
      const size_t len = rng_() % 3 == 0 ? stem.size() : 1 + rng_() % stem.size();
      writes.push_back({1 + static_cast<uint32_t>(rng_() % 2), stem.substr(0, len), rng_() % 5 == 0});
    }
    return writes;
  }

  testing::TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::mt19937_64 rng_{42};
};

TEST_F(IndexWritesOrder, SmallQueueIsEmittedByFamilyThenKeyLastWriteOfAKeyWinning) {
  for (int round = 0; round < 20; ++round) {
    const auto writes = random_writes(300, false);
    ASSERT_EQ(emit(writes), reference(writes)) << "round " << round;
  }
}

TEST_F(IndexWritesOrder, LargeQueueIsEmittedInTheSameOrder) {
  const auto writes = random_writes(60'000, false);
  EXPECT_EQ(emit(writes), reference(writes));
}

TEST_F(IndexWritesOrder, LargeQueueOfKeysSharingTheirFirstBytes) {
  const auto writes = random_writes(60'000, true);
  EXPECT_EQ(emit(writes), reference(writes));
}

// by_token's shape: a 4-byte token ref among a few, then a position; each token's positions queued in
// increasing order, the tokens interleaved (a commit's transfers in block order).
TEST_F(IndexWritesOrder, LargeQueueOfFewLeadingValuesEachInOrderInterleaved) {
  std::vector<Write> writes;
  std::array<uint64_t, 4> pos{};
  for (size_t i = 0; i < 60'000; ++i) {
    const uint32_t ref = static_cast<uint32_t>(rng_() % 4);
    pos[ref] += 1 + rng_() % 3000;
    std::string key(12, '\0');
    for (int b = 0; b < 4; ++b) key[b] = static_cast<char>(ref >> (24 - 8 * b));
    for (int b = 0; b < 8; ++b) key[4 + b] = static_cast<char>(pos[ref] >> (56 - 8 * b));
    writes.push_back({1, key, rng_() % 50 == 0});
  }
  EXPECT_EQ(emit(writes), reference(writes));
}

TEST_F(IndexWritesOrder, QueueThatArrivesSortedStaysInOrder) {
  auto writes = random_writes(20'000, false);
  for (auto& w : writes) w.family = 1;
  writes = reference(writes);
  EXPECT_EQ(emit(writes), writes);
}

TEST_F(IndexWritesOrder, OfAKeysWritesOnlyTheLastQueuedIsEmitted) {
  // k2: delete then put (present); k1: put then delete (absent); "k" in two families.
  const std::vector<Write> writes = {{1, "k2", true}, {1, "k1", false}, {1, "k2", false},
                                     {2, "k", false},  {1, "k1", true},  {1, "k", false}};
  const std::vector<Write> expected = {{1, "k", false}, {1, "k1", true}, {1, "k2", false}, {2, "k", false}};
  EXPECT_EQ(emit(writes), expected);
}

TEST_F(IndexWritesOrder, FamiliesDrainedConcurrentlyHandOutWhatDrainDoes) {
  const auto writes = random_writes(60'000, false);
  IndexWrites iw;
  queue(iw, writes);
  ASSERT_EQ(iw.families(), 2u);
  size_t queued = 0;
  for (size_t i = 0; i < iw.families(); ++i) {
    const auto family = iw.family(i)->GetID();
    EXPECT_EQ(iw.queued(i), static_cast<size_t>(std::count_if(writes.begin(), writes.end(),
                                                              [&](const Write& w) { return w.family == family; })));
    queued += iw.queued(i);
  }
  EXPECT_EQ(queued, iw.size());
  std::vector<std::vector<Write>> drained(iw.families());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < iw.families(); ++i) {
    threads.emplace_back([&, i] {
      iw.drain_family(i, [&](rocksdb::ColumnFamilyHandle* f, std::string_view key, std::string_view value, bool erase) {
        EXPECT_TRUE(value.empty());
        drained[i].push_back({f->GetID(), std::string(key), erase});
      });
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(iw.size(), 0u);
  EXPECT_EQ(iw.queued(0) + iw.queued(1), 0u);
  std::vector<Write> all = drained[0];
  all.insert(all.end(), drained[1].begin(), drained[1].end());
  EXPECT_EQ(all, reference(writes));
}

}  // namespace
}  // namespace tronidx::store
