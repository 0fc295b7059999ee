#pragma once
// Ground truth (tron-sim's JSONL dumps) and the index's view of the same transfers, in one comparable
// form, so integration tests can assert "the index equals ground truth" exactly.

#include <compare>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "itsupport/daemon_process.h"
#include "tronidx/chain/result.h"

namespace tronidx::testsupport {

// One transfer; field formats as tron-sim's dump and the public API render them (base58 addresses,
// token "TRX" / TRC10 id / TRC20 base58, exact decimal amount, hex ids).
struct TruthTransfer {
  uint64_t block_num = 0;
  uint32_t tx_index = 0;
  uint32_t event_index = 0;
  std::string block_id;
  int64_t timestamp_ms = 0;
  std::string txid;
  std::string kind;  // TRX | TRC20 | TRC10
  std::string token;
  std::string from;
  std::string to;
  std::string amount;
  auto operator<=>(const TruthTransfer&) const = default;
};

struct TruthBlock {
  uint64_t block_num = 0;
  std::string block_id;
  std::string parent_id;
  int64_t timestamp_ms = 0;
  auto operator<=>(const TruthBlock&) const = default;
};

// Parses DumpGroundTruth / DumpBlocks JSONL. Throws std::runtime_error on malformed input (a broken
// simulator is not a test outcome to compare against).
std::vector<TruthTransfer> parse_truth(const std::string& jsonl);
std::vector<TruthBlock> parse_blocks(const std::string& jsonl);

// What the index must hold: `truth` restricted to blocks [from, to], to transfers touching one of
// `addresses` (empty: all), of `kinds` (e.g. {"TRX","TRC20"} when TRC10 is off).
std::vector<TruthTransfer> expected(const std::vector<TruthTransfer>& truth, uint64_t from, uint64_t to,
                                    const std::set<std::string>& addresses, const std::set<std::string>& kinds);

// Every transfer the index returns for `address` (ListTransfers, both directions, oldest first, all
// pages) with block_num <= to_block (0 = no bound).
Result<std::vector<TruthTransfer>> index_address_history(const DaemonProcess& d, const std::string& address,
                                                         uint64_t to_block = 0);
// Same for a token subject ("TRX", TRC10 id or contract).
Result<std::vector<TruthTransfer>> index_token_history(const DaemonProcess& d, const std::string& token,
                                                       uint64_t to_block = 0);

TruthTransfer from_proto(const v1::Transfer& t);
std::string describe(const TruthTransfer& t);

// Human-readable difference of two sorted lists ("" when equal), at most `max_lines` lines.
std::string diff(const std::vector<TruthTransfer>& expected, const std::vector<TruthTransfer>& actual,
                 size_t max_lines = 20);

}  // namespace tronidx::testsupport
