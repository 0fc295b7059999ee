// The control interface and the command line: bad input is INVALID_ARGUMENT naming the field (or exit
// code 2 naming the flag), dumps, timed production with pause/resume, summary lines, hot addresses,
// graceful shutdown.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>

#include "sim_test_util.h"
#include "testsupport/child_process.h"
#include "testsupport/sim_process.h"
#include "testsupport/temp_dir.h"
#include "testsupport/wait.h"

namespace tronidx::simtest {
namespace {

using std::chrono::milliseconds;
using testsupport::ChildOptions;
using testsupport::ChildProcess;
using testsupport::SimProcess;
using testsupport::TempDir;
using testsupport::wait_until;

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = SimProcess::start(
        std::vector<std::string>{"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "30"});
    ASSERT_TRUE(sim.ok()) << sim.error().message;
    sim_ = std::move(*sim);
  }

  // Expects INVALID_ARGUMENT whose message names `field`.
  static void expect_invalid(const grpc::Status& s, const std::string& field) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(field), std::string::npos) << s.error_message();
  }

  grpc::Status advance(int64_t n) {
    tronsim::v1::AdvanceRequest req;
    req.set_count(n);
    tronsim::v1::AdvanceResponse out;
    return sim_->control().Advance(deadline_ctx().get(), req, &out);
  }
  grpc::Status reorg(const tronsim::v1::ReorgRequest& req) {
    tronsim::v1::ReorgResponse out;
    return sim_->control().Reorg(deadline_ctx().get(), req, &out);
  }
  grpc::Status set_faults(const tronsim::v1::FaultConfig& f) {
    tronsim::v1::SetFaultsRequest req;
    *req.mutable_faults() = f;
    tronsim::v1::SetFaultsResponse out;
    return sim_->control().SetFaults(deadline_ctx().get(), req, &out);
  }

  // Every simulator must shut down cleanly on SIGTERM (exit 0; under ASan also: no leak reports).
  void TearDown() override {
    if (!sim_) return;
    const auto exit = sim_->stop(std::chrono::seconds(20));
    EXPECT_TRUE(exit.success()) << exit.describe() << "\n" << sim_->stderr_text();
  }

  std::unique_ptr<SimProcess> sim_;
};

TEST_F(ControlTest, BadControlInputIsInvalidArgumentNamingTheField) {
  expect_invalid(advance(0), "count");
  expect_invalid(advance(-3), "count");

  tronsim::v1::ReorgRequest r;
  expect_invalid(reorg(r), "fork_at/depth");
  r.set_depth(-1);
  expect_invalid(reorg(r), "depth");
  r.set_depth(1000);
  expect_invalid(reorg(r), "depth");
  r.set_fork_at(99);
  expect_invalid(reorg(r), "fork_at");
  r.set_fork_at(-5);
  expect_invalid(reorg(r), "fork_at");
  r.set_depth(3);
  r.set_new_length(2);
  expect_invalid(reorg(r), "new_length");

  tronsim::v1::FaultConfig f;
  f.set_unavailable_rate(1.5);
  expect_invalid(set_faults(f), "faults.unavailable_rate");
  f = {};
  f.set_latency_ms(-1);
  expect_invalid(set_faults(f), "faults.latency_ms");
  f = {};
  f.mutable_empty_answers()->set_calls(-2);
  expect_invalid(set_faults(f), "faults.empty_answers.calls");
  f = {};
  f.set_latency_scope(static_cast<tronsim::v1::Scope>(42));
  expect_invalid(set_faults(f), "faults.latency_scope");
  f = {};
  f.set_garbage_rate(std::nan(""));
  expect_invalid(set_faults(f), "faults.garbage_rate");

  tronsim::v1::DumpRequest d;
  d.set_from_block(-1);
  tronsim::v1::DumpChunk chunk;
  auto ctx = deadline_ctx();
  auto reader = sim_->control().DumpGroundTruth(ctx.get(), d);
  while (reader->Read(&chunk)) {
  }
  expect_invalid(reader->Finish(), "from_block");

  tronsim::v1::DropConnectionsRequest drop;
  drop.set_down_ms(-1);
  tronsim::v1::DropConnectionsResponse dropped;
  expect_invalid(sim_->control().DropConnections(deadline_ctx().get(), drop, &dropped), "down_ms");

  auto status = sim_->status();
  ASSERT_TRUE(status.ok()) << "still serving after bad input";
  EXPECT_EQ(status->head_num(), 30);
}

TEST_F(ControlTest, SetFaultsReportsTheAppliedConfiguration) {
  tronsim::v1::SetFaultsRequest req;
  req.mutable_faults()->set_unavailable_rate(0.1);
  tronsim::v1::SetFaultsResponse out;
  ASSERT_TRUE(sim_->control().SetFaults(deadline_ctx().get(), req, &out).ok());
  EXPECT_EQ(out.faults().unavailable_scope(), tronsim::v1::SCOPE_ALL);
  EXPECT_EQ(out.faults().garbage_scope(), tronsim::v1::SCOPE_DATA);
  EXPECT_EQ(out.faults().drop_down_ms(), 1000);
  EXPECT_NE(out.faults().seed(), 0u);
  auto status = sim_->status();
  ASSERT_TRUE(status.ok());
  EXPECT_DOUBLE_EQ(status->faults().unavailable_rate(), 0.1);
}

