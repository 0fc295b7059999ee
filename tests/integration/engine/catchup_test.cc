// Catch-up from a start block, then follow: the index equals the simulator's ground truth, in `watched`
// mode (hot addresses) and in `all` mode (every token, TRX included; TRC10 only when enabled; a token
// list), with every transfer carrying its canonical block id. While the daemon catches up, whatever it
// has indexed so far is checked against the truth too ("never wrong, only late").
#include <gtest/gtest.h>

#include <csignal>

#include "engine_util.h"
#include "testsupport/wait.h"
#include "tronidx/chain/address.h"

namespace tronidx::engine {
namespace {

// An address of our own, made a hot address of the simulator with --hot-address.
std::string explicit_hot_address() {
  std::array<uint8_t, 21> raw{};
  raw[0] = 0x41;
  for (size_t i = 1; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(0x5a + 7 * i);
  return chain::Address::from_raw(raw).to_base58();
}

// Follows the daemon through its catch-up, checking after every progress step that the index up to its
// tip equals the truth. Returns the number of distinct tips checked.
int follow_catch_up(const DaemonProcess& d, const ChainTruth& truth, const IndexSpec& spec) {
  uint64_t last = 0;
  int checks = 0;
  std::string error;
  const bool done = testsupport::wait_until(
      [&] {
        uint64_t tip = 0;
        error = check_prefix_api(d, truth, spec, &tip);
        if (!error.empty()) return true;
        if (tip != last) {
          last = tip;
          ++checks;
        }
        return tip >= truth.head;
      },
      180s, 100ms);
  EXPECT_TRUE(error.empty()) << "the index was wrong during catch-up:\n" << error;
  EXPECT_TRUE(done) << "catch-up did not finish; tip " << last << " of " << truth.head << "\n" << tail(d.log_text());
  return checks;
}

// Produces `steps` × `blocks` blocks, waiting for the daemon and comparing after each step.
void follow_and_compare(const SimProcess& sim, const DaemonProcess& d, const IndexSpec& spec, int steps, int blocks) {
  for (int i = 0; i < steps; ++i) {
    TS_ASSERT_OK(sim.advance(blocks));
    TS_ASSERT_OK(wait_synced(d, sim, 120s));
    TS_ASSIGN(const ChainTruth truth, read_truth(sim));
    const std::string diff = compare_index_api(d, truth, spec);
    ASSERT_TRUE(diff.empty()) << "after following to " << truth.head << ":\n" << diff;
  }
}

// Stops the daemon (SIGTERM: exit 0), then checks the database itself: invariants, and every canonical
// block holds exactly the transfers the spec selects from the truth.
void stop_and_check_db(DaemonProcess& d, const SimProcess& sim, const IndexSpec& spec) {
  const ExitStatus st = d.stop();
  EXPECT_TRUE(st.success()) << st.describe() << "\n" << tail(d.log_text());
  const auto violations = db_invariants(d.data_dir());
  EXPECT_TRUE(violations.empty()) << "database invariants:\n" << ::testing::PrintToString(violations);
  TS_ASSIGN(const ChainTruth truth, read_truth(sim));
  TS_ASSIGN(const DbView db, read_db(d.data_dir()));
  ASSERT_TRUE(db.exists && db.has_base);
  EXPECT_EQ(db.tip, truth.head);
  EXPECT_EQ(db.tip_id, truth.head_id);
  EXPECT_EQ(db.block_ids.size(), truth.head - spec.base);
  std::map<std::string, std::vector<TruthTransfer>> versions;
  add_versions(truth, versions);
  const std::string diff = compare_db_blocks(db, versions, spec);
  EXPECT_TRUE(diff.empty()) << diff;
  // Catch-up and follow without reorgs: one APPLY per block, in order, and no REVERT.
  uint64_t expect_next = spec.base + 1;
  for (const auto& r : db.journal) {
    ASSERT_NE(r.type, store::RecordType::kRevert) << "REVERT record " << r.seq << " without a reorg";
    if (r.type != store::RecordType::kApply) continue;
    ASSERT_EQ(r.block.block_num, expect_next) << "APPLY record " << r.seq << " out of order";
    ++expect_next;
  }
  EXPECT_EQ(expect_next, truth.head + 1);
}

TEST(EngineCatchUp, WatchedModeHotAddressesCatchUpThenFollow) {
  const std::string mine = explicit_hot_address();
  TS_ASSIGN(auto sim, start_sim({"--seed", "11", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                     "260", "--hot-addresses", "3", "--hot-share", "0.3", "--hot-address", mine}));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  ASSERT_EQ(truth.hot_addresses.size(), 4u) << ::testing::PrintToString(truth.hot_addresses);
  ASSERT_NE(std::find(truth.hot_addresses.begin(), truth.hot_addresses.end(), mine), truth.hot_addresses.end());

  IndexSpec spec;
  spec.all = false;
  spec.watched = {mine, truth.hot_addresses[0]};
  for (const auto& a : truth.hot_addresses) {
    if (spec.watched.count(a) == 0) spec.extra_addresses.push_back(a);  // hot but not watched
  }
  spec.base = 4;
  ASSERT_GT(expected_transfers(truth.transfers, spec, truth.head).size(), 100u) << "too few hot transfers to test";

  auto o = daemon_options(spec, {sim->full_node_endpoint()});
  o.start_block = spec.base + 1;
  TS_ASSIGN(auto d, Daemon::start(o));
  const int checks = follow_catch_up(*d, truth, spec);
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  EXPECT_TRUE(d->log_text().find("catch-up: blocks") != std::string::npos) << "the catch-up pipeline did not run";
  const std::string diff = compare_index_api(*d, truth, spec, 150);
  ASSERT_TRUE(diff.empty()) << diff;
  std::cout << "checked " << checks << " intermediate tips during catch-up" << std::endl;

  follow_and_compare(*sim, *d, spec, 4, 5);
  stop_and_check_db(*d, *sim, spec);
}

TEST(EngineCatchUp, AllModeEveryTokenFromBlockOne) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "12", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                     "260", "--hot-addresses", "2", "--hot-share", "0.2"}));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  IndexSpec spec;
  spec.all = true;
  spec.base = 0;  // start_block 1: from the first block after genesis
  spec.extra_addresses = truth.hot_addresses;
  std::map<std::string, size_t> senders;
  std::set<std::string> kinds;
  for (const auto& t : truth.transfers) {
    ++senders[t.from];
    kinds.insert(t.kind);
  }
  ASSERT_EQ(kinds, (std::set<std::string>{"TRC10", "TRC20", "TRX"})) << "the chain should hold every kind";
  std::vector<std::pair<size_t, std::string>> busiest;
  for (const auto& [a, n] : senders) busiest.emplace_back(n, a);
  std::sort(busiest.rbegin(), busiest.rend());
  for (size_t i = 0; i < 3 && i < busiest.size(); ++i) spec.extra_addresses.push_back(busiest[i].second);

  auto o = daemon_options(spec, {sim->full_node_endpoint()});
  o.start_block = 1;
  TS_ASSIGN(auto d, Daemon::start(o));
  follow_catch_up(*d, truth, spec);
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  const std::string diff = compare_index_api(*d, truth, spec, 60);
  ASSERT_TRUE(diff.empty()) << diff;
  follow_and_compare(*sim, *d, spec, 3, 7);
  stop_and_check_db(*d, *sim, spec);
}

