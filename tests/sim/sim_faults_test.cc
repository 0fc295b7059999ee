// Node faults happen as configured: UNAVAILABLE at the configured rate and scope, windows of empty
// answers and of missing infos, garbage answers, connection drops with recovery, added latency.
#include <gtest/gtest.h>

#include <cmath>

#include "sim_test_util.h"
#include "testsupport/sim_process.h"
#include "testsupport/wait.h"

namespace tronidx::simtest {
namespace {

using std::chrono::milliseconds;
using testsupport::SimProcess;
using testsupport::wait_until;

constexpr int64_t kHead = 40;

class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "--profile", "tiny", "--block-interval-ms", "0", "--prebuild", std::to_string(kHead), "--txs-per-block", "4"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto sim = SimProcess::start(args);
    ASSERT_TRUE(sim.ok()) << sim.error().message;
    sim_ = std::move(*sim);
    node_ = std::make_unique<Node>(*sim_);
  }

  tronsim::v1::FaultCounters counters() {
    auto status = sim_->status();
    EXPECT_TRUE(status.ok());
    return status.ok() ? status->fault_counters() : tronsim::v1::FaultCounters{};
  }

  // A block with transactions at or after `from`.
  int64_t block_with_txs(int64_t from) {
    for (int64_t n = from; n <= kHead; ++n) {
      protocol::BlockExtention b;
      if (node_->block_by_num(n, b).ok() && b.transactions_size() > 0) return n;
    }
    ADD_FAILURE() << "no block with transactions";
    return 1;
  }

  // Every simulator must shut down cleanly on SIGTERM (exit 0; under ASan also: no leak reports).
  void TearDown() override {
    if (!sim_) return;
    const auto exit = sim_->stop(std::chrono::seconds(20));
    EXPECT_TRUE(exit.success()) << exit.describe() << "\n" << sim_->stderr_text();
  }

  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<Node> node_;
};

TEST_F(FaultsTest, UnavailableHappensAtTheConfiguredRate) {
  tronsim::v1::FaultConfig f;
  f.set_unavailable_rate(0.2);
  ASSERT_TRUE(sim_->set_faults(f).ok());
  constexpr int kCalls = 600;
  int failed = 0;
  for (int i = 0; i < kCalls; ++i) {
    protocol::BlockExtention out;
    const grpc::Status s = node_->block_by_num(i % kHead, out);
    if (!s.ok()) {
      ASSERT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
      ++failed;
    }
  }
  // Binomial(600, 0.2): mean 120, sd ~9.8; +-5 sd.
  EXPECT_GT(failed, 71);
  EXPECT_LT(failed, 169);
  const auto c = counters();
  EXPECT_EQ(c.unavailable(), failed);
  EXPECT_EQ(c.block_calls(), kCalls);
}

