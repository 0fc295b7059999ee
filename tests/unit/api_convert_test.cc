// api/convert: a transfer's addresses in the response are the addresses of the transfer, also when the
// per-thread text memo (direct-mapped by address hash) maps several of them to one slot; a read mask
// renders exactly its fields, each as the full rendering has it (libprotobuf's FieldMaskUtil the oracle).
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/message_differencer.h>
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

google::protobuf::FieldMask mask_of(std::initializer_list<const char*> paths) {
  google::protobuf::FieldMask m;
  for (const char* p : paths) m.add_paths(p);
  return m;
}

// What a masked rendering must be: the full rendering trimmed to the mask by libprotobuf.
v1::Transfer trimmed(const v1::Transfer& full, const google::protobuf::FieldMask& mask) {
  v1::Transfer out = full;
  google::protobuf::util::FieldMaskUtil::TrimMessage(mask, &out);
  return out;
}

TEST(ApiConvert, ReadMaskOfNothingOrStarIsEveryField) {
  for (const auto& mask : {mask_of({}), mask_of({"*"}), mask_of({"txid", "*"})}) {
    auto f = TransferFields::parse(mask, "read_mask");
    ASSERT_TRUE(f.ok()) << f.error().message;
    for (int i = 0; i < v1::Transfer::descriptor()->field_count(); ++i) {
      EXPECT_TRUE(f->has(v1::Transfer::descriptor()->field(i)->number())) << mask.DebugString();
    }
  }
}

TEST(ApiConvert, ReadMaskWithAnUnknownFieldIsInvalidArgumentNamingIt) {
  for (const auto& mask :
       {mask_of({"txid", "nope"}), mask_of({"transfers.txid"}), mask_of({""}), mask_of({"fromHex"})}) {
    auto f = TransferFields::parse(mask, "read_mask");
    ASSERT_FALSE(f.ok()) << mask.DebugString();
    EXPECT_EQ(f.error().code, Errc::kInvalidArgument);
    EXPECT_EQ(
        f.error().message.rfind("read_mask: unknown Transfer field \"" + mask.paths(mask.paths_size() - 1) + "\"", 0),
        0u)
        << f.error().message;
    EXPECT_NE(f.error().message.find("from_hex"), std::string::npos) << "lists the fields: " << f.error().message;
  }
}

TEST(ApiConvert, ReadMaskRendersExactlyItsFieldsAsTheFullRenderingHasThem) {
  const TokenBook tokens({TokenInfo{*chain::Address::parse("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"), "USDT", 6, ""}});
  const auto* d = v1::Transfer::descriptor();
  std::vector<store::IndexedTransfer> rows = {transfer(colliding(1), colliding(2)),
                                              transfer(colliding(2), colliding(1))};
  rows.push_back(transfer(colliding(3), colliding(1)));
  rows.back().transfer.kind = decode::TransferKind::kTrx;
  rows.back().transfer.token = decode::trx_token();
  std::vector<google::protobuf::FieldMask> masks;
  for (int i = 0; i < d->field_count(); ++i) masks.push_back(mask_of({d->field(i)->name().c_str()}));
  masks.push_back(mask_of({"from_hex", "to"}));
  masks.push_back(mask_of({"amount_formatted"}));
  masks.push_back(mask_of({"kind", "token", "from", "to", "amount", "txid", "event_index", "block_num", "timestamp_ms",
                           "confirmations", "final"}));
  // Every mask after every other (the memo's slots then hold one address's forms in any order).
  for (int round = 0; round < 2; ++round) {
    for (const auto& mask : masks) {
      for (const auto& row : rows) {
        v1::Transfer full, masked;
        to_proto(row, 10, 6, tokens, &full);
        auto fields = TransferFields::parse(mask, "read_mask");
        ASSERT_TRUE(fields.ok()) << fields.error().message;
        to_proto(row, 10, 6, tokens, &masked, *fields);
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(masked, trimmed(full, mask)))
            << mask.DebugString() << "\nmasked: " << masked.DebugString() << "\nfull: " << full.DebugString();
      }
    }
  }
}

}  // namespace
}  // namespace tronidx::api
