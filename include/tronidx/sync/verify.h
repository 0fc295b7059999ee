#pragma once
// Comparing the index with the node, block by block (used by the verify and reindex jobs).

#include <cstdint>
#include <string>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/decode/block.h"
#include "tronidx/decode/transfer.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/store.h"

namespace tronidx::sync {

// Differences between the index's block `header.block_num` and the node's version of it (`header` and
// `node_transfers`, decoded with the daemon's decode options), one line each; empty when they agree.
// Rules: the block ids must be equal; every indexed transfer must equal the node's transfer at its position;
// every node transfer the index should hold must be there — all mode: those of indexed tokens; watched
// mode: those touching an address that was watched when the block was applied.
Result<std::vector<std::string>> compare_block(const store::Store& store, const store::Snapshot& snap,
                                               const decode::BlockHeader& header,
                                               const std::vector<decode::Transfer>& node_transfers);

}  // namespace tronidx::sync
