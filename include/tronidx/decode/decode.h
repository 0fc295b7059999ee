#pragma once
// decode/: the pure function from a fetched block to the transfers it contains (DESIGN.md §4).

#include <cstdint>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/decode/block.h"
#include "tronidx/decode/transfer.h"

namespace tronidx::decode {

struct DecodeOptions {
  bool trx = true;     // TransferContract
  bool trc10 = false;  // TransferAssetContract (config switch)
};

// Logs that looked like Transfer events but are not TRC20 transfers, and other skipped material.
struct DecodeStats {
  uint64_t trc20 = 0;
  uint64_t trx = 0;
  uint64_t trc10 = 0;
  uint64_t trc721_logs = 0;        // Transfer topic with 4 topics
  uint64_t malformed_logs = 0;     // Transfer topic with another shape (topic count or data size)
  uint64_t other_logs = 0;         // any other event
  uint64_t failed_tx_logs = 0;     // Transfer-topic logs of failed transactions (normally none exist)
  uint64_t failed_txs = 0;
  uint64_t invalid_contracts = 0;  // TRX/TRC10 contracts with a negative amount or a name-keyed asset

  DecodeStats& operator+=(const DecodeStats& o);
};

struct DecodedBlock {
  std::vector<Transfer> transfers;  // in position order
  DecodeStats stats;
};

// Joins infos to transactions by txid and extracts every transfer, in position order.
// Errors (never a partial result):
//   kUnavailable — the info list does not match the transactions (missing, extra, duplicated, or of
//                  another block): the node is not ready or serves a partial view; retry later.
// Block 0 (genesis) has no TransactionInfos on java-tron; its transactions are accepted without them.
Result<DecodedBlock> decode_block(const RawBlock& block, const DecodeOptions& options = {});

}  // namespace tronidx::decode
