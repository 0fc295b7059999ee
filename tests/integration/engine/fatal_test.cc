// A reorganisation below the solidified block (tron-sim's allow_below_solidified): the daemon halts with
// a clear FATAL_INCONSISTENCY log line, GetStatus says phase "halted" with the reason, the index is left
// exactly as it was (final history is never rewritten, not even partly), SIGTERM then exits with code 3,
// and a restart halts again without touching anything.
#include <gtest/gtest.h>

#include "engine_util.h"
#include "testsupport/wait.h"

namespace tronidx::engine {
namespace {

struct Frozen {
  std::string tip_id;
  uint64_t tip = 0;
  uint64_t solidified = 0;
  uint64_t journal_next = 0;
};

Frozen freeze(const DaemonProcess& d) {
  Frozen f;
  auto st = d.status();
  EXPECT_TRUE(st.ok());
  if (!st.ok()) return f;
  f.tip_id = st->tip_block_id();
  f.tip = st->tip_block_num();
  f.solidified = st->solidified();
  f.journal_next = st->journal_next_seq();
  return f;
}

void expect_halted(const DaemonProcess& d, const Frozen& f) {
  std::string phase;
  ASSERT_TRUE(testsupport::wait_until(
      [&] {
        auto st = d.status();
        phase = st.ok() ? st->phase() : st.error().message;
        return st.ok() && st->phase() == "halted";
      },
      60s, 50ms))
      << "phase " << phase << "\n" << tail(d.log_text());
  TS_ASSIGN(const auto st, d.status());
  EXPECT_NE(st.halt_reason().find("solidified"), std::string::npos) << st.halt_reason();
  EXPECT_EQ(st.tip_block_id(), f.tip_id);
  EXPECT_EQ(st.tip_block_num(), f.tip);
  EXPECT_EQ(st.solidified(), f.solidified);
  EXPECT_EQ(st.journal_next_seq(), f.journal_next) << "something was committed after the fatal reorg";
}

TEST(EngineFatal, ReorgBelowSolidifiedHaltsAndLeavesTheIndexAlone) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "31", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                     "60", "--solid-lag", "6"}));
  IndexSpec spec;
  spec.all = true;
  spec.base = 9;
  auto o = daemon_options(spec, {sim->full_node_endpoint()});
  o.start_block = spec.base + 1;
  TS_ASSIGN(auto d, Daemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  TS_ASSERT_OK(sim->advance(4));
  TS_ASSERT_OK(wait_synced(*d, *sim, 60s));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  std::string diff = compare_index_api(*d, truth, spec);
  ASSERT_TRUE(diff.empty()) << diff;
  const Frozen before = freeze(*d);
  ASSERT_EQ(before.solidified, truth.solidified);

  // Replace blocks from 3 below the solidified one: final history changes on the node.
  tronsim::v1::ReorgRequest req;
  req.set_fork_at(static_cast<int64_t>(truth.solidified) - 3);
  req.set_allow_below_solidified(true);
  TS_ASSIGN(const auto reorg, sim->reorg(req));
  ASSERT_LE(static_cast<uint64_t>(reorg.reorg().fork_at()), truth.solidified);

  ASSERT_TRUE(d->wait_for_log("FATAL_INCONSISTENCY", 60s)) << tail(d->log_text());
  expect_halted(*d, before);
  {
    const std::string log = d->log_text();
    const size_t at = log.find("FATAL_INCONSISTENCY");
    const std::string line = log.substr(at, log.find('\n', at) - at);
    EXPECT_NE(line.find("solidified"), std::string::npos) << line;
    EXPECT_EQ(log.find("reorg: depth"), std::string::npos) << "the daemon started reverting final blocks";
  }
  // Still serving reads, and the index is the old (final) history, untouched.
  diff = compare_index_api(*d, truth, spec);
  EXPECT_TRUE(diff.empty()) << "the index changed after the fatal reorg:\n" << diff;
  // More blocks on the node change nothing either.
  TS_ASSERT_OK(sim->advance(3));
  {
    std::string phase;
    EXPECT_FALSE(testsupport::wait_until(
        [&] {
          auto st = d->status();
          return !st.ok() || st->journal_next_seq() != before.journal_next || st->phase() != "halted";
        },
        2s, 100ms))
        << "the halted daemon moved";
  }

  ExitStatus st = d->stop();
  EXPECT_TRUE(st.exited && st.code == 3) << "SIGTERM after a halt: " << st.describe();
  auto violations = db_invariants(d->data_dir());
  EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
  TS_ASSIGN(const DbView db, read_db(d->data_dir()));
  EXPECT_EQ(db.tip_id, before.tip_id);
  EXPECT_EQ(db.next_seq, before.journal_next);
  std::map<std::string, std::vector<TruthTransfer>> versions;
  add_versions(truth, versions);
  diff = compare_db_blocks(db, versions, spec);
  EXPECT_TRUE(diff.empty()) << diff;

  // A restart finds the same inconsistency and halts again, still without writing.
  TS_ASSERT_OK(d.restart_fresh());
  expect_halted(*d, before);
  st = d->stop();
  EXPECT_TRUE(st.exited && st.code == 3) << "SIGTERM after a halt on restart: " << st.describe();
  TS_ASSIGN(const DbView db2, read_db(d->data_dir()));
  EXPECT_EQ(db2.next_seq, before.journal_next);
  EXPECT_EQ(db2.tip_id, before.tip_id);
}

}  // namespace
}  // namespace tronidx::engine
