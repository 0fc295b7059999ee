#pragma once
// Direct protobuf-wire parsing of java-tron's block and info answers into domain types, with the same
// validation as before: no protobuf objects are built (their per-field string allocations dominated the
// cost of parsing), and block ids and txids are computed over the exact bytes received (as java-tron
// hashes them; no re-serialisation). Internal to node/.
//
// Field numbers: proto/tron/{core,api,contract}.proto. Every failure is kUnavailable with a message
// starting "invalid answer from node" (or "node has no block" for java-tron's empty message), so a node
// serving garbage only delays the index.

#include <cstdint>
#include <span>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/decode/block.h"

namespace tronidx::node::wire {

// A BlockListExtention (GetBlockByLimitNext2): blocks `from`, from+1, ... in order, each connected to the
// previous one by parent id. An answer with fewer blocks is returned as is (the caller decides).
Result<std::vector<decode::RawBlock>> parse_block_list(std::span<const uint8_t> bytes, uint64_t from,
                                                       bool verify_txids);
// A BlockExtention that must be block `expected` (header only when `with_transactions` is false).
Result<decode::RawBlock> parse_block(std::span<const uint8_t> bytes, uint64_t expected, bool with_transactions,
                                     bool verify_txids);
// A BlockExtention whose number is not known in advance (the head): header only.
Result<decode::BlockHeader> parse_head(std::span<const uint8_t> bytes);
// A TransactionInfoList of block `block_num`.
Result<std::vector<decode::RawTxInfo>> parse_infos(std::span<const uint8_t> bytes, uint64_t block_num);

}  // namespace tronidx::node::wire
