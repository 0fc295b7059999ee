#pragma once
// JSONL renderings of the canonical chain for the control interface, `tron-sim dump` and recordings.
//
// Ground truth, one line per transfer, keys in this order:
//   {"block_num":N,"block_id":"<64 hex>","timestamp_ms":T,"tx_index":I,"event_index":E,
//    "txid":"<64 hex>","kind":"TRC20|TRX|TRC10","token":"...","from":"T...","to":"T...","amount":"<decimal>"}
//   token: base58 contract for TRC20, "TRX" for TRX, the numeric asset id (as a string) for TRC10.
//   amount: exact decimal of the uint256 (TRX in sun).
// Blocks, one line per block:
//   {"block_num":N,"block_id":"<hex>","parent_id":"<hex>","timestamp_ms":T,"tx_count":K}
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "stored_block.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

void append_truth_lines(std::string& out, const StoredBlock& block);
void append_block_line(std::string& out, const StoredBlock& block);

// "TRX", the TRC10 asset id, or the TRC20 contract in base58.
std::string token_text(const decode::Transfer& transfer);

// A parsed ground-truth line (the inverse of append_truth_lines for one transfer).
struct TruthLine {
  decode::Transfer transfer;
  chain::BlockId block_id;
  int64_t timestamp_ms = 0;
};
// kInvalidArgument naming the key that is missing or malformed.
Result<TruthLine> parse_truth_line(std::string_view line);

}  // namespace tronidx::sim
