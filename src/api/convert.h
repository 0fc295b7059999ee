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

namespace google::protobuf {
class FieldMask;
}  // namespace google::protobuf

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

// The fields of a Transfer a request asks for (its read_mask): a set of Transfer field numbers.
class TransferFields {
 public:
  static TransferFields all();
  // From a request's read_mask (`field` names it in errors): Transfer field names, "*" or none = all.
  static Result<TransferFields> parse(const google::protobuf::FieldMask& mask, std::string_view field);
  bool has(int field_number) const { return field_number < 64 && ((bits_ >> field_number) & 1U) != 0; }

 private:
  uint64_t bits_ = 0;
};

// Fills the `fields` of `out`, computing only what they need; confirmations and final are computed
// against (tip, solidified).
void to_proto(const store::IndexedTransfer& t, uint64_t tip, uint64_t solidified, const TokenBook& tokens,
              v1::Transfer* out, const TransferFields& fields = TransferFields::all());

}  // namespace tronidx::api
