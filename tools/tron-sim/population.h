#pragma once
// Who transacts on the simulated chain: a deterministic account population with a skewed (Zipf-like)
// activity distribution, hot addresses that receive a configurable share of transfers, the token
// contracts, and the 27 super representatives that produce blocks.
//
// Immutable after create(); every method is const and thread-safe (block bodies are generated in
// parallel). Addresses of accounts and hot addresses depend on the seed; contracts and witnesses do not
// (so a configuration naming a token works for every seed).

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "options.h"
#include "rng.h"
#include "tronidx/chain/address.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

struct Trc20Token {
  chain::Address address;
  std::string symbol;
  uint8_t decimals = 6;
  double weight = 0;  // share of TRC20 transfers
};

// The address 0x41 || sha256(label || LE64(seed) || LE64(index))[0..20): how every simulated address
// is made. Stable across versions: changing it changes every chain.
chain::Address derived_address(std::string_view label, uint64_t seed, uint64_t index);

class Population {
 public:
  static constexpr size_t kWitnessCount = 27;

  static Result<Population> create(const GenConfig& config);

  // Account `index` of the population: 0x41 || 20 bytes of the Stream::kAccount PRNG stream of
  // (seed, index). Pure; index < accounts().
  chain::Address account(uint64_t index) const;
  uint64_t accounts() const noexcept { return accounts_; }
  // An account drawn with probability roughly proportional to 1/(rank+1).
  chain::Address pick_account(Rng& rng) const;
  // A recipient: a hot address with probability hot_share, else pick_account(). Never equals `from`.
  chain::Address pick_recipient(Rng& rng, const chain::Address& from) const;
  const std::vector<chain::Address>& hot() const noexcept { return hot_; }

  const std::vector<Trc20Token>& tokens() const noexcept { return tokens_; }  // tokens()[0] is USDT
  const Trc20Token& pick_token(Rng& rng) const;
  const Trc20Token& pick_other_token(Rng& rng, const Trc20Token& not_this) const;
  // TRC721 collection, swap router, fee collector, and a contract emitting non-standard Transfer logs.
  const chain::Address& nft_contract() const noexcept { return nft_; }
  const chain::Address& router() const noexcept { return router_; }
  const chain::Address& fee_collector() const noexcept { return fee_collector_; }
  const chain::Address& odd_token() const noexcept { return odd_token_; }
  // The liquidity pair contract of two tokens (order-independent).
  chain::Address pair(const Trc20Token& a, const Trc20Token& b) const;
  // A TRC10 asset id (numeric, as TransferAssetContract.asset_name carries it).
  uint64_t pick_trc10(Rng& rng) const;

  // The block producer of `block_num` on the branch with `salt` (round-robin, shifted per branch).
  const chain::Address& witness(uint64_t block_num, uint64_t salt) const;
  // Address that funds the genesis accounts.
  chain::Address genesis_owner() const;

 private:
  uint64_t seed_ = 0;
  uint64_t accounts_ = 0;
  double hot_share_ = 0;
  double log_accounts_ = 0;
  std::vector<chain::Address> hot_;
  std::vector<Trc20Token> tokens_;
  double token_weight_total_ = 0;
  chain::Address nft_, router_, fee_collector_, odd_token_;
  std::array<chain::Address, kWitnessCount> witnesses_{};
};

}  // namespace tronidx::sim
