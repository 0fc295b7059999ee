#include "convert.h"

#include <google/protobuf/field_mask.pb.h>

#include <algorithm>
#include <charconv>

#include "tronidx/chain/hex.h"
#include "tronidx/decode/transfer.h"

namespace tronidx::api {
namespace {

// The text forms of an address, memoized per thread: a page of an address's history names that address on
// every row, and a block's subscribers see the same counterparties again and again; base58check costs
// two SHA-256 and a base conversion. Direct-mapped by the address's hash; a collision just recomputes.
// Each form is computed when first asked for (a read mask may want only one).
struct AddressText {
  chain::Address address;
  std::string base58;
  std::string hex;
  bool filled = false;
  bool has_base58 = false;
  bool has_hex = false;
};

AddressText& address_slot(const chain::Address& a) {
  constexpr size_t kSlots = 1024;
  thread_local std::vector<AddressText> slots(kSlots);
  AddressText& slot = slots[chain::AddressHash{}(a) % kSlots];
  if (!slot.filled || slot.address != a) {
    slot.address = a;
    slot.filled = true;
    slot.has_base58 = false;
    slot.has_hex = false;
  }
  return slot;
}

// The returned string lives in the memo until the next call for an address of the same slot: copy it first.
const std::string& base58_text(const chain::Address& a) {
  AddressText& slot = address_slot(a);
  if (!slot.has_base58) {
    slot.base58 = a.to_base58();
    slot.has_base58 = true;
  }
  return slot.base58;
}

const std::string& hex_text(const chain::Address& a) {
  AddressText& slot = address_slot(a);
  if (!slot.has_hex) {
    slot.hex = a.to_hex();
    slot.has_hex = true;
  }
  return slot.hex;
}

}  // namespace

TokenBook::TokenBook(std::vector<TokenInfo> tokens) : tokens_(std::move(tokens)) {
  if (find(decode::trx_token()) == nullptr) tokens_.push_back(TokenInfo{decode::trx_token(), "TRX", 6, ""});
  for (auto& t : tokens_) t.base58 = t.address == decode::trx_token() ? "TRX" : t.address.to_base58();
}

const TokenInfo* TokenBook::find(const chain::Address& token) const {
  auto it = std::find_if(tokens_.begin(), tokens_.end(), [&](const TokenInfo& t) { return t.address == token; });
  return it == tokens_.end() ? nullptr : &*it;
}

Result<chain::Address> parse_address(std::string_view text, std::string_view field) {
  return chain::Address::parse(text, field);
}

Result<chain::Address> parse_token(std::string_view text, std::string_view field) {
  if (text == "TRX" || text == "trx") return decode::trx_token();
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    uint64_t id = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size()) {
      return make_error(Errc::kInvalidArgument, std::string(field) + ": TRC10 id out of range");
    }
    return decode::trc10_token(id);
  }
  auto a = chain::Address::parse(text, field);
  if (!a.ok()) {
    return make_error(Errc::kInvalidArgument, std::string(field) + ": unknown token \"" + std::string(text) +
                                                  "\" (expected \"TRX\", a TRC10 id, or a contract address: " +
                                                  a.error().message + ")");
  }
  return a;
}

std::string token_string(decode::TransferKind kind, const chain::Address& token) {
  switch (kind) {
    case decode::TransferKind::kTrx: return "TRX";
    case decode::TransferKind::kTrc10: return std::to_string(decode::trc10_asset_id(token));
    case decode::TransferKind::kTrc20: return token.to_base58();
  }
  return token.to_base58();
}

TransferFields TransferFields::all() {
  TransferFields f;
  f.bits_ = ~uint64_t{0};
  return f;
}

