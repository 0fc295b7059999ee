// chain/abi.h: 32-byte ABI words, checked against the signed calldata of mainnet USDT transfer e122cba6…
// (TriggerSmartContract: transfer(address,uint256)) and its Transfer event row.

#include <gtest/gtest.h>
#include <tron/contract.pb.h>
#include <tron/core.pb.h>

#include <array>
#include <string>

#include "tronidx/chain/abi.h"
#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"
#include "vectors.h"

namespace tronidx::chain {
namespace {

using test::is_ok;

std::array<uint8_t, 32> word(std::string_view hex64) {
  std::array<uint8_t, 32> w{};
  if (!from_hex_exact(hex64, w).ok()) throw std::runtime_error("bad test word");
  return w;
}

TEST(AbiTest, AddressWordTakesTheLast20BytesAndPrefixes41) {
  const auto a = address_from_word(word("000000000000000000000000a614f803b6fd780986a42c78ec9c7f77e6ded13c"));
  EXPECT_EQ(a.to_base58(), "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  // The upper 12 bytes are not checked (TVM reads addresses the same way).
  const auto dirty = address_from_word(word("ffffffffffffffffffffffffa614f803b6fd780986a42c78ec9c7f77e6ded13c"));
  EXPECT_EQ(dirty, a);
  EXPECT_EQ(address_from_word(word(std::string(64, '0'))), Address());
}

TEST(AbiTest, Uint256WordIsBigEndian) {
  EXPECT_EQ(uint256_from_word(word(std::string(62, '0') + "2a")), Amount(42));
  EXPECT_EQ(uint256_from_word(word(std::string(64, 'f'))).to_decimal(),
            "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  EXPECT_EQ(uint256_from_word(word("01" + std::string(62, '0'))).to_decimal(),
            "452312848583266388373324160190187140051835877600158453279131187530910662656");
}

TEST(AbiTest, MainnetUsdtTransferCalldataDecodesToTheTransferRow) {
  const test::Vector* raw_vector = nullptr;
  const auto raws = test::vectors_of_kind("tx_raw", "txid");
  for (const auto& v : raws) {
    if ((*v).at("decoded").at("contract_type") == "TriggerSmartContract") raw_vector = &v;
  }
  ASSERT_NE(raw_vector, nullptr);
  const auto& v = **raw_vector;
  const nlohmann::json* row = nullptr;
  for (const auto& t : test::all_vectors()) {
    if (t.at("kind") == "trc20_transfer" && t.at("txid") == v.at("txid")) row = &t;
  }
  ASSERT_NE(row, nullptr);

  protocol::Transaction_raw raw;
  ASSERT_TRUE(raw.ParseFromString(test::unhex_string(v.at("raw_data_hex").get<std::string>())));
  protocol::TriggerSmartContract call;
  ASSERT_TRUE(raw.contract(0).parameter().UnpackTo(&call));
  const std::string& data = call.data();
  ASSERT_EQ(data.size(), 4u + 32u + 32u);
  const auto bytes = as_bytes(data);

  const auto selector = function_selector("transfer(address,uint256)");
  EXPECT_TRUE(std::equal(selector.begin(), selector.end(), bytes.begin()));
  const auto to = address_from_word(bytes.subspan(4).first<32>());
  const auto amount = uint256_from_word(bytes.subspan(36).first<32>());

  const auto owner = Address::from_bytes(as_bytes(call.owner_address()));
  ASSERT_TRUE(is_ok(owner));
  const auto token = Address::from_bytes(as_bytes(call.contract_address()));
  ASSERT_TRUE(is_ok(token));
  EXPECT_EQ(owner->to_base58(), (*row).at("from").get<std::string>());
  EXPECT_EQ(to.to_base58(), (*row).at("to").get<std::string>());
  EXPECT_EQ(token->to_base58(), (*row).at("token").get<std::string>());
  EXPECT_EQ(amount.to_decimal(), (*row).at("amount_raw").get<std::string>());
  EXPECT_EQ(amount.format((*row).at("decimals").get<unsigned>()), (*row).at("amount_as_stated").get<std::string>());
}

}  // namespace
}  // namespace tronidx::chain
