// node/wire: parsing java-tron answers straight from protobuf wire bytes. The expected values come from
// protocol:: messages built and serialised here (the generated code is the reference encoder).
#include <gtest/gtest.h>

#include <random>

#include "tron/api.pb.h"
#include "tron/contract.pb.h"
#include "tron/core.pb.h"
#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"
#include "wire.h"

namespace tronidx::node {
namespace {

using chain::as_bytes;

std::string addr21(uint8_t fill) {
  std::string a(21, static_cast<char>(fill));
  a[0] = 0x41;
  return a;
}

std::string hash32(const std::string& seed) {
  const auto h = chain::sha256(seed);
  return std::string(reinterpret_cast<const char*>(h.bytes.data()), 32);  // NOLINT
}

// A block whose header and txids are consistent, with a TRX transfer, a TRC10 transfer and a contract call.
protocol::BlockExtention make_block(uint64_t num, const std::string& parent_id) {
  protocol::BlockExtention b;
  auto* raw = b.mutable_block_header()->mutable_raw_data();
  raw->set_timestamp(1'700'000'000'000 + static_cast<int64_t>(num) * 3000);
  raw->set_parenthash(parent_id);
  raw->set_number(static_cast<int64_t>(num));
  raw->set_witness_address(addr21(7));
  raw->set_version(30);
  b.mutable_block_header()->set_witness_signature(std::string(65, 'x'));
  auto add_tx = [&](int type, const google::protobuf::Message& param, int ret) {
    auto* ext = b.add_transactions();
    auto* tx = ext->mutable_transaction();
    auto* c = tx->mutable_raw_data()->add_contract();
    c->set_type(static_cast<protocol::Transaction::Contract::ContractType>(type));
    c->mutable_parameter()->PackFrom(param);
    tx->mutable_raw_data()->set_timestamp(123 + type);
    tx->mutable_raw_data()->set_expiration(456);
    tx->add_signature(std::string(65, 's'));
    if (ret >= 0) tx->add_ret()->set_contractret(static_cast<protocol::Transaction::Result::contractResult>(ret));
    const auto id = chain::TxId::compute(as_bytes(tx->raw_data().SerializeAsString()));
    ext->set_txid(std::string(reinterpret_cast<const char*>(id.hash.bytes.data()), 32));  // NOLINT
    ext->mutable_result()->set_result(true);
  };
  protocol::TransferContract trx;
  trx.set_owner_address(addr21(1));
  trx.set_to_address(addr21(2));
  trx.set_amount(1'500'000);
  add_tx(1, trx, 1);
  protocol::TransferAssetContract trc10;
  trc10.set_asset_name("1002000");
  trc10.set_owner_address(addr21(3));
  trc10.set_to_address(addr21(4));
  trc10.set_amount(77);
  add_tx(2, trc10, 0);  // DEFAULT: omitted on the wire
  protocol::TriggerSmartContract call;
  call.set_owner_address(addr21(5));
  call.set_contract_address(addr21(6));
  call.set_data(std::string("\xa9\x05\x9c\xbb", 4) + std::string(64, '\0'));
  add_tx(31, call, 2);  // REVERT
  const auto id = chain::BlockId::compute(num, as_bytes(raw->SerializeAsString()));
  b.set_blockid(std::string(reinterpret_cast<const char*>(id.hash.bytes.data()), 32));  // NOLINT
  return b;
}

Result<std::vector<decode::RawBlock>> parse_list(const protocol::BlockListExtention& list, uint64_t from) {
  const std::string bytes = list.SerializeAsString();
  return wire::parse_block_list(as_bytes(bytes), from, true);
}

TEST(NodeWire, ParsesABlockRangeExactly) {
  protocol::BlockListExtention list;
  std::string parent(32, '\0');
  parent[7] = 9;  // "block 9"
  for (uint64_t n = 10; n < 13; ++n) {
    *list.add_block() = make_block(n, parent);
    parent = list.block(list.block_size() - 1).blockid();
  }
  auto r = parse_list(list, 10);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto& b = (*r)[i];
    const auto& want = list.block(static_cast<int>(i));
    EXPECT_EQ(b.header.block_num, 10 + i);
    EXPECT_EQ(b.header.id.to_hex(), chain::to_hex(want.blockid()));
    EXPECT_EQ(b.header.parent_id.to_hex(), chain::to_hex(want.block_header().raw_data().parenthash()));
    EXPECT_EQ(b.header.timestamp_ms, want.block_header().raw_data().timestamp());
    ASSERT_EQ(b.txs.size(), 3u);
    EXPECT_EQ(b.txs[0].contract_type, 1);
    EXPECT_EQ(b.txs[0].contract_ret, 1);
    EXPECT_EQ(b.txs[0].owner.to_hex(), chain::to_hex(addr21(1)));
    EXPECT_EQ(b.txs[0].to.to_hex(), chain::to_hex(addr21(2)));
    EXPECT_EQ(b.txs[0].amount, 1'500'000);
    EXPECT_EQ(b.txs[1].contract_type, 2);
    EXPECT_EQ(b.txs[1].contract_ret, decode::kContractRetDefault);
    EXPECT_EQ(b.txs[1].asset_name, "1002000");
    EXPECT_EQ(b.txs[1].amount, 77);
    EXPECT_EQ(b.txs[2].contract_type, 31);
    EXPECT_EQ(b.txs[2].contract_ret, 2);
    for (int t = 0; t < 3; ++t) EXPECT_EQ(b.txs[static_cast<size_t>(t)].txid.to_hex(), chain::to_hex(want.transactions(t).txid()));
  }
}

TEST(NodeWire, UnknownFieldsAreSkippedAndHashedAsReceived) {
  protocol::BlockExtention b = make_block(5, std::string(7, '\0') + std::string(1, '\4') + std::string(24, 'p'));
  // An unknown field inside the header raw changes its hash: the id must be computed over the received
  // bytes (java-tron's way), so recompute the expected id the same way.
  auto* raw = b.mutable_block_header()->mutable_raw_data();
  raw->GetReflection()->MutableUnknownFields(raw)->AddVarint(99, 12345);
  const auto id = chain::BlockId::compute(5, as_bytes(raw->SerializeAsString()));
  b.set_blockid(std::string(reinterpret_cast<const char*>(id.hash.bytes.data()), 32));  // NOLINT
  b.GetReflection()->MutableUnknownFields(&b)->AddLengthDelimited(77, "future field");
  const std::string bytes = b.SerializeAsString();
  auto r = wire::parse_block(as_bytes(bytes), 5, true, true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->header.id, id);
  EXPECT_EQ(r->txs.size(), 3u);
}

TEST(NodeWire, EmptyMessageIsNotReady) {
  auto r = wire::parse_block(as_bytes(std::string()), 42, true, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  EXPECT_NE(r.error().message.find("no block 42"), std::string::npos);
}

TEST(NodeWire, RejectsInconsistentBlocks) {
  const std::string parent = std::string(7, '\0') + std::string(1, '\6') + std::string(24, 'q');
  auto expect_invalid = [](const protocol::BlockExtention& b, uint64_t expected, const char* what) {
    const std::string bytes = b.SerializeAsString();
    auto r = wire::parse_block(as_bytes(bytes), expected, true, true);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, Errc::kUnavailable) << what;
    EXPECT_NE(r.error().message.find("invalid answer"), std::string::npos) << what << ": " << r.error().message;
  };
  const auto good = make_block(7, parent);
  expect_invalid(good, 8, "another number than asked");
  auto b = good;
  b.mutable_blockid()->at(20) ^= 1;
  expect_invalid(b, 7, "id not matching the header");
  b = good;
  b.mutable_block_header()->mutable_raw_data()->set_timestamp(1);
  expect_invalid(b, 7, "header changed after the id was computed");
  b = good;
  b.set_blockid("short");
  expect_invalid(b, 7, "short id");
  b = good;
  b.mutable_transactions(1)->mutable_txid()->at(3) ^= 1;
  expect_invalid(b, 7, "txid not sha256(raw_data)");
  b = good;
  b.mutable_transactions(0)->mutable_transaction()->mutable_raw_data()->clear_contract();
  expect_invalid(b, 7, "transaction without a contract");  // (its txid no longer matches either)
}

TEST(NodeWire, RejectsARangeThatDoesNotConnect) {
  protocol::BlockListExtention list;
  *list.add_block() = make_block(10, std::string(7, '\0') + std::string(1, '\x09') + std::string(24, 'a'));
  *list.add_block() = make_block(11, std::string(7, '\0') + std::string(1, '\x0a') + std::string(24, 'b'));
  auto r = parse_list(list, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not connect"), std::string::npos) << r.error().message;
}

TEST(NodeWire, ParsesInfosWithDefaultsOmitted) {
  protocol::TransactionInfoList list;
  auto* ok = list.add_transactioninfo();
  ok->set_id(hash32("a"));
  ok->set_blocknumber(9);
  ok->mutable_receipt()->set_result(protocol::Transaction::Result::SUCCESS);
  auto* log = ok->add_log();
  log->set_address(std::string(20, 'c'));
  for (int i = 0; i < 3; ++i) log->add_topics(hash32("t" + std::to_string(i)));
  log->set_data(std::string(32, 'd'));
  auto* log4 = ok->add_log();
  log4->set_address(addr21(9));  // a 0x41-prefixed log address is accepted too
  for (int i = 0; i < 4; ++i) log4->add_topics(hash32("u" + std::to_string(i)));
  auto* failed = list.add_transactioninfo();
  failed->set_id(hash32("b"));
  failed->set_blocknumber(9);
  failed->set_result(protocol::TransactionInfo::FAILED);
  failed->mutable_receipt()->set_result(protocol::Transaction::Result::REVERT);
  const std::string bytes = list.SerializeAsString();
  auto r = wire::parse_infos(as_bytes(bytes), 9);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  const auto& a = (*r)[0];
  EXPECT_EQ(a.txid.to_hex(), chain::to_hex(hash32("a")));
  EXPECT_EQ(a.block_num, 9);
  EXPECT_TRUE(a.result_ok);  // SUCESS is 0: absent on the wire
  EXPECT_EQ(a.receipt_result, 1);
  ASSERT_EQ(a.logs.size(), 2u);
  EXPECT_EQ(a.logs[0].topic_count, 3u);
  EXPECT_EQ(chain::to_hex(a.logs[0].topics[2].bytes), chain::to_hex(hash32("t2")));
  EXPECT_EQ(a.logs[0].data_size, 32u);
  EXPECT_EQ(a.logs[0].data[0], 'd');
  EXPECT_EQ(a.logs[1].topic_count, 4u);
  EXPECT_EQ(a.logs[1].address[0], 9);
  const auto& b = (*r)[1];
  EXPECT_FALSE(b.result_ok);
  EXPECT_EQ(b.receipt_result, 2);
  EXPECT_TRUE(b.logs.empty());
}

TEST(NodeWire, RejectsMalformedInfos) {
  protocol::TransactionInfoList list;
  auto* i = list.add_transactioninfo();
  i->set_id(hash32("a"));
  i->add_log()->set_address(std::string(19, 'x'));
  std::string bytes = list.SerializeAsString();
  auto r = wire::parse_infos(as_bytes(bytes), 1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("log address of 19 bytes"), std::string::npos) << r.error().message;
  i->mutable_log(0)->set_address(std::string(20, 'x'));
  i->mutable_log(0)->add_topics("short");
  bytes = list.SerializeAsString();
  r = wire::parse_infos(as_bytes(bytes), 1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("topic is not 32 bytes"), std::string::npos) << r.error().message;
  i->mutable_log(0)->clear_topics();
  i->set_id("short id");
  bytes = list.SerializeAsString();
  r = wire::parse_infos(as_bytes(bytes), 1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("info id"), std::string::npos) << r.error().message;
}

// Garbage never crashes the parser (ASan/UBSan watch) and is never accepted as a different valid block.
TEST(NodeWire, MutatedBytesAreRejectedOrParsedConsistently) {
  protocol::BlockListExtention list;
  *list.add_block() = make_block(20, std::string(7, '\0') + std::string(1, '\x13') + std::string(24, 'z'));
  const std::string good = list.SerializeAsString();
  auto reference = parse_list(list, 20);
  ASSERT_TRUE(reference.ok());
  std::mt19937_64 rng(1);
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) bad.resize(rng() % bad.size());
    auto r = wire::parse_block_list(as_bytes(bad), 20, true);
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, Errc::kUnavailable);
      continue;
    }
    // Accepted: then the ids are valid for what was parsed (a mutation in an ignored field, e.g. a
    // signature, does not change a hashed byte).
    for (const auto& b : *r) {
      EXPECT_EQ(b.header.id.block_num(), b.header.block_num);
      if (b.header.block_num == 20 && !r->empty() && !reference->empty()) {
        EXPECT_EQ(b.header.id, reference->front().header.id);
      }
    }
    ++accepted;
  }
  EXPECT_LT(accepted, 5000);
}

}  // namespace
}  // namespace tronidx::node
