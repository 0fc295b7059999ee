// Commits that go in as ingested table files (src/store/ingest.h): the same transactions committed as
// WriteBatches and as ingestions leave the same database (every family's keys and values); snapshots
// taken before an ingested commit do not see it; a failed ingestion leaves the store as it was and the
// next commit succeeds, also when only one family's table file failed while the others' (built concurrently)
// were written, which are then removed; files left by an interrupted commit are removed at open; the ranges catch-up
// commits ingested (uncompressed) are rewritten with the last level's compression in the background, contents
// unchanged, and those a catch-up that did not end left are rewritten after the next open;
// a commit waits while compaction is behind; a catch-up's index files stay at L0 until it ends, and compacted
// then they leave what compacting them as they came leaves (src/store/compaction_deferral.h); the transfers
// family is written in 8 KB data blocks, the others in 16 KB.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table_properties.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "schema.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

namespace fs = std::filesystem;

// (catch_up_l0_files: OpenOptions' default, the daemon's, unless a test is about compacting as files come.)
std::unique_ptr<Store> open_with(const std::string& path, const ModeConfig& mode, size_t ingest_min_writes,
                                 size_t catch_up_l0_files = OpenOptions{}.catch_up_l0_files) {
  OpenOptions o = open_options(path, mode);
  o.ingest_min_writes = ingest_min_writes;
  o.catch_up_l0_files = catch_up_l0_files;
  return must(Store::open(o), "Store::open");
}

// A new store at `chain`'s base.
std::unique_ptr<Store> new_store(const std::string& path, const ModeConfig& mode, size_t ingest_min_writes,
                                 const TestChain& chain, size_t catch_up_l0_files = OpenOptions{}.catch_up_l0_files) {
  auto store = open_with(path, mode, ingest_min_writes, catch_up_l0_files);
  must(store->set_base(chain.base()), "set_base");
  return store;
}

// Opens the database read-only with RocksDB directly and calls fn(db, family) for every family.
void for_each_family(const std::string& path,
                     const std::function<void(rocksdb::DB&, rocksdb::ColumnFamilyHandle*)>& fn) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, cfs, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (auto* h : handles) {
    fn(*db, h);
    db->DestroyColumnFamilyHandle(h);
  }
}

// Every key and value of every column family. The instance id (random per database) is left out.
std::map<std::string, std::map<std::string, std::string>> dump(const std::string& path) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for_each_family(path, [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* h) {
    auto& rows = out[h->GetName()];
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), h));
    for (it->SeekToFirst(); it->Valid(); it->Next()) rows[it->key().ToString()] = it->value().ToString();
    EXPECT_TRUE(it->status().ok());
    if (h->GetName() == schema::kCfMeta) rows.erase(std::string(schema::meta::kInstanceId));
  });
  return out;
}

// `n` transfers of block `num` among a few addresses and three tokens (one of them new to the database
// when block 105 brings it), deterministic per (num, fork).
std::vector<decode::Transfer> block_transfers(uint64_t num, uint64_t fork, size_t n) {
  std::mt19937_64 rng(num * 31 + fork);
  std::vector<decode::Transfer> out;
  for (uint32_t tx = 0; tx < n; ++tx) {
    const chain::Address from = make_address(1 + rng() % 6);
    const chain::Address to = make_address(1 + rng() % 6);
    const chain::TxId txid = make_txid(num * 1000 + tx + fork * 100);
    if (tx % 3 == 2) {
      out.push_back(trx(num, tx, from, to, 1 + rng() % 1000, txid));
    } else {
      out.push_back(trc20(num, tx, 0, num >= 105 && tx % 3 == 1 ? token_b() : usdt(), from, to,
                          amount_u64(rng() % 100000), txid));
    }
  }
  return out;
}

// One script of transactions: several blocks per commit, a reorg that reverts two blocks and applies
// their replacements (the same positions, other transfers) in one transaction, watches, a solidify.
void run_script(Store& store, TestChain& chain) {
  auto apply_blocks = [&](WriteTxn& txn, int count, uint64_t fork) {
    for (int i = 0; i < count; ++i) {
      const auto h = chain.push(fork);
      must(txn.apply_block(h, 10, block_transfers(h.block_num, fork, 8)), "apply_block");
    }
  };
  {
    WriteTxn txn = store.begin();
    apply_blocks(txn, 4, 0);  // 101..104
    must(store.commit(std::move(txn)), "commit");
  }
  {
    WriteTxn txn = store.begin();
    apply_blocks(txn, 4, 0);  // 105..108, a new token
    must(txn.watch(make_address(2), "two", 0), "watch");
    must(store.commit(std::move(txn)), "commit");
  }
  {
    WriteTxn txn = store.begin();
    must(txn.revert_tip(), "revert 108");
    must(txn.revert_tip(), "revert 107");
    chain.pop();
    chain.pop();
    apply_blocks(txn, 3, 1);  // 107', 108', 109'
    must(txn.solidify(104), "solidify");
    must(store.commit(std::move(txn)), "commit");
  }
  {
    WriteTxn txn = store.begin();
    must(txn.unwatch(make_address(2)), "unwatch");
    apply_blocks(txn, 2, 1);
    must(store.commit(std::move(txn)), "commit");
  }
}

