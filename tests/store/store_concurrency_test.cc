// Readers on snapshots concurrently with the writer (store.h: any thread may take snapshots and read
// through them). Every view a reader gets must be readable without errors. No sleeps: the reader spins
// until the writer is done; the pass condition (zero errors) does not depend on the interleaving.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "invariants.h"
#include "store_test_util.h"

namespace tronidx::store::testing {
namespace {

using ::testing::IsEmpty;

TEST(StoreConcurrency, ReadersDuringCommitsOfNewTokensNeverSeeAnInconsistentView) {
  TempDir dir;
  TestChain chain;
  auto store = open_store(dir.path(), all_mode());
  ASSERT_OK(store->set_base(chain.base()));
  std::atomic<bool> done{false};
  std::atomic<int> errors{0}, reads{0};
  std::string first_error;
  std::thread reader([&] {
    auto fail = [&](const std::string& what) {
      if (errors++ == 0) first_error = what;
    };
    while (!done.load()) {
      auto s = store->snapshot();
      if (!s.ok()) {
        fail(s.error().message);
        continue;
      }
      const Snapshot& v = **s;
      if (v.tip().block_num == chain.base().block_num) continue;
      auto b = v.block(v.tip().block_num);
      if (!b.ok() || !*b) {
        fail(b.ok() ? "tip block missing" : b.error().message);
        continue;
      }
      // Every block of this test carries a transfer of a token never seen before.
      auto ts = v.block_transfers(**b, v.next_seq());
      if (!ts.ok() || ts->size() != 1) fail(ts.ok() ? "wrong transfer count" : ts.error().message);
      auto j = v.journal(v.next_seq() - 1, 1);
      if (!j.ok() || j->size() != 1) fail(j.ok() ? "last journal record missing" : j.error().message);
      ++reads;
    }
  });
  for (uint64_t i = 0; i < 10000; ++i) {
    const decode::BlockHeader h = chain.push();
    apply_commit(*store, h,
                 {trc20(h.block_num, 0, 0, make_address(1'000'000 + i), make_address(1), make_address(2), amount_u64(i),
                        make_txid(i))});
  }
  done = true;
  reader.join();
  EXPECT_EQ(errors.load(), 0) << "first: " << first_error << " (" << reads.load() << " reads)";
  EXPECT_GT(reads.load(), 0);
  EXPECT_THAT(check_invariants(*store), IsEmpty());
}

}  // namespace
}  // namespace tronidx::store::testing
