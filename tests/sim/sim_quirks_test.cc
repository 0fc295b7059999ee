// java-tron's behaviour as a client sees it (TRON-PROTOCOL.md §6): empty messages with status OK for
// unknown blocks, the 100-block half-open range, GetBlock's argument rules, UNIMPLEMENTED services on the
// wrong port, and the solidity port's solidified-only view.
#include <gtest/gtest.h>

#include "sim_test_util.h"
#include "testsupport/sim_process.h"

namespace tronidx::simtest {
namespace {

using testsupport::SimProcess;

constexpr int64_t kHead = 150;
constexpr int64_t kLag = 18;

class QuirksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = SimProcess::start(
        std::vector<std::string>{"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", std::to_string(kHead)});
    ASSERT_TRUE(sim.ok()) << sim.error().message;
    sim_ = std::move(*sim);
    node_ = std::make_unique<Node>(*sim_);
  }

  std::vector<int64_t> range_nums(int64_t start, int64_t end) {
    protocol::BlockListExtention list;
    const grpc::Status s = node_->range(start, end, list);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<int64_t> nums;
    for (const auto& b : list.block()) nums.push_back(b.block_header().raw_data().number());
    return nums;
  }

  grpc::StatusCode get_block_code(const std::string& id_or_num, std::string* message = nullptr) {
    protocol::BlockExtention out;
    const grpc::Status s = node_->get_block(id_or_num, true, out);
    if (message) *message = s.error_message();
    return s.error_code();
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

TEST_F(QuirksTest, UnknownAndFutureBlocksAreEmptyMessagesWithStatusOk) {
  for (int64_t num : {kHead + 1, kHead + 1000, int64_t{-1}}) {
    SCOPED_TRACE(num);
    protocol::BlockExtention block;
    ASSERT_TRUE(node_->block_by_num(num, block).ok());
    EXPECT_EQ(block.ByteSizeLong(), 0u);
    protocol::TransactionInfoList infos;
    ASSERT_TRUE(node_->infos(num, infos).ok());
    EXPECT_EQ(infos.ByteSizeLong(), 0u);
  }
  protocol::BlockExtention future;
  ASSERT_TRUE(node_->get_block(std::to_string(kHead + 1), true, future).ok());
  EXPECT_EQ(future.ByteSizeLong(), 0u);
  EXPECT_TRUE(range_nums(kHead + 1, kHead + 10).empty());

  // An id with a plausible number that is not on the chain: empty too.
  protocol::BlockExtention head;
  ASSERT_TRUE(node_->block_by_num(kHead - 3, head).ok());
  std::string unknown = hex(head.blockid());
  unknown[63] = unknown[63] == '0' ? '1' : '0';
  protocol::BlockExtention none;
  ASSERT_TRUE(node_->get_block(unknown, true, none).ok());
  EXPECT_EQ(none.ByteSizeLong(), 0u);
}

TEST_F(QuirksTest, EmptyBlocksAnswerAnEmptyInfoList) {
  auto blocks = node_->fetch(1, kHead);
  int empty = 0;
  for (const auto& f : blocks) {
    if (f.block.transactions_size() > 0) continue;
    ++empty;
    EXPECT_EQ(f.infos.transactioninfo_size(), 0);
    EXPECT_EQ(f.block.block_header().raw_data().txtrieroot(), std::string(32, '\0'));
  }
  EXPECT_GT(empty, 0);
}

TEST_F(QuirksTest, RangeIsHalfOpenCappedAtOneHundredAndStopsAtTheHead) {
  EXPECT_EQ(range_nums(5, 8), (std::vector<int64_t>{5, 6, 7}));
  EXPECT_EQ(range_nums(10, 110).size(), 100u);
  EXPECT_TRUE(range_nums(10, 111).empty()) << "101 blocks is over java-tron's cap: empty message";
  EXPECT_TRUE(range_nums(10, 10).empty());
  EXPECT_TRUE(range_nums(20, 10).empty());
  EXPECT_TRUE(range_nums(0, 0).empty());
  EXPECT_EQ(range_nums(kHead - 2, kHead + 3), (std::vector<int64_t>{kHead - 2, kHead - 1, kHead}));
  const auto all = range_nums(0, 100);
  ASSERT_EQ(all.size(), 100u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<int64_t>(i));
}

TEST_F(QuirksTest, GetBlockRejectsMalformedArguments) {
  std::string message;
  EXPECT_EQ(get_block_code("-1", &message), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(message.find("id_or_num"), std::string::npos) << message;
  EXPECT_EQ(get_block_code("abc"), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(get_block_code("12ab"), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(get_block_code(std::string(63, 'a')), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(get_block_code(std::string(64, 'z')), grpc::StatusCode::INVALID_ARGUMENT);
  // A well-formed id whose embedded number is beyond the head.
  std::string future_id = std::string(13, '0') + "fff" + std::string(48, 'a');
  EXPECT_EQ(get_block_code(future_id, &message), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(message.find("head"), std::string::npos) << message;
  EXPECT_EQ(get_block_code("+5"), grpc::StatusCode::OK) << "Long.parseLong accepts a plus sign";

  protocol::BlockExtention header_only;
  ASSERT_TRUE(node_->get_block("", false, header_only).ok());
  EXPECT_EQ(header_only.block_header().raw_data().number(), kHead);
  EXPECT_EQ(header_only.transactions_size(), 0);
  EXPECT_EQ(header_only.blockid().size(), 32u);
}

TEST_F(QuirksTest, ServicesOfTheOtherPortAreUnimplemented) {
  auto solidity_on_full = protocol::WalletSolidity::NewStub(sim_->full_node_channel());
  protocol::BlockExtention out;
  EXPECT_EQ(solidity_on_full->GetNowBlock2(deadline_ctx().get(), protocol::EmptyMessage{}, &out).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  auto wallet_on_solidity = protocol::Wallet::NewStub(sim_->solidity_channel());
  EXPECT_EQ(wallet_on_solidity->GetNowBlock2(deadline_ctx().get(), protocol::EmptyMessage{}, &out).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(QuirksTest, SolidityPortSeesOnlySolidifiedBlocks) {
  const int64_t solid = kHead - kLag;
  protocol::BlockExtention now, full_solid;
  ASSERT_TRUE(node_->solidity->GetNowBlock2(deadline_ctx().get(), protocol::EmptyMessage{}, &now).ok());
  ASSERT_TRUE(node_->block_by_num(solid, full_solid).ok());
  EXPECT_EQ(now.block_header().raw_data().number(), solid);
  EXPECT_EQ(now.SerializeAsString(), full_solid.SerializeAsString());

  protocol::NumberMessage above;
  above.set_num(solid + 1);
  protocol::BlockExtention hidden;
  ASSERT_TRUE(node_->solidity->GetBlockByNum2(deadline_ctx().get(), above, &hidden).ok());
  EXPECT_EQ(hidden.ByteSizeLong(), 0u);
  protocol::TransactionInfoList hidden_infos;
  ASSERT_TRUE(node_->solidity->GetTransactionInfoByBlockNum(deadline_ctx().get(), above, &hidden_infos).ok());
  EXPECT_EQ(hidden_infos.ByteSizeLong(), 0u);

  for (auto* db : {node_->database.get(), node_->solidity_database.get()}) {
    protocol::DynamicProperties props;
    ASSERT_TRUE(db->GetDynamicProperties(deadline_ctx().get(), protocol::EmptyMessage{}, &props).ok());
    EXPECT_EQ(props.last_solidity_block_num(), solid);
  }
  protocol::BlockReference ref;
  ASSERT_TRUE(node_->solidity_database->getBlockReference(deadline_ctx().get(), protocol::EmptyMessage{}, &ref).ok());
  EXPECT_EQ(ref.block_num(), solid) << "the solidity port's Database runs on the solidified view";
}

TEST_F(QuirksTest, SolidifiedFollowsTheHeadAndNeverMovesDown) {
  ASSERT_TRUE(sim_->advance(7).ok());
  auto status = sim_->status();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->head_num(), kHead + 7);
  EXPECT_EQ(status->solidified_num(), kHead + 7 - kLag);
  tronsim::v1::ReorgRequest reorg;
  reorg.set_depth(3);
  ASSERT_TRUE(sim_->reorg(reorg).ok());
  auto after = sim_->status();
  ASSERT_TRUE(after.ok());
  EXPECT_GE(after->solidified_num(), status->solidified_num());
}

}  // namespace
}  // namespace tronidx::simtest