// The compression a compaction writes at `family`'s last level (RocksDB's name; rocks.cc): LZ4 for the
// transfers family, whose rows a query reads from blocks rarely in the cache, ZSTD for the others.
std::string last_level(const std::string& family) { return family == schema::kCfTransfers ? "LZ4" : "ZSTD"; }

// Each table file of `family` (its name) and its compression (RocksDB's names: "LZ4", "ZSTD", "NoCompression").
std::map<std::string, std::string> file_compressions(const std::string& path, const std::string& family) {
  std::map<std::string, std::string> out;
  for_each_family(path, [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* h) {
    if (h->GetName() != family) return;
    rocksdb::TablePropertiesCollection props;
    EXPECT_TRUE(db.GetPropertiesOfAllTables(h, &props).ok());
    for (const auto& [file, p] : props) out[fs::path(file).filename().string()] = p->compression_name;
  });
  return out;
}

// The compressions `family`'s table files use.
std::set<std::string> compressions(const std::string& path, const std::string& family) {
  std::set<std::string> out;
  for (const auto& [file, compression] : file_compressions(path, family)) out.insert(compression);
  return out;
}

// Key and value bytes (as written, before compression) per data block of `family`'s table files.
double raw_bytes_per_block(const std::string& path, const std::string& family) {
  uint64_t raw = 0, blocks = 0;
  for_each_family(path, [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* h) {
    if (h->GetName() != family) return;
    rocksdb::TablePropertiesCollection props;
    EXPECT_TRUE(db.GetPropertiesOfAllTables(h, &props).ok());
    for (const auto& [file, p] : props) {
      raw += p->raw_key_size + p->raw_value_size;
      blocks += p->num_data_blocks;
    }
  });
  return blocks == 0 ? 0 : static_cast<double>(raw) / static_cast<double>(blocks);
}

uint64_t transfers_sst_bytes(const Store& store) {
  for (const auto& cf : must(store.cf_stats(), "cf_stats")) {
    if (cf.name == schema::kCfTransfers) return cf.live_bytes;
  }
  ADD_FAILURE() << "no transfers family";
  return 0;
}

TEST(StoreIngest, CommitsIngestedAsTableFilesLeaveTheSameDatabaseAsWriteBatches) {
  for (const ModeConfig& mode : {all_mode(), watched_mode()}) {
    SCOPED_TRACE(mode.to_string());
    TempDir batches, ingested;
    for (const auto* dir : {&batches, &ingested}) {
      const bool ingest = dir == &ingested;
      TestChain chain;
      auto store = new_store(dir->path(), mode, ingest ? 1 : 0, chain);
      if (mode.kind == ModeConfig::Kind::kWatched) watch_commit(*store, make_address(1), "one");
      run_script(*store, chain);
      // The batch path leaves this small database in memtables; ingestion writes table files.
      if (ingest) {
        EXPECT_GT(transfers_sst_bytes(*store), 0u);
      } else {
        EXPECT_EQ(transfers_sst_bytes(*store), 0u);
      }
      EXPECT_TRUE(fs::is_empty(dir->sub("ingest"))) << "ingested files are moved into the database";
    }
    const auto want = dump(batches.path());
    const auto got = dump(ingested.path());
    ASSERT_EQ(want.size(), got.size());
    size_t rows = 0;
    for (const auto& [family, kv] : want) {
      EXPECT_EQ(got.at(family), kv) << "family " << family;
      rows += kv.size();
    }
    EXPECT_GT(want.at(schema::kCfTransfers).size(), 20u);
    EXPECT_GT(want.at(schema::kCfOrphans).size(), 0u);  // the reorg's reverted transfers
    EXPECT_GT(rows, 100u);
  }
}

