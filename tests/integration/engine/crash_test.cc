// Crash safety: tronidxd is killed with SIGKILL at random instants — during catch-up of a pre-built
// chain (its commits both ingested table files and write batches), and around reorganisations made while
// it is down or while it runs — and restarted each time.
// After every kill the database, opened read-only, must be exactly a committed prefix: its invariants
// hold (tip consistent with blocks, transfers and every index; journal contiguous; nothing above the
// tip), and every canonical block in it is a block the simulator really had, holding exactly that
// block's transfers. At the end the index equals the ground truth: nothing lost, nothing duplicated.
//
// The kill delays and chain changes come from a seeded RNG: the seed is printed, and TRONIDX_TEST_SEED
// replays it. TRONIDX_LONG_TESTS multiplies the number of kills.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "engine_util.h"
#include "testsupport/temp_dir.h"
#include "testsupport/wait.h"

namespace tronidx::engine {
namespace {

using Versions = std::map<std::string, std::vector<TruthTransfer>>;

// Table files RocksDB ingested during the last run on `data_dir` (the lines its LOG writes for each).
size_t ingested_files(const std::filesystem::path& data_dir) {
  std::ifstream log(data_dir / "LOG");
  std::string line;
  size_t n = 0;
  while (std::getline(log, line)) n += line.find("External SST file") != std::string::npos ? 1 : 0;
  return n;
}

// Runs tronidxd on the configuration (and data dir) of `d`'s first incarnation and SIGKILLs it. Every run
// is spawned directly: with `early` the delay counts from the spawn (so the kill may land before the API
// is up: store creation and opening, the genesis check); otherwise from the moment its API answers
// (probed on a fresh channel). Fails the test if the daemon was already dead: it must never exit by itself.
class Killer {
 public:
  Killer(const DaemonProcess& d, uint64_t seed) : d_(d), rng_(seed), dir_("tronidxd-crash") {}

  uint64_t uniform(uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_); }

  // Starts a run; false (after a test failure) if it cannot start or its API never answers.
  bool start(bool early) {
    testsupport::ChildOptions c;
    c.program = DaemonProcess::default_binary().string();
    c.args = {"-c", d_.config_path().string()};
    c.stderr_path = log_path(++runs_);
    auto child = testsupport::ChildProcess::spawn(c);
    EXPECT_TRUE(child.ok()) << child.error().message;
    if (!child.ok()) return false;
    child_.emplace(std::move(*child));
    if (early) return true;
    bool exited = false;
    const bool up = testsupport::wait_until(
        [&] {
          if (!child_->running()) return exited = true;
          return status().ok();
        },
        120s, 20ms);
    EXPECT_TRUE(up && !exited) << "tronidxd " << (exited ? "exited" : "did not answer") << ":\n" << tail(last_log());
    return up && !exited;
  }

  // Waits `delay` (the process must keep running meanwhile) and SIGKILLs it.
  bool kill_after(std::chrono::milliseconds delay) {
    auto exited = child_->wait_for(delay);
    EXPECT_FALSE(exited.has_value()) << "tronidxd exited by itself: " << exited->describe() << "\n" << tail(last_log());
    if (exited) return false;
    const ExitStatus st = child_->kill_and_wait();
    child_.reset();
    EXPECT_TRUE(!st.exited && st.signal == SIGKILL) << "tronidxd was not running when killed: " << st.describe();
    return !st.exited && st.signal == SIGKILL;
  }

  Result<v1::GetStatusResponse> status() const { return status_at(d_.api_endpoint(), 1s); }
  std::string last_log() const { return testsupport::read_text_file(log_path(runs_)); }

 private:
  std::filesystem::path log_path(int run) const { return dir_.file("run-" + std::to_string(run) + ".log"); }

