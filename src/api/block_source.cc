#include "block_source.h"

namespace tronidx::api {

void BlockCache::put(uint64_t block_num, uint64_t apply_seq, TransferList transfers) {
  std::lock_guard lock(mu_);
  const Key key{block_num, apply_seq};
  if (entries_.count(key) != 0) return;
  transfers_ += transfers->size() + 1;
  entries_.emplace(key, std::move(transfers));
  order_.push_back(key);
  while (transfers_ > max_transfers_ && !order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it != entries_.end()) {
      transfers_ -= it->second->size() + 1;
      entries_.erase(it);
    }
    order_.pop_front();
  }
}

TransferList BlockCache::get(uint64_t block_num, uint64_t apply_seq) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{block_num, apply_seq});
  return it == entries_.end() ? nullptr : it->second;
}

void BlockCache::evict_block(uint64_t block_num) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.lower_bound(Key{block_num, 0}); it != entries_.end() && it->first.first == block_num;) {
    transfers_ -= it->second->size() + 1;
    it = entries_.erase(it);
  }
}

Result<const std::vector<store::BlockInfo>*> BlockSource::versions(uint64_t block_num) {
  auto it = versions_.find(block_num);
  if (it == versions_.end()) {
    TRONIDX_ASSIGN(auto v, snap_->block_versions(block_num));
    if (versions_.size() > 4096) versions_.clear();
    it = versions_.emplace(block_num, std::move(v)).first;
  }
  return &it->second;
}

Result<std::optional<store::BlockInfo>> BlockSource::version(uint64_t block_num, uint64_t apply_seq) {
  TRONIDX_ASSIGN(auto vs, versions(block_num));
  for (const auto& v : *vs) {
    if (v.apply_seq == apply_seq) return std::optional<store::BlockInfo>(v);
  }
  return std::optional<store::BlockInfo>();
}

Result<std::optional<store::BlockInfo>> BlockSource::block_as_of(uint64_t block_num, uint64_t seq) {
  TRONIDX_ASSIGN(auto vs, versions(block_num));
  for (const auto& v : *vs) {
    if (v.apply_seq < seq && (v.revert_seq == 0 || v.revert_seq >= seq)) return std::optional<store::BlockInfo>(v);
  }
  return std::optional<store::BlockInfo>();
}

Result<bool> BlockSource::applied_between(uint64_t block_num, uint64_t lo_seq, uint64_t hi_seq) {
  TRONIDX_ASSIGN(auto vs, versions(block_num));
  for (const auto& v : *vs) {
    if (v.apply_seq > lo_seq && v.apply_seq < hi_seq) return true;
  }
  return false;
}

Result<TransferList> BlockSource::transfers(const store::BlockInfo& version, uint64_t as_of_seq) {
  if (cache_ != nullptr) {
    // The cached list is what the APPLY indexed; it is exact unless a BACKFILL inserted into the block,
    // in which case the entry was evicted.
    if (auto cached = cache_->get(version.block_num, version.apply_seq)) return cached;
  }
  TRONIDX_ASSIGN(auto list, snap_->block_transfers(version, as_of_seq));
  return TransferList(std::make_shared<const std::vector<store::IndexedTransfer>>(std::move(list)));
}

}  // namespace tronidx::api