TEST(StoreIngest, ASnapshotTakenBeforeAnIngestedCommitDoesNotSeeIt) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), all_mode(), 1, chain);
  const auto h = chain.push();
  const auto before = snap(*store);
  apply_commit(*store, h, block_transfers(h.block_num, 0, 8));
  Snapshot::HistoryQuery q;
  q.address = make_address(1);
  const auto old_rows = must(before->address_history(q), "history before");
  EXPECT_TRUE(old_rows.empty());
  EXPECT_EQ(before->tip(), chain.base());
  // The commit's transfers, blocks and journal keys lie past everything `before` holds, so they may go in
  // with sequence number 0, which RocksDB's snapshot under `before` then sees: its reads stay bounded by
  // its own tip and next_seq.
  EXPECT_FALSE(must(before->block(h.block_num), "block before"));
  EXPECT_TRUE(must(before->block_versions(h.block_num), "block_versions before").empty());
  EXPECT_TRUE(must(before->journal(before->next_seq(), 100), "journal before").empty());
  const chain::TxId txid = block_transfers(h.block_num, 0, 8).front().txid;
  EXPECT_TRUE(must(before->by_txid(txid), "by_txid before").empty());
  const auto after = snap(*store);
  EXPECT_EQ(after->tip(), chain.tip());
  EXPECT_FALSE(must(after->address_history(q), "history after").empty());
  EXPECT_TRUE(must(after->block(h.block_num), "block after"));
  EXPECT_FALSE(must(after->by_txid(txid), "by_txid after").empty());
}

TEST(StoreIngest, AFailedIngestionLeavesTheStoreUnchangedAndTheNextCommitSucceeds) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), all_mode(), 1, chain);
  const auto h = chain.push();
  const auto transfers = block_transfers(105, 0, 8);  // brings token_b, new to the database
  std::vector<decode::Transfer> moved;
  for (auto t : transfers) {
    t.position.block_num = h.block_num;
    moved.push_back(t);
  }
  fs::remove_all(dir.sub("ingest"));  // the table files cannot be created
  {
    WriteTxn txn = store->begin();
    ASSERT_OK(txn.apply_block(h, 10, moved));
    auto r = store->commit(std::move(txn));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("ingesting a commit"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(store->state().tip, chain.base());
  Snapshot::TokenQuery tq;
  tq.token = token_b();
  EXPECT_TRUE(must(snap(*store)->token_history(tq), "token history").empty());

  fs::create_directories(dir.sub("ingest"));
  apply_commit(*store, h, moved);
  EXPECT_EQ(store->state().tip, chain.tip());
  const auto rows = must(snap(*store)->token_history(tq), "token history");
  EXPECT_FALSE(rows.empty());
  for (const auto& r : rows) EXPECT_EQ(r.transfer.token, token_b());
}

TEST(StoreIngest, OneFamilysFailedFileFailsTheWholeCommitAndRemovesTheOthers) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), all_mode(), 1, chain);
  const auto h = chain.push();
  std::vector<decode::Transfer> moved;
  for (auto t : block_transfers(105, 0, 8)) {
    t.position.block_num = h.block_num;
    moved.push_back(t);
  }
  // The by_txid file of the next commits cannot be created (a directory holds its name); the other families'
  // files can (the ingester numbers a commit's files from 0 when it opens, "<n>-<family>.sst").
  const fs::path ingest = dir.sub("ingest");
  for (int n = 0; n < 64; ++n) fs::create_directories(ingest / (std::to_string(n) + "-" + schema::kCfByTxid + ".sst"));
  {
    WriteTxn txn = store->begin();
    ASSERT_OK(txn.apply_block(h, 10, moved));
    auto r = store->commit(std::move(txn));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(schema::kCfByTxid), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(store->state().tip, chain.base());
  Snapshot::TokenQuery tq;
  tq.token = token_b();
  EXPECT_TRUE(must(snap(*store)->token_history(tq), "token history").empty());
  size_t left = 0;
  for (const auto& e : fs::directory_iterator(ingest)) left += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(left, 0u) << "table files of the failed commit were left in " << ingest;

  fs::remove_all(ingest);
  fs::create_directories(ingest);
  apply_commit(*store, h, moved);
  EXPECT_EQ(store->state().tip, chain.tip());
  EXPECT_FALSE(must(snap(*store)->token_history(tq), "token history").empty());
}