  const DaemonProcess& d_;
  std::mt19937_64 rng_;
  testsupport::TempDir dir_;
  std::optional<testsupport::ChildProcess> child_;
  int runs_ = 0;
};

// The database after a kill: a committed prefix of a real chain. Returns the view (for more checks).
DbView check_after_kill(const DaemonProcess& d, const Versions& versions, const IndexSpec& spec, int kill,
                        const std::string& log) {
  SCOPED_TRACE("after kill #" + std::to_string(kill));
  DbView db;
  const auto violations = db_invariants(d.data_dir());
  EXPECT_TRUE(violations.empty()) << "database invariants after kill #" << kill << ":\n"
                                  << ::testing::PrintToString(violations) << "\nlog tail:\n" << tail(log, 2500);
  auto v = read_db(d.data_dir());
  EXPECT_TRUE(v.ok()) << v.error().message;
  if (!v.ok()) return db;
  db = std::move(*v);
  const std::string diff = compare_db_blocks(db, versions, spec);
  EXPECT_TRUE(diff.empty()) << "after kill #" << kill << ":\n" << diff << "\nlog tail:\n" << tail(log, 2500);
  return db;
}

// Final state: restart, catch up, compare through the API and in the database.
void final_check(Daemon& d, const SimProcess& sim, const IndexSpec& spec) {
  TS_ASSERT_OK(sim.set_faults(tronsim::v1::FaultConfig()));  // no more latency: catch up fast
  TS_ASSERT_OK(d.restart_fresh());
  TS_ASSERT_OK(wait_synced(*d, sim, 240s));
  TS_ASSIGN(const ChainTruth truth, read_truth(sim));
  const std::string diff = compare_index_api(*d, truth, spec, 50);
  ASSERT_TRUE(diff.empty()) << "final index:\n" << diff;
  const ExitStatus st = d->stop();
  EXPECT_TRUE(st.success()) << st.describe();
  const auto violations = db_invariants(d.data_dir());
  EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
  TS_ASSIGN(const DbView db, read_db(d.data_dir()));
  Versions final_versions;
  add_versions(truth, final_versions);
  EXPECT_EQ(db.tip_id, truth.head_id);
  EXPECT_EQ(db.block_ids.size(), truth.head - spec.base);
  const std::string db_diff = compare_db_blocks(db, final_versions, spec);
  EXPECT_TRUE(db_diff.empty()) << db_diff;
}

TEST(EngineCrash, KillDuringCatchUp) {
  const uint64_t seed = test_seed();
  const int kills = 30 * long_factor();
  // Node latency keeps catch-up slow (tens of blocks per run), so the kills land in it while the
  // database stays small enough to be checked in full after every kill.
  TS_ASSIGN(auto sim, start_sim({"--seed", "51", "--profile", "small", "--txs-per-block", "8", "--block-interval-ms",
                                     "0", "--prebuild", "1200", "--latency-ms", "100", "--latency-scope", "data"}));
  TS_ASSIGN(ChainTruth truth, read_truth(*sim));
  Versions versions;
  add_versions(truth, versions);
  IndexSpec spec;
  spec.all = true;
  spec.base = 0;
  auto o = daemon_options(spec, {sim->full_node_endpoint()});
  o.start_block = 1;
  o.sync_settings = {"fetch_concurrency = 2", "ranges_in_flight = 2"};
  // Commits with transfers go in as ingested table files (src/store/ingest.h), those of empty blocks as
  // write batches: kills land in both.
  o.store_settings = {"ingest_min_writes = 20"};
  TS_ASSIGN(auto d, Daemon::start(o));
  // That first run wrote the configuration every killed run uses; it is killed at once (kill #0).
  const ExitStatus first = d->kill();
  ASSERT_FALSE(first.exited) << first.describe();

  Killer killer(*d, seed);
  uint64_t last_tip = 0, last_seq = 0;
  int mid_catch_up = 0, progressed = 0, empty = 0;
  size_t ingested = 0;
  for (int k = 0; k <= kills; ++k) {
    SCOPED_TRACE("kill #" + std::to_string(k) + " (seed " + std::to_string(seed) + ")");
    if (k > 0) {
      const bool early = killer.uniform(0, 3) == 0;
      if (!killer.start(early)) return;
      const auto delay = std::chrono::milliseconds(early ? killer.uniform(0, 2500) : killer.uniform(0, 1200));
      if (!killer.kill_after(delay)) return;
    }
    ingested += ingested_files(d->data_dir());  // before the checks open the database again
    const DbView db = check_after_kill(*d, versions, spec, k, k == 0 ? d->log_text() : killer.last_log());
    if (::testing::Test::HasFailure()) return;
    if (!db.exists || !db.has_base) {
      ++empty;
      EXPECT_EQ(last_tip, 0u) << "the database lost its committed content";
      continue;
    }
    // Durable commits: the tip never moves back without a reorg; one APPLY per block, no REVERT.
    EXPECT_GE(db.tip, last_tip) << "committed blocks were lost";
    EXPECT_GE(db.next_seq, last_seq) << "committed journal records were lost";
    uint64_t next = spec.base + 1;
    for (const auto& r : db.journal) {
      ASSERT_NE(r.type, store::RecordType::kRevert) << "REVERT record " << r.seq << " without a reorg";
      if (r.type != store::RecordType::kApply) continue;
      ASSERT_EQ(r.block.block_num, next) << "APPLY record " << r.seq << " duplicates or skips a block";
      ++next;
    }
    EXPECT_EQ(next, db.tip + 1);
    if (db.tip > last_tip) ++progressed;
    if (db.tip < truth.head) ++mid_catch_up;
    last_tip = db.tip;
    last_seq = db.next_seq;
    // Keep the kills landing in catch-up: when it is nearly done, let the node run far ahead again.
    if (db.tip + 150 > truth.head) {
      TS_ASSERT_OK(sim->advance(300));
      TS_ASSIGN(truth, read_truth(*sim));
      add_versions(truth, versions);
    }
  }
  std::cout << "kills: " << kills << ", mid-catch-up " << mid_catch_up << ", with progress " << progressed
            << ", before anything was committed " << empty << ", final chain " << truth.head << " blocks, "
            << ingested << " table files ingested" << std::endl;
  EXPECT_GE(mid_catch_up, kills / 2) << "too few kills landed during catch-up";
  EXPECT_GE(progressed, kills / 4) << "the daemon hardly progressed between kills";
  EXPECT_GT(ingested, 0u) << "no commit went in as ingested table files";
  final_check(d, *sim, spec);
}

TEST(EngineCrash, KillAroundReorgs) {
  const uint64_t seed = test_seed();
  const int kills = 22 * long_factor();
  // Node latency stretches the handling of a reorg (the fork-point walk, the new branch fetched block by
  // block) to a window that kills can hit.
  TS_ASSIGN(auto sim, start_sim({"--seed", "52", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                     "100", "--solid-lag", "30", "--latency-ms", "25", "--latency-scope", "data"}));
  TS_ASSIGN(ChainTruth truth, read_truth(*sim));
  Versions versions;
  add_versions(truth, versions);
  IndexSpec spec;
  spec.all = true;
  TS_ASSIGN(auto d, Daemon::start(daemon_options(spec, {sim->full_node_endpoint()})));
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  TS_ASSIGN(const auto status, d->status());
  spec.base = status.base_block_num();
  d->kill();

  Killer killer(*d, seed);
  // Changes the chain: a few new blocks, usually a reorg within finality (depth 1..12).
  auto mutate = [&](bool force_deep_reorg) {
    const uint64_t blocks = killer.uniform(0, 3);
    if (blocks > 0) TS_ASSERT_OK(sim->advance(static_cast<int64_t>(blocks)));
    if (force_deep_reorg || killer.uniform(0, 3) != 0) {
      tronsim::v1::ReorgRequest req;
      const uint64_t depth = killer.uniform(force_deep_reorg ? 6 : 1, 12);
      req.set_depth(static_cast<int64_t>(depth));
      req.set_new_length(static_cast<int64_t>(depth + killer.uniform(0, 3)));
      TS_ASSERT_OK(sim->reorg(req));
    }
    TS_ASSIGN(truth, read_truth(*sim));
    add_versions(truth, versions);
  };

  int live = 0, reverted_in_journal = 0, off_chain = 0, mid_revert = 0, total_kills = 0;
  // After the random kills, extra rounds that aim at the reorg window until one lands there (the random
  // ones may all miss it on a loaded machine): the daemon synced to the node's head, a deep reorg while it
  // is down, and a kill soon after its restart, while it walks back to the fork point and fetches the new
  // branch.
  constexpr int kMaxAimed = 12;
  for (int k = 1; k <= kills + kMaxAimed; ++k) {
    const bool aimed = k > kills;
    if (aimed && off_chain > 0) break;
    ++total_kills;
    SCOPED_TRACE("kill #" + std::to_string(k) + (aimed ? " (aimed)" : "") + " (seed " + std::to_string(seed) + ")");
    const int variant = aimed ? 0 : static_cast<int>(killer.uniform(0, 2));
    if (variant == 0) {
      if (aimed) {
        // From the node's head: the random kills may have left the tip further below it than any reorg
        // reaches (12 blocks), and then no kill can find it off the node's chain.
        if (!killer.start(false)) return;
        TS_ASSERT_OK(wait_synced([&] { return killer.status(); }, *sim, 60s, [&] { return killer.last_log(); }));
        if (!killer.kill_after(std::chrono::milliseconds(0))) return;
      }
      // The node reorganised while the daemon was down; kill it while it reverts and re-indexes.
      mutate(aimed);
      if (::testing::Test::HasFailure()) return;
      const bool early = killer.uniform(0, 2) == 0 || aimed;
      if (!killer.start(early)) return;
      const uint64_t max_delay_ms = aimed ? 300 : early ? 2000 : 1000;
      if (!killer.kill_after(std::chrono::milliseconds(killer.uniform(0, max_delay_ms)))) return;
    } else {
      // The node reorganises while the daemon runs; kill it around the time it notices.
      ++live;
      if (!killer.start(false)) return;
      TS_ASSERT_OK(wait_synced([&] { return killer.status(); }, *sim, 60s, [&] { return killer.last_log(); }));
      const size_t reorgs_logged = count_occurrences(killer.last_log(), "reorg: depth");
      mutate(false);
      if (::testing::Test::HasFailure()) return;
      if (variant == 2) {
        // Right after the reorg line: the reverts are being committed one by one, then the new branch.
        testsupport::wait_until([&] { return count_occurrences(killer.last_log(), "reorg: depth") > reorgs_logged; },
                                5s, 2ms);
        if (!killer.kill_after(std::chrono::milliseconds(killer.uniform(0, 150)))) return;
      } else {
        if (!killer.kill_after(std::chrono::milliseconds(killer.uniform(0, 800)))) return;
      }
    }
    const DbView db = check_after_kill(*d, versions, spec, k, killer.last_log());
    if (::testing::Test::HasFailure()) return;
    if (db.exists && db.has_base && db.tip_id != truth.block_id(db.tip)) ++off_chain;
    if (!db.journal.empty() && db.journal.back().type == store::RecordType::kRevert) ++mid_revert;
    reverted_in_journal = 0;
    for (const auto& r : db.journal) reverted_in_journal += r.type == store::RecordType::kRevert ? 1 : 0;
  }
  std::cout << "kills: " << kills << " random + " << std::max(0, total_kills - kills) << " aimed (" << live << " with the reorg while running); killed with the tip off the "
            << "node's chain " << off_chain << " times, between the reverts and the new branch " << mid_revert
            << " times; " << reverted_in_journal << " REVERT records; final chain " << truth.head << " blocks"
            << std::endl;
  EXPECT_GT(off_chain, 0) << "no kill landed before a reorg was fully handled";
  EXPECT_GT(reverted_in_journal, 0) << "the daemon never reverted anything";
  final_check(d, *sim, spec);
}

}  // namespace
}  // namespace tronidx::engine
