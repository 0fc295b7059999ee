// chain/hex.h: lower-case encoding, strict decoding, exact-length decoding.

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "tronidx/chain/hex.h"
#include "vectors.h"

namespace tronidx::chain {
namespace {

using test::is_error;
using test::is_ok;

TEST(HexTest, EncodesLowerCaseTwoDigitsPerByte) {
  const std::vector<uint8_t> bytes = {0x00, 0x01, 0x0f, 0x10, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "00010f10abff");
  EXPECT_EQ(to_hex(std::string_view("\x41\x00", 2)), "4100");
  EXPECT_EQ(to_hex(std::vector<uint8_t>{}), "");
}

TEST(HexTest, EncodesIntoAStringReplacingWhatItHeld) {
  std::string out = "a longer text that was there before";
  to_hex_into(std::vector<uint8_t>{0xde, 0xad, 0x01}, out);
  EXPECT_EQ(out, "dead01");
  to_hex_into(std::vector<uint8_t>{}, out);
  EXPECT_EQ(out, "");
}

TEST(HexTest, RoundTripsAllByteValues) {
  std::vector<uint8_t> all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  const std::string text = to_hex(all);
  ASSERT_EQ(text.size(), 512u);
  const auto back = from_hex(text);
  ASSERT_TRUE(is_ok(back));
  EXPECT_EQ(*back, all);
}

TEST(HexTest, DecodesEitherCaseAndOptional0xPrefix) {
  const std::vector<uint8_t> expected = {0xde, 0xad, 0xbe, 0xef};
  for (std::string_view in : {"deadbeef", "DEADBEEF", "DeAdBeEf", "0xdeadbeef", "0XDEADBEEF"}) {
    SCOPED_TRACE(in);
    const auto r = from_hex(in);
    ASSERT_TRUE(is_ok(r));
    EXPECT_EQ(*r, expected);
  }
}

TEST(HexTest, EmptyInputIsZeroBytes) {
  for (std::string_view in : {"", "0x"}) {
    const auto r = from_hex(in);
    ASSERT_TRUE(is_ok(r));
    EXPECT_TRUE(r->empty());
  }
}

TEST(HexTest, OddLengthIsRejectedNamingTheField) {
  for (std::string_view in : {"a", "abc", "0xabc"}) {
    SCOPED_TRACE(in);
    const auto r = from_hex(in, "log.data");
    ASSERT_TRUE(is_error(r, Errc::kInvalidArgument, "log.data"));
    EXPECT_NE(r.error().message.find("odd"), std::string::npos) << r.error().message;
  }
}

TEST(HexTest, NonHexCharactersAreRejectedWithTheirOffset) {
  struct Case {
    std::string_view in;
    std::string_view offset;
  };
  for (const Case& c :
       {Case{"zz", "offset 0"}, Case{"0g", "offset 1"}, Case{"00 1", "offset 2"}, Case{"0x12-3", "offset 2"},
        Case{"ab\xff"
             "0",
             "offset 2"},
        Case{"0x0x", "offset 1"}}) {
    SCOPED_TRACE(c.in);
    const auto r = from_hex(c.in, "topic");
    ASSERT_TRUE(is_error(r, Errc::kInvalidArgument, "topic"));
    EXPECT_NE(r.error().message.find("invalid hex character"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(c.offset), std::string::npos) << r.error().message;
  }
}

TEST(HexExactTest, DecodesExactlyTheRequestedLength) {
  std::array<uint8_t, 4> out{};
  ASSERT_TRUE(is_ok(from_hex_exact("0x01020304", out)));
  EXPECT_EQ(out, (std::array<uint8_t, 4>{1, 2, 3, 4}));
  ASSERT_TRUE(is_ok(from_hex_exact("FFfe0000", out)));
  EXPECT_EQ(out, (std::array<uint8_t, 4>{0xff, 0xfe, 0, 0}));
}

TEST(HexExactTest, OtherLengthsAreRejectedNamingTheField) {
  std::array<uint8_t, 4> out{};
  for (std::string_view in : {"", "010203", "0102030", "0102030405", "0x010203"}) {
    SCOPED_TRACE(in);
    const auto s = from_hex_exact(in, out, "ref_block_bytes");
    ASSERT_TRUE(is_error(s, Errc::kInvalidArgument, "ref_block_bytes"));
    EXPECT_NE(s.error().message.find("expected 8 hex digits"), std::string::npos) << s.error().message;
  }
  const auto bad = from_hex_exact("0102030g", out, "ref_block_bytes");
  ASSERT_TRUE(is_error(bad, Errc::kInvalidArgument, "ref_block_bytes"));
  EXPECT_NE(bad.error().message.find("invalid hex character"), std::string::npos) << bad.error().message;
}

TEST(BytesViewTest, AsBytesAndAsCharsAreInverse) {
  const std::string s("\x00\x41\xff", 3);
  const auto bytes = as_bytes(s);
  ASSERT_EQ(bytes.size(), 3u);
  EXPECT_EQ(bytes[1], 0x41);
  EXPECT_EQ(bytes[2], 0xff);
  EXPECT_EQ(as_chars(bytes), s);
}

}  // namespace
}  // namespace tronidx::chain
