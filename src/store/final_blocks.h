#pragma once
// The canonical version of final blocks, remembered across queries.
//
// A history page joins each row with its block (id, timestamp): one seek in the blocks family per block
// the page touches. For an address with few transfers every row is in another block, and those seeks were
// 15 % of the server's CPU per page in B5 (docs/performance.md). A block at or below a snapshot's solidified
// number is final: its canonical version never changes afterwards (WriteTxn::revert_tip refuses final
// blocks, and nothing else rewrites them), so the version one snapshot read for it is the version every
// snapshot that has it final reads. Snapshot's block cursor asks here first for such blocks only, and
// stores what it reads; blocks above the snapshot's solidified number are always read from the snapshot.
//
// A fixed number of slots, each holding one block; a block whose slot is taken replaces the one there.
// 65,536 slots (~7 MB): the last ~2.3 days of mainnet's blocks, and all of B5's 40,000 (with 16,384 the
// sparse address's pages found ~40 % of their blocks here). Thread-safe (readers of many snapshots at once).

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "tronidx/store/types.h"

namespace tronidx::store {

class FinalBlocks {
 public:
  explicit FinalBlocks(size_t slots = 65536);

  // The block remembered for `block_num`, if any.
  std::optional<BlockInfo> find(uint64_t block_num) const;
  // Remembers `block`, the canonical version of a final block.
  void put(const BlockInfo& block);

 private:
  struct Slot {
    bool filled = false;
    BlockInfo block;
  };
  static constexpr size_t kStripes = 64;
  std::mutex& stripe(size_t slot) const { return stripes_[slot % kStripes]; }
  std::vector<Slot> slots_;
  mutable std::array<std::mutex, kStripes> stripes_;
};

}  // namespace tronidx::store
