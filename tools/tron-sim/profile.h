#pragma once
// Load profiles: how many transactions a block carries and which kinds of transactions they are.

#include <array>
#include <cstdint>
#include <optional>

#include "options.h"
#include "rng.h"

namespace tronidx::sim {

enum class TxKind : uint8_t {
  kTrc20Transfer,      // transfer(address,uint256) with its Transfer log (ground truth: 1 TRC20)
  kTrxTransfer,        // TransferContract (ground truth: 1 TRX)
  kTrc10Transfer,      // TransferAssetContract (ground truth: 1 TRC10)
  kFailedCall,         // reverted / out-of-energy transfer call: no logs, no ground truth
  kApproval,           // approve(): an Approval log only
  kTrc721Transfer,     // NFT transferFrom: a 4-topic Transfer log, not a TRC20 transfer
  kSwap,               // router call with 2-3 Transfer logs of different tokens plus Sync/Swap events
  kMalformedTransfer,  // a Transfer-topic log with 1 topic and 96 bytes of data: not a transfer
  kCount,
};

struct ProfileMix {
  double mean_txs = 0;                                                // mean transactions of a non-empty block
  double empty_block_rate = 0;                                        // probability that a block has no transactions
  std::array<double, static_cast<size_t>(TxKind::kCount)> weights{};  // relative
};

// The mix of `profile`, with the mean overridden by `txs_per_block` when given.
ProfileMix profile_mix(Profile profile, std::optional<double> txs_per_block);

// Transactions in the next block: 0 for an empty block, else around the mean (±30 %, at least 1).
uint32_t pick_tx_count(const ProfileMix& mix, Rng& rng);
TxKind pick_kind(const ProfileMix& mix, Rng& rng);

}  // namespace tronidx::sim