// The transfers family, whose rows are read one by one from blocks mostly not in the cache, has 8 KB data
// blocks; the others 16 KB (rocks.cc). (Blocks are cut at that size as encoded: about as many raw bytes, a
// little more where keys share prefixes, a little less in a file's last block.)
TEST(StoreIngest, TheTransfersFamilyIsWrittenInHalfSizedDataBlocks) {
  // An ingested commit's table files as SstFileWriter built them, and a write batch's rows compacted.
  for (const size_t ingest_min_writes : {size_t{1}, size_t{0}}) {
    SCOPED_TRACE(ingest_min_writes);
    TempDir dir;
    TestChain chain;
    {
      auto store = new_store(dir.path(), all_mode(), ingest_min_writes, chain);
      const auto h = chain.push();
      std::vector<decode::Transfer> ts;
      for (uint32_t i = 0; i < 4000; ++i) {
        ts.push_back(trc20(h.block_num, i, 0, usdt(), make_address(1000 + i), make_address(9000 + i % 7),
                           amount_u64(1000 + i), make_txid(i)));
      }
      apply_commit(*store, h, ts);
      if (ingest_min_writes == 0) must(store->compact(), "compact");
    }
    const double transfers = raw_bytes_per_block(dir.path(), schema::kCfTransfers);
    EXPECT_GT(transfers, 6 * 1024);
    EXPECT_LT(transfers, 10 * 1024);
    EXPECT_GT(raw_bytes_per_block(dir.path(), schema::kCfByTxid), 12 * 1024);
  }
}

TEST(StoreIngest, RangesACatchUpIngestedAreRewrittenWithTheLastLevelsCompression) {
  TempDir as_ingested, recompressed;
  for (const auto* dir : {&as_ingested, &recompressed}) {
    TestChain chain;
    auto store = new_store(dir->path(), all_mode(), 1, chain);
    // RocksDB rewrites an ingested file that got a sequence number (a snapshot was open) once no snapshot
    // needs it (a BottommostFiles compaction), at a moment of its choosing: the reference keeps the
    // files exactly as ingested.
    if (dir == &as_ingested) must(store->pause_compactions(true), "pause_compactions");
    run_script(*store, chain);
    if (dir == &recompressed) {
      store->recompress_ingested();
      EXPECT_EQ(store->wait_recompressed(), 3u);  // transfers, journal, blocks
      store->recompress_ingested();               // nothing ingested since: nothing more to do
      EXPECT_EQ(store->wait_recompressed(), 3u);
    }
  }
  for (const char* family : {schema::kCfTransfers, schema::kCfJournal, schema::kCfBlocks}) {
    EXPECT_EQ(compressions(as_ingested.path(), family), std::set<std::string>{"NoCompression"}) << family;
    EXPECT_EQ(compressions(recompressed.path(), family), std::set<std::string>{last_level(family)}) << family;
  }
  EXPECT_EQ(dump(as_ingested.path()), dump(recompressed.path()));
}

TEST(StoreIngest, EveryFewIngestedCommitsTheirRangesAreRecompressedWithoutWaitingForTheCatchUpsEnd) {
  TempDir dir;
  TestChain chain;
  {
    OpenOptions o = open_options(dir.path(), all_mode());
    o.ingest_min_writes = 1;
    o.recompress_every_commits = 2;
    auto store = must(Store::open(o), "Store::open");
    must(store->set_base(chain.base()), "set_base");
    run_script(*store, chain);                  // four ingested commits: two handoffs
    EXPECT_EQ(store->wait_recompressed(), 6u);  // of three families each
  }
  EXPECT_EQ(compressions(dir.path(), schema::kCfTransfers), std::set<std::string>{"LZ4"});
}

TEST(StoreIngest, FilesLeftByAnInterruptedCommitAreRemovedAtOpen) {
  TempDir dir;
  TestChain chain;
  {
    auto store = new_store(dir.path(), all_mode(), 1, chain);
    const auto h = chain.push();
    apply_commit(*store, h, block_transfers(h.block_num, 0, 4));
  }
  const std::string leftover = dir.sub("ingest") + "/7-transfers.sst";
  std::ofstream(leftover) << "half a table file";
  ASSERT_TRUE(fs::exists(leftover));
  auto store = open_with(dir.path(), all_mode(), 1);
  EXPECT_FALSE(fs::exists(leftover));
  EXPECT_EQ(store->state().tip, chain.tip());
  const auto h = chain.push();
  apply_commit(*store, h, block_transfers(h.block_num, 0, 4));
  EXPECT_EQ(store->state().tip, chain.tip());
}

uint64_t l0_files(const Store& store, const std::string& family) {
  for (const auto& cf : must(store.cf_stats(), "cf_stats")) {
    if (cf.name == family) return cf.l0_files;
  }
  ADD_FAILURE() << "no column family " << family;
  return 0;
}

