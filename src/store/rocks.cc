#include "rocks.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "run_memtable.h"
#include "schema.h"

namespace tronidx::store {
namespace {

// Index families take sorted-runs memtables (run_memtable.h): an insert is an append (no skiplist
// search), and the sorted runs IndexWrites hands in are merged at flush on a background thread. Reading a
// mutable one merges a copy of it, so the writer keeps these memtables small when reads matter
// (Store::flush_indexes). Families with point lookups or in-order keys keep the default skiplist.
enum class Memtable { kSkipList, kSortedRuns };

// How a family is read, which decides its filter, the index inside its data blocks, their size and the
// last level's compression.
enum class Reads {
  kScans,   // iterators only: a prefix filter when the family has a prefix
  kPoints,  // point lookups that may miss: a whole-key filter, and a hash index in each data block
  // Point lookups of keys known to exist (transfers: the rows an index entry names): the hash index and
  // no filter. A filter could only confirm what the index entry already says: in a 10M-transfer
  // database its probes were 6 % of a query page's CPU, and its 12.5 MB took block cache from data
  // blocks. (A lookup that misses would read an index and a data block; none should: a row an index entry
  // names and the lookup does not find is reported as corruption.)
  // A query page reads such rows from a few (a dense address) to a hundred (a sparse one) data blocks,
  // most of them missing the cache, so these families also take 8 KB blocks and LZ4 at the last level
  // (below).
  kPointsThatHit,
};

rocksdb::ColumnFamilyOptions cf_options(const std::shared_ptr<rocksdb::Cache>& cache, size_t write_buffer,
                                        size_t prefix_len, Reads reads, Memtable memtable = Memtable::kSkipList) {
  const bool rows_from_cold_blocks = reads == Reads::kPointsThatHit;
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  // Rows read one by one from blocks that mostly miss the cache (a sparse address's page takes each row
  // from another block): 8 KB blocks, so a row costs reading and decompressing half as much. A dense
  // address's page reads the same bytes in twice the blocks, which measured no slower at 8 KB and slower at
  // 4 KB (B5 on 10M transfers; docs/performance.md).
  t.block_size = rows_from_cold_blocks ? 8 * 1024 : 16 * 1024;
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.format_version = 5;
  if (prefix_len > 0 || reads == Reads::kPoints) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  if (reads != Reads::kScans) {
    // A hash index inside each data block: a point lookup (a query page's MultiGet of its rows) finds its
    // key without a binary search of the block's restart points. Four buckets per key: at RocksDB's 0.75
    // keys per bucket about half the lookups found another restart interval's key in their bucket and fell
    // back to the binary search (B5's sparse address: the data-block lookups were 20 % of the server's CPU
    // per page, 9 % in that fallback); the empty buckets cost next to nothing compressed
    // (docs/performance.md).
    t.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
    t.data_block_hash_table_util_ratio = 0.25;
  }
  if (prefix_len > 0) {
    o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(prefix_len));
    t.whole_key_filtering = reads == Reads::kPoints;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  o.write_buffer_size = write_buffer;
  if (memtable == Memtable::kSortedRuns) {
    o.memtable_factory = std::make_shared<SortedRunsRepFactory>();
    // The index families' new keys interleave with all older ones, so an L0 file overlaps the whole last
    // level: while that level is below max_bytes_for_level_base (256 MB by default) every L0 compaction
    // rewrites all of it, a cost per commit that grows with the database (a 30,000-block catch-up spent
    // more CPU per block compacting than indexing: docs/performance.md). Beyond 32 MB, levels above the
    // last take the L0 files, and smaller files keep each compaction into the last level partial.
    o.max_bytes_for_level_base = 32 << 20;
    o.target_file_size_base = 16 << 20;
  }
  // A flush can wait behind another family's (a sorted-runs memtable's flush merges first): a few immutable
  // memtables per family keep the writer going meanwhile; db_write_buffer_size bounds them all together.
  o.max_write_buffer_number = 4;
  // (No memtable_insert_with_hint_prefix_extractor: the skiplist's own sequential-insert splice already
  // serves the in-order families, and RocksDB 7.8's hint path trips an internal assertion when inserts
  // and deletes of one batch are not in key order.)
  o.level_compaction_dynamic_level_bytes = true;
  // Flushes write L0 uncompressed (LZ4 gains ~15% on these records and costs the flush thread CPU that the
  // writer needs during catch-up); compactions compress, the last level with ZSTD, or LZ4 where rows are
  // read from blocks that miss the cache: ZSTD's decompression was 7 % of the server's CPU in B5, and the
  // transfers family's records (addresses, txids, amounts) shrink little more with it: 75.4 vs 79.0 bytes
  // per transfer on B1's chain (docs/performance.md).
  o.compression_per_level = {rocksdb::kNoCompression, rocksdb::kLZ4Compression, rocksdb::kLZ4Compression,
                             rocksdb::kLZ4Compression, rocksdb::kLZ4Compression, rocksdb::kLZ4Compression,
                             rocksdb::kLZ4Compression};
  o.compression = rocksdb::kLZ4Compression;
  o.bottommost_compression = rows_from_cold_blocks ? rocksdb::kLZ4Compression : rocksdb::kZSTD;
  return o;
}

}  // namespace

Rocks::~Rocks() {
  for (auto* h : handles) {
    if (db) db->DestroyColumnFamilyHandle(h);
  }
  handles.clear();
  db.reset();
}

uint64_t l0_files(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family) {
  std::string n;  // a string property (RocksDB has no integer one for a level's file count)
  return db.GetProperty(family, "rocksdb.num-files-at-level0", &n) ? std::strtoull(n.c_str(), nullptr, 10) : 0;
}

Error rocks_error(const rocksdb::Status& status, std::string_view what) {
  std::string msg = std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return make_error(Errc::kDataLoss, "database corruption: " + msg);
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    return make_error(Errc::kFailedPrecondition,
                      "database is already in use by another process (is tronidxd already running on this "
                      "data dir?): " + msg);
  }
  if (status.IsBusy() || status.IsTryAgain()) return make_error(Errc::kUnavailable, msg);
  return make_error(Errc::kInternal, msg);
}

