// FinalBlocks (src/store/final_blocks.h): a block is found by its number once put, a block whose slot
// another takes is no longer found, and a number never put is not found.
#include <gtest/gtest.h>

#include "final_blocks.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

BlockInfo final_block(uint64_t n) {
  BlockInfo b;
  b.block_num = n;
  b.id = make_block_id(n);
  b.parent_id = make_block_id(n - 1);
  b.timestamp_ms = TestChain::timestamp_of(n);
  b.apply_seq = n;
  return b;
}

TEST(FinalBlocks, ABlockIsFoundOncePutUntilAnotherTakesItsSlot) {
  FinalBlocks blocks(4);
  EXPECT_FALSE(blocks.find(101).has_value());
  blocks.put(final_block(101));
  blocks.put(final_block(102));
  ASSERT_TRUE(blocks.find(101).has_value());
  EXPECT_EQ(blocks.find(101)->id, make_block_id(101));
  EXPECT_EQ(blocks.find(101)->timestamp_ms, TestChain::timestamp_of(101));
  EXPECT_EQ(blocks.find(102)->id, make_block_id(102));
  EXPECT_FALSE(blocks.find(105).has_value());  // 105 shares 101's slot, and was never put
  blocks.put(final_block(105));
  EXPECT_FALSE(blocks.find(101).has_value());
  EXPECT_EQ(blocks.find(105)->id, make_block_id(105));
}

}  // namespace
}  // namespace tronidx::store::testing