// RocksDB slows a batch writer while compaction is behind (a family's L0 at its slowdown trigger, 20
// files); an ingested commit waits instead. With compactions stopped, every commit adds a file to the L0 of
// the families whose keys interleave with earlier ones: a commit that finds 20 there does not complete
// until compactions resume, and then every commit is in the store.
TEST(StoreIngest, ACommitWaitsWhileCompactionIsBehind) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), all_mode(), 1, chain, /*catch_up_l0_files=*/0);
  must(store->pause_compactions(true), "pause_compactions");
  constexpr int kCommits = 60;
  std::vector<decode::BlockHeader> headers;
  for (int i = 0; i < kCommits; ++i) headers.push_back(chain.push());
  std::atomic<int> committed{0};
  std::thread writer([&] {
    for (const auto& h : headers) {
      apply_commit(*store, h, block_transfers(h.block_num, 0, 8));
      committed.fetch_add(1);
    }
  });
  struct Resume {  // whatever the assertions below find, the writer can finish and is joined
    Store& store;
    std::thread& writer;
    ~Resume() {
      EXPECT_TRUE(store.pause_compactions(false).ok());
      writer.join();
    }
  };
  {
    Resume resume{*store, writer};
    while (store->ingest_stalls() == 0 && committed.load() < kCommits) std::this_thread::yield();
    const int before_stall = committed.load();
    ASSERT_EQ(store->ingest_stalls(), 1u) << "all " << before_stall << " commits went in without waiting";
    // Each commit adds at most one file to a family's L0 (set_base's write flushed one more to the meta
    // family's), and the writer waits inside the next one.
    EXPECT_GE(before_stall, 19);
    EXPECT_LT(committed.load(), kCommits);
  }
  EXPECT_EQ(committed.load(), kCommits);
  EXPECT_EQ(store->state().tip, chain.tip());
  // The commits' transfers are all there.
  Snapshot::HistoryQuery q;
  q.address = make_address(1);
  q.limit = 100000;
  size_t expected = 0;
  for (const auto& h : headers) {
    for (const auto& t : block_transfers(h.block_num, 0, 8)) expected += t.from == q.address || t.to == q.address;
  }
  EXPECT_EQ(must(snap(*store)->address_history(q), "history").size(), expected);
}

// wait_for_compactions returns once the work the commits caused is done: with compactions paused the L0 of
// by_address holds a file per ingested commit (but the first), and the wait gives up at its deadline instead
// of hanging; resumed, the wait ends with that L0 below the compaction trigger.
TEST(StoreIngest, WaitForCompactionsReturnsWhenL0IsCompacted) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), all_mode(), 1, chain, /*catch_up_l0_files=*/0);
  must(store->pause_compactions(true), "pause_compactions");
  for (int i = 0; i < 8; ++i) {
    const auto h = chain.push();
    apply_commit(*store, h, block_transfers(h.block_num, 0, 8));
  }
  auto l0 = [&] { return l0_files(*store, schema::kCfByAddress); };
  ASSERT_GE(l0(), 4u);  // one per commit but the first, which had nothing to overlap: above the trigger
  const auto paused = store->wait_for_compactions(std::chrono::milliseconds(200));
  ASSERT_FALSE(paused.ok());
  EXPECT_EQ(paused.error().code, Errc::kDeadlineExceeded);
  must(store->pause_compactions(false), "pause_compactions");
  must(store->wait_for_compactions(std::chrono::seconds(60)), "wait_for_compactions");
  EXPECT_LT(l0(), 4u);
}

// ---- the index families' compaction deferred during a catch-up (src/store/compaction_deferral.h) --------

const char* const kIndexFamilies[] = {schema::kCfByAddress, schema::kCfByToken, schema::kCfByTxid};

// Catch-up commits of 4 blocks × 8 transfers (~200 key writes: ingested at ingest_min_writes 100) and commits
// of one transfer, as a followed block (a WriteBatch).
constexpr size_t kIngestAbove = 100;
void catch_up_commit(Store& store, TestChain& chain) {
  WriteTxn txn = store.begin();
  for (int i = 0; i < 4; ++i) {
    const auto h = chain.push();
    must(txn.apply_block(h, 10, block_transfers(h.block_num, 0, 8)), "apply_block");
  }
  must(store.commit(std::move(txn)), "commit");
}
void followed_commit(Store& store, TestChain& chain) {
  const auto h = chain.push();
  apply_commit(store, h, block_transfers(h.block_num, 0, 1));
}

// What a catch-up ended with: the store's background work done, every compaction it caused over.
void settle(Store& store) {
  store.catch_up_ended();
  store.wait_recompressed();
  must(store.wait_for_compactions(std::chrono::seconds(60)), "wait_for_compactions");
}

