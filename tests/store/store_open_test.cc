// Store::open: creation, identity checks (genesis, mode), read-only, foreign databases, the process
// lock, instance ids, reopen.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>

#include "invariants.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

ModeConfig all_of(std::vector<chain::Address> tokens) {
  ModeConfig m = all_mode();
  m.tokens = std::move(tokens);
  return m;
}

TEST(StoreOpen, CreateNeedsGenesisAndMode) {
  TempDir dir;
  OpenOptions o = open_options(dir.sub("db"), watched_mode());
  o.genesis_id.reset();
  EXPECT_ERRC(Store::open(o), Errc::kInvalidArgument);
  o = open_options(dir.sub("db2"), watched_mode());
  o.mode.reset();
  EXPECT_ERRC(Store::open(o), Errc::kInvalidArgument);
  // With both it works, and the identity is what was asked for.
  auto store = open_store(dir.sub("db3"), all_of({usdt()}));
  EXPECT_EQ(store->genesis_id(), test_genesis());
  EXPECT_EQ(store->mode(), all_of({usdt()}));
  EXPECT_FALSE(store->read_only());
  EXPECT_EQ(store->path(), dir.sub("db3"));
  const Store::State st = store->state();
  EXPECT_FALSE(st.base.has_value());
  EXPECT_EQ(st.next_seq, 1u);
  EXPECT_EQ(st.journal_first, 1u);
  EXPECT_THAT(check_invariants(*store), IsEmpty());
}

TEST(StoreOpen, ReopenWithSameIdentityOrNoneKeepsEverything) {
  TempDir dir;
  std::array<uint8_t, 16> instance{};
  TestChain chain;
  {
    auto store = open_store(dir.path(), watched_mode());
    instance = store->instance_id();
    ASSERT_OK(store->set_base(chain.base()));
    watch_commit(*store, make_address(1), "alice", 5);
    apply_commit(*store, chain.push(), {trx(101, 0, make_address(1), make_address(2), 7, make_txid(1))}, 3);
  }
  {
    auto store = open_store(dir.path(), watched_mode());
    EXPECT_EQ(store->instance_id(), instance);
    EXPECT_EQ(store->state().tip, chain.tip());
    EXPECT_EQ(store->state().next_seq, 3u);
    EXPECT_TRUE(store->watches().watched_now(make_address(1)));
    EXPECT_THAT(check_invariants(*store), IsEmpty());
  }
  // Identity not given: the stored one is used.
  OpenOptions o = open_options(dir.path(), watched_mode());
  o.genesis_id.reset();
  o.mode.reset();
  ASSERT_OK_AND_ASSIGN(auto store, Store::open(o));
  EXPECT_EQ(store->genesis_id(), test_genesis());
  EXPECT_EQ(store->mode(), watched_mode());
  EXPECT_EQ(store->instance_id(), instance);
}

TEST(StoreOpen, AnotherGenesisIsRefusedNamingBothIds) {
  TempDir dir;
  { open_store(dir.path(), watched_mode()); }
  auto r = Store::open(open_options(dir.path(), watched_mode(), other_genesis()));
  EXPECT_ERRC(r, Errc::kFailedPrecondition);
  EXPECT_THAT(r.error().message, HasSubstr(test_genesis().to_hex()));
  EXPECT_THAT(r.error().message, HasSubstr(other_genesis().to_hex()));
  // And nothing was changed: the right genesis still opens.
  EXPECT_EQ(open_store(dir.path(), watched_mode())->genesis_id(), test_genesis());
}

TEST(StoreOpen, AnotherModeIsRefusedNamingBothModes) {
  TempDir dir;
  { open_store(dir.path(), watched_mode()); }
  auto r = Store::open(open_options(dir.path(), all_mode()));
  EXPECT_ERRC(r, Errc::kFailedPrecondition);
  EXPECT_THAT(r.error().message, HasSubstr("\"watched\""));
  EXPECT_THAT(r.error().message, HasSubstr("\"all:*\""));

  TempDir dir2;
  { open_store(dir2.path(), all_of({usdt(), token_b()})); }
  // Same token set in another order is the same mode.
  EXPECT_OK(Store::open(open_options(dir2.path(), all_of({token_b(), usdt()}))));
  auto r2 = Store::open(open_options(dir2.path(), all_of({usdt()})));
  EXPECT_ERRC(r2, Errc::kFailedPrecondition);
  EXPECT_THAT(r2.error().message, HasSubstr(all_of({usdt()}).to_string()));
  EXPECT_THAT(r2.error().message, HasSubstr(all_of({usdt(), token_b()}).to_string()));
}

TEST(StoreOpen, ReadOnlyOfMissingDirIsAnErrorAndCreatesNothing) {
  TempDir dir;
  OpenOptions o = open_options(dir.sub("missing"), watched_mode());
  o.read_only = true;
  EXPECT_FALSE(Store::open(o).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.sub("missing")));
  // create_if_missing = false, writable: also an error.
  o.read_only = false;
  o.create_if_missing = false;
  EXPECT_FALSE(Store::open(o).ok());
}

