#pragma once
// A block of the simulated chain as it is kept in memory and served: the exact bytes of its answers
// (so serving never re-serialises) plus the metadata and ground truth the control interface reports.
// Immutable once built; shared between the chain, in-flight answers and dumps via BlockPtr.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tronidx/chain/ids.h"
#include "tronidx/decode/transfer.h"

namespace tronidx::sim {

struct StoredBlock {
  uint64_t num = 0;
  chain::BlockId id;
  chain::BlockId parent_id;
  int64_t timestamp_ms = 0;
  uint32_t tx_count = 0;
  uint64_t salt = 0;  // branch the block was generated on (0 = first branch; replayed blocks: 0)

  // Serialised protocol.BlockExtention in canonical field order: `transactions` first, then
  // block_header and blockid, which start at header_offset (that suffix alone is the detail=false answer).
  std::string block;
  size_t header_offset = 0;
  // Serialised protocol.TransactionInfoList: one info per transaction in block order (empty for blocks
  // without transactions and for genesis).
  std::string infos;
  // Ground truth: the transfers of this block in position order (TRC20 logs of successful calls, TRX,
  // TRC10). Empty in replay mode without a sidecar.
  std::vector<decode::Transfer> transfers;

  std::string_view txs_part() const { return std::string_view(block).substr(0, header_offset); }
  std::string_view header_part() const { return std::string_view(block).substr(header_offset); }
};

using BlockPtr = std::shared_ptr<const StoredBlock>;

struct TransferCounts {
  uint32_t trc20 = 0;
  uint32_t trx = 0;
  uint32_t trc10 = 0;
};

TransferCounts count_transfers(const StoredBlock& block) noexcept;

}  // namespace tronidx::sim