// Each catch-up commit adds a file to every index family's L0 and nothing compacts them, past RocksDB's
// trigger (4) and slowdown trigger (20); the catch-up's end merges them all, and the database then holds
// exactly what the same commits leave when compacted as they come (cap 0).
TEST(StoreDeferral, ACatchUpsIndexFilesStayAtL0UntilItEndsAndTheMergeChangesNoContent) {
  TempDir deferred, as_they_come;
  for (const auto* dir : {&deferred, &as_they_come}) {
    TestChain chain;
    auto store = new_store(dir->path(), all_mode(), kIngestAbove, chain, dir == &deferred ? 64 : 0);
    for (int i = 0; i < 30; ++i) catch_up_commit(*store, chain);
    if (dir == &deferred) {
      for (const char* family : kIndexFamilies) EXPECT_GE(l0_files(*store, family), 29u) << family;
      // Queries read the 30 files: every transfer of an address is found.
      Snapshot::HistoryQuery q;
      q.address = make_address(1);
      q.limit = 100000;
      size_t expected = 0;
      for (uint64_t b = chain.base().block_num + 1; b <= chain.tip().block_num; ++b) {
        for (const auto& t : block_transfers(b, 0, 8)) expected += t.from == q.address || t.to == q.address;
      }
      EXPECT_EQ(must(snap(*store)->address_history(q), "history").size(), expected);
    }
    settle(*store);
    if (dir == &deferred) {  // one compaction took the whole pile
      for (const char* family : kIndexFamilies) EXPECT_EQ(l0_files(*store, family), 0u) << family;
    }
  }
  EXPECT_EQ(dump(deferred.path()), dump(as_they_come.path()));
}

// After the merge the families compact as usual again: a followed block's index entries flushed to L0 eight
// times are compacted below the trigger (with compaction still off, eight files would stay). The next
// catch-up defers them again.
TEST(StoreDeferral, AfterTheMergeTheIndexFamiliesCompactAsUsualUntilTheNextCatchUp) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), all_mode(), kIngestAbove, chain, 64);
  for (int i = 0; i < 6; ++i) catch_up_commit(*store, chain);
  ASSERT_GE(l0_files(*store, schema::kCfByAddress), 5u);
  settle(*store);
  for (int i = 0; i < 8; ++i) {
    followed_commit(*store, chain);
    must(store->flush_indexes(0), "flush_indexes");
    must(store->wait_for_compactions(std::chrono::seconds(60)), "wait_for_compactions");  // each flush done
  }
  for (const char* family : kIndexFamilies) EXPECT_LT(l0_files(*store, family), 4u) << family;
  for (int i = 0; i < 10; ++i) catch_up_commit(*store, chain);
  for (const char* family : kIndexFamilies) EXPECT_GE(l0_files(*store, family), 10u) << family;
}

// A family whose L0 reaches catch_up_l0_files is handed back to RocksDB before the catch-up ends: over 30
// commits its L0 stays within the slowdown trigger (20) a commit waits at (deferred, it would reach 29),
// it is compacted below the trigger with no catch_up_ended(), and nothing is lost.
TEST(StoreDeferral, AFamilyWhoseL0ReachesTheBoundCompactsAsUsualForTheRestOfTheCatchUp) {
  TempDir dir, reference;
  TestChain chain, ref_chain;
  auto store = new_store(dir.path(), all_mode(), kIngestAbove, chain, 8);
  auto ref = new_store(reference.path(), all_mode(), kIngestAbove, ref_chain, 0);
  for (int i = 0; i < 30; ++i) {
    catch_up_commit(*store, chain);
    catch_up_commit(*ref, ref_chain);
    for (const char* family : kIndexFamilies) ASSERT_LE(l0_files(*store, family), 20u) << family << " commit " << i;
  }
  must(store->wait_for_compactions(std::chrono::seconds(60)), "wait_for_compactions");
  for (const char* family : kIndexFamilies) EXPECT_LT(l0_files(*store, family), 4u) << family;
  settle(*store);
  settle(*ref);
  store.reset();
  ref.reset();
  EXPECT_EQ(dump(dir.path()), dump(reference.path()));
}

// Each live table file of `family` and its largest sequence number, read from the database at `path`,
// also while a Store has it open (RocksDB's read-only open takes no lock; the caller pauses compactions, so
// that no file the open reads about is deleted meanwhile).
std::map<std::string, uint64_t> largest_seqnos(const std::string& path, const std::string& family) {
  std::map<std::string, uint64_t> out;
  for_each_family(path, [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* h) {
    if (h->GetName() != family) return;
    std::vector<rocksdb::LiveFileMetaData> files;
    db.GetLiveFilesMetaData(&files);
    for (const auto& f : files) {
      if (f.column_family_name == family) out[f.name] = f.largest_seqno;
    }
  });
  return out;
}

// The largest sequence number of `family`'s live table files (largest_seqnos).
uint64_t max_seqno(const std::string& path, const std::string& family) {
  uint64_t out = 0;
  for (const auto& [name, seqno] : largest_seqnos(path, family)) out = std::max(out, seqno);
  return out;
}

