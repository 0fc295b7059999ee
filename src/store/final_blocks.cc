#include "final_blocks.h"

namespace tronidx::store {

FinalBlocks::FinalBlocks(size_t slots) : slots_(slots == 0 ? 1 : slots) {}

std::optional<BlockInfo> FinalBlocks::find(uint64_t block_num) const {
  const size_t i = block_num % slots_.size();
  std::lock_guard lock(stripe(i));
  const Slot& s = slots_[i];
  if (!s.filled || s.block.block_num != block_num) return std::nullopt;
  return s.block;
}

void FinalBlocks::put(const BlockInfo& block) {
  const size_t i = block.block_num % slots_.size();
  std::lock_guard lock(stripe(i));
  slots_[i] = Slot{true, block};
}

}  // namespace tronidx::store
