#include "decode_fixtures.h"

#include <gtest/gtest.h>
#include <tron/contract.pb.h>
#include <tron/core.pb.h>

#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"
#include "vectors.h"

namespace tronidx::decode {

void PrintTo(const Position& p, std::ostream* os) {
  *os << "(" << p.block_num << "," << p.tx_index << "," << p.event_index << ")";
}

void PrintTo(const Transfer& t, std::ostream* os) {
  *os << kind_name(t.kind) << " ";
  PrintTo(t.position, os);
  *os << " token=" << t.token.to_hex() << " from=" << t.from.to_base58() << " to=" << t.to.to_base58()
      << " amount=" << t.amount.to_decimal() << " txid=" << t.txid.to_hex();
}

}  // namespace tronidx::decode

namespace tronidx::test {
namespace {

template <class T>
T value_or_throw(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}

template <size_t N>
void hex_into(const nlohmann::json& hex, std::array<uint8_t, N>& out, std::string_view field) {
  const Status s = chain::from_hex_exact(hex.get<std::string>(), out, field);
  if (!s.ok()) throw std::runtime_error(s.error().message);
}

}  // namespace

chain::Address addr(std::string_view text) { return value_or_throw(chain::Address::parse(text)); }
chain::TxId txid(std::string_view hex) { return value_or_throw(chain::TxId::parse_hex(hex)); }
chain::Amount amount(std::string_view decimal) { return value_or_throw(chain::Amount::parse_decimal(decimal)); }

const nlohmann::json& vector_by_txid(std::string_view kind, std::string_view id) {
  for (const auto& v : all_vectors()) {
    if (v.at("kind") == kind && v.contains("txid") && v.at("txid") == id) return v;
  }
  throw std::runtime_error("no " + std::string(kind) + " vector for txid " + std::string(id));
}

decode::RawLog log_from_json(const nlohmann::json& log) {
  decode::RawLog l;
  hex_into(log.at("address"), l.address, "log.address");
  const auto& topics = log.value("topics", nlohmann::json::array());
  l.topic_count = static_cast<uint32_t>(topics.size());
  for (size_t i = 0; i < topics.size() && i < l.topics.size(); ++i) hex_into(topics[i], l.topics[i].bytes, "topic");
  const auto data = unhex(log.value("data", std::string()));
  l.data_size = static_cast<uint32_t>(data.size());
  if (data.size() == l.data.size()) std::copy(data.begin(), data.end(), l.data.begin());
  return l;
}

decode::RawTxInfo info_from_json(const nlohmann::json& info) {
  decode::RawTxInfo i;
  i.txid = txid(info.at("id").get<std::string>());
  i.block_num = info.value("blockNumber", int64_t{0});
  protocol::TransactionInfo_code code = protocol::TransactionInfo_code_SUCESS;
  if (info.contains("result") && !protocol::TransactionInfo_code_Parse(info.at("result").get<std::string>(), &code)) {
    throw std::runtime_error("unknown TransactionInfo.result " + info.at("result").dump());
  }
  i.result_ok = code == protocol::TransactionInfo_code_SUCESS;
  protocol::Transaction_Result_contractResult receipt = protocol::Transaction_Result_contractResult_DEFAULT;
  const auto& r = info.value("receipt", nlohmann::json::object());
  if (r.contains("result") &&
      !protocol::Transaction_Result_contractResult_Parse(r.at("result").get<std::string>(), &receipt)) {
    throw std::runtime_error("unknown receipt.result " + r.at("result").dump());
  }
  i.receipt_result = receipt;
  for (const auto& log : info.value("log", nlohmann::json::array())) i.logs.push_back(log_from_json(log));
  return i;
}

decode::RawTx tx_from_raw_hex(std::string_view raw_data_hex, int32_t contract_ret) {
  const std::string bytes = unhex_string(raw_data_hex);
  protocol::Transaction_raw raw;
  if (!raw.ParseFromString(bytes) || raw.contract_size() != 1) throw std::runtime_error("bad raw_data_hex");
  decode::RawTx tx;
  tx.txid = chain::TxId::compute(chain::as_bytes(bytes));
  tx.contract_type = raw.contract(0).type();
  tx.contract_ret = contract_ret;
  const auto owner_or_zero = [](const std::string& b) {
    auto a = chain::Address::from_bytes(chain::as_bytes(b));
    return a.ok() ? *a : chain::Address();
  };
  if (tx.contract_type == decode::kTransferContract) {
    protocol::TransferContract c;
    if (!raw.contract(0).parameter().UnpackTo(&c)) throw std::runtime_error("bad TransferContract");
    tx.owner = owner_or_zero(c.owner_address());
    tx.to = value_or_throw(chain::Address::from_bytes(chain::as_bytes(c.to_address()), "to_address"));
    tx.amount = c.amount();
  } else if (tx.contract_type == decode::kTransferAssetContract) {
    protocol::TransferAssetContract c;
    if (!raw.contract(0).parameter().UnpackTo(&c)) throw std::runtime_error("bad TransferAssetContract");
    tx.owner = owner_or_zero(c.owner_address());
    tx.to = value_or_throw(chain::Address::from_bytes(chain::as_bytes(c.to_address()), "to_address"));
    tx.amount = c.amount();
    tx.asset_name = c.asset_name();
  }
  return tx;
}

decode::RawTx tx_for_info(const decode::RawTxInfo& info, const nlohmann::json& info_json) {
  decode::RawTx tx;
  tx.txid = info.txid;
  if (info_json.contains("contract_address")) tx.contract_type = decode::kTriggerSmartContract;
  tx.contract_ret = info.receipt_result;
  return tx;
}

decode::RawTxInfo plain_info(const decode::RawTx& tx, uint64_t block_num) {
  decode::RawTxInfo i;
  i.txid = tx.txid;
  i.block_num = static_cast<int64_t>(block_num);
  i.result_ok = true;
  i.receipt_result = decode::kContractRetDefault;
  return i;
}

decode::RawLog transfer_log(const chain::Address& token, const chain::Address& from, const chain::Address& to,
                            const chain::Amount& value) {
  decode::RawLog l;
  std::copy(token.evm().begin(), token.evm().end(), l.address.begin());
  l.topic_count = 3;
  l.topics[0] = chain::transfer_event_topic();
  std::copy(from.evm().begin(), from.evm().end(), l.topics[1].bytes.begin() + 12);
  std::copy(to.evm().begin(), to.evm().end(), l.topics[2].bytes.begin() + 12);
  l.data_size = 32;
  l.data = value.to_be_bytes();
  return l;
}

std::vector<decode::Transfer> expected_transfers(const nlohmann::json& info_vector, uint32_t tx_index) {
  std::vector<decode::Transfer> out;
  for (const auto& d : info_vector.at("decoded_transfers")) {
    decode::Transfer t;
    t.position = decode::Position{info_vector.at("block").get<uint64_t>(), tx_index, d.at("log_index").get<uint32_t>()};
    t.kind = decode::TransferKind::kTrc20;
    t.token = addr(d.at("token").get<std::string>());
    if (t.token != addr(d.at("token_hex41").get<std::string>())) throw std::runtime_error("token forms disagree");
    t.from = addr(d.at("from").get<std::string>());
    t.to = addr(d.at("to").get<std::string>());
    t.amount = amount(d.at("amount_raw").get<std::string>());
    t.txid = txid(info_vector.at("txid").get<std::string>());
    out.push_back(t);
  }
  return out;
}

::testing::AssertionResult ordered_and_unique(const std::vector<decode::Transfer>& transfers) {
  std::set<std::pair<chain::TxId, uint32_t>> ids;
  for (size_t i = 0; i < transfers.size(); ++i) {
    if (i > 0 && !(transfers[i - 1].position < transfers[i].position)) {
      return ::testing::AssertionFailure()
             << "position of transfer " << i << " does not increase: " << ::testing::PrintToString(transfers[i]);
    }
    if (!ids.emplace(transfers[i].txid, transfers[i].position.event_index).second) {
      return ::testing::AssertionFailure() << "duplicate identity: " << ::testing::PrintToString(transfers[i]);
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tronidx::test
