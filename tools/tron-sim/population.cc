#include "population.h"

#include <cmath>

#include "tronidx/chain/hash.h"
#include "tronidx/chain/usdt.h"

namespace tronidx::sim {
namespace {

constexpr std::array<uint64_t, 5> kTrc10Assets = {1002000, 1000226, 1000317, 1004031, 1002357};

void put_le64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

// Seed-independent contract address for a label.
chain::Address contract(std::string_view label) { return derived_address(label, 0, 0); }

}  // namespace

chain::Address derived_address(std::string_view label, uint64_t seed, uint64_t index) {
  std::string input(label);
  put_le64(input, seed);
  put_le64(input, index);
  const chain::Hash32 h = chain::sha256(input);
  return chain::Address::from_evm(std::span<const uint8_t, 20>(h.bytes.data(), 20));
}

Result<Population> Population::create(const GenConfig& config) {
  Population p;
  p.seed_ = config.seed;
  p.accounts_ = static_cast<uint64_t>(config.accounts);
  p.log_accounts_ = std::log(static_cast<double>(p.accounts_) + 1.0);
  p.hot_share_ = config.hot_share;
  for (int64_t i = 0; i < config.hot_count; ++i) {
    p.hot_.push_back(derived_address("tron-sim/hot", config.seed, static_cast<uint64_t>(i)));
  }
  p.hot_.insert(p.hot_.end(), config.hot_explicit.begin(), config.hot_explicit.end());

  TRONIDX_ASSIGN(const chain::Address usdt, chain::Address::parse(chain::kUsdtContract, "usdt"));
  p.tokens_ = {
      {usdt, std::string(chain::kUsdtSymbol), static_cast<uint8_t>(chain::kUsdtDecimals), 0.86},
      {contract("tron-sim/token/USDC"), "USDC", 6, 0.04},
      {contract("tron-sim/token/WTRX"), "WTRX", 6, 0.03},
      {contract("tron-sim/token/BTT"), "BTT", 18, 0.03},
      {contract("tron-sim/token/JST"), "JST", 18, 0.02},
      {contract("tron-sim/token/SUN"), "SUN", 18, 0.02},
  };
  for (const auto& t : p.tokens_) p.token_weight_total_ += t.weight;
  p.nft_ = contract("tron-sim/nft/APENFT");
  p.router_ = contract("tron-sim/router/SunSwapV2");
  p.fee_collector_ = contract("tron-sim/fee-collector");
  p.odd_token_ = contract("tron-sim/token/ODD");
  for (size_t i = 0; i < kWitnessCount; ++i) p.witnesses_[i] = derived_address("tron-sim/witness", 0, i);
  return p;
}

chain::Address Population::account(uint64_t index) const {
  // Accounts are drawn several times per transaction: derived with the PRNG (cheap), not sha256.
  Rng rng(seed_, Stream::kAccount, index);
  std::array<uint8_t, 20> evm{};
  rng.fill(evm);
  return chain::Address::from_evm(evm);
}

chain::Address Population::pick_account(Rng& rng) const {
  // Inverse CDF of a density proportional to 1/x on [1, N+1): rank k has probability
  // ln((k+2)/(k+1)) / ln(N+1), i.e. roughly 1/(k+1.5) — Zipf with exponent 1.
  const double x = std::exp(rng.unit() * log_accounts_);
  uint64_t rank = static_cast<uint64_t>(x) - 1;
  if (rank >= accounts_) rank = accounts_ - 1;
  return account(rank);
}

chain::Address Population::pick_recipient(Rng& rng, const chain::Address& from) const {
  if (!hot_.empty() && rng.chance(hot_share_)) {
    const chain::Address& h = hot_[rng.below(hot_.size())];
    if (h != from) return h;
  }
  for (;;) {
    chain::Address to = pick_account(rng);
    if (to != from) return to;
  }
}

const Trc20Token& Population::pick_token(Rng& rng) const {
  double r = rng.unit() * token_weight_total_;
  for (const auto& t : tokens_) {
    if (r < t.weight) return t;
    r -= t.weight;
  }
  return tokens_.front();
}

const Trc20Token& Population::pick_other_token(Rng& rng, const Trc20Token& not_this) const {
  const size_t start = rng.below(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const Trc20Token& t = tokens_[(start + i) % tokens_.size()];
    if (t.address != not_this.address) return t;
  }
  return tokens_.front();
}

chain::Address Population::pair(const Trc20Token& a, const Trc20Token& b) const {
  const bool a_first = a.address < b.address;
  const std::string label = "tron-sim/pair/" + (a_first ? a.symbol + "/" + b.symbol : b.symbol + "/" + a.symbol);
  return contract(label);
}

uint64_t Population::pick_trc10(Rng& rng) const { return kTrc10Assets[rng.below(kTrc10Assets.size())]; }

const chain::Address& Population::witness(uint64_t block_num, uint64_t salt) const {
  return witnesses_[(block_num + salt * 11) % kWitnessCount];
}

chain::Address Population::genesis_owner() const { return derived_address("tron-sim/genesis-owner", seed_, 0); }

}  // namespace tronidx::sim
