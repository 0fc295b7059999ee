#pragma once
// The workloads of the micro-benchmarks (tools/bench/micro.cc): the steps of the catch-up and query
// paths, run in-process on the data of the end-to-end scenarios, where their CPU time can be measured
// per operation without the gRPC, loopback and scheduling noise around them. Each returns what it
// produced, so that a benchmark (and tests/sim/bench_micro_test.cc) can check it did the whole job.

#include <cstdint>
#include <string>
#include <vector>

#include "api/convert.h"  // src/api (private): the response rendering ListTransfers uses
#include "tronidx/chain/address.h"
#include "tronidx/chain/result.h"
#include "tronidx/decode/block.h"
#include "tronidx/decode/transfer.h"
#include "tronidx/store/store.h"
#include "tronidx/store/types.h"
#include "tronidx/store/write_txn.h"
#include "tronidx/v1/query.pb.h"

namespace tronidx::bench::micro {

// Block `num` of tron-sim's `mainnet` profile (~300 transactions, mostly USDT transfers), as java-tron
// serves it to the daemon during catch-up.
struct WireBlock {
  uint64_t num = 0;
  size_t tx_count = 0;
  std::string block_list;  // the GetBlockByLimitNext2 answer holding only this block
  std::string infos;       // the GetTransactionInfoByBlockNum answer
  std::vector<decode::Transfer> transfers;  // the generator's ground truth
};
Result<WireBlock> mainnet_block(uint64_t num);

// Whether decode::decode_block with its default options (the daemon's) yields a transfer of this kind.
bool decoded_by_default(const decode::Transfer& t);

// Blocks first .. first+count-1 of that chain as the writer receives them: headers and the transfers decode
// yields with its defaults (the generator's ground truth, filtered by decoded_by_default).
struct DecodedBlocks {
  std::vector<decode::BlockHeader> headers;
  std::vector<uint32_t> tx_counts;
  std::vector<std::vector<decode::Transfer>> transfers;
  size_t transfer_count = 0;
};
Result<DecodedBlocks> mainnet_blocks(uint64_t first, size_t count);

// Applies `blocks` to `txn` as the blocks after its tip (renumbered from tip+1, chained from the tip's id,
// their transfers' positions moved along), as a catch-up commit does; solidifies the last one.
Status apply_as_next(store::WriteTxn& txn, const DecodedBlocks& blocks);

// node/wire: the two answers parsed into the block the decoder takes, txids verified (the daemon's default).
Result<decode::RawBlock> parse_block(const WireBlock& block);

// ListTransfers' read of the store: a page of `limit` transfers of `address`, newest first, ending at
// `to_block`, through the shared snapshot of the last write.
Result<std::vector<store::IndexedTransfer>> read_page(const store::Store& store, const chain::Address& address,
                                                      uint64_t to_block, size_t limit);

// ListTransfers' response for those rows, rendered into `resp` (cleared first: the daemon hands each call a
// response an earlier call used, src/api/pooled_messages.h) and serialised into `out` as gRPC sends it.
void render_page(const std::vector<store::IndexedTransfer>& rows, uint64_t tip, uint64_t solidified,
                 const api::TokenBook& tokens, v1::ListTransfersResponse& resp, std::string& out);

// The tokens the daemon knows by default (USDT; TRX is built in).
api::TokenBook default_tokens();

}  // namespace tronidx::bench::micro
