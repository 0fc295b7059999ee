// chain/address.h: TRON addresses (21-byte 0x41 form, base58check, hex forms) and base58/base58check.

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/hex.h"
#include "vectors.h"

namespace tronidx::chain {
namespace {

using test::is_error;
using test::is_ok;
using test::unhex;

constexpr std::string_view kUsdtBase58 = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
constexpr std::string_view kUsdtHex41 = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c";
constexpr std::string_view kZeroBase58 = "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb";

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// ---- every address_pair vector ----------------------------------------------------------------------

class AddressPairTest : public ::testing::TestWithParam<test::Vector> {
 protected:
  std::string base58() const { return (*GetParam()).at("base58").get<std::string>(); }
  std::string hex41() const { return (*GetParam()).at("hex41").get<std::string>(); }
  std::string hex20() const { return (*GetParam()).at("hex20").get<std::string>(); }
};

TEST_P(AddressPairTest, Base58ParsesToHex41AndEncodesBack) {
  const auto a = Address::parse(base58());
  ASSERT_TRUE(is_ok(a));
  EXPECT_EQ(a->to_hex(), hex41());
  EXPECT_EQ(a->to_base58(), base58());
  EXPECT_EQ(a->bytes()[0], Address::kPrefix);
}

TEST_P(AddressPairTest, Hex41ParsesToBase58) {
  const auto a = Address::parse(hex41());
  ASSERT_TRUE(is_ok(a));
  EXPECT_EQ(a->to_base58(), base58());
  EXPECT_EQ(a->to_hex(), hex41());
}

TEST_P(AddressPairTest, UpperCaseHex41Parses) {
  const auto a = Address::parse(upper(hex41()));
  ASSERT_TRUE(is_ok(a));
  EXPECT_EQ(a->to_base58(), base58());
}

TEST_P(AddressPairTest, EvmFormGetsThe41PrefixAndBare40HexIsRefused) {
  const auto bare = Address::parse(hex20(), "address");
  ASSERT_FALSE(is_ok(bare));
  EXPECT_NE(bare.error().message.find("address: 40 hex digits without 0x"), std::string::npos) << bare.error().message;
  const auto evm = Address::parse("0x" + hex20());
  ASSERT_TRUE(is_ok(evm));
  EXPECT_EQ(evm->to_base58(), base58());
  const auto evm_upper = Address::parse("0X" + upper(hex20()));
  ASSERT_TRUE(is_ok(evm_upper));
  EXPECT_EQ(evm_upper->to_base58(), base58());
  EXPECT_EQ(to_hex(evm->evm()), hex20());
}

TEST_P(AddressPairTest, RawBytesFormsAgree) {
  const auto raw41 = unhex(hex41());
  const auto from_bytes = Address::from_bytes(raw41);
  ASSERT_TRUE(is_ok(from_bytes));
  EXPECT_EQ(from_bytes->to_base58(), base58());

  std::array<uint8_t, 20> raw20{};
  ASSERT_TRUE(is_ok(from_hex_exact(hex20(), raw20)));
  EXPECT_EQ(Address::from_evm(raw20), *from_bytes);

  std::array<uint8_t, 21> raw21{};
  std::copy(raw41.begin(), raw41.end(), raw21.begin());
  EXPECT_EQ(Address::from_raw(raw21), *from_bytes);
}

TEST_P(AddressPairTest, Base58checkPayloadIsTheHex41Bytes) {
  const auto payload = base58check_decode(base58());
  ASSERT_TRUE(is_ok(payload));
  EXPECT_EQ(to_hex(*payload), hex41());
  EXPECT_EQ(base58check_encode(unhex(hex41())), base58());
}

TEST_P(AddressPairTest, OneFlippedCharacterFailsTheChecksum) {
  const std::string good = base58();
  for (size_t pos : {size_t{1}, size_t{17}, good.size() - 1}) {
    std::string bad = good;
    bad[pos] = bad[pos] == 'z' ? 'y' : 'z';
    SCOPED_TRACE(bad);
    const auto a = Address::parse(bad, "watch.address");
    ASSERT_TRUE(is_error(a, Errc::kInvalidArgument, "watch.address"));
    EXPECT_NE(a.error().message.find("checksum"), std::string::npos) << a.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(Mainnet, AddressPairTest, ::testing::ValuesIn(test::vectors_of_kind("address_pair", "base58")),
                         test::vector_name);

// ---- well-known addresses ----------------------------------------------------------------------------

TEST(AddressTest, DefaultIsTheZeroAddress) {
  const Address zero;
  EXPECT_EQ(zero.to_base58(), kZeroBase58);
  EXPECT_EQ(zero.to_hex(), "41" + std::string(40, '0'));
  const auto parsed = Address::parse(kZeroBase58);
  ASSERT_TRUE(is_ok(parsed));
  EXPECT_EQ(*parsed, zero);
  const auto hex = Address::parse("0x" + std::string(40, '0'));
  ASSERT_TRUE(is_ok(hex));
  EXPECT_EQ(*hex, zero);
}

TEST(AddressTest, UsdtContractBothWays) {
  const auto a = Address::parse(kUsdtBase58);
  ASSERT_TRUE(is_ok(a));
  EXPECT_EQ(a->to_hex(), kUsdtHex41);
  const auto b = Address::parse(kUsdtHex41);
  ASSERT_TRUE(is_ok(b));
  EXPECT_EQ(b->to_base58(), kUsdtBase58);
  EXPECT_EQ(*a, *b);
}

TEST(AddressTest, OrderingAndHashFollowTheBytes) {
  const auto usdt = Address::parse(kUsdtBase58);
  ASSERT_TRUE(is_ok(usdt));
  EXPECT_LT(Address(), *usdt);
  EXPECT_EQ(AddressHash{}(*usdt), AddressHash{}(*Address::parse(kUsdtHex41)));
}

// ---- rejected inputs: kInvalidArgument, message names the field --------------------------------------

TEST(AddressRejectTest, Empty) {
  const auto a = Address::parse("", "from");
  ASSERT_TRUE(is_error(a, Errc::kInvalidArgument, "from"));
  EXPECT_NE(a.error().message.find("empty"), std::string::npos);
}

TEST(AddressRejectTest, DefaultFieldNameIsAddress) {
  EXPECT_TRUE(is_error(Address::parse("xyz"), Errc::kInvalidArgument, "address"));
}

TEST(AddressRejectTest, Base58OfTestnetPrefixA0) {
  // A valid base58check string, but of a 0xa0-prefixed (legacy testnet) payload.
  std::vector<uint8_t> payload = unhex(kUsdtHex41);
  payload[0] = 0xa0;
  const std::string text = base58check_encode(payload);
  ASSERT_TRUE(is_ok(base58check_decode(text)));
  const auto r = Address::parse(text, "token");
  EXPECT_TRUE(is_error(r, Errc::kInvalidArgument, "token")) << text;
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("prefix"), std::string::npos) << r.error().message;
}

TEST(AddressRejectTest, Base58OfOtherPrefixSaysPrefix) {
  // 0x42 still encodes to a 34-character "T..." string: only the prefix check can catch it.
  std::vector<uint8_t> payload = unhex(kUsdtHex41);
  payload[0] = 0x42;
  const std::string text = base58check_encode(payload);
  ASSERT_EQ(text.size(), 34u);
  ASSERT_EQ(text[0], 'T');
  const auto a = Address::parse(text, "token");
  ASSERT_TRUE(is_error(a, Errc::kInvalidArgument, "token"));
  EXPECT_NE(a.error().message.find("prefix"), std::string::npos) << a.error().message;
}

TEST(AddressRejectTest, Hex21BytesNotStartingWith41) {
  for (std::string hex :
       {std::string("42") + std::string(kUsdtHex41.substr(2)), std::string("a0") + std::string(kUsdtHex41.substr(2)),
        std::string("00") + std::string(kUsdtHex41.substr(2))}) {
    SCOPED_TRACE(hex);
    const auto a = Address::parse(hex, "to");
    ASSERT_TRUE(is_error(a, Errc::kInvalidArgument, "to"));
    EXPECT_NE(a.error().message.find("prefix"), std::string::npos) << a.error().message;
  }
}

TEST(AddressRejectTest, FromBytesChecksLengthAndPrefix) {
  const auto raw = unhex(kUsdtHex41);
  const std::span<const uint8_t> all(raw);
  EXPECT_TRUE(is_error(Address::from_bytes(all.first(20), "owner_address"), Errc::kInvalidArgument, "owner_address"));
  std::vector<uint8_t> longer = raw;
  longer.push_back(0);
  EXPECT_TRUE(is_error(Address::from_bytes(longer, "owner_address"), Errc::kInvalidArgument, "owner_address"));
  EXPECT_TRUE(is_error(Address::from_bytes({}, "owner_address"), Errc::kInvalidArgument, "owner_address"));
  std::vector<uint8_t> prefixed = raw;
  prefixed[0] = 0xa0;
  const auto a = Address::from_bytes(prefixed, "owner_address");
  ASSERT_TRUE(is_error(a, Errc::kInvalidArgument, "owner_address"));
  EXPECT_NE(a.error().message.find("prefix"), std::string::npos) << a.error().message;
}

TEST(AddressRejectTest, WrongLengths) {
  const std::string usdt(kUsdtBase58);
  const std::string hex41(kUsdtHex41);
  const std::string hex20 = hex41.substr(2);
  const std::vector<std::string> inputs = {
      usdt.substr(0, 33),                              // base58, one character short
      usdt + "1",                                      // base58, one character long
      "T",                                             // base58, far too short
      base58check_encode(unhex(hex41.substr(0, 40))),  // valid base58check of 20 bytes
      base58check_encode(unhex(hex41 + "00")),         // valid base58check of 22 bytes
      hex41 + "00",                                    // 22 bytes of hex
      hex41.substr(0, 38),                             // 19 bytes of hex
      "0x" + hex41,                                    // 0x + 21 bytes: the 0x form is 20 bytes
      "0x" + hex20.substr(2),                          // 0x + 19 bytes
      "0x",                                            // prefix only
  };
  for (const auto& in : inputs) {
    SCOPED_TRACE(in);
    EXPECT_TRUE(is_error(Address::parse(in, "to"), Errc::kInvalidArgument, "to"));
  }
  // A "T..." string of the wrong length is reported as such, not as a checksum failure.
  for (const auto& in : {usdt.substr(0, 33), usdt + "1"}) {
    const auto a = Address::parse(in, "to");
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.error().message.find("34 characters"), std::string::npos) << a.error().message;
  }
}

TEST(AddressRejectTest, CharactersOutsideTheBase58Alphabet) {
  for (char c : {'0', 'O', 'I', 'l', '+', '\0', '\xff'}) {
    std::string bad(kUsdtBase58);
    bad[10] = c;
    SCOPED_TRACE(bad);
    const auto a = Address::parse(bad, "to");
    ASSERT_TRUE(is_error(a, Errc::kInvalidArgument, "to"));
    EXPECT_NE(a.error().message.find("invalid base58 character"), std::string::npos) << a.error().message;
  }
}

TEST(AddressRejectTest, InvalidHexCharacters) {
  const std::string hex41(kUsdtHex41);
  for (std::string bad :
       {hex41.substr(0, 20) + "g" + hex41.substr(21), "0x" + hex41.substr(2, 39) + "z", hex41.substr(0, 41) + " "}) {
    SCOPED_TRACE(bad);
    const auto a = Address::parse(bad, "to");
    ASSERT_TRUE(is_error(a, Errc::kInvalidArgument, "to"));
    EXPECT_NE(a.error().message.find("invalid hex"), std::string::npos) << a.error().message;
  }
}

// ---- base58 / base58check ----------------------------------------------------------------------------

TEST(Base58Test, KnownEncodings) {
  EXPECT_EQ(base58_encode({}), "");
  const std::vector<uint8_t> zero = {0};
  EXPECT_EQ(base58_encode(zero), "1");
  const std::vector<uint8_t> leading = {0, 0, 1, 2, 3};
  EXPECT_EQ(base58_encode(leading), "11Ldp");
  const std::string hello = "hello";
  EXPECT_EQ(base58check_encode(as_bytes(hello)), "2L5B5yqsVG8Vt");
  const std::vector<uint8_t> ff = {0xff, 0xff};
  EXPECT_EQ(base58_encode(ff), "LUv");
}

TEST(Base58Test, LeadingZeroBytesBecomeOnes) {
  for (size_t zeros = 0; zeros <= 5; ++zeros) {
    std::vector<uint8_t> data(zeros, 0);
    data.push_back(0x41);
    data.push_back(0x07);
    const std::string text = base58_encode(data);
    SCOPED_TRACE(text);
    EXPECT_EQ(text.find_first_not_of('1'), zeros);
    const auto back = base58_decode(text);
    ASSERT_TRUE(is_ok(back));
    EXPECT_EQ(*back, as_chars(data));
  }
  // All zeros: only ones.
  const std::vector<uint8_t> zeros(4, 0);
  EXPECT_EQ(base58_encode(zeros), "1111");
  const auto back = base58_decode("1111");
  ASSERT_TRUE(is_ok(back));
  EXPECT_EQ(*back, std::string(4, '\0'));
}

TEST(Base58Test, RoundTripsEveryLengthUpTo64) {
  for (size_t len = 0; len <= 64; ++len) {
    std::vector<uint8_t> data(len);
    for (size_t i = 0; i < len; ++i) data[i] = static_cast<uint8_t>(i * 37 + len * 11 + (i % 3 == 0 ? 0 : 200));
    if (len > 2) data[0] = 0;  // exercise a leading zero on most lengths
    SCOPED_TRACE(to_hex(data));
    const auto plain = base58_decode(base58_encode(data));
    if (len == 0) {
      EXPECT_FALSE(plain.ok());  // "" is not a base58 string
    } else {
      ASSERT_TRUE(is_ok(plain));
      EXPECT_EQ(*plain, as_chars(data));
    }
    if (len == 0) continue;  // an empty payload is not round-tripped: decode wants >= 1 payload byte
    const auto checked = base58check_decode(base58check_encode(data));
    ASSERT_TRUE(is_ok(checked));
    EXPECT_EQ(*checked, as_chars(data));
  }
}

TEST(Base58Test, DecodeRejectsBadInputNamingTheField) {
  EXPECT_TRUE(is_error(base58_decode("", "key"), Errc::kInvalidArgument, "key"));
  EXPECT_TRUE(is_error(base58_decode("abc0", "key"), Errc::kInvalidArgument, "key"));
  EXPECT_TRUE(is_error(base58_decode("ab+c", "key"), Errc::kInvalidArgument, "key"));
  EXPECT_TRUE(is_error(base58check_decode("", "key"), Errc::kInvalidArgument, "key"));
  // Fewer than 5 bytes cannot hold a payload and a 4-byte checksum.
  EXPECT_TRUE(is_error(base58check_decode(base58_encode(std::vector<uint8_t>{1, 2, 3, 4}), "key"),
                       Errc::kInvalidArgument, "key"));
  std::string text = base58check_encode(as_bytes(std::string_view("hello")));
  text.back() = text.back() == '2' ? '3' : '2';
  const auto bad = base58check_decode(text, "key");
  ASSERT_TRUE(is_error(bad, Errc::kInvalidArgument, "key"));
  EXPECT_NE(bad.error().message.find("checksum"), std::string::npos) << bad.error().message;
}

// The textbook algorithm (one byte into the big number, one digit out, at a time) as the reference for
// the word-at-a-time encoder, over every length from 0 to 100 bytes (the encoder switches from stack
// to heap buffers beyond 64), with and without leading zero bytes.
std::string reference_base58(const std::vector<uint8_t>& in) {
  static constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  size_t zeros = 0;
  while (zeros < in.size() && in[zeros] == 0) ++zeros;
  std::vector<uint8_t> digits;  // base 58, least significant first
  for (size_t i = zeros; i < in.size(); ++i) {
    unsigned carry = in[i];
    for (auto& d : digits) {
      carry += 256u * d;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

TEST(Base58, EncoderMatchesTheTextbookAlgorithmForEveryLengthUpTo100Bytes) {
  std::mt19937 rng(11);
  for (size_t len = 0; len <= 100; ++len) {
    for (size_t leading_zeros : {size_t{0}, size_t{1}, size_t{3}}) {
      std::vector<uint8_t> in(len);
      for (auto& b : in) b = static_cast<uint8_t>(rng());
      for (size_t i = 0; i < std::min(leading_zeros, len); ++i) in[i] = 0;
      const std::string got = base58_encode(in);
      ASSERT_EQ(got, reference_base58(in)) << "length " << len << ", " << leading_zeros << " leading zeros";
      if (len == 0) continue;  // "" encodes to "", which the decoder refuses as empty
      auto back = base58_decode(got);
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(*back, std::string(in.begin(), in.end())) << "length " << len;
    }
  }
  const std::vector<uint8_t> all_ff(40, 0xff), all_zero(7, 0);
  EXPECT_EQ(base58_encode(all_ff), reference_base58(all_ff));
  EXPECT_EQ(base58_encode(all_zero), "1111111");
}

}  // namespace
}  // namespace tronidx::chain
