#include "recompress.h"

#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>
#include <rocksdb/table_properties.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace tronidx::store {

std::vector<std::pair<std::string, std::string>> unrewritten_ranges(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                                                    const std::string& last_level_compression) {
  rocksdb::ColumnFamilyMetaData meta;
  db.GetColumnFamilyMetaData(family, &meta);
  if (meta.levels.empty()) return {};
  const auto& files = meta.levels.back().files;  // the last level: sorted by key, not overlapping
  rocksdb::TablePropertiesCollection props;
  if (files.empty() || !db.GetPropertiesOfAllTables(family, &props).ok()) return {};
  std::vector<std::pair<std::string, std::string>> out;
  bool extend = false;  // the previous file was unrewritten too
  for (const auto& f : files) {
    auto p = props.find(f.db_path + f.name);
    if (p == props.end()) p = props.find(f.db_path + "/" + f.name);
    const bool rewritten = p == props.end() || p->second->compression_name == last_level_compression;
    if (!rewritten) {
      if (extend) {
        out.back().second = f.largestkey;
      } else {
        out.emplace_back(f.smallestkey, f.largestkey);
      }
    }
    extend = !rewritten;
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
