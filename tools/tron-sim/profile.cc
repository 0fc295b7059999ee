#include "profile.h"

#include <cmath>

namespace tronidx::sim {

ProfileMix profile_mix(Profile profile, std::optional<double> txs_per_block) {
  ProfileMix mix;
  //                     trc20  trx   trc10  failed approve trc721 swap  malformed
  if (profile == Profile::kMainnet) {
    mix.mean_txs = 300;
    mix.empty_block_rate = 0.02;
    mix.weights = {0.775, 0.10, 0.01, 0.04, 0.03, 0.01, 0.03, 0.005};
  } else {
    // Short test chains must still contain every shape, so the rare kinds are boosted.
    mix.mean_txs = profile == Profile::kSmall ? 20 : 3;
    mix.empty_block_rate = 0.08;
    mix.weights = {0.50, 0.12, 0.04, 0.08, 0.06, 0.06, 0.10, 0.04};
  }
  if (txs_per_block) {
    mix.mean_txs = *txs_per_block;
    if (*txs_per_block == 0) mix.empty_block_rate = 1;
  }
  return mix;
}

uint32_t pick_tx_count(const ProfileMix& mix, Rng& rng) {
  if (rng.chance(mix.empty_block_rate)) return 0;
  const double n = std::round(mix.mean_txs * (0.7 + 0.6 * rng.unit()));
  return n < 1 ? 1 : static_cast<uint32_t>(n);
}

TxKind pick_kind(const ProfileMix& mix, Rng& rng) {
  double total = 0;
  for (double w : mix.weights) total += w;
  double r = rng.unit() * total;
  for (size_t i = 0; i < mix.weights.size(); ++i) {
    if (r < mix.weights[i]) return static_cast<TxKind>(i);
    r -= mix.weights[i];
  }
  return TxKind::kTrc20Transfer;
}

}  // namespace tronidx::sim