Result<std::unique_ptr<Rocks>> open_rocks(const RocksOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!options.read_only && options.create_if_missing) fs::create_directories(options.path, ec);
  if (!fs::exists(fs::path(options.path) / "CURRENT", ec) && (options.read_only || !options.create_if_missing)) {
    return make_error(Errc::kNotFound, "no database at " + options.path);
  }

  // An existing RocksDB of another application is refused before opening it, so that nothing (not even
  // our column families) is added to it: it must have some of our column families and no others.
  if (fs::exists(fs::path(options.path) / "CURRENT", ec)) {
    std::vector<std::string> existing;
    auto s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), options.path, &existing);
    if (!s.ok()) return rocks_error(s, "listing the column families of " + options.path);
    const std::vector<std::string> ours = {schema::kCfMeta,    schema::kCfBlocks,   schema::kCfTransfers, schema::kCfOrphans,
                                           schema::kCfByAddress, schema::kCfByToken, schema::kCfByTxid,    schema::kCfJournal,
                                           schema::kCfWatches, schema::kCfTokens,   schema::kCfJobs};
    bool any_of_ours = false;
    for (const auto& name : existing) {
      const bool known = std::find(ours.begin(), ours.end(), name) != ours.end();
      if (!known) {
        return make_error(Errc::kFailedPrecondition, "refusing to open database " + options.path +
                                                         ": it is not a tronidx database (unknown column family \"" +
                                                         name + "\")");
      }
      any_of_ours = any_of_ours || name != schema::kCfMeta;
    }
    if (!any_of_ours) {
      // Only "default": still ours if it is empty (a creation interrupted before our families existed).
      rocksdb::DB* raw = nullptr;
      s = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), options.path, &raw);
      if (!s.ok()) return rocks_error(s, "inspecting " + options.path);
      std::unique_ptr<rocksdb::DB> probe(raw);
      std::unique_ptr<rocksdb::Iterator> it(probe->NewIterator(rocksdb::ReadOptions()));
      it->SeekToFirst();
      if (it->Valid() || !it->status().ok()) {
        return make_error(Errc::kFailedPrecondition, "refusing to open database " + options.path +
                                                         ": it is not a tronidx database (no tronidx column families)");
      }
    }
  }

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  const size_t wb = options.write_buffer_bytes;
  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = options.create_if_missing;
  db_opts.create_missing_column_families = true;
  // Two flush threads (so that one family's flush does not queue another's) and two compaction threads
  // (a long compaction, such as the rewrite of ingested ranges, must not hold back the index families'
  // L0 compactions until ingestion waits for them: src/store/ingest.h).
  db_opts.max_background_jobs = 4;
  db_opts.max_background_flushes = 2;
  db_opts.max_background_compactions = 2;
  db_opts.bytes_per_sync = 1 << 20;
  db_opts.max_total_wal_size = 4 * wb;
  // All memtables together (RSS budget): the largest is flushed when they exceed it.
  db_opts.db_write_buffer_size = 2 * wb;
  db_opts.keep_log_file_num = 5;
  db_opts.max_open_files = 512;
  db_opts.allow_concurrent_memtable_write = false;  // one writer; sorted-runs memtables insert one at a time

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {schema::kCfMeta, cf_options(cache, 4 << 20, 0, Reads::kPoints)},
      {schema::kCfBlocks, cf_options(cache, wb / 4, 4, Reads::kPoints)},
      {schema::kCfTransfers, cf_options(cache, wb / 2, 0, Reads::kPointsThatHit)},
      {schema::kCfOrphans, cf_options(cache, 4 << 20, 8, Reads::kScans)},
      {schema::kCfByAddress, cf_options(cache, wb / 2, schema::kByAddressPrefix, Reads::kScans, Memtable::kSortedRuns)},
      {schema::kCfByToken, cf_options(cache, wb / 4, 4, Reads::kScans, Memtable::kSortedRuns)},
      {schema::kCfByTxid, cf_options(cache, wb / 4, schema::kTxidPrefixSize, Reads::kScans, Memtable::kSortedRuns)},
      {schema::kCfJournal, cf_options(cache, wb / 4, 0, Reads::kPoints)},
      {schema::kCfWatches, cf_options(cache, 4 << 20, 20, Reads::kScans)},
      {schema::kCfTokens, cf_options(cache, 1 << 20, 0, Reads::kPoints)},
      {schema::kCfJobs, cf_options(cache, 1 << 20, 0, Reads::kPoints)},
  };
  for (auto& cf : cfs) {
    if (cf.name == schema::kCfByAddress || cf.name == schema::kCfByToken || cf.name == schema::kCfByTxid) {
      cf.options.level0_stop_writes_trigger = options.index_l0_stop_writes_trigger;
    }
  }
  auto rocks = std::make_unique<Rocks>();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    // Beside a running writer: open every table file up front, so a compaction cannot delete one under a
    // later read; the open itself can race with a compaction replacing files the MANIFEST names, so retry
    // it briefly.
    db_opts.max_open_files = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    do {
      rocks->handles.clear();
      s = rocksdb::DB::OpenForReadOnly(db_opts, options.path, cfs, &rocks->handles, &raw);
      if (s.ok() || s.IsInvalidArgument()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
  } else {
    s = rocksdb::DB::Open(db_opts, options.path, cfs, &rocks->handles, &raw);
  }
  if (!s.ok()) return rocks_error(s, "opening " + options.path);
  rocks->db.reset(raw);
  auto& h = rocks->handles;
  rocks->meta = h[0];
  rocks->blocks = h[1];
  rocks->transfers = h[2];
  rocks->orphans = h[3];
  rocks->by_address = h[4];
  rocks->by_token = h[5];
  rocks->by_txid = h[6];
  rocks->journal = h[7];
  rocks->watches = h[8];
  rocks->tokens = h[9];
  rocks->jobs = h[10];
  return rocks;
}

}  // namespace tronidx::store
