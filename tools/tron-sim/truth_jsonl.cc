#include "truth_jsonl.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace tronidx::sim {
namespace {

Error bad_key(const std::string& key, const std::string& what) {
  return make_error(Errc::kInvalidArgument, "ground truth line: \"" + key + "\" " + what);
}

Result<std::string> string_key(const nlohmann::json& j, const std::string& key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return bad_key(key, "is missing or not a string");
  return it->get<std::string>();
}

Result<uint64_t> number_key(const nlohmann::json& j, const std::string& key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) return bad_key(key, "is missing or not a non-negative integer");
  return it->get<uint64_t>();
}

Result<chain::Address> parse_token(decode::TransferKind kind, const std::string& text) {
  if (kind == decode::TransferKind::kTrx) {
    if (text != "TRX") return bad_key("token", "must be \"TRX\" for kind TRX");
    return decode::trx_token();
  }
  if (kind == decode::TransferKind::kTrc10) {
    uint64_t id = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
      return bad_key("token", "is not an asset id");
    return decode::trc10_token(id);
  }
  return chain::Address::parse(text, "token");
}

}  // namespace

std::string token_text(const decode::Transfer& t) {
  switch (t.kind) {
    case decode::TransferKind::kTrx:
      return "TRX";
    case decode::TransferKind::kTrc10:
      return std::to_string(decode::trc10_asset_id(t.token));
    case decode::TransferKind::kTrc20:
      break;
  }
  return t.token.to_base58();
}

void append_truth_lines(std::string& out, const StoredBlock& block) {
  const std::string block_id = block.id.to_hex();
  for (const auto& t : block.transfers) {
    out += "{\"block_num\":" + std::to_string(t.position.block_num) + ",\"block_id\":\"" + block_id +
           "\",\"timestamp_ms\":" + std::to_string(block.timestamp_ms) +
           ",\"tx_index\":" + std::to_string(t.position.tx_index) +
           ",\"event_index\":" + std::to_string(t.position.event_index) + ",\"txid\":\"" + t.txid.to_hex() +
           "\",\"kind\":\"" + decode::kind_name(t.kind) + "\",\"token\":\"" + token_text(t) + "\",\"from\":\"" +
           t.from.to_base58() + "\",\"to\":\"" + t.to.to_base58() + "\",\"amount\":\"" + t.amount.to_decimal() +
           "\"}\n";
  }
}

void append_block_line(std::string& out, const StoredBlock& block) {
  out += "{\"block_num\":" + std::to_string(block.num) + ",\"block_id\":\"" + block.id.to_hex() +
         "\",\"parent_id\":\"" + block.parent_id.to_hex() +
         "\",\"timestamp_ms\":" + std::to_string(block.timestamp_ms) +
         ",\"tx_count\":" + std::to_string(block.tx_count) + "}\n";
}

Result<TruthLine> parse_truth_line(std::string_view line) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return make_error(Errc::kInvalidArgument, "ground truth line: not a JSON object");
  TruthLine out;
  decode::Transfer& t = out.transfer;
  TRONIDX_ASSIGN(t.position.block_num, number_key(j, "block_num"));
  TRONIDX_ASSIGN(const uint64_t tx_index, number_key(j, "tx_index"));
  TRONIDX_ASSIGN(const uint64_t event_index, number_key(j, "event_index"));
  TRONIDX_ASSIGN(const uint64_t ts, number_key(j, "timestamp_ms"));
  t.position.tx_index = static_cast<uint32_t>(tx_index);
  t.position.event_index = static_cast<uint32_t>(event_index);
  out.timestamp_ms = static_cast<int64_t>(ts);
  TRONIDX_ASSIGN(const std::string block_id, string_key(j, "block_id"));
  TRONIDX_ASSIGN(out.block_id, chain::BlockId::parse_hex(block_id, "block_id"));
  TRONIDX_ASSIGN(const std::string txid, string_key(j, "txid"));
  TRONIDX_ASSIGN(t.txid, chain::TxId::parse_hex(txid, "txid"));
  TRONIDX_ASSIGN(const std::string kind, string_key(j, "kind"));
  if (kind == "TRC20") {
    t.kind = decode::TransferKind::kTrc20;
  } else if (kind == "TRX") {
    t.kind = decode::TransferKind::kTrx;
  } else if (kind == "TRC10") {
    t.kind = decode::TransferKind::kTrc10;
  } else {
    return bad_key("kind", "must be TRC20, TRX or TRC10");
  }
  TRONIDX_ASSIGN(const std::string token, string_key(j, "token"));
  TRONIDX_ASSIGN(t.token, parse_token(t.kind, token));
  TRONIDX_ASSIGN(const std::string from, string_key(j, "from"));
  TRONIDX_ASSIGN(t.from, chain::Address::parse(from, "from"));
  TRONIDX_ASSIGN(const std::string to, string_key(j, "to"));
  TRONIDX_ASSIGN(t.to, chain::Address::parse(to, "to"));
  TRONIDX_ASSIGN(const std::string amount, string_key(j, "amount"));
  TRONIDX_ASSIGN(t.amount, chain::Amount::parse_decimal(amount, "amount"));
  return out;
}

}  // namespace tronidx::sim