TEST_F(ControlTest, DumpCommandWritesTheGroundTruthAndBlocks) {
  TempDir dir("sim-dump");
  for (const std::string what : {"truth", "blocks"}) {
    ChildOptions o;
    o.program = SimProcess::default_binary().string();
    o.args = {"dump", "--control", sim_->control_endpoint(), "--out", dir.file(what).string(), "--what", what};
    auto child = ChildProcess::spawn(o);
    ASSERT_TRUE(child.ok());
    auto exit = child->wait_for(std::chrono::seconds(30));
    ASSERT_TRUE(exit && exit->success()) << (exit ? exit->describe() : "timeout");
  }
  auto truth = sim_->dump_ground_truth();
  auto blocks = sim_->dump_blocks();
  ASSERT_TRUE(truth.ok() && blocks.ok());
  EXPECT_EQ(testsupport::read_text_file(dir.file("truth")), *truth);
  EXPECT_EQ(testsupport::read_text_file(dir.file("blocks")), *blocks);
  EXPECT_EQ(std::count(blocks->begin(), blocks->end(), '\n'), 31);
}

// Runs tron-sim with `args`; returns {exit code, stdout + stderr}.
std::pair<int, std::string> run_cli(const std::vector<std::string>& args) {
  TempDir dir("sim-cli");
  ChildOptions o;
  o.program = SimProcess::default_binary().string();
  o.args = args;
  o.stdout_path = dir.file("out");
  o.stderr_path = dir.file("err");
  auto child = ChildProcess::spawn(o);
  if (!child.ok()) return {-1, child.error().message};
  auto exit = child->wait_for(std::chrono::seconds(30));
  if (!exit) return {-2, "timeout"};
  return {exit->exited ? exit->code : -3,
          testsupport::read_text_file(dir.file("out")) + testsupport::read_text_file(dir.file("err"))};
}

TEST(CliTest, BadFlagsExitWithCodeTwoNamingTheFlag) {
  const std::map<std::string, std::vector<std::string>> cases = {
      {"--profile", {"--profile", "nope"}},
      {"--prebuild", {"--prebuild", "-5"}},
      {"--hot-share", {"--hot-share", "2"}},
      {"--listen", {"--listen", "nowhere"}},
      {"--hot-address", {"--hot-address", "TnotAnAddress"}},
      {"--unavailable-rate", {"--unavailable-rate", "-0.5"}},
      {"--latency-scope", {"--latency-scope", "everything"}},
      {"--seed", {"--seed", "abc"}},
      {"--no-such-flag", {"--no-such-flag"}},
      {"--out", {"record"}},
  };
  for (const auto& [flag, args] : cases) {
    const auto [code, output] = run_cli(args);
    EXPECT_EQ(code, 2) << flag << ": " << output;
    EXPECT_NE(output.find(flag), std::string::npos) << flag << ": " << output;
  }
  const auto [code, output] = run_cli({"--help"});
  EXPECT_EQ(code, 0);
  EXPECT_NE(output.find("--block-interval-ms"), std::string::npos);
}

TEST(CliTest, TimedProductionPauseResumeSummaryLinesAndGracefulShutdown) {
  testsupport::SimOptions options;
  options.args = {"--profile", "tiny", "--block-interval-ms", "100", "--hot-addresses", "2"};
  options.quiet = false;
  auto sim = SimProcess::start(options);
  ASSERT_TRUE(sim.ok()) << sim.error().message;
  auto head = [&] {
    auto s = (*sim)->status();
    return s.ok() ? s->head_num() : -1;
  };
  const int64_t start = head();
  ASSERT_TRUE(wait_until([&] { return head() >= start + 3; }, milliseconds(20000)));

  tronsim::v1::PauseResponse paused;
  ASSERT_TRUE((*sim)->control().Pause(deadline_ctx().get(), {}, &paused).ok());
  auto status = (*sim)->status();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->paused());
  EXPECT_EQ(status->hot_addresses_size(), 2);
  const int64_t at_pause = head();
  ASSERT_TRUE((*sim)->advance(2).ok()) << "Advance works while paused";
  EXPECT_EQ(head(), at_pause + 2);
  tronsim::v1::ResumeResponse resumed;
  ASSERT_TRUE((*sim)->control().Resume(deadline_ctx().get(), {}, &resumed).ok());
  ASSERT_TRUE(wait_until([&] { return head() >= at_pause + 4; }, milliseconds(20000)));

  const std::string line = "block " + std::to_string(at_pause + 1) + " id=";
  EXPECT_TRUE(wait_until([&] { return (*sim)->stdout_text().find(line) != std::string::npos; }, milliseconds(5000)))
      << (*sim)->stdout_text();
  EXPECT_NE((*sim)->stdout_text().find(" trc20="), std::string::npos);
  EXPECT_NE((*sim)->stdout_text().find("hot addresses:"), std::string::npos);

  const auto exit = (*sim)->stop(std::chrono::seconds(20));
  EXPECT_TRUE(exit.success()) << exit.describe();
  EXPECT_NE((*sim)->stderr_text().find("SIGTERM"), std::string::npos);
}

TEST(CliTest, HotAddressReceivesItsShareOfTransfers) {
  const std::string hot = "TNBEeMVUtzJWJyAdcGzUhw2izozAZpFztg";
  auto sim =
      SimProcess::start(std::vector<std::string>{"--profile", "small", "--block-interval-ms", "0", "--prebuild", "80",
                                                 "--hot-addresses", "0", "--hot-address", hot, "--hot-share", "0.1"});
  ASSERT_TRUE(sim.ok()) << sim.error().message;
  auto truth = (*sim)->dump_ground_truth(1);
  ASSERT_TRUE(truth.ok());
  const auto rows = parse_truth_jsonl(*truth);
  int to_hot = 0;
  for (const auto& r : rows) to_hot += r.to == hot;
  ASSERT_GT(rows.size(), 1000u);
  const double share = static_cast<double>(to_hot) / static_cast<double>(rows.size());
  EXPECT_GT(share, 0.06);
  EXPECT_LT(share, 0.14);
}

}  // namespace
}  // namespace tronidx::simtest
