// chain/ids.h against mainnet: txid = sha256(serialised Transaction.raw), block id = BE64(num) ||
// sha256(serialised BlockHeader.raw)[8..32). Vector JSON is turned back into the exact wire bytes with the
// generated protobuf classes (package `protocol`).

#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>
#include <tron/contract.pb.h>
#include <tron/core.pb.h>

#include <limits>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/hex.h"
#include "tronidx/chain/ids.h"
#include "vectors.h"

namespace tronidx::chain {
namespace {

using nlohmann::json;
using test::is_error;
using test::is_ok;
using test::unhex;
using test::unhex_string;

// ---- helpers ------------------------------------------------------------------------------------------

// The BlockHeader.raw fields of a block_json vector: getblock-style `block_header.raw_data`, or the
// Bitquery row rebuilt into `header_raw_reconstructed`. Blockbook rows carry no header.
std::optional<json> header_raw_json(const json& v) {
  if (v.contains("header_raw_reconstructed")) return v.at("header_raw_reconstructed");
  const auto& j = v.at("json");
  if (j.contains("block_header")) return j.at("block_header").at("raw_data");
  return std::nullopt;
}

protocol::BlockHeader_raw header_raw_from_json(const json& raw) {
  protocol::BlockHeader_raw h;
  if (raw.contains("timestamp")) h.set_timestamp(raw.at("timestamp").get<int64_t>());
  if (raw.contains("txTrieRoot")) h.set_txtrieroot(unhex_string(raw.at("txTrieRoot").get<std::string>()));
  if (raw.contains("parentHash")) h.set_parenthash(unhex_string(raw.at("parentHash").get<std::string>()));
  if (raw.contains("number")) h.set_number(raw.at("number").get<int64_t>());
  if (raw.contains("witness_id")) h.set_witness_id(raw.at("witness_id").get<int64_t>());
  if (raw.contains("witness_address")) {
    h.set_witness_address(unhex_string(raw.at("witness_address").get<std::string>()));
  }
  if (raw.contains("version")) h.set_version(raw.at("version").get<int32_t>());
  if (raw.contains("accountStateRoot")) {
    h.set_accountstateroot(unhex_string(raw.at("accountStateRoot").get<std::string>()));
  }
  return h;
}

BlockId parse_block_id(const json& hex) {
  auto r = BlockId::parse_hex(hex.get<std::string>());
  if (!r.ok()) throw std::runtime_error(r.error().message);
  return *r;
}

// The vector's stated id of the block, wherever its source put it.
std::string stated_id(const json& v) {
  const auto& j = v.at("json");
  for (const char* key : {"blockID", "Block_Hash", "blockHash"}) {
    if (j.contains(key)) return j.at(key).get<std::string>();
  }
  throw std::runtime_error("block vector without an id");
}

std::vector<test::Vector> blocks_with_header() {
  std::vector<test::Vector> out;
  for (auto& v : test::vectors_of_kind("block_json", "block_number")) {
    if (header_raw_json(*v)) out.push_back(v);
  }
  return out;
}

// int64 fields of "decoded" JSON; one vector writes int64 min as its unsigned bit pattern 2^63.
int64_t json_int64(const json& j) {
  if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(j.get<uint64_t>());
  }
  return j.get<int64_t>();
}

// ---- block ids ----------------------------------------------------------------------------------------

class BlockVectorTest : public ::testing::TestWithParam<test::Vector> {};

TEST_P(BlockVectorTest, IdStartsWithTheBlockNumber) {
  const auto& v = *GetParam();
  const BlockId id = parse_block_id(v.at("block_id"));
  EXPECT_EQ(id.block_num(), v.at("block_number").get<uint64_t>());
  EXPECT_EQ(stated_id(v), v.at("block_id").get<std::string>());
  EXPECT_EQ(id.to_hex(), v.at("block_id").get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Mainnet, BlockVectorTest,
                         ::testing::ValuesIn(test::vectors_of_kind("block_json", "block_number")), test::vector_name);

class BlockHeaderVectorTest : public ::testing::TestWithParam<test::Vector> {};

TEST_P(BlockHeaderVectorTest, SerialisedHeaderRawHashesToTheBlockId) {
  const auto& v = *GetParam();
  const protocol::BlockHeader_raw raw = header_raw_from_json(*header_raw_json(v));
  const std::string bytes = raw.SerializeAsString();
  const uint64_t num = v.at("block_number").get<uint64_t>();
  ASSERT_EQ(static_cast<uint64_t>(raw.number()), num);
  const BlockId id = BlockId::compute(num, as_bytes(bytes));
  EXPECT_EQ(id.to_hex(), v.at("block_id").get<std::string>());
  EXPECT_EQ(id.block_num(), num);
}

TEST_P(BlockHeaderVectorTest, ParentIdCarriesTheNumberBelow) {
  const auto& v = *GetParam();
  const uint64_t num = v.at("block_number").get<uint64_t>();
  const json raw = *header_raw_json(v);
  const BlockId parent = parse_block_id(raw.at("parentHash"));
  if (num == 0) {
    // Genesis: its parentHash is a constant of the genesis config, not a block id.
    EXPECT_NE(parent.block_num(), 0u);
  } else {
    EXPECT_EQ(parent.block_num(), num - 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Mainnet, BlockHeaderVectorTest, ::testing::ValuesIn(blocks_with_header()), test::vector_name);

TEST(BlockIdTest, AllButTheBlockbookRowCarryAHeader) {
  // Guards the parameterised suite above against silently losing vectors.
  EXPECT_EQ(blocks_with_header().size(), test::vectors_of_kind("block_json", "block_number").size() - 1);
  EXPECT_GE(blocks_with_header().size(), 7u);
}

TEST(BlockIdTest, GenesisHeaderGivesTheMainnetGenesisId) {
  const auto& fact = test::known_fact("mainnet genesis block id");
  for (const auto& v : test::vectors_of_kind("block_json", "block_number")) {
    if ((*v).at("block_number").get<uint64_t>() != 0) continue;
    const std::string bytes = header_raw_from_json(*header_raw_json(*v)).SerializeAsString();
    EXPECT_EQ(BlockId::compute(0, as_bytes(bytes)).to_hex(), fact.at("block_id").get<std::string>());
    return;
  }
  FAIL() << "no genesis block vector";
}

TEST(BlockIdTest, TestnetGenesisIdsAreBlockZeroButNotMainnet) {
  const BlockId mainnet = parse_block_id(test::known_fact("mainnet genesis block id").at("block_id"));
  const auto& testnets = test::known_fact("testnet genesis block ids");
  for (const char* net : {"nile", "shasta"}) {
    SCOPED_TRACE(net);
    const BlockId id = parse_block_id(testnets.at(net));
    EXPECT_EQ(id.block_num(), 0u);
    EXPECT_NE(id, mainnet);
  }
}

TEST(BlockIdTest, ConsecutiveMainnetBlocksLinkByParentHash) {
  // Blocks 47964391 and 47964392 are both in the vectors: the child's parentHash is the parent's id.
  std::optional<std::string> parent_id;
  std::optional<std::string> child_parent_hash;
  for (const auto& v : test::vectors_of_kind("block_json", "block_number")) {
    const uint64_t num = (*v).at("block_number").get<uint64_t>();
    if (num == 47964391) parent_id = (*v).at("block_id").get<std::string>();
    if (num == 47964392) child_parent_hash = header_raw_json(*v)->at("parentHash").get<std::string>();
  }
  ASSERT_TRUE(parent_id && child_parent_hash);
  EXPECT_EQ(*parent_id, *child_parent_hash);
}

TEST(BlockIdTest, ComputeReplacesTheFirst8BytesWithTheBigEndianNumber) {
  const std::string raw = "any header bytes";
  const Hash32 h = sha256(std::string_view(raw));
  const BlockId id = BlockId::compute(0x0102030405060708ull, as_bytes(raw));
  EXPECT_EQ(id.to_hex().substr(0, 16), "0102030405060708");
  EXPECT_EQ(id.to_hex().substr(16), to_hex(h.bytes).substr(16));
  EXPECT_EQ(id.block_num(), 0x0102030405060708ull);
  EXPECT_EQ(BlockId::compute(std::numeric_limits<uint64_t>::max(), as_bytes(raw)).block_num(),
            std::numeric_limits<uint64_t>::max());
}

TEST(BlockIdTest, TransactionsListedInBlocksHashToTheirTxids) {
  size_t checked = 0;
  for (const auto& v : test::vectors_of_kind("block_json", "block_number")) {
    const auto& j = (*v).at("json");
    if (!j.contains("transactions")) continue;
    for (const auto& tx : j.at("transactions")) {
      SCOPED_TRACE(tx.at("txID").get<std::string>());
      const auto raw = unhex(tx.at("raw_data_hex").get<std::string>());
      EXPECT_EQ(TxId::compute(raw).to_hex(), tx.at("txID").get<std::string>());
      ++checked;
    }
  }
  EXPECT_GE(checked, 7u);  // 4 truncated bodies with one tx each + the 3 genesis transactions
}

// ---- transaction ids ----------------------------------------------------------------------------------

class TxRawVectorTest : public ::testing::TestWithParam<test::Vector> {
 protected:
  std::string raw_bytes() const { return unhex_string((*GetParam()).at("raw_data_hex").get<std::string>()); }
};

TEST_P(TxRawVectorTest, TxidIsSha256OfRawData) {
  const std::string raw = raw_bytes();
  const TxId id = TxId::compute(as_bytes(raw));
  EXPECT_EQ(id.to_hex(), (*GetParam()).at("txid").get<std::string>());
  EXPECT_EQ(id.hash, sha256(std::string_view(raw)));
}

TEST_P(TxRawVectorTest, RawDataReserialisesToTheSameBytes) {
  const std::string raw = raw_bytes();
  protocol::Transaction_raw parsed;
  ASSERT_TRUE(parsed.ParseFromString(raw));
  // Every field of real transactions is known to our proto subset, so re-serialisation cannot reorder.
  EXPECT_TRUE(parsed.GetReflection()->GetUnknownFields(parsed).empty());
  EXPECT_EQ(to_hex(parsed.SerializeAsString()), to_hex(raw));
}

TEST_P(TxRawVectorTest, ContractMatchesTheDecodedVector) {
  const auto& decoded = (*GetParam()).at("decoded");
  protocol::Transaction_raw parsed;
  ASSERT_TRUE(parsed.ParseFromString(raw_bytes()));
  ASSERT_EQ(parsed.contract_size(), 1);
  const auto& contract = parsed.contract(0);
  EXPECT_EQ(protocol::Transaction_Contract_ContractType_Name(contract.type()),
            decoded.at("contract_type").get<std::string>());
  EXPECT_EQ(contract.parameter().type_url(), decoded.at("type_url").get<std::string>());
  if (decoded.contains("ref_block_bytes")) {
    EXPECT_EQ(to_hex(parsed.ref_block_bytes()), decoded.at("ref_block_bytes").get<std::string>());
    EXPECT_EQ(to_hex(parsed.ref_block_hash()), decoded.at("ref_block_hash").get<std::string>());
    EXPECT_EQ(parsed.expiration(), decoded.at("expiration").get<int64_t>());
    EXPECT_EQ(parsed.timestamp(), decoded.at("timestamp").get<int64_t>());
  }
  if (decoded.contains("data")) {
    EXPECT_EQ(to_hex(parsed.data()), decoded.at("data").get<std::string>());
  }
  if (decoded.contains("fee_limit")) {
    EXPECT_EQ(parsed.fee_limit(), decoded.at("fee_limit").get<int64_t>());
  }

  const std::string owner = decoded.at("owner_address").get<std::string>();
  switch (contract.type()) {
    case protocol::Transaction_Contract_ContractType_TransferContract: {
      protocol::TransferContract c;
      ASSERT_TRUE(contract.parameter().UnpackTo(&c));
      EXPECT_EQ(to_hex(c.owner_address()), owner);
      EXPECT_EQ(to_hex(c.to_address()), decoded.at("to_address").get<std::string>());
      EXPECT_EQ(c.amount(), json_int64(decoded.at("amount")));
      break;
    }
    case protocol::Transaction_Contract_ContractType_TransferAssetContract: {
      protocol::TransferAssetContract c;
      ASSERT_TRUE(contract.parameter().UnpackTo(&c));
      EXPECT_EQ(c.asset_name(), decoded.at("asset_name").get<std::string>());
      EXPECT_EQ(to_hex(c.owner_address()), owner);
      EXPECT_EQ(to_hex(c.to_address()), decoded.at("to_address").get<std::string>());
      EXPECT_EQ(c.amount(), json_int64(decoded.at("amount")));
      break;
    }
    case protocol::Transaction_Contract_ContractType_TriggerSmartContract: {
      protocol::TriggerSmartContract c;
      ASSERT_TRUE(contract.parameter().UnpackTo(&c));
      EXPECT_EQ(to_hex(c.owner_address()), owner);
      EXPECT_EQ(to_hex(c.contract_address()), decoded.at("contract_address").get<std::string>());
      EXPECT_EQ(to_hex(c.data()), decoded.at("call_data").get<std::string>());
      break;
    }
    default:
      FAIL() << "contract type not covered by this test: " << contract.type();
  }
  // Every owner except the genesis pseudo-owner ("0x000…" in ASCII) is a valid 21-byte address.
  const auto owner_bytes = unhex(owner);
  if (owner_bytes.size() == Address::kSize) {
    EXPECT_TRUE(is_ok(Address::from_bytes(owner_bytes)));
  }
}

INSTANTIATE_TEST_SUITE_P(Mainnet, TxRawVectorTest, ::testing::ValuesIn(test::vectors_of_kind("tx_raw", "txid")),
                         test::vector_name);

TEST(TxIdTest, RefBlockFieldsPointAtTheReferencedBlockId) {
  // TAPoS: ref_block_bytes = bytes 6..8 and ref_block_hash = bytes 8..16 of the referenced block's id.
  size_t checked = 0;
  for (const auto& v : test::vectors_of_kind("tx_raw", "txid")) {
    const auto& decoded = (*v).at("decoded");
    std::optional<std::string> ref_id;
    if ((*v).contains("reference_block")) {
      ref_id = (*v).at("reference_block").at("block_id_derived_from_test_header").get<std::string>();
    } else if ((*v).at("verification").contains("INFO_ref_block_number")) {
      const auto ref_num = (*v).at("verification").at("INFO_ref_block_number").get<uint64_t>();
      for (const auto& b : test::vectors_of_kind("block_json", "block_number")) {
        if ((*b).at("block_number").get<uint64_t>() == ref_num) ref_id = (*b).at("block_id").get<std::string>();
      }
    }
    if (!ref_id) continue;  // the referenced block is not among the vectors
    SCOPED_TRACE(v.name);
    const BlockId id = parse_block_id(*ref_id);
    const std::span<const uint8_t> bytes(id.hash.bytes);
    EXPECT_EQ(to_hex(bytes.subspan(6, 2)), decoded.at("ref_block_bytes").get<std::string>());
    EXPECT_EQ(to_hex(bytes.subspan(8, 8)), decoded.at("ref_block_hash").get<std::string>());
    ++checked;
  }
  EXPECT_GE(checked, 2u);
}

TEST(TxIdTest, FullTransactionEmbedsTheSameRawAndItsMerkleLeaf) {
  size_t checked = 0;
  for (const auto& v : test::vectors_of_kind("tx_raw", "txid")) {
    if (!(*v).contains("full_transaction_hex")) continue;
    SCOPED_TRACE(v.name);
    const std::string full = unhex_string((*v).at("full_transaction_hex").get<std::string>());
    protocol::Transaction tx;
    ASSERT_TRUE(tx.ParseFromString(full));
    EXPECT_EQ(to_hex(tx.raw_data().SerializeAsString()), (*v).at("raw_data_hex").get<std::string>());
    EXPECT_EQ(TxId::compute(as_bytes(tx.raw_data().SerializeAsString())).to_hex(), (*v).at("txid").get<std::string>());
    ASSERT_EQ(tx.signature_size(), 1);
    EXPECT_EQ(to_hex(tx.signature(0)), (*v).at("signature").at(0).get<std::string>());
    ASSERT_EQ(tx.ret_size(), 1);
    EXPECT_EQ(tx.ret(0).contractret(), protocol::Transaction_Result_contractResult_SUCCESS);
    // txTrieRoot leaves hash the whole transaction, signatures and ret included (not the txid).
    EXPECT_EQ(to_hex(sha256(std::string_view(full)).bytes),
              (*v).at("verification").at("merkle_leaf_sha256_full_tx").get<std::string>());
    EXPECT_EQ(tx.SerializeAsString(), full);
    ++checked;
  }
  EXPECT_GE(checked, 1u);
}

// ---- parsing ids --------------------------------------------------------------------------------------

TEST(IdParseTest, RoundTripsThroughHex) {
  const std::string hex = "0000000004b3532cbc14c910020c3ae5336f5607d6aa194abb3e6df264297e8a";
  const auto b = BlockId::parse_hex(hex);
  ASSERT_TRUE(is_ok(b));
  EXPECT_EQ(b->to_hex(), hex);
  EXPECT_EQ(b->block_num(), 78861100u);
  const auto upper = BlockId::parse_hex("0000000004B3532CBC14C910020C3AE5336F5607D6AA194ABB3E6DF264297E8A");
  ASSERT_TRUE(is_ok(upper));
  EXPECT_EQ(*upper, *b);

  const std::string txid = "e122cba603b48ee234807f91859a04dbc4728f1b215d5c9c05385733bca674bc";
  const auto t = TxId::parse_hex(txid);
  ASSERT_TRUE(is_ok(t));
  EXPECT_EQ(t->to_hex(), txid);
  const auto from = TxId::from_bytes(t->hash.bytes);
  ASSERT_TRUE(is_ok(from));
  EXPECT_EQ(*from, *t);
  const auto bfrom = BlockId::from_bytes(b->hash.bytes);
  ASSERT_TRUE(is_ok(bfrom));
  EXPECT_EQ(*bfrom, *b);
}

TEST(IdParseTest, WrongLengthsAndGarbageAreRejectedNamingTheField) {
  const std::string good = "0000000004b3532cbc14c910020c3ae5336f5607d6aa194abb3e6df264297e8a";
  const std::vector<std::string> bad = {
      "",
      good.substr(0, 62),
      good.substr(0, 63),
      good + "0",
      good + "00",
      std::string(64, 'z'),
      good.substr(0, 63) + "g",
      " " + good.substr(1),
      "Num:78861100,ID:" + good,
  };
  for (const auto& in : bad) {
    SCOPED_TRACE(in);
    EXPECT_TRUE(is_error(BlockId::parse_hex(in, "parentHash"), Errc::kInvalidArgument, "parentHash"));
    EXPECT_TRUE(is_error(TxId::parse_hex(in, "info.id"), Errc::kInvalidArgument, "info.id"));
  }
  EXPECT_TRUE(is_error(BlockId::parse_hex("abc"), Errc::kInvalidArgument, "block_id"));
  EXPECT_TRUE(is_error(TxId::parse_hex("abc"), Errc::kInvalidArgument, "txid"));
}

TEST(IdParseTest, FromBytesNeedsExactly32Bytes) {
  for (size_t n : {0u, 20u, 31u, 33u, 64u}) {
    SCOPED_TRACE(n);
    const std::vector<uint8_t> bytes(n, 7);
    EXPECT_TRUE(is_error(BlockId::from_bytes(bytes, "blockid"), Errc::kInvalidArgument, "blockid"));
    EXPECT_TRUE(is_error(TxId::from_bytes(bytes, "txid"), Errc::kInvalidArgument, "txid"));
  }
}

TEST(IdParseTest, TxIdsWorkAsHashKeys) {
  std::unordered_set<TxId, TxIdHash> set;
  for (const auto& v : test::vectors_of_kind("tx_raw", "txid")) {
    set.insert(*TxId::parse_hex((*v).at("txid").get<std::string>()));
  }
  EXPECT_EQ(set.size(), test::vectors_of_kind("tx_raw", "txid").size());
  EXPECT_EQ(set.count(*TxId::parse_hex("979e0823f455f3b67d65b351052f0265233f422792d31d5dbeb7c24737dd5556")), 1u);
}

}  // namespace
}  // namespace tronidx::chain