// A catch-up commit's transfers, journal and blocks lie past every key an open snapshot reads, so they go
// in with sequence number 0 although a snapshot is open; releasing it then gives RocksDB nothing to
// rewrite (with a sequence number, each such last-level file would be rewritten once no snapshot needs it:
// a BottommostFiles compaction, src/store/ingest.h).
TEST(StoreIngest, ACatchUpCommitPastTheTipGoesInWithSequenceNumberZeroWhileASnapshotIsOpen) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), all_mode(), 1, chain);
  must(store->pause_compactions(true), "pause_compactions");
  catch_up_commit(*store, chain);
  auto held = snap(*store);
  catch_up_commit(*store, chain);
  catch_up_commit(*store, chain);
  std::map<std::string, std::map<std::string, uint64_t>> files;
  for (const char* family : {schema::kCfTransfers, schema::kCfJournal, schema::kCfBlocks}) {
    files[family] = largest_seqnos(dir.path(), family);
    EXPECT_EQ(files[family].size(), 3u) << family;  // one per commit
    for (const auto& [name, seqno] : files[family]) EXPECT_EQ(seqno, 0u) << family << " " << name;
  }
  // The index families' and meta's keys interleave with older ones: they keep their sequence numbers.
  for (const char* family : {schema::kCfByAddress, schema::kCfMeta}) {
    EXPECT_GT(max_seqno(dir.path(), family), 0u) << family;
  }
  held.reset();
  must(store->pause_compactions(false), "resume compactions");
  must(store->wait_for_compactions(std::chrono::seconds(60)), "wait_for_compactions");
  must(store->pause_compactions(true), "pause_compactions");
  for (const char* family : {schema::kCfTransfers, schema::kCfJournal, schema::kCfBlocks}) {
    EXPECT_EQ(largest_seqnos(dir.path(), family), files[family]) << family << ": rewritten after the release";
  }
}

// A reorg's commit rewrites keys at and below the tip (the reverted blocks' rows leave the transfers
// family, their block versions are marked reverted): ingested while a snapshot is open, it takes a sequence
// number, and the snapshot still reads the chain it was taken at.
TEST(StoreIngest, ACommitBelowTheTipKeepsASnapshotsViewOfTheChainItWasTakenAt) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), all_mode(), 1, chain);
  must(store->pause_compactions(true), "pause_compactions");
  catch_up_commit(*store, chain);
  const uint64_t top = chain.tip().block_num;
  const auto before = snap(*store);
  const auto old_block = must(before->block(top), "block").value();
  const auto old_rows = must(before->block_transfers(old_block, before->next_seq()), "block_transfers");
  ASSERT_EQ(old_rows.size(), 8u);
  {
    WriteTxn txn = store->begin();
    must(txn.revert_tip(), "revert");
    chain.pop();
    const auto h = chain.push(1);
    must(txn.apply_block(h, 10, block_transfers(h.block_num, 1, 3)), "apply_block");
    must(store->commit(std::move(txn)), "commit");
  }
  EXPECT_GT(max_seqno(dir.path(), schema::kCfTransfers), 0u);
  EXPECT_EQ(must(before->block(top), "block before")->id, old_block.id);
  EXPECT_EQ(plain(must(before->block_transfers(old_block, before->next_seq()), "block_transfers before")),
            plain(old_rows));
  const auto after = snap(*store);
  EXPECT_EQ(must(after->block(top), "block after")->id, chain.tip().id);
  EXPECT_EQ(
      must(after->block_transfers(*must(after->block(top), "block after"), after->next_seq()), "rows after").size(),
      3u);
}

// A backfill adds rows to blocks at or below the tip, which an open snapshot's canonical blocks do name:
// ingested while that snapshot is open, they take a sequence number even when no key of theirs overlaps
// the database, and the snapshot's reads do not change. Here one transaction of block 102 has two
// transfers, A's (indexed) and B's (backfilled later): the snapshot's by_txid, which reads the
// transaction's rows from the transfers family, still returns A's only.
TEST(StoreIngest, ABackfillBelowTheTipKeepsASnapshotsViewOfTheBlocksItFills) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), watched_mode(), 1, chain);
  must(store->pause_compactions(true), "pause_compactions");
  const chain::Address a = make_address(1), b = make_address(2), x = make_address(3), y = make_address(4);
  watch_commit(*store, a, "a");
  std::map<uint64_t, std::vector<decode::Transfer>> node;
  for (int i = 0; i < 3; ++i) {
    const auto h = chain.push();
    const chain::TxId txid = make_txid(h.block_num);
    node[h.block_num] = {trc20(h.block_num, 0, 0, usdt(), a, x, amount_u64(1), txid),
                         trc20(h.block_num, 0, 1, usdt(), b, y, amount_u64(2), txid)};
    apply_commit(*store, h, node[h.block_num], 1);
  }
  const auto before = snap(*store);
  const chain::TxId txid = make_txid(102);
  ASSERT_EQ(must(before->by_txid(txid), "by_txid").size(), 1u);
  {
    WriteTxn txn = store->begin();
    must(txn.watch(b, "b", 102), "watch");
    const decode::Transfer& t = node[102][1];
    const std::vector<IndexedTransfer> fetched{IndexedTransfer{t, make_block_id(102), 0, false, 0}};
    must(txn.backfill(b, fetched), "backfill");
    must(store->commit(std::move(txn)), "commit");
  }
  EXPECT_EQ(plain(must(before->by_txid(txid), "by_txid before")), std::vector<decode::Transfer>{node[102][0]});
  EXPECT_EQ(must(snap(*store)->by_txid(txid), "by_txid after").size(), 2u);
  EXPECT_GT(max_seqno(dir.path(), schema::kCfTransfers), 0u);
}

