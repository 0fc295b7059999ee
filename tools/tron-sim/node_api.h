#pragma once
// The answers of the java-tron node methods the simulator serves, as bytes over the Chain, with
// java-tron's semantics (TRON-PROTOCOL.md §6):
//   - an unknown or future block is the EMPTY message with status OK (infos: the empty list);
//   - GetBlockByLimitNext2 serves [start, end) only if end > 0 && end > start && end - start <= 100,
//     fewer blocks when the range passes the head, sorted by number;
//   - GetBlock(BlockReq): "" = head, decimal = by number (> head: empty), 64 hex = by id; a negative
//     number, a non-number that is not 64 hex, or an id whose embedded number > head: INVALID_ARGUMENT;
//   - the solidified view (WalletSolidity, and Database on the solidity port) sees only blocks up to the
//     solidified number.
// Fault decisions already taken for the call (empty window, infos missing, garbage) are applied here;
// UNAVAILABLE and latency are the transport's business (node_services).
//
// Thread-safety: const methods over a thread-safe Chain; safe from any thread.

#include <atomic>
#include <cstdint>
#include <string_view>

#include "answer.h"
#include "chain.h"
#include "faults.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

enum class View : uint8_t { kFull, kSolid };

class NodeApi {
 public:
  static constexpr int64_t kMaxRange = 100;

  NodeApi(const Chain& chain, FaultInjector& faults) : chain_(chain), faults_(faults) {}

  Answer now_block(View view, const FaultDecision& d) const;
  Answer block_by_num(View view, int64_t num, const FaultDecision& d) const;
  Answer block_range(int64_t start, int64_t end, const FaultDecision& d) const;
  Result<Answer> get_block(std::string_view id_or_num, bool detail, const FaultDecision& d) const;
  Answer infos_by_num(View view, int64_t num, const FaultDecision& d) const;
  Answer node_info() const;
  Answer dynamic_properties() const;
  Answer block_reference(View view) const;

 private:
  // The block `num` if it is visible in `view`, else nullptr.
  BlockPtr visible(View view, int64_t num) const;
  // The block answer for `block` (nullptr: empty), with the garbage decision applied.
  Answer block_answer(const BlockPtr& block, bool detail, const FaultDecision& d) const;

  const Chain& chain_;
  FaultInjector& faults_;
  mutable std::atomic<uint64_t> garbage_variant_{0};
};

}  // namespace tronidx::sim
