// decode/decode.h: what a transfer is (DESIGN.md §4) — TRC20 Transfer logs of successful transactions,
// TRX TransferContract, TRC10 TransferAssetContract (behind a switch) — driven by mainnet vectors.
// Joining infos to transactions is in decode_join_test.cc.

#include "tronidx/decode/decode.h"

#include <gtest/gtest.h>
#include <tron/core.pb.h>

#include <limits>
#include <string>
#include <vector>

#include "decode_fixtures.h"
#include "tronidx/chain/hash.h"
#include "vectors.h"

namespace tronidx::decode {
namespace {

using test::addr;
using test::is_ok;
using test::stats_tuple;

constexpr std::string_view kUsdtTxid = "0af79242191c6728b79e858a36a4b5c65e4e52b9fcee4dc5af30eac57b6d0953";
constexpr std::string_view kOutOfEnergyTxid = "e63a324a43aebfe41273db4f7fdfe325b2257b4f5711595a5fc0f8a75cf1b481";
constexpr std::string_view kTrc10Txid = "1097be146079d55633bcc1d6ddabb696797140474182d1ac8eced4b6e9aed8f1";
constexpr std::string_view kTrc10ByNameTxid = "ac005b0a195a130914821a6c28db1eec44b4ec3a2358388ceb6c87b677866f1f";

RawBlock single_tx_block(uint64_t block_num, RawTx tx, RawTxInfo info) {
  RawBlock b;
  b.header.block_num = block_num;
  b.txs.push_back(std::move(tx));
  b.infos.push_back(std::move(info));
  return b;
}

DecodedBlock decode_ok(const RawBlock& b, const DecodeOptions& options = {}) {
  auto r = decode_block(b, options);
  if (!r.ok()) throw std::runtime_error("decode_block failed: " + r.error().message);
  return std::move(r).value();
}

// ---- every transaction_info_json vector -------------------------------------------------------------

class InfoVectorTest : public ::testing::TestWithParam<test::Vector> {};

TEST_P(InfoVectorTest, AsOnlyTransactionOfItsBlockGivesExactlyItsDecodedTransfers) {
  const auto& v = *GetParam();
  const RawTxInfo info = test::info_from_json(v.at("json"));
  ASSERT_EQ(info.txid.to_hex(), v.at("txid").get<std::string>());
  const uint64_t num = v.at("block").get<uint64_t>();
  ASSERT_EQ(static_cast<uint64_t>(info.block_num), num);
  const RawBlock block = single_tx_block(num, test::tx_for_info(info, v.at("json")), info);

  const auto decoded = decode_block(block);
  ASSERT_TRUE(is_ok(decoded));
  const auto expected = test::expected_transfers(v, 0);
  EXPECT_EQ(decoded->transfers, expected);
  EXPECT_EQ(decoded->stats.trc20, expected.size());
  EXPECT_EQ(decoded->stats.trx + decoded->stats.trc10, 0u);
  const bool failed = !info.result_ok;
  EXPECT_EQ(decoded->stats.failed_txs, failed ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(Mainnet, InfoVectorTest,
                         ::testing::ValuesIn(test::vectors_of_kind("transaction_info_json", "txid")),
                         test::vector_name);

TEST(InfoVectorSetTest, CoversTransfersFailuresAndPlainReceipts) {
  size_t with_transfers = 0;
  size_t failed = 0;
  size_t plain = 0;
  for (const auto& v : test::vectors_of_kind("transaction_info_json", "txid")) {
    const auto& j = (*v).at("json");
    if (!(*v).at("decoded_transfers").empty()) ++with_transfers;
    if (j.value("result", "") == "FAILED") ++failed;
    if (!j.contains("log") && !j.contains("contract_address")) ++plain;
  }
  EXPECT_GE(with_transfers, 2u);
  EXPECT_EQ(failed, 1u);
  EXPECT_GE(plain, 2u);
}

TEST(InfoVectorSetTest, DecodedTransfersAgreeWithTheTrc20TransferRows) {
  size_t checked = 0;
  for (const auto& row : test::all_vectors()) {
    if (row.at("kind") != "trc20_transfer" || !row.contains("log_index")) continue;
    const nlohmann::json* info = nullptr;
    for (const auto& v : test::all_vectors()) {
      if (v.at("kind") == "transaction_info_json" && v.at("txid") == row.at("txid")) info = &v;
    }
    if (info == nullptr) continue;  // the row is backed by a raw transaction instead (chain_abi_test)
    SCOPED_TRACE(row.at("txid").get<std::string>());
    const RawTxInfo raw_info = test::info_from_json(info->at("json"));
    const auto decoded = decode_ok(
        single_tx_block(row.at("block").get<uint64_t>(), test::tx_for_info(raw_info, info->at("json")), raw_info));
    ASSERT_EQ(decoded.transfers.size(), 1u);
    const Transfer& t = decoded.transfers[0];
    EXPECT_EQ(t.token.to_base58(), row.at("token").get<std::string>());
    EXPECT_EQ(t.from.to_base58(), row.at("from").get<std::string>());
    EXPECT_EQ(t.to.to_base58(), row.at("to").get<std::string>());
    EXPECT_EQ(t.amount.to_decimal(), row.at("amount_raw").get<std::string>());
    EXPECT_EQ(t.position.event_index, row.at("log_index").get<uint32_t>());
    ++checked;
  }
  EXPECT_GE(checked, 2u);
}

// ---- TRC20 log shapes and transaction outcome -------------------------------------------------------

// One successful USDT transfer (mainnet tx 0af79242…) whose logs and outcome each test varies.
class Trc20LogTest : public ::testing::Test {
 protected:
  Trc20LogTest()
      : vector_(test::vector_by_txid("transaction_info_json", kUsdtTxid)),
        info_(test::info_from_json(vector_.at("json"))),
        tx_(test::tx_for_info(info_, vector_.at("json"))),
        num_(static_cast<uint64_t>(info_.block_num)) {}

  RawLog usdt_log() const { return info_.logs.at(0); }

  DecodedBlock decode(const RawTxInfo& info) const { return decode_ok(single_tx_block(num_, tx_, info)); }
  DecodedBlock decode_logs(std::vector<RawLog> logs) const {
    RawTxInfo info = info_;
    info.logs = std::move(logs);
    return decode(info);
  }

  const nlohmann::json& vector_;
  RawTxInfo info_;
  RawTx tx_;
  uint64_t num_;
};

TEST_F(Trc20LogTest, RevertedReceiptDropsTheTransferLog) {
  RawTxInfo info = info_;
  info.receipt_result = protocol::Transaction_Result_contractResult_REVERT;
  const auto d = decode(info);
  EXPECT_TRUE(d.transfers.empty());
  EXPECT_EQ(d.stats.failed_tx_logs, 1u);
  EXPECT_EQ(d.stats.failed_txs, 1u);
  EXPECT_EQ(d.stats.trc20, 0u);
}

TEST_F(Trc20LogTest, FailedInfoResultDropsTheTransferLogEvenWithSuccessReceipt) {
  RawTxInfo info = info_;
  info.result_ok = false;
  ASSERT_EQ(info.receipt_result, protocol::Transaction_Result_contractResult_SUCCESS);
  const auto d = decode(info);
  EXPECT_TRUE(d.transfers.empty());
  EXPECT_EQ(d.stats.failed_tx_logs, 1u);
  EXPECT_EQ(d.stats.failed_txs, 1u);
}

TEST_F(Trc20LogTest, DefaultReceiptOfAVmCallIsNotSuccess) {
  RawTxInfo info = info_;
  info.receipt_result = kContractRetDefault;
  const auto d = decode(info);
  EXPECT_TRUE(d.transfers.empty());
  EXPECT_EQ(d.stats.failed_tx_logs, 1u);
}

TEST_F(Trc20LogTest, OutOfEnergyMainnetInfoWithATransferLogGivesNothing) {
  const auto& v = test::vector_by_txid("transaction_info_json", kOutOfEnergyTxid);
  RawTxInfo failed = test::info_from_json(v.at("json"));
  ASSERT_FALSE(failed.result_ok);
  ASSERT_EQ(failed.receipt_result, protocol::Transaction_Result_contractResult_OUT_OF_ENERGY);
  failed.logs.push_back(usdt_log());  // java-tron clears them; a node that did not must not fool us
  const auto d = decode_ok(
      single_tx_block(static_cast<uint64_t>(failed.block_num), test::tx_for_info(failed, v.at("json")), failed));
  EXPECT_TRUE(d.transfers.empty());
  EXPECT_EQ(d.stats.failed_tx_logs, 1u);
  EXPECT_EQ(d.stats.failed_txs, 1u);
}

TEST_F(Trc20LogTest, FourTopicTrc721TransferIsNotATrc20Transfer) {
  RawLog nft = usdt_log();
  nft.topic_count = 4;  // topics[3] = tokenId
  nft.data_size = 0;
  const auto d = decode_logs({nft});
  EXPECT_TRUE(d.transfers.empty());
  EXPECT_EQ(d.stats.trc721_logs, 1u);
  EXPECT_EQ(d.stats.malformed_logs, 0u);
}

TEST_F(Trc20LogTest, MalformedTransferShapesAreCountedNotDecoded) {
  struct Shape {
    uint32_t topics;
    uint32_t data;
  };
  for (const Shape& s : {Shape{3, 31}, Shape{3, 64}, Shape{3, 0}, Shape{3, 33}, Shape{2, 32}, Shape{2, 64},
                         Shape{1, 96}, Shape{5, 32}}) {
    SCOPED_TRACE(std::to_string(s.topics) + " topics, " + std::to_string(s.data) + " data bytes");
    RawLog log = usdt_log();
    log.topic_count = s.topics;
    log.data_size = s.data;
    const auto d = decode_logs({log});
    EXPECT_TRUE(d.transfers.empty());
    EXPECT_EQ(d.stats.malformed_logs, 1u);
    EXPECT_EQ(d.stats.trc20 + d.stats.trc721_logs + d.stats.other_logs, 0u);
  }
}

TEST_F(Trc20LogTest, ApprovalAndTopiclessLogsAreOtherLogs) {
  RawLog approval = usdt_log();
  approval.topics[0] = chain::keccak256(std::string_view("Approval(address,address,uint256)"));
  RawLog anonymous = usdt_log();
  anonymous.topic_count = 0;
  const auto d = decode_logs({approval, anonymous});
  EXPECT_TRUE(d.transfers.empty());
  EXPECT_EQ(d.stats.other_logs, 2u);
  EXPECT_EQ(d.stats.malformed_logs, 0u);
}

TEST_F(Trc20LogTest, SeveralTransferLogsGiveTransfersInLogOrder) {
  const auto usdt = addr("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  const auto a = addr("TBREsCfBdPyD612xZnwvGPux7osbXvtzLh");
  const auto b = addr("TLrPF5aTqtqLxFo1Y69jpQvZ2T4ydkX9pC");
  const auto c = addr("THPvaUhoh2Qn2y9THCZML3H815hhFhn5YC");
  const auto d =
      decode_logs({test::transfer_log(usdt, a, b, chain::Amount(3)), test::transfer_log(usdt, b, c, chain::Amount(2)),
                   test::transfer_log(usdt, c, a, chain::Amount(1))});
  ASSERT_EQ(d.transfers.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(d.transfers[i].position, (Position{num_, 0, i}));
    EXPECT_EQ(d.transfers[i].amount, chain::Amount(3 - i));
    EXPECT_EQ(d.transfers[i].txid, info_.txid);
    EXPECT_EQ(d.transfers[i].token, usdt);
  }
  EXPECT_EQ(d.transfers[0].from, a);
  EXPECT_EQ(d.transfers[1].from, b);
  EXPECT_EQ(d.transfers[2].to, a);
  EXPECT_EQ(d.stats.trc20, 3u);
  EXPECT_TRUE(test::ordered_and_unique(d.transfers));
}

TEST_F(Trc20LogTest, EventIndexIsTheIndexInTheLogListNotAmongTransfers) {
  RawLog approval = usdt_log();
  approval.topics[0] = chain::keccak256(std::string_view("Approval(address,address,uint256)"));
  RawLog nft = usdt_log();
  nft.topic_count = 4;
  const auto d = decode_logs({approval, usdt_log(), nft, approval, usdt_log()});
  ASSERT_EQ(d.transfers.size(), 2u);
  EXPECT_EQ(d.transfers[0].position.event_index, 1u);
  EXPECT_EQ(d.transfers[1].position.event_index, 4u);
  EXPECT_EQ(stats_tuple(d.stats), stats_tuple(DecodeStats{.trc20 = 2, .trc721_logs = 1, .other_logs = 2}));
}

TEST_F(Trc20LogTest, TransferFieldsComeFromLogAddressTopicsAndData) {
  const auto d = decode_logs({usdt_log()});
  ASSERT_EQ(d.transfers.size(), 1u);
  const Transfer& t = d.transfers[0];
  EXPECT_EQ(t.kind, TransferKind::kTrc20);
  EXPECT_EQ(t.token.to_hex(), "41a614f803b6fd780986a42c78ec9c7f77e6ded13c");
  EXPECT_EQ(t.from.to_hex(), "41e4b8075df69297bc24cc4bbaf48cd17206e1f62c");
  EXPECT_EQ(t.to.to_hex(), "410d0707963952f2fba59dd06f2b425ace40b492fe");
  EXPECT_EQ(t.amount, chain::Amount(0x1fb6e57f));
}

TEST_F(Trc20LogTest, ConstructorMintInCreateSmartContractIsATransfer) {
  // DESIGN.md §4: logs of every transaction type are scanned, not only TriggerSmartContract.
  RawTx create = tx_;
  create.contract_type = kCreateSmartContract;
  const auto d = decode_ok(single_tx_block(num_, create, info_));
  ASSERT_EQ(d.transfers.size(), 1u);
  EXPECT_EQ(d.transfers[0].kind, TransferKind::kTrc20);
}

// ---- TRX and TRC10 contracts ------------------------------------------------------------------------

struct ContractVector {
  RawTx tx;
  uint64_t block_num;
  const nlohmann::json* json;
};

ContractVector contract_vector(const nlohmann::json& v) {
  const auto& bn = v.at("block_number");
  return ContractVector{test::tx_from_raw_hex(v.at("raw_data_hex").get<std::string>(), kContractRetSuccess),
                        bn.is_number() ? bn.get<uint64_t>() : 1, &v};
}

std::vector<ContractVector> mainnet_trx_transfers() {
  std::vector<ContractVector> out;
  for (const auto& v : test::vectors_of_kind("tx_raw", "txid")) {
    if ((*v).at("decoded").at("contract_type") == "TransferContract" && (*v).at("block_number") != 0) {
      out.push_back(contract_vector(*v));
    }
  }
  return out;
}

TEST(TrxTransferTest, MainnetTransferContractsGiveOneTrxTransferEach) {
  const auto vectors = mainnet_trx_transfers();
  ASSERT_GE(vectors.size(), 4u);
  for (const auto& cv : vectors) {
    const auto& decoded = cv.json->at("decoded");
    SCOPED_TRACE(cv.json->at("txid").get<std::string>());
    const auto d = decode_ok(single_tx_block(cv.block_num, cv.tx, test::plain_info(cv.tx, cv.block_num)));
    Transfer expected;
    expected.position = Position{cv.block_num, 0, 0};
    expected.kind = TransferKind::kTrx;
    expected.token = trx_token();
    expected.from = addr(decoded.at("owner_address").get<std::string>());
    expected.to = addr(decoded.at("to_address").get<std::string>());
    expected.amount = chain::Amount(decoded.at("amount").get<uint64_t>());
    expected.txid = test::txid(cv.json->at("txid").get<std::string>());
    EXPECT_EQ(d.transfers, std::vector<Transfer>{expected});
    EXPECT_EQ(stats_tuple(d.stats), stats_tuple(DecodeStats{.trx = 1}));
  }
}

TEST(TrxTransferTest, TrxTokenIsTheZeroAddress) {
  EXPECT_EQ(trx_token().to_base58(), "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb");
  EXPECT_EQ(trx_token(), chain::Address());
  EXPECT_STREQ(kind_name(TransferKind::kTrx), "TRX");
  EXPECT_STREQ(kind_name(TransferKind::kTrc20), "TRC20");
  EXPECT_STREQ(kind_name(TransferKind::kTrc10), "TRC10");
}

TEST(TrxTransferTest, NotEmittedWhenTrxIsSwitchedOff) {
  for (const auto& cv : mainnet_trx_transfers()) {
    const auto d = decode_ok(single_tx_block(cv.block_num, cv.tx, test::plain_info(cv.tx, cv.block_num)),
                             DecodeOptions{.trx = false});
    EXPECT_TRUE(d.transfers.empty());
    EXPECT_EQ(d.stats.trx, 0u);
  }
}

TEST(TrxTransferTest, DefaultContractRetCountsAsSuccess) {
  // java-tron writes DEFAULT for some system contracts; DESIGN.md §4 accepts it.
  auto cv = mainnet_trx_transfers().at(0);
  cv.tx.contract_ret = kContractRetDefault;
  const auto d = decode_ok(single_tx_block(cv.block_num, cv.tx, test::plain_info(cv.tx, cv.block_num)));
  EXPECT_EQ(d.transfers.size(), 1u);
}

TEST(TrxTransferTest, FailedContractRetOrFailedInfoGivesNothing) {
  const auto cv = mainnet_trx_transfers().at(0);
  for (int32_t ret :
       {static_cast<int32_t>(protocol::Transaction_Result_contractResult_REVERT),
        static_cast<int32_t>(protocol::Transaction_Result_contractResult_TRANSFER_FAILED),
        static_cast<int32_t>(protocol::Transaction_Result_contractResult_OUT_OF_ENERGY), kContractRetAbsent}) {
    SCOPED_TRACE(ret);
    RawTx tx = cv.tx;
    tx.contract_ret = ret;
    const auto d = decode_ok(single_tx_block(cv.block_num, tx, test::plain_info(tx, cv.block_num)));
    EXPECT_TRUE(d.transfers.empty());
    EXPECT_EQ(d.stats.failed_txs, 1u);
  }
  RawTxInfo failed = test::plain_info(cv.tx, cv.block_num);
  failed.result_ok = false;
  const auto d = decode_ok(single_tx_block(cv.block_num, cv.tx, failed));
  EXPECT_TRUE(d.transfers.empty());
  EXPECT_EQ(d.stats.failed_txs, 1u);
}

TEST(Trc10TransferTest, EmittedOnlyWhenSwitchedOn) {
  const auto cv = contract_vector(test::vector_by_txid("tx_raw", kTrc10Txid));
  ASSERT_EQ(cv.tx.contract_type, kTransferAssetContract);
  ASSERT_EQ(cv.tx.asset_name, "1004083");
  const RawBlock block = single_tx_block(cv.block_num, cv.tx, test::plain_info(cv.tx, cv.block_num));

  const auto off = decode_ok(block);
  EXPECT_TRUE(off.transfers.empty());
  EXPECT_EQ(off.stats.trc10, 0u);

  const auto on = decode_ok(block, DecodeOptions{.trc10 = true});
  Transfer expected;
  expected.position = Position{cv.block_num, 0, 0};
  expected.kind = TransferKind::kTrc10;
  expected.token = trc10_token(1004083);
  expected.from = addr("411e4dc6d85c7f7cfe9ed92663ad558a23d04f1470");
  expected.to = addr("4151521c48d859021ffca3e9ace6b5f6364c44f46c");
  expected.amount = chain::Amount(468000);
  expected.txid = test::txid(kTrc10Txid);
  EXPECT_EQ(on.transfers, std::vector<Transfer>{expected});
  EXPECT_EQ(on.stats.trc10, 1u);
}

TEST(Trc10TransferTest, NameKeyedAssetIsSkipped) {
  const auto cv = contract_vector(test::vector_by_txid("tx_raw", kTrc10ByNameTxid));
  ASSERT_EQ(cv.tx.asset_name, "HuobiToken");
  const auto d = decode_ok(single_tx_block(cv.block_num, cv.tx, test::plain_info(cv.tx, cv.block_num)),
                           DecodeOptions{.trc10 = true});
  EXPECT_TRUE(d.transfers.empty());
  EXPECT_EQ(d.stats.trc10, 0u);
  for (std::string name : {"", "12a", "-5", "+5", "18446744073709551616"}) {
    SCOPED_TRACE(name);
    RawTx tx = cv.tx;
    tx.asset_name = name;
    EXPECT_TRUE(
        decode_ok(single_tx_block(cv.block_num, tx, test::plain_info(tx, cv.block_num)), DecodeOptions{.trc10 = true})
            .transfers.empty());
  }
}

TEST(Trc10TransferTest, TokenEncodesTheAssetIdApartFromRealAddresses) {
  for (uint64_t id : {uint64_t{0}, uint64_t{1000001}, uint64_t{1004083}, std::numeric_limits<uint64_t>::max()}) {
    SCOPED_TRACE(id);
    const auto token = trc10_token(id);
    EXPECT_EQ(trc10_asset_id(token), id);
    EXPECT_EQ(token.bytes()[0], 0x00);
    EXPECT_NE(token, trx_token());
  }
  EXPECT_EQ(trc10_token(1004083).to_hex(), "00" + std::string(24, '0') + "00000000000f5233");
}

// ---- genesis ----------------------------------------------------------------------------------------

TEST(GenesisTest, BlockZeroWithoutInfosGivesItsTrxTransfers) {
  const nlohmann::json* genesis = nullptr;
  for (const auto& v : test::vectors_of_kind("block_json", "block_number")) {
    if ((*v).at("block_number") == 0) genesis = v.json;
  }
  ASSERT_NE(genesis, nullptr);
  RawBlock block;
  block.header.block_num = 0;
  for (const auto& tx : genesis->at("json").at("transactions")) {
    // Genesis transactions carry no ret and java-tron keeps no TransactionInfo for them.
    block.txs.push_back(test::tx_from_raw_hex(tx.at("raw_data_hex").get<std::string>(), kContractRetAbsent));
  }
  ASSERT_EQ(block.txs.size(), 3u);

  const auto d = decode_block(block);
  ASSERT_TRUE(is_ok(d));
  // Zion receives 99e15 sun, Sun receives 0; Blackhole's amount is int64 min (-2^63), not a transfer.
  ASSERT_EQ(block.txs[2].amount, std::numeric_limits<int64_t>::min());
  ASSERT_EQ(d->transfers.size(), 2u);
  EXPECT_EQ(d->transfers[0].position, (Position{0, 0, 0}));
  EXPECT_EQ(d->transfers[0].to.to_base58(), "TLLM21wteSPs4hKjbxgmH1L6poyMjeTbHm");
  EXPECT_EQ(d->transfers[0].amount.to_decimal(), "99000000000000000");
  EXPECT_EQ(d->transfers[0].txid.to_hex(), "788b4d0ca432b3d07f895dffe80429bf58398d0e86222460b07f9db38e238803");
  EXPECT_EQ(d->transfers[1].position, (Position{0, 1, 0}));
  EXPECT_EQ(d->transfers[1].to.to_base58(), "TXmVpin5vq5gdZsciyyjdZgKRUju4st1wM");
  EXPECT_TRUE(d->transfers[1].amount.is_zero());
  for (const auto& t : d->transfers) {
    EXPECT_EQ(t.kind, TransferKind::kTrx);
    EXPECT_EQ(t.token, trx_token());
    EXPECT_EQ(t.from, chain::Address());  // the fixture's stand-in for the "0x000…" pseudo-owner
  }
  EXPECT_EQ(d->stats.trx, 2u);

  const auto off = decode_block(block, DecodeOptions{.trx = false});
  ASSERT_TRUE(is_ok(off));
  EXPECT_TRUE(off->transfers.empty());
}

}  // namespace
}  // namespace tronidx::decode
