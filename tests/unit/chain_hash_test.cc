// chain/hash.h: SHA-256 and Keccak-256 (original 0x01 padding), the Transfer topic and selectors.
// Multi-block Keccak vectors were computed with an independent Keccak-f[1600] reference that reproduces
// hashlib.sha3_256 when switched to the NIST 0x06 padding.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"
#include "vectors.h"

namespace tronidx::chain {
namespace {

std::string hex(const Hash32& h) { return to_hex(h.bytes); }
std::string hex(const std::array<uint8_t, 4>& b) { return to_hex(b); }

TEST(Sha256Test, StandardVectors) {
  EXPECT_EQ(hex(sha256(std::string_view(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256(std::string_view("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hex(sha256(std::string(1'000'000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, SpanAndStringOverloadsAgree) {
  const std::vector<uint8_t> bytes = {'a', 'b', 'c'};
  EXPECT_EQ(sha256(bytes), sha256(std::string_view("abc")));
  const std::vector<uint8_t> with_nul = {0x00, 0x41, 0x00};
  EXPECT_EQ(sha256(with_nul), sha256(std::string_view("\0A\0", 3)));
}

TEST(Keccak256Test, StandardVectors) {
  EXPECT_EQ(hex(keccak256(std::string_view(""))), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(hex(keccak256(std::string_view("abc"))),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(hex(keccak256(std::string_view("The quick brown fox jumps over the lazy dog"))),
            "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

TEST(Keccak256Test, IsNotNistSha3) {
  // SHA3-256("") differs only by the padding byte; TRON/Ethereum use the original Keccak.
  EXPECT_NE(hex(keccak256(std::string_view(""))), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

TEST(Keccak256Test, AroundTheRateBoundary) {
  // The Keccak-256 rate is 136 bytes: 135 bytes pad inside one block, 136 need a second one.
  EXPECT_EQ(hex(keccak256(std::string(135, 'a'))), "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446");
  EXPECT_EQ(hex(keccak256(std::string(136, 'a'))), "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e");
  std::vector<uint8_t> data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<uint8_t>(i % 256));
  EXPECT_EQ(hex(keccak256(data)), "a679e749a6af300c36e7ff2255d220864eab27b382f9cfdc5aa4d13563ba36ff");
}

TEST(EventTopicTest, TransferTopicMatchesMainnetFact) {
  const auto& fact = test::known_fact("Transfer event topic0");
  const std::string expected = fact.at("transfer_topic0").get<std::string>();
  EXPECT_EQ(hex(transfer_event_topic()), expected);
  EXPECT_EQ(transfer_event_topic(), keccak256(std::string_view("Transfer(address,address,uint256)")));
  EXPECT_EQ(expected, "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

TEST(EventTopicTest, ApprovalTopicIsNotTheTransferTopic) {
  const Hash32 approval = keccak256(std::string_view("Approval(address,address,uint256)"));
  EXPECT_EQ(hex(approval), "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925");
  EXPECT_NE(approval, transfer_event_topic());
}

TEST(FunctionSelectorTest, Trc20Selectors) {
  const auto& fact = test::known_fact("transfer() selector");
  EXPECT_EQ(hex(function_selector("transfer(address,uint256)")), fact.at("transfer_selector").get<std::string>());
  EXPECT_EQ(hex(function_selector("transfer(address,uint256)")), "a9059cbb");
  EXPECT_EQ(hex(function_selector("transferFrom(address,address,uint256)")), "23b872dd");
  EXPECT_EQ(hex(function_selector("balanceOf(address)")), "70a08231");
  EXPECT_EQ(hex(function_selector("decimals()")), "313ce567");
  EXPECT_EQ(hex(function_selector("symbol()")), "95d89b41");
  EXPECT_EQ(hex(function_selector("name()")), "06fdde03");
}

TEST(Hash32Test, IsZeroOnlyForAllZeroBytes) {
  Hash32 h;
  EXPECT_TRUE(h.is_zero());
  h.bytes[31] = 1;
  EXPECT_FALSE(h.is_zero());
  h.bytes[31] = 0;
  h.bytes[0] = 0x80;
  EXPECT_FALSE(h.is_zero());
  EXPECT_FALSE(sha256(std::string_view("")).is_zero());
}

}  // namespace
}  // namespace tronidx::chain
