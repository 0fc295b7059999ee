// The sorted-runs memtable (src/store/run_memtable.h) against a model: a real RocksDB whose only
// column family uses it, written in batches whose keys are sorted (long runs, as IndexWrites hands them
// in), unsorted (a run per key) or repeated, with deletes; every read path (forward and backward
// iteration, Seek, SeekForPrev, Get, snapshots, iterators that outlive their memtable, concurrent readers)
// must see exactly the model.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "run_memtable.h"
#include "store_test_util.h"

namespace tronidx::store {
namespace {

using Model = std::map<std::string, std::string>;
using Rows = std::vector<std::pair<std::string, std::string>>;

class SortedRunsMemtable : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open() {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.allow_concurrent_memtable_write = false;
    o.memtable_factory = std::make_shared<SortedRunsRepFactory>();
    o.write_buffer_size = 64 << 20;  // everything stays in the memtable until the test flushes
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir_.path(), &raw).ok());
    db_.reset(raw);
  }

  // Keys from a small space, so that batches overwrite and delete each other's keys.
  std::string random_key() { return "k" + std::to_string(rng_() % 2000); }

  enum class Order { kSorted, kUnsorted };
  // One batch of `n` operations (a quarter deletes), applied to the DB and the model.
  void write_batch(size_t n, Order order) {
    std::vector<std::string> keys;
    for (size_t i = 0; i < n; ++i) keys.push_back(random_key());
    if (order == Order::kSorted) std::sort(keys.begin(), keys.end());
    rocksdb::WriteBatch b;
    for (const auto& k : keys) {
      if (rng_() % 4 == 0) {
        ASSERT_TRUE(b.Delete(k).ok());
        model_.erase(k);
      } else {
        const std::string v = "v" + std::to_string(version_++);
        ASSERT_TRUE(b.Put(k, v).ok());
        model_[k] = v;
      }
    }
    ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &b).ok());
  }

  // Every read path against `model` (as of `snap`, when given).
  void expect_reads(const Model& model, const rocksdb::Snapshot* snap = nullptr) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    Rows forward;
    for (it->SeekToFirst(); it->Valid(); it->Next()) forward.emplace_back(it->key().ToString(), it->value().ToString());
    ASSERT_TRUE(it->status().ok());
    const Rows expected(model.begin(), model.end());
    EXPECT_EQ(forward, expected);
    std::vector<std::string> backward;
    for (it->SeekToLast(); it->Valid(); it->Prev()) backward.push_back(it->key().ToString());
    std::vector<std::string> expected_backward;
    for (auto m = model.rbegin(); m != model.rend(); ++m) expected_backward.push_back(m->first);
    EXPECT_EQ(backward, expected_backward);
    for (int i = 0; i < 100; ++i) {
      // Targets between and on keys: "k123" and "k123~" (just after it).
      std::string target = random_key();
      if (rng_() % 2 == 0) target += "~";
      it->Seek(target);
      auto lb = model.lower_bound(target);
      ASSERT_EQ(it->Valid(), lb != model.end()) << target;
      if (lb != model.end()) {
        EXPECT_EQ(it->key().ToString(), lb->first) << target;
      }
      it->SeekForPrev(target);
      auto ub = model.upper_bound(target);
      ASSERT_EQ(it->Valid(), ub != model.begin()) << target;
      if (ub != model.begin()) {
        EXPECT_EQ(it->key().ToString(), std::prev(ub)->first) << target;
      }
      std::string value;
      const auto s = db_->Get(ro, target, &value);
      auto m = model.find(target);
      ASSERT_EQ(s.ok(), m != model.end()) << target << ": " << s.ToString();
      if (m != model.end()) {
        EXPECT_EQ(value, m->second);
      }
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::mt19937_64 rng_{42};
  Model model_;
  uint64_t version_ = 0;
};

TEST_F(SortedRunsMemtable, SortedBatchesReadBackLikeTheModel) {
  for (int i = 0; i < 20; ++i) {
    write_batch(300, Order::kSorted);
    expect_reads(model_);
  }
}

TEST_F(SortedRunsMemtable, UnsortedAndRepeatedKeysReadBackLikeTheModel) {
  for (int i = 0; i < 20; ++i) {
    write_batch(300, i % 2 == 0 ? Order::kUnsorted : Order::kSorted);
    expect_reads(model_);
  }
  // A batch that writes one key many times: each write is its own (descending) run.
  rocksdb::WriteBatch b;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(b.Put("k7", "again" + std::to_string(i)).ok());
  ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &b).ok());
  model_["k7"] = "again49";
  expect_reads(model_);
}

TEST_F(SortedRunsMemtable, SnapshotsSeeTheirPrefix) {
  write_batch(500, Order::kSorted);
  const Model then = model_;
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  for (int i = 0; i < 5; ++i) write_batch(500, Order::kSorted);
  expect_reads(then, snap);
  expect_reads(model_);
  db_->ReleaseSnapshot(snap);
}

TEST_F(SortedRunsMemtable, FlushedAndImmutableMemtablesReadBackLikeTheModel) {
  for (int i = 0; i < 10; ++i) write_batch(400, i % 3 == 0 ? Order::kUnsorted : Order::kSorted);
  // An iterator opened on the mutable memtable, kept across the flush that makes it immutable, then
  // written to disk and dropped: it still reads what it saw, and is destroyed after its memtable.
  const Model before = model_;
  std::unique_ptr<rocksdb::Iterator> kept(db_->NewIterator(rocksdb::ReadOptions()));
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
  for (int i = 0; i < 5; ++i) write_batch(400, Order::kSorted);
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
  Model seen;
  for (kept->SeekToFirst(); kept->Valid(); kept->Next()) seen[kept->key().ToString()] = kept->value().ToString();
  EXPECT_EQ(seen, before);
  kept.reset();
  expect_reads(model_);
  // And after a reopen (the flushed tables, an empty memtable).
  db_.reset();
  open();
  expect_reads(model_);
}

TEST_F(SortedRunsMemtable, ReadersDuringWritesSeeWholeBatches) {
  // Every batch rewrites all 100 keys with its number: a reader must never see two numbers at once.
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
        std::optional<std::string> first;
        int count = 0;
        for (it->SeekToFirst(); it->Valid(); it->Next(), ++count) {
          if (!first) first = it->value().ToString();
          if (it->value().ToString() != *first) ++torn;
        }
        if (count != 0 && count != 100) ++torn;
        ++reads;
      }
    });
  }
  for (int batch = 0; batch < 300; ++batch) {
    rocksdb::WriteBatch b;
    for (int k = 0; k < 100; ++k) ASSERT_TRUE(b.Put("key" + std::to_string(1000 + k), std::to_string(batch)).ok());
    ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &b).ok());
    if (batch % 100 == 99) {
      ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
    }
  }
  while (reads.load() < 50) std::this_thread::yield();
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(torn.load(), 0);
}

}  // namespace
}  // namespace tronidx::store
