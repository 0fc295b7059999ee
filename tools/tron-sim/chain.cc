#include "chain.h"

#include <algorithm>
#include <mutex>
#include <string>

namespace tronidx::sim {
namespace {

Error precondition(const std::string& what) { return make_error(Errc::kFailedPrecondition, what); }

}  // namespace

Chain::Tips Chain::tips() const {
  std::shared_lock lock(mu_);
  Tips t;
  t.genesis = genesis_;
  t.head = blocks_.empty() ? genesis_ : blocks_.back();
  t.solid = at_locked(solid_num_);
  t.first_num = first_num_;
  return t;
}

Chain::Totals Chain::totals() const {
  std::shared_lock lock(mu_);
  return totals_;
}

BlockPtr Chain::at(uint64_t num) const {
  std::shared_lock lock(mu_);
  return at_locked(num);
}

std::vector<BlockPtr> Chain::range(uint64_t start, uint64_t end) const {
  std::vector<BlockPtr> out;
  std::shared_lock lock(mu_);
  if (start == 0 && end > 0 && genesis_) out.push_back(genesis_);
  const uint64_t lo = std::max(start, first_num_);
  const uint64_t hi = std::min(end, first_num_ + blocks_.size());
  for (uint64_t n = lo; n < hi; ++n) {
    if (n == 0) continue;  // genesis handled above
    out.push_back(blocks_[n - first_num_]);
  }
  return out;
}

BlockPtr Chain::at_locked(uint64_t num) const {
  if (num == 0 && genesis_) return genesis_;
  if (num < first_num_ || num - first_num_ >= blocks_.size()) return nullptr;
  return blocks_[num - first_num_];
}

uint64_t Chain::head_num_locked() const { return blocks_.empty() ? 0 : blocks_.back()->num; }

Status Chain::link_check_locked(const StoredBlock& b) const {
  if (blocks_.empty()) {
    if (!genesis_) return ok_status();  // the very first block: anything goes
    if (b.num == 0) return precondition("block 0 appended twice");
    if (b.num == 1 && b.parent_id != genesis_->id) return precondition("block 1: parent is not genesis");
    return ok_status();  // block 1, or the first block after the --start-block gap
  }
  const StoredBlock& head = *blocks_.back();
  if (b.num != head.num + 1) {
    return precondition("block " + std::to_string(b.num) + " does not follow head " + std::to_string(head.num));
  }
  if (b.parent_id != head.id) {
    return precondition("block " + std::to_string(b.num) + ": parent " + b.parent_id.to_hex() + " is not the head " +
                        head.id.to_hex());
  }
  return ok_status();
}

void Chain::push_locked(BlockPtr block) {
  totals_.txs += block->tx_count;
  totals_.transfers += block->transfers.size();
  if (blocks_.empty() && !genesis_ && block->num == 0) {
    genesis_ = std::move(block);
    solid_num_ = 0;
    return;
  }
  if (blocks_.empty()) {
    first_num_ = block->num;
    if (!genesis_) solid_num_ = block->num;  // replayed fixtures: the first block counts as solidified
  }
  blocks_.push_back(std::move(block));
}

void Chain::advance_solid_locked() {
  const uint64_t head = head_num_locked();
  if (head < solid_lag_) return;
  const uint64_t candidate = head - solid_lag_;
  if (candidate > solid_num_ && at_locked(candidate)) solid_num_ = candidate;
}

Status Chain::append(BlockPtr block) {
  std::unique_lock lock(mu_);
  TRONIDX_TRY(link_check_locked(*block));
  push_locked(std::move(block));
  advance_solid_locked();
  return ok_status();
}

Result<std::vector<BlockPtr>> Chain::replace_from(uint64_t fork_at, std::vector<BlockPtr> branch) {
  std::unique_lock lock(mu_);
  if (blocks_.empty() || fork_at < first_num_ || fork_at > blocks_.back()->num || fork_at == 0) {
    return precondition("fork_at " + std::to_string(fork_at) + " is not a replaceable block");
  }
  if (branch.empty() || branch.front()->num != fork_at) return precondition("new branch must start at fork_at");
  const size_t keep = fork_at - first_num_;
  std::vector<BlockPtr> orphaned(blocks_.begin() + static_cast<std::ptrdiff_t>(keep), blocks_.end());
  BlockPtr parent = keep > 0 ? blocks_[keep - 1] : (fork_at == 1 ? genesis_ : nullptr);
  if (parent && branch.front()->parent_id != parent->id) return precondition("new branch does not link to fork_at-1");
  for (size_t i = 1; i < branch.size(); ++i) {
    if (branch[i]->num != branch[i - 1]->num + 1 || branch[i]->parent_id != branch[i - 1]->id) {
      return precondition("new branch is not linked at block " + std::to_string(branch[i]->num));
    }
  }
  for (const auto& b : orphaned) {
    totals_.txs -= b->tx_count;
    totals_.transfers -= b->transfers.size();
  }
  blocks_.resize(keep);
  for (auto& b : branch) push_locked(std::move(b));
  advance_solid_locked();
  return orphaned;
}

}  // namespace tronidx::sim
