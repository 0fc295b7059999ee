#pragma once
// Domain <-> public API (tronidx.v1) conversions and request-field parsing. The only place besides the
// services that touches tronidx::v1 types. Parse errors are kInvalidArgument naming the field.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/ids.h"
#include "tronidx/chain/result.h"
#include "tronidx/store/types.h"
#include "tronidx/v1/types.pb.h"

namespace tronidx::api {

struct TokenInfo {
  chain::Address address;  // decode::trx_token() for TRX
  std::string symbol;
  unsigned decimals = 0;
  std::string base58;      // filled by TokenBook (the token's string, computed once)
};

// Known token metadata; TRX (6 decimals) is always known.
class TokenBook {
 public:
  explicit TokenBook(std::vector<TokenInfo> tokens);
  const TokenInfo* find(const chain::Address& token) const;

 private:
  std::vector<TokenInfo> tokens_;
};

// "TRX", a TRC10 id (decimal digits) or a TRC20 contract address -> the token value used in the index.
Result<chain::Address> parse_token(std::string_view text, std::string_view field);
// The inverse, for output: "TRX", the TRC10 id, or the base58 contract.
std::string token_string(decode::TransferKind kind, const chain::Address& token);

Result<chain::Address> parse_address(std::string_view text, std::string_view field);

// Fills `out`; confirmations and final are computed against (tip, solidified).
void to_proto(const store::IndexedTransfer& t, uint64_t tip, uint64_t solidified, const TokenBook& tokens,
              v1::Transfer* out);

}  // namespace tronidx::api
