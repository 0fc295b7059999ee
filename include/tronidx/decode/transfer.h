#pragma once
// A transfer as tronidx defines it (DESIGN.md §4): position orders it on the chain, (txid, event_index)
// identifies it across reorgs.

#include <compare>
#include <cstdint>

#include "tronidx/chain/address.h"
#include "tronidx/chain/amount.h"
#include "tronidx/chain/ids.h"

namespace tronidx::decode {

enum class TransferKind : uint8_t {
  kTrx = 1,    // TransferContract; token is the zero address, amount in sun
  kTrc20 = 2,  // Transfer(address,address,uint256) log; token is the contract
  kTrc10 = 3,  // TransferAssetContract; token encodes the asset id (see trc10_token)
};

const char* kind_name(TransferKind kind) noexcept;

struct Position {
  uint64_t block_num = 0;
  uint32_t tx_index = 0;     // index of the transaction in its block
  uint32_t event_index = 0;  // TRC20: index of the log in TransactionInfo.log; TRX/TRC10: 0

  auto operator<=>(const Position&) const = default;
};

struct Transfer {
  Position position;
  TransferKind kind = TransferKind::kTrc20;
  chain::Address token;
  chain::Address from;
  chain::Address to;
  chain::Amount amount;
  chain::TxId txid;

  bool operator==(const Transfer&) const = default;
};

// The token value used for TRX transfers: the zero address (T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb).
chain::Address trx_token() noexcept;
// TRC10 tokens are identified by their numeric asset id, stored as 0x00 || 12 zero bytes || BE64(id)
// (the 0x00 first byte keeps them apart from real 0x41 addresses).
chain::Address trc10_token(uint64_t asset_id) noexcept;
uint64_t trc10_asset_id(const chain::Address& token) noexcept;

}  // namespace tronidx::decode
