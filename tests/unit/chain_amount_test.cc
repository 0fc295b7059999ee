// chain/amount.h: exact uint256 amounts — decimal and byte forms, fixed-point rendering, checked
// arithmetic and ordering.

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <string>
#include <vector>

#include "tronidx/chain/amount.h"
#include "tronidx/chain/hex.h"
#include "vectors.h"

namespace tronidx::chain {
namespace {

using test::is_error;
using test::is_ok;

constexpr std::string_view kU64Max = "18446744073709551615";  // 2^64 - 1
constexpr std::string_view k2Pow64 = "18446744073709551616";
constexpr std::string_view k2Pow128Plus1 = "340282366920938463463374607431768211457";
constexpr std::string_view k2Pow192 = "6277101735386680763835789423207666416102355444464034512896";
constexpr std::string_view kU256Max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
constexpr std::string_view k2Pow256 = "115792089237316195423570985008687907853269984665640564039457584007913129639936";

Amount dec(std::string_view text) {
  auto r = Amount::parse_decimal(text);
  if (!r.ok()) throw std::runtime_error("bad test literal " + std::string(text) + ": " + r.error().message);
  return *r;
}

std::array<uint8_t, 32> be_word(std::string_view hex64) {
  std::array<uint8_t, 32> w{};
  if (!from_hex_exact(hex64, w).ok()) throw std::runtime_error("bad test word");
  return w;
}

// ---- decimal ------------------------------------------------------------------------------------------

TEST(AmountDecimalTest, RoundTrips) {
  for (std::string_view text :
       {std::string_view("0"), std::string_view("1"), std::string_view("1500000"),
        std::string_view("9999999999999999999"), std::string_view("10000000000000000000"), kU64Max, k2Pow64,
        std::string_view("100000000000000000000000000000000000000"), k2Pow128Plus1, k2Pow192, kU256Max}) {
    SCOPED_TRACE(text);
    const auto a = Amount::parse_decimal(text);
    ASSERT_TRUE(is_ok(a));
    EXPECT_EQ(a->to_decimal(), text);
  }
}

TEST(AmountDecimalTest, ParsedValuesHaveTheRightBits) {
  EXPECT_EQ(dec(kU64Max), Amount(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(dec(kU64Max).to_u64(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(dec(k2Pow64).to_u64(), std::nullopt);
  EXPECT_EQ(to_hex(dec(k2Pow64).to_be_bytes()), std::string(46, '0') + "01" + std::string(16, '0'));
  EXPECT_EQ(to_hex(dec(k2Pow128Plus1).to_be_bytes()), std::string(30, '0') + "01" + std::string(31, '0') + "1");
  EXPECT_EQ(to_hex(dec(k2Pow192).to_be_bytes()), std::string(14, '0') + "01" + std::string(48, '0'));
  EXPECT_EQ(to_hex(dec(kU256Max).to_be_bytes()), std::string(64, 'f'));
  EXPECT_TRUE(dec("0").is_zero());
  EXPECT_EQ(dec("0"), Amount());
}

TEST(AmountDecimalTest, ValuesAbove256BitsAreRejected) {
  for (std::string_view text : {k2Pow256,
                                std::string_view("999999999999999999999999999999999999999999999999999"
                                                 "999999999999999999999999999"),
                                std::string_view("1157920892373161954235709850086879078532699846656405640394575"
                                                 "840079131296399350")}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(is_error(Amount::parse_decimal(text, "amount_raw"), Errc::kInvalidArgument, "amount_raw"));
  }
}

TEST(AmountDecimalTest, NonDigitsEmptyAndSignsAreRejectedNamingTheField) {
  for (std::string_view text : {"", "-1", "+1", "1e6", "1.5", " 1", "1 ", "1_000", "1,000", "0x10", "abc",
                                "\xd9\xa1" /* ARABIC-INDIC DIGIT ONE */}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(is_error(Amount::parse_decimal(text, "min_amount"), Errc::kInvalidArgument, "min_amount"));
  }
  EXPECT_TRUE(is_error(Amount::parse_decimal("-5"), Errc::kInvalidArgument, "amount"));
}

// ---- format -------------------------------------------------------------------------------------------

TEST(AmountFormatTest, SixDecimals) {
  EXPECT_EQ(Amount(1'500'000).format(6), "1.500000");
  EXPECT_EQ(Amount(5).format(6), "0.000005");
  EXPECT_EQ(Amount(0).format(6), "0.000000");
  EXPECT_EQ(Amount(999'999).format(6), "0.999999");
  EXPECT_EQ(Amount(1'000'000).format(6), "1.000000");
  EXPECT_EQ(Amount(30'401'259).format(6), "30.401259");  // the USDT amount of mainnet tx e122cba6…
}

TEST(AmountFormatTest, ZeroDecimalsIsThePlainInteger) {
  EXPECT_EQ(Amount(1'500'000).format(0), "1500000");
  EXPECT_EQ(Amount(0).format(0), "0");
}

TEST(AmountFormatTest, LargeValuesAndManyDecimals) {
  EXPECT_EQ(dec(kU256Max).format(18),
            "115792089237316195423570985008687907853269984665640564039457.584007913129639935");
  EXPECT_EQ(dec(kU256Max).format(77),
            "1.15792089237316195423570985008687907853269984665640564039457584007913129639935");
  EXPECT_EQ(Amount(1).format(77), "0." + std::string(76, '0') + "1");
}

// ---- bytes --------------------------------------------------------------------------------------------

TEST(AmountBytesTest, FromBigEndianBytesUpTo32) {
  const auto empty = Amount::from_be_bytes({});
  ASSERT_TRUE(is_ok(empty));
  EXPECT_TRUE(empty->is_zero());

  const std::vector<uint8_t> one_byte = {0x2a};
  EXPECT_EQ(*Amount::from_be_bytes(one_byte), Amount(42));

  const std::vector<uint8_t> nine = {0x01, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(*Amount::from_be_bytes(nine), dec(k2Pow64));

  const std::vector<uint8_t> ff32(32, 0xff);
  EXPECT_EQ(*Amount::from_be_bytes(ff32), dec(kU256Max));

  const std::vector<uint8_t> usdt = {0x1f, 0xb6, 0xe5, 0x7f};  // log data of mainnet tx 0af79242…
  EXPECT_EQ(Amount::from_be_bytes(usdt)->to_decimal(), "532079999");
}

TEST(AmountBytesTest, MoreThan32BytesIsRejected) {
  const std::vector<uint8_t> bytes33(33, 0);  // even when the extra byte is a leading zero
  EXPECT_TRUE(is_error(Amount::from_be_bytes(bytes33, "log.data"), Errc::kInvalidArgument, "log.data"));
  EXPECT_TRUE(is_error(Amount::from_be_bytes(std::vector<uint8_t>(64, 1)), Errc::kInvalidArgument, "amount"));
}

TEST(AmountBytesTest, FromWordAndToBigEndianBytesAreInverse) {
  const auto word = be_word("00000000000000000000000000000000000000000000000000000000003567e0");
  const Amount a = Amount::from_word(word);
  EXPECT_EQ(a.to_decimal(), "3500000");
  EXPECT_EQ(a.to_be_bytes(), word);

  const auto mixed = be_word("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
  EXPECT_EQ(Amount::from_word(mixed).to_be_bytes(), mixed);
  EXPECT_EQ(*Amount::from_be_bytes(mixed), Amount::from_word(mixed));
  EXPECT_EQ(Amount::from_word(mixed).to_decimal(),
            "455867356320691211509944977504407603390036387149619137164185182714736811808");
}

TEST(AmountBytesTest, CompactBytesAreMinimalAndRoundTrip) {
  struct Case {
    Amount value;
    size_t size;
  };
  for (const Case& c :
       {Case{Amount(0), 0}, Case{Amount(1), 1}, Case{Amount(255), 1}, Case{Amount(256), 2}, Case{Amount(65535), 2},
        Case{Amount(65536), 3}, Case{Amount(std::numeric_limits<uint64_t>::max()), 8}, Case{dec(k2Pow64), 9},
        Case{dec(k2Pow128Plus1), 17}, Case{dec(k2Pow192), 25}, Case{dec(kU256Max), 32}}) {
    SCOPED_TRACE(c.value.to_decimal());
    const std::string compact = c.value.to_compact_bytes();
    EXPECT_EQ(compact.size(), c.size);
    EXPECT_EQ(c.value.compact_size(), c.size);
    if (!compact.empty()) {
      EXPECT_NE(compact[0], '\0');
    }
    const auto back = Amount::from_be_bytes(as_bytes(compact));
    ASSERT_TRUE(is_ok(back));
    EXPECT_EQ(*back, c.value);
  }
}

// ---- arithmetic and ordering --------------------------------------------------------------------------

TEST(AmountArithmeticTest, CheckedAddCarriesAcrossLimbsAndDetectsOverflow) {
  EXPECT_EQ(Amount(2).checked_add(Amount(3)), Amount(5));
  EXPECT_EQ(Amount(std::numeric_limits<uint64_t>::max()).checked_add(Amount(1)), dec(k2Pow64));
  EXPECT_EQ(dec("340282366920938463463374607431768211455").checked_add(Amount(1)),
            dec("340282366920938463463374607431768211456"));
  EXPECT_EQ(dec(kU256Max).checked_add(Amount(0)), dec(kU256Max));
  EXPECT_EQ(dec(kU256Max).checked_add(Amount(1)), std::nullopt);
  EXPECT_EQ(dec(kU256Max).checked_add(dec(kU256Max)), std::nullopt);
  EXPECT_EQ(dec(k2Pow192).checked_add(dec(k2Pow192)),
            dec("12554203470773361527671578846415332832204710888928069025792"));
}

TEST(AmountArithmeticTest, CheckedSubBorrowsAcrossLimbsAndDetectsUnderflow) {
  EXPECT_EQ(Amount(5).checked_sub(Amount(3)), Amount(2));
  EXPECT_EQ(Amount(5).checked_sub(Amount(5)), Amount(0));
  EXPECT_EQ(dec(k2Pow64).checked_sub(Amount(1)), Amount(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(dec(k2Pow192).checked_sub(Amount(1)), dec("6277101735386680763835789423207666416102355444464034512895"));
  EXPECT_EQ(dec(kU256Max).checked_sub(dec(kU256Max)), Amount(0));
  EXPECT_EQ(Amount(0).checked_sub(Amount(1)), std::nullopt);
  EXPECT_EQ(Amount(std::numeric_limits<uint64_t>::max()).checked_sub(dec(k2Pow64)), std::nullopt);
  EXPECT_EQ(dec(k2Pow128Plus1).checked_sub(dec(k2Pow192)), std::nullopt);
}

TEST(AmountArithmeticTest, AddThenSubIsIdentity) {
  const Amount a = dec(k2Pow128Plus1);
  const Amount b = dec("98765432109876543210987654321");
  const auto sum = a.checked_add(b);
  ASSERT_TRUE(sum.has_value());
  EXPECT_EQ(sum->checked_sub(b), a);
  EXPECT_EQ(sum->checked_sub(a), b);
}

TEST(AmountOrderingTest, OrdersByNumericValue) {
  const std::vector<Amount> ascending = {Amount(0),    Amount(1),          Amount(std::numeric_limits<uint64_t>::max()),
                                         dec(k2Pow64), dec(k2Pow128Plus1), dec(k2Pow192),
                                         dec(kU256Max)};
  for (size_t i = 0; i < ascending.size(); ++i) {
    for (size_t j = 0; j < ascending.size(); ++j) {
      SCOPED_TRACE(ascending[i].to_decimal() + " vs " + ascending[j].to_decimal());
      EXPECT_EQ(ascending[i] < ascending[j], i < j);
      EXPECT_EQ(ascending[i] == ascending[j], i == j);
      EXPECT_EQ(ascending[i] > ascending[j], i > j);
    }
  }
  // A higher limb decides even when the lower limb is larger.
  EXPECT_LT(dec("340282366920938463463374607431768211456"), dec("340282366920938463463374607431768211457"));
  EXPECT_GT(dec(k2Pow64), Amount(std::numeric_limits<uint64_t>::max()));
}

}  // namespace
}  // namespace tronidx::chain
