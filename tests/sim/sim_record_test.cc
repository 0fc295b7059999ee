// record -> replay: a recorded chain is served again with identical bytes and ids, with its ground
// truth; damaged recordings are refused with a message naming the problem.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim_test_util.h"
#include "testsupport/child_process.h"
#include "testsupport/sim_process.h"
#include "testsupport/temp_dir.h"

namespace tronidx::simtest {
namespace {

using testsupport::ChildOptions;
using testsupport::ChildProcess;
using testsupport::SimProcess;
using testsupport::TempDir;

constexpr int64_t kBlocks = 30;
const std::vector<std::string> kChain = {"--profile", "small", "--seed", "5", "--start-block", "1000"};

class RecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ChildOptions o;
    o.program = SimProcess::default_binary().string();
    o.args = {"record", "--out", dir_.file("rec").string(), "--blocks", std::to_string(kBlocks)};
    o.args.insert(o.args.end(), kChain.begin(), kChain.end());
    o.stderr_path = dir_.file("record.err");
    auto child = ChildProcess::spawn(o);
    ASSERT_TRUE(child.ok()) << child.error().message;
    auto status = child->wait_for(std::chrono::seconds(60));
    ASSERT_TRUE(status.has_value());
    ASSERT_TRUE(status->success()) << status->describe() << testsupport::read_text_file(dir_.file("record.err"));
  }

  TempDir dir_{"sim-record"};
};

TEST_F(RecordTest, ReplayServesTheRecordedChainByteForByte) {
  for (const char* f : {"blocks.bin", "manifest.json", "ground_truth.jsonl"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_.file("rec") / f)) << f;
  }
  std::vector<std::string> gen_args = {"--block-interval-ms", "0", "--prebuild", std::to_string(kBlocks)};
  gen_args.insert(gen_args.end(), kChain.begin(), kChain.end());
  auto generated = SimProcess::start(gen_args);
  ASSERT_TRUE(generated.ok()) << generated.error().message;
  auto replayed = SimProcess::start(std::vector<std::string>{"--replay", dir_.file("rec").string()});
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;

  auto gen_status = (*generated)->status();
  auto rep_status = (*replayed)->status();
  ASSERT_TRUE(gen_status.ok() && rep_status.ok());
  EXPECT_EQ(rep_status->mode(), "replay");
  EXPECT_EQ(rep_status->head_num(), 1000 + kBlocks - 1);
  EXPECT_EQ(rep_status->head_id(), gen_status->head_id());
  EXPECT_EQ(rep_status->genesis_id(), gen_status->genesis_id());
  EXPECT_EQ(rep_status->solidified_num(), gen_status->solidified_num());
  EXPECT_TRUE(rep_status->ground_truth_available());

  Node gen(**generated), rep(**replayed);
  const int64_t head = rep_status->head_num();
  for (int64_t start : {int64_t{0}, int64_t{990}, head - 5}) {
    protocol::BlockListExtention a, b;
    ASSERT_TRUE(gen.range(start, start + 100, a).ok());
    ASSERT_TRUE(rep.range(start, start + 100, b).ok());
    EXPECT_GT(a.block_size(), 0);
    EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString()) << "range from " << start;
  }
  for (int64_t n : {int64_t{0}, int64_t{1000}, int64_t{1010}, head}) {
    protocol::TransactionInfoList a, b;
    ASSERT_TRUE(gen.infos(n, a).ok() && rep.infos(n, b).ok());
    EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString()) << n;
    protocol::BlockExtention ha, hb;
    ASSERT_TRUE(gen.get_block(std::to_string(n), false, ha).ok() && rep.get_block(std::to_string(n), false, hb).ok());
    EXPECT_EQ(ha.SerializeAsString(), hb.SerializeAsString()) << n;
  }
  auto gen_truth = (*generated)->dump_ground_truth();
  auto rep_truth = (*replayed)->dump_ground_truth();
  ASSERT_TRUE(gen_truth.ok() && rep_truth.ok());
  EXPECT_EQ(*gen_truth, *rep_truth);
  EXPECT_FALSE(rep_truth->empty());

  auto advance = (*replayed)->advance(1);
  ASSERT_FALSE(advance.ok());
  EXPECT_EQ(advance.error().code, Errc::kFailedPrecondition);
  EXPECT_TRUE((*replayed)->stop().success()) << (*replayed)->stderr_text();
  EXPECT_TRUE((*generated)->stop().success()) << (*generated)->stderr_text();
}

TEST_F(RecordTest, ReplayWithoutSidecarHasNoGroundTruth) {
  std::filesystem::remove(dir_.file("rec") / "ground_truth.jsonl");
  auto replayed = SimProcess::start(std::vector<std::string>{"--replay", dir_.file("rec").string()});
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;
  auto truth = (*replayed)->dump_ground_truth();
  ASSERT_FALSE(truth.ok());
  EXPECT_EQ(truth.error().code, Errc::kFailedPrecondition);
  auto blocks = (*replayed)->dump_blocks();
  ASSERT_TRUE(blocks.ok());
  EXPECT_NE(blocks->find("\"block_num\":1029"), std::string::npos);
}

TEST_F(RecordTest, DamagedRecordingIsRefused) {
  const auto bin = dir_.file("rec") / "blocks.bin";
  std::filesystem::resize_file(bin, std::filesystem::file_size(bin) - 7);
  auto replayed = SimProcess::start(std::vector<std::string>{"--replay", dir_.file("rec").string()});
  ASSERT_FALSE(replayed.ok());
  EXPECT_NE(replayed.error().message.find("exit code 1"), std::string::npos) << replayed.error().message;
  EXPECT_NE(replayed.error().message.find("blocks.bin"), std::string::npos) << replayed.error().message;
}

}  // namespace
}  // namespace tronidx::simtest
