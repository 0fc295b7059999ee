#pragma once
// RocksDB handles and tuning for the tronidx schema. Internal to store/.

#include <rocksdb/db.h>
#include <rocksdb/status.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tronidx/chain/result.h"

namespace tronidx::store {

struct RocksOptions {
  std::string path;
  bool read_only = false;
  bool create_if_missing = true;
  size_t block_cache_bytes = size_t{128} << 20;
  size_t write_buffer_bytes = size_t{64} << 20;
  // RocksDB stops every writer while a family's L0 holds this many files. The index families' is set above
  // the L0 a catch-up may leave them (compaction_deferral.h), so that compacting it stops no writer.
  int index_l0_stop_writes_trigger = rocksdb::ColumnFamilyOptions().level0_stop_writes_trigger;  // 36
};

struct Rocks {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned; destroyed before db
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* blocks = nullptr;
  rocksdb::ColumnFamilyHandle* transfers = nullptr;
  rocksdb::ColumnFamilyHandle* orphans = nullptr;
  rocksdb::ColumnFamilyHandle* by_address = nullptr;
  rocksdb::ColumnFamilyHandle* by_token = nullptr;
  rocksdb::ColumnFamilyHandle* by_txid = nullptr;
  rocksdb::ColumnFamilyHandle* journal = nullptr;
  rocksdb::ColumnFamilyHandle* watches = nullptr;
  rocksdb::ColumnFamilyHandle* tokens = nullptr;
  rocksdb::ColumnFamilyHandle* jobs = nullptr;

  // The families whose new keys lie above all their keys (a catch-up ingests their files at the last level,
  // uncompressed, to be rewritten with that level's compression: ingest.h, recompress.h).
  std::array<rocksdb::ColumnFamilyHandle*, 3> growing() const { return {transfers, journal, blocks}; }

  Rocks() = default;
  Rocks(const Rocks&) = delete;
  Rocks& operator=(const Rocks&) = delete;
  ~Rocks();
};

// Opens (or creates) the database with every column family of schema.h. A database held by another
// process is reported as kFailedPrecondition ("already in use").
Result<std::unique_ptr<Rocks>> open_rocks(const RocksOptions& options);

// Converts a RocksDB status at the module edge; `what` says which operation failed.
Error rocks_error(const rocksdb::Status& status, std::string_view what);

// The table files at level 0 of `family` (0 if RocksDB does not say).
uint64_t l0_files(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family);

}  // namespace tronidx::store