TEST(EngineCatchUp, AllModeTrc10AndTokenList) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "13", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                     "180"}));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  std::map<std::string, size_t> trc20;
  size_t trc10 = 0;
  for (const auto& t : truth.transfers) {
    if (t.kind == "TRC20") ++trc20[t.token];
    if (t.kind == "TRC10" && t.block_num > 20) ++trc10;
  }
  ASSERT_GT(trc10, 0u) << "the chain should hold TRC10 transfers";
  ASSERT_GE(trc20.size(), 2u);
  std::string rare_token;
  size_t rare = SIZE_MAX;
  for (const auto& [token, n] : trc20) {
    if (n < rare) {
      rare = n;
      rare_token = token;
    }
  }

  {
    SCOPED_TRACE("all mode, every token, TRC10 on");
    IndexSpec spec;
    spec.all = true;
    spec.trc10 = true;
    spec.base = 20;
    auto o = daemon_options(spec, {sim->full_node_endpoint()});
    o.start_block = spec.base + 1;
    TS_ASSIGN(auto d, Daemon::start(o));
    TS_ASSERT_OK(wait_synced(*d, *sim, 180s));
    const std::string diff = compare_index_api(*d, truth, spec, 150);
    ASSERT_TRUE(diff.empty()) << diff;
    stop_and_check_db(*d, *sim, spec);
  }
  {
    SCOPED_TRACE("all mode, tokens = [TRX, " + rare_token + "]");
    IndexSpec spec;
    spec.all = true;
    spec.tokens = {"TRX", rare_token};
    spec.base = 20;
    auto o = daemon_options(spec, {sim->full_node_endpoint()});
    o.start_block = spec.base + 1;
    TS_ASSIGN(auto d, Daemon::start(o));
    TS_ASSERT_OK(wait_synced(*d, *sim, 180s));
    const std::string diff = compare_index_api(*d, truth, spec, 150);
    ASSERT_TRUE(diff.empty()) << diff;
    stop_and_check_db(*d, *sim, spec);
  }
}

TEST(EngineCatchUp, StartBlockAheadOfTheNodeWaitsForIt) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "14", "--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "30"}));
  IndexSpec spec;
  spec.all = true;
  spec.base = 34;  // the node's head is 30: blocks 31..35 do not exist yet
  auto o = daemon_options(spec, {sim->full_node_endpoint()});
  o.start_block = spec.base + 1;
  TS_ASSIGN(auto d, Daemon::start(o));
  TS_ASSIGN(const auto waiting, d->status());
  EXPECT_EQ(waiting.tip_block_num(), 0u);
  EXPECT_EQ(waiting.base_block_num(), 0u) << "a base was set before the start block existed";
  TS_ASSERT_OK(sim->advance(3));  // head 33: still not there
  TS_ASSERT_OK(sim->advance(7));  // head 40
  TS_ASSERT_OK(wait_synced(*d, *sim, 60s));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  const std::string diff = compare_index_api(*d, truth, spec, 30);
  EXPECT_TRUE(diff.empty()) << diff;
  stop_and_check_db(*d, *sim, spec);
}

}  // namespace
}  // namespace tronidx::engine