// A catch-up stopped (or killed) before its end leaves its ingested files uncompressed: the next open finds
// them and rewrites them, and only them (a file rewritten before stays as it is).
TEST(StoreIngest, FilesACatchUpLeftUncompressedAreRewrittenAfterTheNextOpen) {
  TempDir dir;
  TestChain chain;
  std::map<std::string, std::map<std::string, std::string>> files;
  {
    auto store = new_store(dir.path(), all_mode(), 1, chain);
    catch_up_commit(*store, chain);
    settle(*store);  // this catch-up ended: its files are rewritten
    catch_up_commit(*store, chain);
    catch_up_commit(*store, chain);
    must(store->wait_for_compactions(std::chrono::seconds(60)), "wait_for_compactions");
  }  // stopped during the next catch-up
  for (const char* family : {schema::kCfTransfers, schema::kCfJournal, schema::kCfBlocks}) {
    EXPECT_EQ(compressions(dir.path(), family), (std::set<std::string>{"NoCompression", last_level(family)})) << family;
    files[family] = file_compressions(dir.path(), family);
  }
  const auto before = dump(dir.path());
  {
    auto store = open_with(dir.path(), all_mode(), 1);
    EXPECT_EQ(store->wait_recompressed(), 3u);  // one range per family: the two unrewritten files are adjacent
  }
  for (const char* family : {schema::kCfTransfers, schema::kCfJournal, schema::kCfBlocks}) {
    EXPECT_EQ(compressions(dir.path(), family), std::set<std::string>{last_level(family)}) << family;
    const auto now = file_compressions(dir.path(), family);
    for (const auto& [name, compression] : files[family]) {
      EXPECT_EQ(now.contains(name), compression == last_level(family)) << family << " " << name << " " << compression;
    }
  }
  EXPECT_EQ(dump(dir.path()), before);
  {
    auto store = open_with(dir.path(), all_mode(), 1);
    EXPECT_EQ(store->wait_recompressed(), 0u);  // nothing left
  }
}

// A snapshot taken before a reorg still reads the reverted blocks, up to its own tip, above the tip after
// the reorg. The catch-up that follows re-applies those heights: its rows there must not reach that snapshot
// even where no key of theirs overlaps the database (the reverted blocks had no transfers).
TEST(StoreIngest, ACatchUpAfterAReorgKeepsTheViewOfASnapshotTakenBeforeTheReorg) {
  TempDir dir;
  TestChain chain;
  auto store = new_store(dir.path(), all_mode(), 1, chain);
  must(store->pause_compactions(true), "pause_compactions");
  for (int i = 0; i < 3; ++i) apply_commit(*store, chain.push(), {});  // 101..103, no transfers
  const auto before = snap(*store);
  const auto old_102 = must(before->block(102), "block").value();
  revert_commit(*store);
  revert_commit(*store);
  chain.pop();
  chain.pop();
  {
    WriteTxn txn = store->begin();
    for (int i = 0; i < 3; ++i) {  // 102', 103', 104'
      const auto h = chain.push(1);
      must(txn.apply_block(h, 10, block_transfers(h.block_num, 1, 8)), "apply_block");
    }
    must(store->commit(std::move(txn)), "commit");
  }
  EXPECT_EQ(must(before->block(102), "block before")->id, old_102.id);
  EXPECT_TRUE(must(before->block_transfers(old_102, before->next_seq()), "block_transfers before").empty());
  const auto after = snap(*store);
  EXPECT_EQ(must(after->block_transfers(*must(after->block(102), "block after"), after->next_seq()), "after").size(),
            8u);
}

}  // namespace
}  // namespace tronidx::store::testing
