// Producer: scripted and random reorgs (see producer.h).
#include <algorithm>
#include <string>

#include "producer.h"
#include "rng.h"

namespace tronidx::sim {
namespace {

constexpr int64_t kMaxNewLength = 10000;
constexpr double kReappearRate = 0.5;

Error invalid(const std::string& field, const std::string& what) {
  return make_error(Errc::kInvalidArgument, field + ": " + what);
}

// Picks the orphaned transactions that reappear and distributes them over the new branch's blocks.
// At least one reappears when the orphaned blocks had any transaction (a reorg always shows it).
Result<std::vector<std::vector<CarriedTx>>> plan_carry_over(const std::vector<BlockPtr>& orphaned, uint64_t new_length,
                                                            Rng& rng, uint64_t& carried_count) {
  std::vector<std::vector<CarriedTx>> per_block(new_length);
  std::vector<CarriedTx> pool;
  for (const auto& block : orphaned) {
    TRONIDX_ASSIGN(std::vector<CarriedTx> txs, BlockFactory::unpack(*block));
    for (auto& tx : txs) pool.push_back(std::move(tx));
  }
  carried_count = 0;
  const size_t forced = pool.empty() ? pool.size() : rng.below(pool.size());
  for (size_t i = 0; i < pool.size(); ++i) {
    if (i != forced && !rng.chance(kReappearRate)) continue;
    per_block[rng.below(new_length)].push_back(std::move(pool[i]));
    ++carried_count;
  }
  return per_block;
}

}  // namespace

Result<ReorgOutcome> Producer::reorg(const ReorgSpec& spec) {
  std::lock_guard lock(mu_);
  const Chain::Tips tips = chain_.tips();
  const uint64_t head = tips.head->num;
  const uint64_t lowest = std::max<uint64_t>(tips.first_num, 1);  // genesis is never replaced
  if (spec.fork_at.has_value() == spec.depth.has_value()) {
    return invalid("fork_at/depth", "exactly one of fork_at and depth is required");
  }
  uint64_t fork_at = 0;
  if (spec.depth) {
    if (*spec.depth < 1) return invalid("depth", "must be >= 1 (got " + std::to_string(*spec.depth) + ")");
    if (head < lowest || static_cast<uint64_t>(*spec.depth) > head - lowest + 1) {
      return invalid("depth", std::to_string(*spec.depth) + " reaches below block " + std::to_string(lowest));
    }
    fork_at = head - static_cast<uint64_t>(*spec.depth) + 1;
  } else {
    if (*spec.fork_at < static_cast<int64_t>(lowest) || *spec.fork_at > static_cast<int64_t>(head)) {
      return invalid("fork_at", "must be within [" + std::to_string(lowest) + ", " + std::to_string(head) + "] (got " +
                                    std::to_string(*spec.fork_at) + ")");
    }
    fork_at = static_cast<uint64_t>(*spec.fork_at);
  }
  const uint64_t depth = head - fork_at + 1;
  if (spec.new_length < 0 || spec.new_length > kMaxNewLength) {
    return invalid("new_length", "must be within [0, " + std::to_string(kMaxNewLength) + "]");
  }
  if (spec.new_length != 0 && static_cast<uint64_t>(spec.new_length) < depth) {
    return invalid("new_length", "must be >= depth " + std::to_string(depth) + " (the head never moves down)");
  }
  if (fork_at <= tips.solid->num && !spec.allow_below_solidified) {
    return make_error(Errc::kFailedPrecondition, "fork_at: block " + std::to_string(fork_at) +
                                                     " is solidified (solidified = " + std::to_string(tips.solid->num) +
                                                     "); set allow_below_solidified to force it");
  }
  const uint64_t new_length = spec.new_length == 0 ? depth + 1 : static_cast<uint64_t>(spec.new_length);
  return reorg_locked(fork_at, new_length, false);
}

Status Producer::maybe_random_reorg_locked() {
  Rng rng(seed_, Stream::kReorg, produced_);
  if (!rng.chance(config_.reorg_rate)) return ok_status();
  const Chain::Tips tips = chain_.tips();
  const uint64_t lowest = std::max({tips.first_num, tips.solid->num + 1, uint64_t{1}});
  if (tips.head->num < lowest) return ok_status();
  const uint64_t room = tips.head->num - lowest + 1;  // blocks above the solidified one
  const uint64_t depth = std::min<uint64_t>(1 + rng.below(static_cast<uint64_t>(config_.reorg_max_depth)), room);
  auto outcome = reorg_locked(tips.head->num - depth + 1, depth + 1, true);
  if (!outcome.ok()) return std::move(outcome).error();
  return ok_status();
}

Result<ReorgOutcome> Producer::reorg_locked(uint64_t fork_at, uint64_t new_length, bool random) {
  const std::vector<BlockPtr> old = chain_.range(fork_at, UINT64_MAX);
  ++salt_;
  Rng rng(seed_, Stream::kReorgBranch, salt_);
  ReorgOutcome outcome;
  TRONIDX_ASSIGN(auto carried, plan_carry_over(old, new_length, rng, outcome.reappeared_txs));

  BlockPtr parent = chain_.at(fork_at - 1);
  chain::BlockId parent_id = parent ? parent->id : factory_->pruned_block_id(fork_at - 1);
  std::vector<BlockPtr> branch;
  for (uint64_t i = 0; i < new_length; ++i) {
    const uint64_t num = fork_at + i;
    BlockBody body = factory_->make_body(num, salt_, std::move(carried[i]));
    BlockPtr block = factory_->seal(body, parent_id);
    // Same parent, same slot: an empty block by the same witness would get the orphan's id. Never allow it.
    for (uint64_t shift = 1; i == 0 && block->id == old.front()->id; ++shift)
      block = factory_->seal(body, parent_id, shift);
    parent_id = block->id;
    branch.push_back(std::move(block));
  }
  TRONIDX_ASSIGN(std::vector<BlockPtr> orphaned, chain_.replace_from(fork_at, branch));

  outcome.fork_at = fork_at;
  outcome.depth = orphaned.size();
  outcome.new_length = new_length;
  outcome.random = random;
  for (const auto& b : orphaned) outcome.orphaned_ids.push_back(b->id);
  outcome.new_head = branch.back();
  stats_.blocks_produced += new_length;
  ++stats_.reorgs;
  stats_.orphaned_blocks += orphaned.size();
  stats_.last_reorg = outcome;
  stats_.last_reorg->orphaned_ids.clear();
  stats_.last_reorg->new_head.reset();
  if (hooks_.on_reorg) hooks_.on_reorg(outcome);
  if (hooks_.on_block) {
    const uint64_t solid = chain_.tips().solid->num;
    for (const auto& b : branch) hooks_.on_block(b, solid);
  }
  return outcome;
}

}  // namespace tronidx::sim
