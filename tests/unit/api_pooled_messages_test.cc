// PooledMessages (src/api/pooled_messages.h): a call's messages are handed to a later call cleared, with
// their sub-messages kept for reuse; the pool keeps no more than it was told to, and no large page.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pooled_messages.h"
#include "tronidx/v1/query.pb.h"

namespace tronidx::api {
namespace {

using Pool = PooledMessages<v1::ListTransfersRequest, v1::ListTransfersResponse>;

void fill(v1::ListTransfersResponse& resp, int rows) {
  for (int i = 0; i < rows; ++i) {
    auto* t = resp.add_transfers();
    t->set_from("TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf");
    t->set_txid(std::string(64, 'a'));
    t->set_block_num(static_cast<uint64_t>(i));
  }
  resp.set_next_page_token("token");
}

TEST(PooledMessages, AReleasedPairIsHandedToTheNextCallClearedWithItsRowsKeptForReuse) {
  Pool pool(4, 200);
  auto* first = pool.AllocateMessages();
  first->request()->set_address("TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf");
  first->request()->set_page_size(3);
  fill(*first->response(), 3);
  const v1::Transfer* row0 = &first->response()->transfers(0);
  first->Release();
  EXPECT_EQ(pool.kept(), 1u);

  auto* second = pool.AllocateMessages();
  EXPECT_EQ(second, first);
  EXPECT_EQ(pool.kept(), 0u);
  EXPECT_EQ(second->request()->ByteSizeLong(), 0u);
  EXPECT_EQ(second->response()->ByteSizeLong(), 0u);
  // The cleared rows are reused, not allocated anew.
  EXPECT_EQ(second->response()->add_transfers(), row0);
  EXPECT_TRUE(second->response()->transfers(0).from().empty());
  second->Release();
}

TEST(PooledMessages, AResponseThatHeldMoreRowsThanTheBoundIsNotKept) {
  Pool pool(4, 10);
  auto* big = pool.AllocateMessages();
  fill(*big->response(), 11);
  big->Release();
  EXPECT_EQ(pool.kept(), 0u);
  auto* small = pool.AllocateMessages();
  fill(*small->response(), 10);
  small->Release();
  EXPECT_EQ(pool.kept(), 1u);
}

TEST(PooledMessages, NoMoreThanTheBoundArePooled) {
  Pool pool(2, 200);
  std::vector<grpc::MessageHolder<v1::ListTransfersRequest, v1::ListTransfersResponse>*> held;
  for (int i = 0; i < 3; ++i) held.push_back(pool.AllocateMessages());
  EXPECT_NE(held[0], held[1]);
  for (auto* h : held) h->Release();
  EXPECT_EQ(pool.kept(), 2u);
}

}  // namespace
}  // namespace tronidx::api
