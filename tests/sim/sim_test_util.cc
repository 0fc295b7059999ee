#include "sim_test_util.h"

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tron/contract.pb.h"
#include "tronidx/chain/address.h"
#include "tronidx/chain/amount.h"
#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"

namespace tronidx::simtest {
namespace {

// keccak256("Transfer(address,address,uint256)"), as published (TRON-PROTOCOL.md §5).
const std::string kTransferTopic = [] {
  const auto bytes = chain::from_hex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef").value();
  return std::string(bytes.begin(), bytes.end());
}();
constexpr const char* kUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

std::string sha256_bytes(const std::string& data) { return std::string(chain::as_chars(chain::sha256(data).bytes)); }

std::string base58_of(const std::string& bytes21) {
  return chain::Address::from_bytes(chain::as_bytes(bytes21)).value().to_base58();
}

std::string base58_of_word(const std::string& word32) { return base58_of(std::string(1, '\x41') + word32.substr(12)); }

std::string decimal_of(const std::string& be_bytes) {
  return chain::Amount::from_be_bytes(chain::as_bytes(be_bytes)).value().to_decimal();
}

}  // namespace

std::unique_ptr<grpc::ClientContext> deadline_ctx(std::chrono::milliseconds timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  return ctx;
}

Node::Node(const testsupport::SimProcess& sim)
    : wallet(protocol::Wallet::NewStub(sim.full_node_channel())),
      solidity(protocol::WalletSolidity::NewStub(sim.solidity_channel())),
      database(protocol::Database::NewStub(sim.full_node_channel())),
      solidity_database(protocol::Database::NewStub(sim.solidity_channel())) {}

grpc::Status Node::now_block(protocol::BlockExtention& out) const {
  return wallet->GetNowBlock2(deadline_ctx().get(), protocol::EmptyMessage{}, &out);
}

grpc::Status Node::block_by_num(int64_t num, protocol::BlockExtention& out) const {
  protocol::NumberMessage req;
  req.set_num(num);
  return wallet->GetBlockByNum2(deadline_ctx().get(), req, &out);
}

grpc::Status Node::range(int64_t start, int64_t end, protocol::BlockListExtention& out) const {
  protocol::BlockLimit req;
  req.set_startnum(start);
  req.set_endnum(end);
  return wallet->GetBlockByLimitNext2(deadline_ctx().get(), req, &out);
}

grpc::Status Node::get_block(const std::string& id_or_num, bool detail, protocol::BlockExtention& out) const {
  protocol::BlockReq req;
  req.set_id_or_num(id_or_num);
  req.set_detail(detail);
  return wallet->GetBlock(deadline_ctx().get(), req, &out);
}

grpc::Status Node::infos(int64_t num, protocol::TransactionInfoList& out) const {
  protocol::NumberMessage req;
  req.set_num(num);
  return wallet->GetTransactionInfoByBlockNum(deadline_ctx().get(), req, &out);
}

int64_t Node::head_num() const {
  protocol::BlockExtention head;
  if (!now_block(head).ok()) return -1;
  return head.block_header().raw_data().number();
}

std::vector<FetchedBlock> Node::fetch(int64_t from, int64_t to) const {
  std::vector<FetchedBlock> out;
  for (int64_t start = from; start <= to; start += 100) {
    protocol::BlockListExtention list;
    if (!range(start, std::min(start + 100, to + 1), list).ok()) return {};
    for (const auto& b : list.block()) {
      FetchedBlock f;
      f.block = b;
      if (!infos(b.block_header().raw_data().number(), f.infos).ok()) return {};
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::string hex(const std::string& bytes) { return chain::to_hex(bytes); }

std::string expected_block_id(const protocol::BlockExtention& block) {
  const auto& raw = block.block_header().raw_data();
  std::string id = sha256_bytes(raw.SerializeAsString());
  const auto num = static_cast<uint64_t>(raw.number());
  for (int i = 0; i < 8; ++i) id[static_cast<size_t>(i)] = static_cast<char>(num >> (56 - 8 * i));
  return hex(id);
}

std::string expected_tx_trie_root(const protocol::BlockExtention& block) {
  if (block.transactions_size() == 0) return std::string(64, '0');
  std::vector<std::string> level;
  for (const auto& te : block.transactions()) level.push_back(sha256_bytes(te.transaction().SerializeAsString()));
  while (level.size() > 1) {
    std::vector<std::string> up;
    for (size_t i = 0; i + 1 < level.size(); i += 2) up.push_back(sha256_bytes(level[i] + level[i + 1]));
    if (level.size() % 2 == 1) up.push_back(level.back());
    level.swap(up);
  }
  return hex(level.front());
}

std::string check_block(const protocol::BlockExtention& b) {
  const int64_t num = b.block_header().raw_data().number();
  const std::string where = "block " + std::to_string(num) + ": ";
  if (!b.has_block_header()) return "no header";
  if (hex(b.blockid()) != expected_block_id(b)) return where + "blockid differs from the computed id";
  if (hex(b.block_header().raw_data().txtrieroot()) != expected_tx_trie_root(b)) return where + "txTrieRoot mismatch";
  if (b.block_header().witness_signature().size() != 65) return where + "signature is not 65 bytes";
  if (b.block_header().raw_data().witness_address().size() != 21) return where + "witness address is not 21 bytes";
  for (int i = 0; i < b.transactions_size(); ++i) {
    const auto& te = b.transactions(i);
    if (te.txid() != sha256_bytes(te.transaction().raw_data().SerializeAsString())) {
      return where + "txid " + std::to_string(i) + " is not sha256(raw_data)";
    }
    if (!te.result().result() || te.result().code() != protocol::Return::SUCCESS) {
      return where + "TransactionExtention.result is not {true, SUCCESS}";
    }
    if (te.transaction().raw_data().contract_size() != 1) return where + "contract count != 1";
  }
  return "";
}

std::string check_infos(const FetchedBlock& f) {
  const auto& b = f.block;
  const int64_t num = b.block_header().raw_data().number();
  const std::string where = "block " + std::to_string(num) + ": ";
  if (num == 0) return f.infos.transactioninfo_size() == 0 ? "" : where + "genesis must have no infos";
  if (f.infos.transactioninfo_size() != b.transactions_size()) {
    return where + std::to_string(b.transactions_size()) + " txs but " +
           std::to_string(f.infos.transactioninfo_size()) + " infos";
  }
  for (int i = 0; i < b.transactions_size(); ++i) {
    const auto& info = f.infos.transactioninfo(i);
    if (info.id() != b.transactions(i).txid()) return where + "info " + std::to_string(i) + " has another txid";
    if (info.blocknumber() != num) return where + "info " + std::to_string(i) + " has another block number";
    if (info.blocktimestamp() != b.block_header().raw_data().timestamp()) return where + "info timestamp differs";
  }
  return "";
}

std::ostream& operator<<(std::ostream& os, const TruthRow& r) {
  return os << r.block_num << "/" << r.tx_index << "/" << r.event_index << " " << r.kind << " " << r.token << " "
            << r.from << "->" << r.to << " " << r.amount << " tx " << r.txid;
}

std::vector<TruthRow> decode_transfers(const FetchedBlock& f) {
  std::vector<TruthRow> out;
  const auto& b = f.block;
  const auto& raw = b.block_header().raw_data();
  std::map<std::string, const protocol::TransactionInfo*> by_txid;
  for (const auto& info : f.infos.transactioninfo()) by_txid[info.id()] = &info;
  for (int i = 0; i < b.transactions_size(); ++i) {
    const auto& te = b.transactions(i);
    const auto& contract = te.transaction().raw_data().contract(0);
    TruthRow row{raw.number(), hex(b.blockid()), raw.timestamp(), i, 0, hex(te.txid()), "", "", "", "", ""};
    const bool genesis = raw.number() == 0;
    const bool ret_ok = te.transaction().ret_size() == 0
                            ? genesis
                            : te.transaction().ret(0).contractret() == protocol::Transaction::Result::SUCCESS;
    if (contract.type() == protocol::Transaction::Contract::TransferContract && ret_ok) {
      protocol::TransferContract c;
      if (!contract.parameter().UnpackTo(&c)) continue;
      row.kind = "TRX";
      row.token = "TRX";
      row.from = base58_of(c.owner_address());
      row.to = base58_of(c.to_address());
      row.amount = std::to_string(c.amount());
      out.push_back(row);
    } else if (contract.type() == protocol::Transaction::Contract::TransferAssetContract && ret_ok) {
      protocol::TransferAssetContract c;
      if (!contract.parameter().UnpackTo(&c)) continue;
      row.kind = "TRC10";
      row.token = c.asset_name();
      row.from = base58_of(c.owner_address());
      row.to = base58_of(c.to_address());
      row.amount = std::to_string(c.amount());
      out.push_back(row);
    }
    auto it = by_txid.find(te.txid());
    if (it == by_txid.end()) continue;
    const auto& info = *it->second;
    if (info.result() != protocol::TransactionInfo::SUCESS ||
        info.receipt().result() != protocol::Transaction::Result::SUCCESS) {
      continue;
    }
    for (int j = 0; j < info.log_size(); ++j) {
      const auto& log = info.log(j);
      if (log.topics_size() != 3 || log.topics(0) != kTransferTopic || log.data().size() != 32) continue;
      TruthRow t = row;
      t.kind = "TRC20";
      t.event_index = j;
      t.token = base58_of(std::string(1, '\x41') + log.address());
      t.from = base58_of_word(log.topics(1));
      t.to = base58_of_word(log.topics(2));
      t.amount = decimal_of(log.data());
      out.push_back(t);
    }
  }
  return out;
}

std::vector<TruthRow> decode_transfers(const std::vector<FetchedBlock>& blocks) {
  std::vector<TruthRow> out;
  for (const auto& b : blocks) {
    auto rows = decode_transfers(b);
    out.insert(out.end(), rows.begin(), rows.end());
  }
  return out;
}

std::vector<TruthRow> parse_truth_jsonl(const std::string& jsonl) {
  std::vector<TruthRow> out;
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    out.push_back(TruthRow{
        j.at("block_num").get<int64_t>(), j.at("block_id").get<std::string>(), j.at("timestamp_ms").get<int64_t>(),
        j.at("tx_index").get<int64_t>(), j.at("event_index").get<int64_t>(), j.at("txid").get<std::string>(),
        j.at("kind").get<std::string>(), j.at("token").get<std::string>(), j.at("from").get<std::string>(),
        j.at("to").get<std::string>(), j.at("amount").get<std::string>()});
  }
  return out;
}

Shapes shapes_of(const std::vector<FetchedBlock>& blocks) {
  Shapes s;
  for (const auto& f : blocks) {
    if (f.block.transactions_size() == 0) ++s.empty_blocks;
    for (const auto& te : f.block.transactions()) {
      if (te.transaction().ret_size() > 0 &&
          te.transaction().ret(0).contractret() != protocol::Transaction::Result::SUCCESS) {
        ++s.failed_txs;
      }
    }
    for (const auto& info : f.infos.transactioninfo()) {
      if (info.result() == protocol::TransactionInfo::FAILED && info.log_size() > 0) ++s.failed_with_logs;
      int transfers = 0;
      for (const auto& log : info.log()) {
        if (log.topics_size() == 0 || log.topics(0) != kTransferTopic) {
          ++s.other_logs;
        } else if (log.topics_size() == 4) {
          ++s.trc721_logs;
        } else if (log.topics_size() != 3 || log.data().size() != 32) {
          ++s.malformed_logs;
        } else {
          ++transfers;
        }
      }
      if (transfers >= 2) ++s.multi_transfer_txs;
    }
    for (const auto& row : decode_transfers(f)) {
      if (row.kind == "TRX") ++s.trx;
      if (row.kind == "TRC10") ++s.trc10;
      if (row.kind == "TRC20") ++s.trc20;
      if (row.token == kUsdt) ++s.usdt;
      if (row.event_index > 0) ++s.nonzero_event_index;
      if (row.amount.size() > 20 || (row.amount.size() == 20 && row.amount > "18446744073709551615")) ++s.huge_amounts;
    }
  }
  return s;
}

}  // namespace tronidx::simtest
