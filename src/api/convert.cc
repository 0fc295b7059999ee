#include "convert.h"

#include <algorithm>
#include <charconv>

#include "tronidx/chain/hex.h"
#include "tronidx/decode/transfer.h"

namespace tronidx::api {
namespace {

// The text forms of an address, memoized per thread: a page of an address's history names that address on
// every row, and a block's subscribers see the same counterparties again and again; base58check costs
// two SHA-256 and a base conversion. Direct-mapped by the address's hash; a collision just recomputes.
struct AddressText {
  chain::Address address;
  std::string base58;
  std::string hex;
  bool filled = false;
};

const AddressText& address_text(const chain::Address& a) {
  constexpr size_t kSlots = 1024;
  thread_local std::vector<AddressText> slots(kSlots);
  AddressText& slot = slots[chain::AddressHash{}(a) % kSlots];
  if (!slot.filled || slot.address != a) {
    slot.address = a;
    slot.base58 = a.to_base58();
    slot.hex = a.to_hex();
    slot.filled = true;
  }
  return slot;
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

void to_proto(const store::IndexedTransfer& it, uint64_t tip, uint64_t solidified, const TokenBook& tokens,
              v1::Transfer* out) {
  const decode::Transfer& t = it.transfer;
  switch (t.kind) {
    case decode::TransferKind::kTrx: out->set_kind(v1::TRX); break;
    case decode::TransferKind::kTrc20: out->set_kind(v1::TRC20); break;
    case decode::TransferKind::kTrc10: out->set_kind(v1::TRC10); break;
  }
  const TokenInfo* meta = tokens.find(t.kind == decode::TransferKind::kTrx ? decode::trx_token() : t.token);
  out->set_token(meta != nullptr && t.kind == decode::TransferKind::kTrc20 ? meta->base58 : token_string(t.kind, t.token));
  if (t.kind == decode::TransferKind::kTrc20) out->set_token_hex(address_text(t.token).hex);
  std::string amount = t.amount.to_decimal();
  if (meta != nullptr) {
    out->set_token_symbol(meta->symbol);
    out->set_decimals_known(true);
    out->set_decimals(meta->decimals);
    out->set_amount_formatted(chain::Amount::format_digits(amount, meta->decimals));
  }
  out->set_amount(std::move(amount));
  const AddressText& from = address_text(t.from);
  out->set_from(from.base58);
  out->set_from_hex(from.hex);
  const AddressText& to = address_text(t.to);  // (may reuse from's slot: from's strings are copied already)
  out->set_to(to.base58);
  out->set_to_hex(to.hex);
  // (Written into the strings a reused response keeps, where set_txid(to_hex()) would allocate anew.)
  chain::to_hex_into(t.txid.hash.bytes, *out->mutable_txid());
  out->set_event_index(t.position.event_index);
  out->set_block_num(t.position.block_num);
  out->set_tx_index(t.position.tx_index);
  chain::to_hex_into(it.block_id.hash.bytes, *out->mutable_block_id());
  out->set_timestamp_ms(it.timestamp_ms);
  out->set_confirmations(tip >= t.position.block_num ? tip - t.position.block_num + 1 : 0);
  out->set_final(t.position.block_num <= solidified);
}

}  // namespace tronidx::api
