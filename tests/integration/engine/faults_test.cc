// Node faults: 20 % UNAVAILABLE, latency spikes beyond the call deadline, empty answers for a while,
// infos missing for a while, connection drops, garbage answers, and a dead first endpoint with failover
// to a second one. The daemon catches up (pipeline) and follows (block by block) through them; what it
// has indexed is checked against the truth all along ("never wrong, only late"); at the end the index
// equals the ground truth, the database passes its invariants, and its journal holds exactly one APPLY
// per block and no REVERT (the simulated chain never reorganised, so nothing may ever be reverted).
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "engine_util.h"
#include "testsupport/wait.h"

namespace tronidx::engine {
namespace {

struct FaultCase {
  std::string name;
  // The faults, set just before the daemon starts (so that windows open on its first calls).
  std::function<void(tronsim::v1::FaultConfig&)> faults;
  // The counter that proves the fault happened.
  std::function<int64_t(const tronsim::v1::FaultCounters&)> counter;
  bool dead_first_endpoint = false;
  // Set the faults only once the daemon has caught up, then let it poll the head through them for a
  // while before the chain moves on (the follow paths: head polling, tip re-validation, single blocks).
  bool after_catch_up = false;
};

void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

class EngineFaults : public ::testing::TestWithParam<FaultCase> {};

TEST_P(EngineFaults, IndexEqualsGroundTruth) {
  const FaultCase& fc = GetParam();
  std::vector<std::string> args = {"--seed", "41", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                    "150"};
  TS_ASSIGN(auto sim, start_sim(args));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  tronsim::v1::FaultConfig faults;
  if (fc.faults) fc.faults(faults);
  if (fc.faults && !fc.after_catch_up) TS_ASSERT_OK(sim->set_faults(faults));

  IndexSpec spec;
  spec.all = true;
  spec.base = 0;
  std::vector<std::string> endpoints;
  std::string dead;
  if (fc.dead_first_endpoint) {
    dead = "127.0.0.1:" + std::to_string(testsupport::free_port());  // nothing listens there
    endpoints.push_back(dead);
  }
  endpoints.push_back(sim->full_node_endpoint());
  auto o = daemon_options(spec, endpoints);
  o.start_block = 1;
  TS_ASSIGN(auto d, Daemon::start(o));

  // Catch-up through the faults, checking every intermediate tip.
  uint64_t last = 0;
  int checks = 0;
  std::string wrong;
  const bool caught_up = testsupport::wait_until(
      [&] {
        uint64_t tip = 0;
        wrong = check_prefix_api(*d, truth, spec, &tip);
        if (!wrong.empty()) return true;
        if (tip != last) ++checks;
        last = tip;
        return tip >= truth.head;
      },
      240s, 100ms);
  ASSERT_TRUE(wrong.empty()) << "the index was wrong during catch-up:\n" << wrong << "\nlog tail:\n" << tail(d->log_text());
  ASSERT_TRUE(caught_up) << "tip " << last << " of " << truth.head << "\n" << tail(d->log_text());
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  std::string diff = compare_index_api(*d, truth, spec, 20);
  ASSERT_TRUE(diff.empty()) << diff;

  if (fc.faults && fc.after_catch_up) {
    TS_ASSERT_OK(sim->set_faults(faults));
    EXPECT_TRUE(testsupport::wait_until(
        [&] {
          auto st = sim->status();
          return st.ok() && fc.counter(st->fault_counters()) >= 60;
        },
        60s, 50ms));
    TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
    diff = compare_index_api(*d, truth, spec, 20);
    ASSERT_TRUE(diff.empty()) << diff;
  }

  // Following through the faults: at least two steps, and until the fault has happened (a periodic fault
  // such as a connection drop may not have come yet when a fast catch-up ends).
  const auto follow_until = std::chrono::steady_clock::now() + 60s;
  for (int step = 0;; ++step) {
    if (step >= 2) {
      TS_ASSIGN(const auto st, sim->status());
      if (!fc.counter || fc.counter(st.fault_counters()) > 0 || std::chrono::steady_clock::now() > follow_until) break;
      std::this_thread::sleep_for(200ms);
    }
    TS_ASSERT_OK(sim->advance(6));
    TS_ASSERT_OK(wait_synced(*d, *sim, 180s));
  }
  TS_ASSIGN(const ChainTruth final_truth, read_truth(*sim));
  diff = compare_index_api(*d, final_truth, spec, 20);
  ASSERT_TRUE(diff.empty()) << diff;

  TS_ASSIGN(const auto sim_status, sim->status());
  if (fc.counter) {
    EXPECT_GT(fc.counter(sim_status.fault_counters()), 0) << "the fault never happened: "
                                                          << sim_status.fault_counters().ShortDebugString();
  }
  std::cout << fc.name << ": " << checks << " intermediate tips checked; fault counters "
            << sim_status.fault_counters().ShortDebugString() << std::endl;

  const std::string log = d->log_text();
  EXPECT_EQ(log.find("reorg: depth"), std::string::npos) << "a revert without a reorg:\n" << tail(log);
  EXPECT_EQ(log.find("FATAL_INCONSISTENCY"), std::string::npos) << tail(log);

  const ExitStatus st = d->stop();
  EXPECT_TRUE(st.success()) << st.describe() << "\n" << tail(d->log_text());
  const auto violations = db_invariants(d->data_dir());
  EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
  TS_ASSIGN(const DbView db, read_db(d->data_dir()));
  std::map<std::string, std::vector<TruthTransfer>> versions;
  add_versions(final_truth, versions);
  EXPECT_EQ(db.tip_id, final_truth.head_id);
  diff = compare_db_blocks(db, versions, spec);
  EXPECT_TRUE(diff.empty()) << diff;
  uint64_t next = spec.base + 1;
  size_t reverts = 0;
  for (const auto& r : db.journal) {
    if (r.type == store::RecordType::kRevert) ++reverts;
    if (r.type != store::RecordType::kApply) continue;
    EXPECT_EQ(r.block.block_num, next) << "APPLY record " << r.seq;
    next = r.block.block_num + 1;
  }
  EXPECT_EQ(reverts, 0u) << "the journal holds REVERT records although the chain never reorganised";
  EXPECT_EQ(next, final_truth.head + 1);
}

using tronsim::v1::FaultConfig;
using tronsim::v1::FaultCounters;

INSTANTIATE_TEST_SUITE_P(
    Node, EngineFaults,
    ::testing::Values(
        FaultCase{"Unavailable20Percent", [](FaultConfig& f) { f.set_unavailable_rate(0.2); },
                  [](const FaultCounters& c) { return c.unavailable(); }},
        FaultCase{"LatencySpikes",
                  [](FaultConfig& f) {
                    // Spikes beyond the daemon's 5 s call deadline (DEADLINE_EXCEEDED) as well as jitter.
                    f.set_latency_ms(2);
                    f.set_latency_jitter_ms(10);
                    f.set_spike_rate(0.03);
                    f.set_spike_ms(6000);
                  },
                  [](const FaultCounters& c) { return c.spikes(); }},
        FaultCase{"EmptyAnswersForAWhile",
                  [](FaultConfig& f) {
                    f.mutable_empty_answers()->set_duration_ms(1500);
                    f.mutable_empty_answers()->set_period_ms(5000);
                  },
                  [](const FaultCounters& c) { return c.empty_answers(); }},
        FaultCase{"InfosMissingForAWhile",
                  [](FaultConfig& f) {
                    f.mutable_infos_missing()->set_duration_ms(1500);
                    f.mutable_infos_missing()->set_period_ms(5000);
                  },
                  [](const FaultCounters& c) { return c.infos_missing(); }},
        FaultCase{"ConnectionDrops",
                  [](FaultConfig& f) {
                    f.set_drop_interval_ms(1500);
                    f.set_drop_down_ms(400);
                  },
                  [](const FaultCounters& c) { return c.drops(); }},
        FaultCase{"GarbageAnswers",
                  [](FaultConfig& f) {
                    f.set_garbage_rate(0.2);
                    f.set_garbage_scope(tronsim::v1::SCOPE_DATA);
                  },
                  [](const FaultCounters& c) { return c.garbage(); }},
        FaultCase{"GarbageWhileFollowing",
                  [](FaultConfig& f) {
                    f.set_garbage_rate(0.3);
                    f.set_garbage_scope(tronsim::v1::SCOPE_DATA);
                  },
                  [](const FaultCounters& c) { return c.garbage(); }, false, true},
        FaultCase{"DeadFirstEndpoint", nullptr, nullptr, true}),
    [](const ::testing::TestParamInfo<FaultCase>& p) { return p.param.name; });

}  // namespace
}  // namespace tronidx::engine
