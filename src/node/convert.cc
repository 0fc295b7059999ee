#include "convert.h"

#include <string>

#include "tron/contract.pb.h"
#include "tron/core.pb.h"
#include "tronidx/chain/hex.h"

namespace tronidx::node {
namespace {

Error invalid(uint64_t num, const std::string& what) {
  return make_error(Errc::kUnavailable, "invalid answer from node for block " + std::to_string(num) + ": " + what);
}

std::span<const uint8_t> bytes_of(const std::string& s) { return chain::as_bytes(s); }

// True when an Any holds protocol.<name> (java-tron's type URLs are "type.googleapis.com/protocol.<name>").
bool any_is(const google::protobuf::Any& any, std::string_view name) {
  constexpr std::string_view kPrefix = "type.googleapis.com/protocol.";
  const std::string& url = any.type_url();
  return url.size() == kPrefix.size() + name.size() && url.compare(0, kPrefix.size(), kPrefix) == 0 &&
         url.compare(kPrefix.size(), name.size(), name) == 0;
}

Result<decode::BlockHeader> header_of(const protocol::BlockExtention& block, uint64_t num) {
  const auto& raw = block.block_header().raw_data();
  if (block.blockid().size() != 32) return invalid(num, "block id is not 32 bytes");
  decode::BlockHeader h;
  h.block_num = num;
  std::copy(block.blockid().begin(), block.blockid().end(), h.id.hash.bytes.begin());
  if (h.id.block_num() != num) return invalid(num, "block id does not start with its number");
  const std::string raw_bytes = raw.SerializeAsString();
  if (chain::BlockId::compute(num, bytes_of(raw_bytes)) != h.id) {
    return invalid(num, "block id does not match the header's hash");
  }
  if (num > 0) {
    if (raw.parenthash().size() != 32) return invalid(num, "parentHash is not 32 bytes");
    std::copy(raw.parenthash().begin(), raw.parenthash().end(), h.parent_id.hash.bytes.begin());
    if (h.parent_id.block_num() != num - 1) return invalid(num, "parentHash does not name block num-1");
  }
  h.timestamp_ms = raw.timestamp();
  return h;
}

Result<chain::Address> address_field(const std::string& bytes, uint64_t num, const char* field) {
  auto a = chain::Address::from_bytes(bytes_of(bytes), field);
  if (!a.ok()) return invalid(num, a.error().message);
  return a;
}

Status convert_contract(const protocol::Transaction::Contract& c, decode::RawTx& tx, uint64_t num) {
  const auto& any = c.parameter();
  if (tx.contract_type == decode::kTransferContract) {
    protocol::TransferContract p;
    if (!any_is(any, "TransferContract") || !p.ParseFromString(any.value())) {
      return invalid(num, "malformed TransferContract in tx " + tx.txid.to_hex());
    }
    TRONIDX_ASSIGN(tx.owner, address_field(p.owner_address(), num, "owner_address"));
    TRONIDX_ASSIGN(tx.to, address_field(p.to_address(), num, "to_address"));
    tx.amount = p.amount();
  } else {
    protocol::TransferAssetContract p;
    if (!any_is(any, "TransferAssetContract") || !p.ParseFromString(any.value())) {
      return invalid(num, "malformed TransferAssetContract in tx " + tx.txid.to_hex());
    }
    TRONIDX_ASSIGN(tx.owner, address_field(p.owner_address(), num, "owner_address"));
    TRONIDX_ASSIGN(tx.to, address_field(p.to_address(), num, "to_address"));
    tx.amount = p.amount();
    tx.asset_name = p.asset_name();
  }
  return ok_status();
}

}  // namespace

Result<decode::BlockHeader> convert_header(const protocol::BlockExtention& block, uint64_t expected_num) {
  if (!block.has_block_header()) {
    return make_error(Errc::kUnavailable, "node has no block " + std::to_string(expected_num) + " (empty answer)");
  }
  const int64_t num = block.block_header().raw_data().number();
  if (num < 0 || static_cast<uint64_t>(num) != expected_num) {
    return invalid(expected_num, "the node answered block " + std::to_string(num));
  }
  return header_of(block, expected_num);
}

Result<decode::BlockHeader> convert_head(const protocol::BlockExtention& block) {
  if (!block.has_block_header()) return make_error(Errc::kUnavailable, "node returned an empty head block");
  const int64_t num = block.block_header().raw_data().number();
  if (num < 0) return invalid(0, "negative head number");
  return header_of(block, static_cast<uint64_t>(num));
}

Result<decode::RawBlock> convert_block(const protocol::BlockExtention& block, uint64_t expected_num,
                                       bool verify_txids) {
  decode::RawBlock out;
  TRONIDX_ASSIGN(out.header, convert_header(block, expected_num));
  out.txs.reserve(static_cast<size_t>(block.transactions_size()));
  std::string raw_bytes;
  for (const auto& ext : block.transactions()) {
    decode::RawTx tx;
    if (ext.txid().size() != 32) return invalid(expected_num, "txid is not 32 bytes");
    std::copy(ext.txid().begin(), ext.txid().end(), tx.txid.hash.bytes.begin());
    const auto& t = ext.transaction();
    if (verify_txids) {
      raw_bytes.clear();
      t.raw_data().SerializeToString(&raw_bytes);
      if (chain::TxId::compute(bytes_of(raw_bytes)) != tx.txid) {
        return invalid(expected_num, "txid " + tx.txid.to_hex() + " is not sha256(raw_data)");
      }
    }
    if (t.raw_data().contract_size() < 1) return invalid(expected_num, "tx " + tx.txid.to_hex() + " has no contract");
    const auto& contract = t.raw_data().contract(0);
    tx.contract_type = contract.type();
    if (t.ret_size() > 0) tx.contract_ret = t.ret(0).contractret();
    if (tx.contract_type == decode::kTransferContract || tx.contract_type == decode::kTransferAssetContract) {
      TRONIDX_TRY(convert_contract(contract, tx, expected_num));
    }
    out.txs.push_back(std::move(tx));
  }
  return out;
}

Result<std::vector<decode::RawTxInfo>> convert_infos(const protocol::TransactionInfoList& list, uint64_t block_num) {
  std::vector<decode::RawTxInfo> out;
  out.reserve(static_cast<size_t>(list.transactioninfo_size()));
  for (const auto& info : list.transactioninfo()) {
    decode::RawTxInfo ri;
    if (info.id().size() != 32) return invalid(block_num, "info id is not 32 bytes");
    std::copy(info.id().begin(), info.id().end(), ri.txid.hash.bytes.begin());
    ri.block_num = info.blocknumber();
    ri.result_ok = info.result() == protocol::TransactionInfo::SUCESS;
    ri.receipt_result = info.receipt().result();
    ri.logs.reserve(static_cast<size_t>(info.log_size()));
    for (const auto& log : info.log()) {
      decode::RawLog rl;
      const std::string& addr = log.address();
      if (addr.size() == 20) {
        std::copy(addr.begin(), addr.end(), rl.address.begin());
      } else if (addr.size() == 21 && static_cast<uint8_t>(addr[0]) == 0x41) {
        std::copy(addr.begin() + 1, addr.end(), rl.address.begin());
      } else {
        return invalid(block_num, "log address of " + std::to_string(addr.size()) + " bytes in tx " + ri.txid.to_hex());
      }
      rl.topic_count = static_cast<uint32_t>(log.topics_size());
      for (int i = 0; i < log.topics_size(); ++i) {
        if (log.topics(i).size() != 32) return invalid(block_num, "log topic is not 32 bytes in tx " + ri.txid.to_hex());
        if (i < 3) std::copy(log.topics(i).begin(), log.topics(i).end(), rl.topics[static_cast<size_t>(i)].bytes.begin());
      }
      rl.data_size = static_cast<uint32_t>(log.data().size());
      if (rl.data_size == 32) std::copy(log.data().begin(), log.data().end(), rl.data.begin());
      ri.logs.push_back(rl);
    }
    out.push_back(std::move(ri));
  }
  return out;
}

}  // namespace tronidx::node