TEST_F(FaultsTest, ScopeLimitsFaultsToThatMethodClass) {
  tronsim::v1::FaultConfig f;
  f.set_unavailable_rate(1.0);
  f.set_unavailable_scope(tronsim::v1::SCOPE_INFOS);
  ASSERT_TRUE(sim_->set_faults(f).ok());
  protocol::BlockExtention block;
  EXPECT_TRUE(node_->now_block(block).ok());
  EXPECT_TRUE(node_->block_by_num(3, block).ok());
  protocol::TransactionInfoList infos;
  EXPECT_EQ(node_->infos(3, infos).error_code(), grpc::StatusCode::UNAVAILABLE);

  f.set_unavailable_scope(tronsim::v1::SCOPE_BLOCKS);
  ASSERT_TRUE(sim_->set_faults(f).ok());
  EXPECT_TRUE(node_->now_block(block).ok());
  EXPECT_TRUE(node_->infos(3, infos).ok());
  EXPECT_EQ(node_->block_by_num(3, block).error_code(), grpc::StatusCode::UNAVAILABLE);
  protocol::BlockListExtention list;
  EXPECT_EQ(node_->range(1, 5, list).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(FaultsTest, EmptyAnswersWindowByCallCount) {
  const int64_t with_txs = block_with_txs(1);
  tronsim::v1::FaultConfig f;
  f.mutable_empty_answers()->set_calls(5);
  ASSERT_TRUE(sim_->set_faults(f).ok());
  protocol::TransactionInfoList infos;
  ASSERT_TRUE(node_->infos(with_txs, infos).ok());
  EXPECT_GT(infos.transactioninfo_size(), 0) << "info calls are not in the empty-answers window";
  for (int i = 0; i < 5; ++i) {
    protocol::BlockExtention b;
    ASSERT_TRUE(node_->block_by_num(10 + i, b).ok());
    EXPECT_EQ(b.ByteSizeLong(), 0u) << "call " << i;
  }
  protocol::BlockExtention b;
  ASSERT_TRUE(node_->block_by_num(10, b).ok());
  EXPECT_EQ(b.block_header().raw_data().number(), 10);
  EXPECT_EQ(counters().empty_answers(), 5);
}

TEST_F(FaultsTest, EmptyAnswersWindowByDuration) {
  tronsim::v1::FaultConfig f;
  f.mutable_empty_answers()->set_duration_ms(600);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(sim_->set_faults(f).ok());
  protocol::BlockListExtention list;
  ASSERT_TRUE(node_->range(1, 10, list).ok());
  EXPECT_EQ(list.block_size(), 0) << "inside the window";
  ASSERT_TRUE(wait_until(
      [&] {
        protocol::BlockListExtention l;
        return node_->range(1, 10, l).ok() && l.block_size() == 9;
      },
      milliseconds(20000)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(600));
}

TEST_F(FaultsTest, InfosMissingWindowEmptiesListsOfBlocksWithTransactions) {
  const int64_t n = block_with_txs(5);
  tronsim::v1::FaultConfig f;
  f.mutable_infos_missing()->set_calls(3);
  ASSERT_TRUE(sim_->set_faults(f).ok());
  for (int i = 0; i < 3; ++i) {
    protocol::TransactionInfoList infos;
    ASSERT_TRUE(node_->infos(n, infos).ok());
    EXPECT_EQ(infos.transactioninfo_size(), 0) << "call " << i;
  }
  protocol::BlockExtention b;
  ASSERT_TRUE(node_->block_by_num(n, b).ok());
  EXPECT_GT(b.transactions_size(), 0) << "blocks are unaffected";
  protocol::TransactionInfoList infos;
  ASSERT_TRUE(node_->infos(n, infos).ok());
  EXPECT_EQ(infos.transactioninfo_size(), b.transactions_size());
  EXPECT_EQ(counters().infos_missing(), 3);
}

TEST_F(FaultsTest, GarbageAnswersAreWrongInADetectableWay) {
  const auto good = node_->fetch(0, kHead);
  ASSERT_EQ(good.size(), static_cast<size_t>(kHead + 1));
  tronsim::v1::FaultConfig f;
  f.set_garbage_rate(1.0);
  f.set_garbage_scope(tronsim::v1::SCOPE_DATA);
  ASSERT_TRUE(sim_->set_faults(f).ok());
  int wrong_blocks = 0;
  for (int64_t n = 2; n < 22; ++n) {
    protocol::BlockExtention b;
    ASSERT_TRUE(node_->block_by_num(n, b).ok());
    const auto& canonical = good[static_cast<size_t>(n)].block;
    const bool wrong_number = b.block_header().raw_data().number() != n;
    const bool broken_parent =
        b.block_header().raw_data().parenthash() != good[static_cast<size_t>(n - 1)].block.blockid();
    EXPECT_TRUE(wrong_number || broken_parent) << "block " << n;
    EXPECT_NE(b.SerializeAsString(), canonical.SerializeAsString());
    wrong_blocks += wrong_number || broken_parent;
  }
  int wrong_infos = 0;
  for (int64_t n = 1; n <= kHead; ++n) {
    if (good[static_cast<size_t>(n)].block.transactions_size() == 0) continue;
    protocol::TransactionInfoList infos;
    ASSERT_TRUE(node_->infos(n, infos).ok());
    FetchedBlock mixed{good[static_cast<size_t>(n)].block, infos};
    EXPECT_NE(check_infos(mixed), "") << "block " << n;
    ++wrong_infos;
  }
  EXPECT_EQ(counters().garbage(), wrong_blocks + wrong_infos);
}

TEST_F(FaultsTest, LatencyIsAdded) {
  tronsim::v1::FaultConfig f;
  f.set_latency_ms(150);
  f.set_latency_jitter_ms(20);
  ASSERT_TRUE(sim_->set_faults(f).ok());
  for (int i = 0; i < 4; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    protocol::BlockExtention b;
    ASSERT_TRUE(node_->now_block(b).ok());
    EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(150));
  }
  EXPECT_EQ(counters().delayed(), 4);
}

TEST_F(FaultsTest, DropConnectionsFailsCallsThenRecovers) {
  protocol::BlockExtention b;
  ASSERT_TRUE(node_->now_block(b).ok());
  tronsim::v1::DropConnectionsRequest req;
  req.set_down_ms(1500);
  tronsim::v1::DropConnectionsResponse resp;
  ASSERT_TRUE(sim_->control().DropConnections(deadline_ctx().get(), req, &resp).ok());
  const grpc::Status during =
      node_->wallet->GetNowBlock2(deadline_ctx(milliseconds(500)).get(), protocol::EmptyMessage{}, &b);
  EXPECT_FALSE(during.ok());
  EXPECT_TRUE(wait_until([&] { return node_->now_block(b).ok(); }, milliseconds(30000)));
  EXPECT_EQ(b.block_header().raw_data().number(), kHead);
  EXPECT_EQ(counters().drops(), 1);
}

TEST_F(FaultsTest, PeriodicDropsAndStartupFlags) {
  start({"--drop-interval-ms", "1500", "--drop-down-ms", "200", "--unavailable-rate", "1", "--unavailable-scope",
         "head"});
  protocol::BlockExtention b;
  EXPECT_EQ(node_->now_block(b).error_code(), grpc::StatusCode::UNAVAILABLE) << "fault flags apply from start-up";
  EXPECT_TRUE(wait_until([&] { return counters().drops() >= 2; }, milliseconds(30000)));
  // Periodic drops off: the channel reconnects (a connect attempt that raced a drop can take a few
  // seconds: SYN retransmission).
  ASSERT_TRUE(sim_->set_faults(tronsim::v1::FaultConfig{}).ok());
  EXPECT_TRUE(wait_until([&] { return node_->block_by_num(3, b).ok(); }, milliseconds(30000)));
  EXPECT_EQ(b.block_header().raw_data().number(), 3);
}

}  // namespace
}  // namespace tronidx::simtest
