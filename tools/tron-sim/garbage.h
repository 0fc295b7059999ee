#pragma once
// Garbage answers: plausible-looking but wrong data an indexer must detect and reject (and retry).
//   block: a neighbour block (wrong number) or this block with a broken parentHash (its id recomputed,
//          so only the parent link betrays it);
//   infos: the infos of another block, or this block's list with the last info dropped.
// Pure functions of their inputs; thread-safe.

#include <cstdint>
#include <optional>
#include <vector>

#include "answer.h"
#include "chain.h"

namespace tronidx::sim {

// `variant` picks the kind of damage (callers rotate it). Never fails: falls back to a broken parent.
Answer garbage_block(const Chain& chain, const BlockPtr& block, bool detail, uint64_t variant);

// One block of `blocks` (chosen by variant) replaced by garbage_block(), framed as a BlockListExtention.
// std::nullopt when `blocks` is empty.
std::optional<Answer> garbage_range(const Chain& chain, const std::vector<BlockPtr>& blocks, uint64_t variant);

// std::nullopt when there is nothing plausible to serve instead (no other block with infos and no info
// to drop).
std::optional<Answer> garbage_infos(const Chain& chain, const BlockPtr& block);

// Frames blocks as a BlockListExtention: each block's bytes preceded by its field-1 key and length.
// `replace_index`/`replacement` substitute one block's bytes (replacement pieces concatenated).
Answer frame_block_list(const std::vector<BlockPtr>& blocks, size_t replace_index = SIZE_MAX,
                        const Answer& replacement = {});

}  // namespace tronidx::sim
