#include "tronidx/decode/decode.h"

#include <charconv>
#include <string>
#include <unordered_map>

#include "tronidx/chain/abi.h"
#include "tronidx/chain/hash.h"

namespace tronidx::decode {
namespace {

Error not_ready(const RawBlock& b, const std::string& what) {
  return make_error(Errc::kUnavailable,
                    "block " + std::to_string(b.header.block_num) + ": transaction infos do not match: " + what);
}

// Returns, for each transaction, the index of its info, or an error if the lists do not correspond 1:1.
Result<std::vector<const RawTxInfo*>> join_infos(const RawBlock& b) {
  const auto& txs = b.txs;
  const auto& infos = b.infos;
  std::vector<const RawTxInfo*> joined(txs.size(), nullptr);
  for (const auto& info : infos) {
    if (info.block_num < 0 || static_cast<uint64_t>(info.block_num) != b.header.block_num) {
      return not_ready(b, "info " + info.txid.to_hex() + " belongs to block " + std::to_string(info.block_num));
    }
  }
  if (infos.size() != txs.size()) {
    return not_ready(b, std::to_string(txs.size()) + " transactions but " + std::to_string(infos.size()) + " infos");
  }
  // Fast path: java-tron stores infos in block order.
  bool aligned = true;
  for (size_t i = 0; i < txs.size() && aligned; ++i) aligned = infos[i].txid == txs[i].txid;
  if (aligned) {
    for (size_t i = 0; i < txs.size(); ++i) joined[i] = &infos[i];
    return joined;
  }
  std::unordered_map<chain::TxId, size_t, chain::TxIdHash> index;
  index.reserve(txs.size());
  for (size_t i = 0; i < txs.size(); ++i) {
    if (!index.emplace(txs[i].txid, i).second) return not_ready(b, "duplicate txid " + txs[i].txid.to_hex());
  }
  for (const auto& info : infos) {
    auto it = index.find(info.txid);
    if (it == index.end()) return not_ready(b, "info for unknown txid " + info.txid.to_hex());
    if (joined[it->second] != nullptr) return not_ready(b, "two infos for txid " + info.txid.to_hex());
    joined[it->second] = &info;
  }
  return joined;  // sizes are equal and every info matched a distinct tx, so every tx has one
}

bool parse_asset_id(const std::string& name, uint64_t& id) {
  if (name.empty()) return false;
  const auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  return ec == std::errc() && ptr == name.data() + name.size();
}

void decode_contract_transfer(const RawTx& tx, uint32_t tx_index, uint64_t block_num, const DecodeOptions& opt,
                              DecodedBlock& out) {
  const bool is_trx = tx.contract_type == kTransferContract;
  if (is_trx ? !opt.trx : !opt.trc10) return;
  if (tx.amount < 0) {
    ++out.stats.invalid_contracts;
    return;
  }
  Transfer t;
  t.position = Position{block_num, tx_index, 0};
  t.from = tx.owner;
  t.to = tx.to;
  t.amount = chain::Amount(static_cast<uint64_t>(tx.amount));
  t.txid = tx.txid;
  if (is_trx) {
    t.kind = TransferKind::kTrx;
    t.token = trx_token();
    ++out.stats.trx;
  } else {
    uint64_t id = 0;
    if (!parse_asset_id(tx.asset_name, id)) {  // pre-2019 name-keyed assets are not indexed
      ++out.stats.invalid_contracts;
      return;
    }
    t.kind = TransferKind::kTrc10;
    t.token = trc10_token(id);
    ++out.stats.trc10;
  }
  out.transfers.push_back(t);
}

void decode_logs(const RawTx& tx, const RawTxInfo& info, uint32_t tx_index, uint64_t block_num, DecodedBlock& out) {
  const bool success = info.result_ok && info.receipt_result == kContractRetSuccess;
  const chain::Hash32& transfer_topic = chain::transfer_event_topic();
  for (size_t j = 0; j < info.logs.size(); ++j) {
    const RawLog& log = info.logs[j];
    if (log.topic_count == 0 || log.topics[0] != transfer_topic) {
      ++out.stats.other_logs;
      continue;
    }
    if (!success) {
      ++out.stats.failed_tx_logs;
      continue;
    }
    if (log.topic_count == 4) {
      ++out.stats.trc721_logs;
      continue;
    }
    if (log.topic_count != 3 || log.data_size != 32) {
      ++out.stats.malformed_logs;
      continue;
    }
    Transfer t;
    t.position = Position{block_num, tx_index, static_cast<uint32_t>(j)};
    t.kind = TransferKind::kTrc20;
    t.token = chain::Address::from_evm(log.address);
    t.from = chain::address_from_word(log.topics[1].bytes);
    t.to = chain::address_from_word(log.topics[2].bytes);
    t.amount = chain::Amount::from_word(log.data);
    t.txid = tx.txid;
    out.transfers.push_back(t);
    ++out.stats.trc20;
  }
}

}  // namespace

Result<DecodedBlock> decode_block(const RawBlock& block, const DecodeOptions& options) {
  DecodedBlock out;
  const uint64_t num = block.header.block_num;
  const bool genesis = num == 0;  // java-tron keeps no infos for genesis transactions
  std::vector<const RawTxInfo*> joined(block.txs.size(), nullptr);
  if (!genesis || !block.infos.empty()) {
    TRONIDX_ASSIGN(joined, join_infos(block));
  }
  out.transfers.reserve(block.txs.size());
  for (size_t i = 0; i < block.txs.size(); ++i) {
    const RawTx& tx = block.txs[i];
    const RawTxInfo* info = joined[i];
    const auto tx_index = static_cast<uint32_t>(i);
    const bool info_ok = info == nullptr || info->result_ok;
    const bool ret_ok = tx.contract_ret == kContractRetSuccess || tx.contract_ret == kContractRetDefault ||
                        (genesis && tx.contract_ret == kContractRetAbsent);
    if (tx.contract_type == kTransferContract || tx.contract_type == kTransferAssetContract) {
      // These contracts emit no logs; a failed one never makes it into a block, but check anyway.
      if (info_ok && ret_ok) {
        decode_contract_transfer(tx, tx_index, num, options, out);
      } else {
        ++out.stats.failed_txs;
      }
      continue;
    }
    if (info == nullptr) continue;
    const bool vm_call = tx.contract_type == kTriggerSmartContract || tx.contract_type == kCreateSmartContract;
    if (!info->result_ok || (vm_call && info->receipt_result != kContractRetSuccess)) ++out.stats.failed_txs;
    decode_logs(tx, *info, tx_index, num, out);
  }
  return out;
}

}  // namespace tronidx::decode
