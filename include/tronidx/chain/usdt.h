#pragma once
// Tether USD (USDT) on TRON mainnet: the TRC20 token most TRON payments use. The daemon knows it by default
// (symbol and decimals for formatted amounts); tron-sim's mainnet-shaped chains and the bench use it as their
// dominant token.

#include <cstdint>
#include <string_view>

namespace tronidx::chain {

inline constexpr std::string_view kUsdtContract = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";  // base58check
inline constexpr std::string_view kUsdtSymbol = "USDT";
inline constexpr uint32_t kUsdtDecimals = 6;

}  // namespace tronidx::chain
