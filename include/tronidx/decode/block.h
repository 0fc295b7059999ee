#pragma once
// The domain form of a fetched block: what decode/ needs from java-tron's Block + TransactionInfo list,
// with no protobuf or gRPC types. node/ builds it from the wire messages (and validates ids on the way);
// tron-sim and tests may build it directly.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/hash.h"
#include "tronidx/chain/ids.h"

namespace tronidx::decode {

struct BlockHeader {
  uint64_t block_num = 0;
  chain::BlockId id;
  chain::BlockId parent_id;
  int64_t timestamp_ms = 0;
};

// java-tron's Transaction.Contract.ContractType values that decode looks at.
inline constexpr int32_t kTransferContract = 1;
inline constexpr int32_t kTransferAssetContract = 2;
inline constexpr int32_t kCreateSmartContract = 30;
inline constexpr int32_t kTriggerSmartContract = 31;

// Transaction.Result.contractResult values.
inline constexpr int32_t kContractRetDefault = 0;
inline constexpr int32_t kContractRetSuccess = 1;
inline constexpr int32_t kContractRetAbsent = -1;  // the transaction carries no `ret`

struct RawTx {
  chain::TxId txid;
  int32_t contract_type = -1;       // contract(0).type
  int32_t contract_ret = kContractRetAbsent;  // ret(0).contractRet
  // Filled for kTransferContract and kTransferAssetContract only.
  chain::Address owner;
  chain::Address to;
  int64_t amount = 0;               // sun (TRX) or token units (TRC10)
  std::string asset_name;           // TRC10 asset id as decimal ASCII
};

// One TVM log. Only the shape and the first three topics are kept: that is all a TRC20 Transfer needs.
struct RawLog {
  std::array<uint8_t, 20> address{};  // emitting contract, 20 bytes (no 0x41)
  uint32_t topic_count = 0;
  std::array<chain::Hash32, 3> topics{};  // topics[i] valid for i < min(topic_count, 3)
  uint32_t data_size = 0;
  std::array<uint8_t, 32> data{};     // valid when data_size == 32
};

struct RawTxInfo {
  chain::TxId txid;
  int64_t block_num = 0;            // TransactionInfo.blockNumber
  bool result_ok = false;           // TransactionInfo.result == SUCESS
  int32_t receipt_result = kContractRetDefault;  // receipt.result (contractResult)
  std::vector<RawLog> logs;
};

struct RawBlock {
  BlockHeader header;
  std::vector<RawTx> txs;           // block order
  std::vector<RawTxInfo> infos;     // as served; joined to txs by txid, not by position
};

}  // namespace tronidx::decode
