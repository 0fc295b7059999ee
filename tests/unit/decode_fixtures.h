#pragma once
// Builders of decode/ input (RawTx, RawTxInfo, RawLog) from the mainnet vectors, plus printers so gtest
// failures show transfers readably. Malformed vector data throws std::runtime_error.

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>
#include <tuple>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/amount.h"
#include "tronidx/chain/ids.h"
#include "tronidx/decode/block.h"
#include "tronidx/decode/decode.h"
#include "tronidx/decode/transfer.h"

namespace tronidx::decode {
// gtest printers (found by ADL).
void PrintTo(const Transfer& t, std::ostream* os);
void PrintTo(const Position& p, std::ostream* os);
}  // namespace tronidx::decode

namespace tronidx::test {

chain::Address addr(std::string_view text);  // Address::parse or throw
chain::TxId txid(std::string_view hex);      // TxId::parse_hex or throw
chain::Amount amount(std::string_view decimal);

// The vector of `kind` whose "txid" is `id`.
const nlohmann::json& vector_by_txid(std::string_view kind, std::string_view id);

// TransactionInfo as java-tron's HTTP API prints it (hex bytes, enum names; "result" absent = SUCESS,
// receipt.result absent = DEFAULT) to the domain form.
decode::RawTxInfo info_from_json(const nlohmann::json& info);
decode::RawLog log_from_json(const nlohmann::json& log);

// A RawTx built the way node/ builds one: from the serialised Transaction.raw (contract(0)) and ret[0].
// An owner that is not a valid address (the genesis pseudo-owner "0x000…" in ASCII) becomes the zero
// address.
decode::RawTx tx_from_raw_hex(std::string_view raw_data_hex, int32_t contract_ret);

// The transaction of an info vector, which comes without its raw transaction: a TriggerSmartContract
// when the info names a contract, else of unstated type; ret[0] mirrors the receipt.
decode::RawTx tx_for_info(const decode::RawTxInfo& info, const nlohmann::json& info_json);

// A plain (no logs) successful receipt for `tx` in block `block_num`, as java-tron writes for TRX
// transfers.
decode::RawTxInfo plain_info(const decode::RawTx& tx, uint64_t block_num);

// A TRC20 Transfer log: 3 topics, 32-byte data.
decode::RawLog transfer_log(const chain::Address& token, const chain::Address& from, const chain::Address& to,
                            const chain::Amount& value);

// The transfers a transaction_info_json vector states ("decoded_transfers") at tx_index in its block.
std::vector<decode::Transfer> expected_transfers(const nlohmann::json& info_vector, uint32_t tx_index);

// A comparable view of every stats counter.
inline auto stats_tuple(const decode::DecodeStats& s) {
  return std::make_tuple(s.trc20, s.trx, s.trc10, s.trc721_logs, s.malformed_logs, s.other_logs, s.failed_tx_logs,
                         s.failed_txs);
}

// Checks that positions strictly increase and (txid, event_index) identities are unique.
::testing::AssertionResult ordered_and_unique(const std::vector<decode::Transfer>& transfers);

}  // namespace tronidx::test