TEST(StoreOpen, ReadOnlyOpenWorksBesideTheWriterAndRefusesWrites) {
  TempDir dir;
  TestChain chain;
  auto writer = open_store(dir.path(), all_mode());
  ASSERT_OK(writer->set_base(chain.base()));
  apply_commit(*writer, chain.push(), {trx(101, 0, make_address(1), make_address(2), 7, make_txid(1))});
  OpenOptions o = open_options(dir.path(), all_mode());
  o.read_only = true;
  ASSERT_OK_AND_ASSIGN(auto reader, Store::open(o));
  EXPECT_TRUE(reader->read_only());
  EXPECT_EQ(reader->instance_id(), writer->instance_id());
  EXPECT_EQ(reader->state().tip, chain.tip());
  auto s = snap(*reader);
  ASSERT_OK_AND_ASSIGN(auto rows, s->by_txid(make_txid(1)));
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_ERRC(reader->set_base(chain.base()), Errc::kFailedPrecondition);
  WriteTxn txn = reader->begin();
  ASSERT_OK(txn.solidify(101));
  EXPECT_ERRC(reader->commit(std::move(txn)), Errc::kFailedPrecondition);
  EXPECT_ERRC(reader->prune_journal(2), Errc::kFailedPrecondition);
  EXPECT_THAT(check_invariants(dir.path()), IsEmpty());
}

TEST(StoreOpen, ReadOnlyOfAnEmptyDatabaseIsRefused) {
  TempDir dir;
  {
    // A failed creation (no identity) leaves an empty RocksDB behind.
    OpenOptions o = open_options(dir.path(), watched_mode());
    o.mode.reset();
    EXPECT_FALSE(Store::open(o).ok());
  }
  OpenOptions o = open_options(dir.path(), watched_mode());
  o.read_only = true;
  EXPECT_ERRC(Store::open(o), Errc::kFailedPrecondition);
}

TEST(StoreOpen, ForeignRocksDbIsRefused) {
  TempDir dir;
  {
    rocksdb::Options ro;
    ro.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(ro, dir.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "some-other-app", "value").ok());
  }
  auto r = Store::open(open_options(dir.path(), watched_mode()));
  EXPECT_ERRC(r, Errc::kFailedPrecondition);
  EXPECT_THAT(r.error().message, HasSubstr("not a tronidx database"));
  OpenOptions o = open_options(dir.path(), watched_mode());
  o.read_only = true;
  EXPECT_ERRC(Store::open(o), Errc::kFailedPrecondition);
  // Refusing must not modify the other application's database (no column families added).
  std::vector<std::string> cfs;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path(), &cfs).ok());
  EXPECT_EQ(cfs, std::vector<std::string>{"default"});
}

TEST(StoreOpen, ForeignRocksDbWithOtherColumnFamiliesIsRefused) {
  TempDir dir;
  {
    rocksdb::Options ro;
    ro.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(ro, dir.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* h = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "accounts", &h).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  }
  auto r = Store::open(open_options(dir.path(), watched_mode()));
  EXPECT_ERRC(r, Errc::kFailedPrecondition);
}

TEST(StoreOpen, SecondWritableOpenWhileOpenIsRefused) {
  TempDir dir;
  auto first = open_store(dir.path(), watched_mode());
  auto second = Store::open(open_options(dir.path(), watched_mode()));
  EXPECT_ERRC(second, Errc::kFailedPrecondition);
  EXPECT_THAT(second.error().message, HasSubstr("already in use"));
  // The first one is unaffected and the lock goes away with it.
  ASSERT_OK(first->set_base(TestChain().base()));
  first.reset();
  auto third = Store::open(open_options(dir.path(), watched_mode()));
  ASSERT_OK(third);
  EXPECT_EQ((*third)->state().base, TestChain().base());
}

TEST(StoreOpen, InstanceIdStableAcrossReopenAndDistinctBetweenDatabases) {
  TempDir dir;
  std::array<uint8_t, 16> a{}, b{};
  { a = open_store(dir.sub("a"), watched_mode())->instance_id(); }
  { b = open_store(dir.sub("b"), watched_mode())->instance_id(); }
  EXPECT_NE(a, b);
  EXPECT_NE(a, (std::array<uint8_t, 16>{}));
  EXPECT_EQ(open_store(dir.sub("a"), watched_mode())->instance_id(), a);
  EXPECT_EQ(open_store(dir.sub("b"), watched_mode())->instance_id(), b);
}

TEST(StoreOpen, SetBaseOnlyOnceAndBecomesTipAndSolidified) {
  TempDir dir;
  auto store = open_store(dir.path(), watched_mode());
  // Nothing can be applied before the base exists.
  TestChain chain;
  WriteTxn early = store->begin();
  EXPECT_ERRC(early.apply_block(chain.next_header(), 0, {}), Errc::kFailedPrecondition);
  ASSERT_OK(store->set_base(chain.base()));
  const Store::State st = store->state();
  EXPECT_EQ(st.base, chain.base());
  EXPECT_EQ(st.tip, chain.base());
  EXPECT_EQ(st.solidified, chain.base().block_num);
  EXPECT_EQ(st.next_seq, 1u);  // set_base writes no journal record
  EXPECT_ERRC(store->set_base(chain.base()), Errc::kFailedPrecondition);
  EXPECT_ERRC(store->set_base(ChainPoint{uint64_t{1} << 32, make_block_id(uint64_t{1} << 32)}), Errc::kFailedPrecondition);
  store.reset();
  store = open_store(dir.path(), watched_mode());
  EXPECT_EQ(store->state().base, chain.base());
  EXPECT_EQ(store->state().tip, chain.base());
  EXPECT_EQ(snap(*store)->base(), chain.base());
  EXPECT_THAT(check_invariants(*store), IsEmpty());
}

TEST(StoreOpen, SetBaseBeyondSchemaLimitsIsOutOfRange) {
  TempDir dir;
  auto store = open_store(dir.path(), watched_mode());
  EXPECT_ERRC(store->set_base(ChainPoint{uint64_t{1} << 32, make_block_id(uint64_t{1} << 32)}), Errc::kOutOfRange);
  EXPECT_FALSE(store->state().base.has_value());
}

}  // namespace
}  // namespace tronidx::store::testing
