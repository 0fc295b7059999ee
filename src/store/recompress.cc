#include "recompress.h"

#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>
#include <rocksdb/table_properties.h>
#include <spdlog/spdlog.h>

#include <optional>

namespace tronidx::store {

std::optional<std::pair<std::string, std::string>> unrewritten_range(rocksdb::DB& db,
                                                                     rocksdb::ColumnFamilyHandle* family) {
  rocksdb::ColumnFamilyMetaData meta;
  db.GetColumnFamilyMetaData(family, &meta);
  if (meta.levels.empty()) return std::nullopt;
  const auto& files = meta.levels.back().files;  // the last level: sorted by key, not overlapping
  std::optional<std::pair<std::string, std::string>> out;
  // From the highest file down (each one's properties read alone: a large database has thousands of files).
  for (auto f = files.rbegin(); f != files.rend(); ++f) {
    const rocksdb::Slice lo(f->smallestkey), hi(f->largestkey);
    const rocksdb::Range range(lo, hi);
    rocksdb::TablePropertiesCollection props;
    if (!db.GetPropertiesOfTablesInRange(family, &range, 1, &props).ok()) break;
    auto p = props.find(f->db_path + f->name);
    // (RocksDB's name for kNoCompression, what the ingester writes: ingest.cc.)
    if (p == props.end() || p->second->compression_name != "NoCompression") break;
    if (!out) out.emplace(f->smallestkey, f->largestkey);
    out->first = f->smallestkey;
  }
  return out;
}

Recompressor::~Recompressor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    db_.DisableManualCompaction();  // the CompactRange under way returns (Incomplete) between files
    thread_.join();
  }
}

void Recompressor::enqueue(rocksdb::ColumnFamilyHandle* family, std::string lo, std::string hi) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back(Job{family, std::move(lo), std::move(hi)});
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  cv_.notify_all();
}

Recompressor::Counts Recompressor::wait_idle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopping_ || (queue_.empty() && !busy_); });
  return counts_;
}

void Recompressor::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    rocksdb::CompactRangeOptions o;
    o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    o.exclusive_manual_compaction = false;  // RocksDB's own compactions go on meanwhile
    const rocksdb::Slice lo(job.lo), hi(job.hi);
    const auto s = db_.CompactRange(o, job.family, &lo, &hi);
    if (!s.ok() && !s.IsIncomplete()) {
      spdlog::warn("store: recompressing the ranges {} ingested: {}", job.family->GetName(), s.ToString());
    }
    lock.lock();
    busy_ = false;
    ++(s.ok() ? counts_.done : counts_.failed);
    cv_.notify_all();
  }
}

}  // namespace tronidx::store
