// api/convert: a transfer's addresses in the response are the addresses of the transfer, also when the
// per-thread text memo (direct-mapped by address hash) maps several of them to one slot.
#include <gtest/gtest.h>

#include "convert.h"
#include "tronidx/chain/hash.h"
#include "tronidx/decode/transfer.h"

namespace tronidx::api {
namespace {

// Addresses equal in the 8 bytes AddressHash reads (so they share a memo slot), different after them.
chain::Address colliding(uint8_t tail) {
  std::array<uint8_t, 20> evm{};
  for (size_t i = 0; i < evm.size(); ++i) evm[i] = static_cast<uint8_t>(0x10 + i);
  evm[19] = tail;
  return chain::Address::from_evm(evm);
}

store::IndexedTransfer transfer(const chain::Address& from, const chain::Address& to) {
  store::IndexedTransfer t;
  t.transfer.position = decode::Position{7, 1, 0};
  t.transfer.kind = decode::TransferKind::kTrc20;
  t.transfer.token = *chain::Address::parse("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  t.transfer.from = from;
  t.transfer.to = to;
  t.transfer.amount = chain::Amount(1234567);
  t.transfer.txid = chain::TxId{chain::sha256(std::string_view("tx"))};
  t.timestamp_ms = 1'700'000'000'000;
  return t;
}

TEST(ApiConvert, AddressesAreRightWhenTheyShareAMemoSlot) {
  const TokenBook tokens({});
  const chain::Address a = colliding(1), b = colliding(2), c = colliding(3);
  ASSERT_EQ(chain::AddressHash{}(a), chain::AddressHash{}(b));
  const std::pair<chain::Address, chain::Address> rows[] = {{a, b}, {b, a}, {a, a}, {c, b}, {b, c}, {a, c}};
  for (int round = 0; round < 3; ++round) {
    for (const auto& [from, to] : rows) {
      v1::Transfer out;
      to_proto(transfer(from, to), 10, 5, tokens, &out);
      EXPECT_EQ(out.from(), from.to_base58());
      EXPECT_EQ(out.to(), to.to_base58());
      EXPECT_EQ(out.from_hex(), from.to_hex());
      EXPECT_EQ(out.to_hex(), to.to_hex());
    }
  }
}

TEST(ApiConvert, RendersEveryFieldOfATransfer) {
  const TokenBook tokens({TokenInfo{*chain::Address::parse("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"), "USDT", 6, ""}});
  const auto from = *chain::Address::parse("TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW");
  const auto to = colliding(9);
  v1::Transfer out;
  to_proto(transfer(from, to), 10, 6, tokens, &out);
  EXPECT_EQ(out.kind(), v1::TRC20);
  EXPECT_EQ(out.token(), "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  EXPECT_EQ(out.token_symbol(), "USDT");
  EXPECT_EQ(out.amount(), "1234567");
  EXPECT_EQ(out.amount_formatted(), "1.234567");
  EXPECT_EQ(out.from(), "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW");
  EXPECT_EQ(out.to(), to.to_base58());
  EXPECT_EQ(out.block_num(), 7u);
  EXPECT_EQ(out.confirmations(), 4u);  // tip 10, block 7
  EXPECT_FALSE(out.final());           // solidified 6 < block 7
  to_proto(transfer(from, to), 10, 7, tokens, &out);
  EXPECT_TRUE(out.final());
}

}  // namespace
}  // namespace tronidx::api
