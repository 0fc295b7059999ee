#pragma once
// java-tron wire messages -> domain types, validating as it goes. Internal to node/: the only code besides
// the simulator that sees protocol:: types. Every failure is kUnavailable with a message starting
// "invalid answer from node" (a node serving garbage makes the index late, never wrong).

#include <cstdint>
#include <vector>

#include "tron/api.pb.h"
#include "tronidx/chain/result.h"
#include "tronidx/decode/block.h"

namespace tronidx::node {

// The header of a BlockExtention that must be block `expected_num` (kUnavailable "empty" when the node
// answered java-tron's empty message for a block it does not have).
Result<decode::BlockHeader> convert_header(const protocol::BlockExtention& block, uint64_t expected_num);
// Same, for the head block whose number is not known in advance.
Result<decode::BlockHeader> convert_head(const protocol::BlockExtention& block);
// Header + transactions (infos left empty).
Result<decode::RawBlock> convert_block(const protocol::BlockExtention& block, uint64_t expected_num, bool verify_txids);
Result<std::vector<decode::RawTxInfo>> convert_infos(const protocol::TransactionInfoList& list, uint64_t block_num);

}  // namespace tronidx::node
