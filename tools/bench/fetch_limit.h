#pragma once
// The "fetch + parse only" limit: reads a block range from a java-tron node (or tron-sim) the way an
// indexer's catch-up does — GetBlockByLimitNext2 in ranges of `range` blocks plus
// GetTransactionInfoByBlockNum for every block with transactions, `in_flight` calls outstanding — and
// parses every answer into protobuf messages on an Arena, doing nothing else (block 0's transactions
// have no infos on java-tron, so none are asked for). Later benchmarks compare
// the indexer's catch-up rate against this ceiling.
//
// Thread-safety: run_fetch_limit() is self-contained (its own channel and threads); call it from any
// thread. It blocks until the range is read or a call fails.

#include <chrono>
#include <cstdint>
#include <string>

#include "tronidx/chain/result.h"

namespace tronidx::bench {

struct FetchLimitOptions {
  std::string endpoint = "127.0.0.1:50051";  // full-node port (protocol.Wallet)
  int64_t from_block = 1;                    // first block read
  int64_t to_block = -1;                     // exclusive end; < 0: the head + 1 (asked with GetNowBlock2)
  int in_flight = 8;                         // calls outstanding at once
  int range = 100;                           // blocks per GetBlockByLimitNext2 (java-tron's cap is 100)
  bool infos = true;                         // also fetch TransactionInfos of blocks with transactions
  std::chrono::milliseconds call_timeout{60000};
};

struct FetchLimitResult {
  uint64_t blocks = 0;
  uint64_t transactions = 0;
  uint64_t infos = 0;
  uint64_t range_calls = 0;
  uint64_t info_calls = 0;
  uint64_t bytes = 0;  // serialised protobuf received (message payloads, no gRPC framing)
  double seconds = 0;  // first call sent .. last answer parsed

  double blocks_per_s() const noexcept { return seconds > 0 ? static_cast<double>(blocks) / seconds : 0; }
  double mb_per_s() const noexcept { return seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0; }
  double calls_per_s() const noexcept {
    return seconds > 0 ? static_cast<double>(range_calls + info_calls) / seconds : 0;
  }
};

// kInvalidArgument for bad options (naming the field); kUnavailable when a call fails; kDataLoss when
// the node answers fewer blocks than asked within its head, or an info list that does not match the
// block's transaction count. No retries: a benchmark must not hide a misbehaving node.
Result<FetchLimitResult> run_fetch_limit(const FetchLimitOptions& options);

// "fetch_limit: 3000 blocks ... blocks/s ... MB/s ... calls/s" (MB = 10^6 bytes).
std::string format_text(const FetchLimitOptions& options, const FetchLimitResult& result);
// One JSON object on one line: {"bench":"fetch_limit",...}.
std::string format_json(const FetchLimitOptions& options, const FetchLimitResult& result);

}  // namespace tronidx::bench