Result<TransferFields> TransferFields::parse(const google::protobuf::FieldMask& mask, std::string_view field) {
  if (mask.paths().empty()) return all();
  const google::protobuf::Descriptor* d = v1::Transfer::descriptor();
  TransferFields f;
  for (const std::string& path : mask.paths()) {
    if (path == "*") return all();
    const google::protobuf::FieldDescriptor* fd = d->FindFieldByName(path);
    if (fd == nullptr || fd->number() >= 64) {
      std::string names;
      for (int i = 0; i < d->field_count(); ++i) names += (i == 0 ? "" : ", ") + d->field(i)->name();
      return make_error(Errc::kInvalidArgument,
                        std::string(field) + ": unknown Transfer field \"" + path + "\" (fields: " + names + ")");
    }
    f.bits_ |= uint64_t{1} << fd->number();
  }
  return f;
}

void to_proto(const store::IndexedTransfer& it, uint64_t tip, uint64_t solidified, const TokenBook& tokens,
              v1::Transfer* out, const TransferFields& fields) {
  using T = v1::Transfer;
  const decode::Transfer& t = it.transfer;
  if (fields.has(T::kKindFieldNumber)) {
    switch (t.kind) {
      case decode::TransferKind::kTrx: out->set_kind(v1::TRX); break;
      case decode::TransferKind::kTrc20: out->set_kind(v1::TRC20); break;
      case decode::TransferKind::kTrc10: out->set_kind(v1::TRC10); break;
    }
  }
  const TokenInfo* meta = tokens.find(t.kind == decode::TransferKind::kTrx ? decode::trx_token() : t.token);
  if (fields.has(T::kTokenFieldNumber)) {
    out->set_token(meta != nullptr && t.kind == decode::TransferKind::kTrc20 ? meta->base58
                                                                             : token_string(t.kind, t.token));
  }
  if (fields.has(T::kTokenHexFieldNumber) && t.kind == decode::TransferKind::kTrc20) {
    out->set_token_hex(hex_text(t.token));
  }
  if (meta != nullptr) {
    if (fields.has(T::kTokenSymbolFieldNumber)) out->set_token_symbol(meta->symbol);
    if (fields.has(T::kDecimalsKnownFieldNumber)) out->set_decimals_known(true);
    if (fields.has(T::kDecimalsFieldNumber)) out->set_decimals(meta->decimals);
  }
  const bool formatted = meta != nullptr && fields.has(T::kAmountFormattedFieldNumber);
  if (fields.has(T::kAmountFieldNumber) || formatted) {
    std::string amount = t.amount.to_decimal();
    if (formatted) out->set_amount_formatted(chain::Amount::format_digits(amount, meta->decimals));
    if (fields.has(T::kAmountFieldNumber)) out->set_amount(std::move(amount));
  }
  // (Each memoized text is copied before the next lookup, which may reuse its slot.)
  if (fields.has(T::kFromFieldNumber)) out->set_from(base58_text(t.from));
  if (fields.has(T::kFromHexFieldNumber)) out->set_from_hex(hex_text(t.from));
  if (fields.has(T::kToFieldNumber)) out->set_to(base58_text(t.to));
  if (fields.has(T::kToHexFieldNumber)) out->set_to_hex(hex_text(t.to));
  // (Written into the strings a reused response keeps, where set_txid(to_hex()) would allocate anew.)
  if (fields.has(T::kTxidFieldNumber)) chain::to_hex_into(t.txid.hash.bytes, *out->mutable_txid());
  if (fields.has(T::kEventIndexFieldNumber)) out->set_event_index(t.position.event_index);
  if (fields.has(T::kBlockNumFieldNumber)) out->set_block_num(t.position.block_num);
  if (fields.has(T::kTxIndexFieldNumber)) out->set_tx_index(t.position.tx_index);
  if (fields.has(T::kBlockIdFieldNumber)) chain::to_hex_into(it.block_id.hash.bytes, *out->mutable_block_id());
  if (fields.has(T::kTimestampMsFieldNumber)) out->set_timestamp_ms(it.timestamp_ms);
  if (fields.has(T::kConfirmationsFieldNumber)) {
    out->set_confirmations(tip >= t.position.block_num ? tip - t.position.block_num + 1 : 0);
  }
  if (fields.has(T::kFinalFieldNumber)) out->set_final(t.position.block_num <= solidified);
}

}  // namespace tronidx::api
