#pragma once
// The canonical chain of the simulator: genesis (optional for replayed fixtures) plus a contiguous run of
// blocks [first_num, head]; numbers in between (1 .. first_num-1 with --start-block) do not exist.
// Tracks the solidified number (head - lag, never moving down, always an existing block) and running
// totals of the canonical chain.
//
// Thread-safety: readers (the gRPC handlers, dumps) take a shared lock for a few pointer copies;
// writers (append, replace_from) take it exclusively. Blocks are immutable, so a reader keeps a
// consistent view of a block for as long as it holds the BlockPtr, across reorgs.

#include <cstdint>
#include <shared_mutex>
#include <vector>

#include "stored_block.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

class Chain {
 public:
  explicit Chain(uint64_t solid_lag) : solid_lag_(solid_lag) {}

  struct Tips {
    BlockPtr head;           // nullptr only while the chain is empty
    BlockPtr solid;          // the solidified block
    BlockPtr genesis;        // nullptr when the chain has no block 0
    uint64_t first_num = 0;  // first block after genesis (or the first replayed block)
  };
  struct Totals {
    uint64_t txs = 0;
    uint64_t transfers = 0;
  };

  Tips tips() const;
  Totals totals() const;
  // The canonical block `num`, or nullptr (unknown, in the gap, or beyond the head).
  BlockPtr at(uint64_t num) const;
  // The canonical blocks with start <= num < end, in order (gaps and numbers past the head skipped).
  std::vector<BlockPtr> range(uint64_t start, uint64_t end) const;

  // Appends the next block. The first block may have any number; after genesis the next may jump (the
  // --start-block gap); otherwise num must be head+1 and parent_id the head's id.
  // kFailedPrecondition naming the mismatch otherwise (a bug in the caller, or a corrupt replay file).
  Status append(BlockPtr block);

  // Replaces the blocks >= fork_at by `branch` (branch[0].num == fork_at, parent links consistent,
  // fork_at within [first_num, head]). Returns the orphaned blocks in order. The solidified number does
  // not move down, even if the reorg went below it (the caller decides whether that is allowed).
  Result<std::vector<BlockPtr>> replace_from(uint64_t fork_at, std::vector<BlockPtr> branch);

 private:
  BlockPtr at_locked(uint64_t num) const;
  uint64_t head_num_locked() const;
  Status link_check_locked(const StoredBlock& block) const;
  void push_locked(BlockPtr block);
  void advance_solid_locked();

  const uint64_t solid_lag_;
  mutable std::shared_mutex mu_;
  BlockPtr genesis_;
  std::vector<BlockPtr> blocks_;  // blocks_[i].num == first_num_ + i
  uint64_t first_num_ = 0;
  uint64_t solid_num_ = 0;
  Totals totals_;
};

}  // namespace tronidx::sim
