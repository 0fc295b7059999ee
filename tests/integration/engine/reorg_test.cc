// Reorganisations: scripted reorgs of depth 1, 2, 5 and 25, random reorgs, and a reorg that happened
// while the daemon was down. After each, once the daemon has caught up, the index equals the ground
// truth; the journal shows the reverts (REVERTED events on a Subscribe stream started before the reorg,
// and the daemon's "reorg: depth D" log line); orphaned transactions that reappear in the new branch are
// indexed at their new position only.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine_util.h"
#include "testsupport/wait.h"

namespace tronidx::engine {
namespace {

// Subscribe filter of every TRX/TRC20 token of the chain (all mode indexes them all; TRC10 is off).
v1::SubscribeRequest token_filter(const ChainTruth& truth, std::set<std::string>& tokens) {
  v1::SubscribeRequest req;
  for (const auto& t : truth.transfers) {
    if (t.kind != "TRC10") tokens.insert(t.token);
  }
  for (const auto& t : tokens) req.add_tokens(t);
  return req;
}

// Waits until the stream is live on the server (its first heartbeat arrived).
void wait_stream_ready(const EventStream& s) {
  ASSERT_TRUE(testsupport::wait_until([&] { return s.heartbeats() > 0 || !s.events().empty() || s.ended(); }, 30s))
      << "no heartbeat on the Subscribe stream";
  ASSERT_FALSE(s.ended()) << describe(s.status());
}

// The transfers of `truth` in blocks >= from that `spec` indexes and `tokens` matches.
std::vector<TruthTransfer> transfers_from(const ChainTruth& truth, const IndexSpec& spec,
                                          const std::set<std::string>& tokens, uint64_t from) {
  std::vector<TruthTransfer> out;
  for (const auto& t : truth.transfers) {
    if (t.block_num >= from && spec.indexes(t) && tokens.count(t.token) > 0) out.push_back(t);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<TruthTransfer> of_type(const std::vector<v1::Event>& events, size_t from, v1::Event::Type type) {
  std::vector<TruthTransfer> out;
  for (size_t i = from; i < events.size(); ++i) {
    if (events[i].type() == type) out.push_back(event_transfer(events[i]));
  }
  return out;
}

std::set<std::string> txids_of(const std::vector<TruthTransfer>& ts) {
  std::set<std::string> out;
  for (const auto& t : ts) out.insert(t.txid);
  return out;
}

void stop_and_check(DaemonProcess& d, const SimProcess& sim, const IndexSpec& spec) {
  const ExitStatus st = d.stop();
  EXPECT_TRUE(st.success()) << st.describe() << "\n" << tail(d.log_text());
  const auto violations = db_invariants(d.data_dir());
  EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
  TS_ASSIGN(const ChainTruth truth, read_truth(sim));
  TS_ASSIGN(const DbView db, read_db(d.data_dir()));
  std::map<std::string, std::vector<TruthTransfer>> versions;
  add_versions(truth, versions);
  EXPECT_EQ(db.tip_id, truth.head_id);
  const std::string diff = compare_db_blocks(db, versions, spec);
  EXPECT_TRUE(diff.empty()) << diff;
}

// The event stream as a model: the indexed set when the stream started, plus ADDED, minus REVERTED, is
// the index at the end. A REVERTED names a transfer that is in the set; an ADDED one that is not.
std::string replay_events(std::vector<TruthTransfer> start, const std::vector<v1::Event>& events,
                          const std::vector<TruthTransfer>& end, size_t* reverted_count) {
  std::multiset<TruthTransfer> set(start.begin(), start.end());
  std::string out;
  *reverted_count = 0;
  for (const auto& e : events) {
    if (e.type() != v1::Event::ADDED && e.type() != v1::Event::REVERTED) continue;
    const TruthTransfer t = event_transfer(e);
    if (e.type() == v1::Event::ADDED) {
      if (set.count(t) > 0) out += "ADDED twice: " + testsupport::describe(t) + "\n";
      set.insert(t);
    } else {
      ++*reverted_count;
      auto it = set.find(t);
      if (it == set.end()) {
        out += "REVERTED but not indexed: " + testsupport::describe(t) + "\n";
      } else {
        set.erase(it);
      }
    }
    if (out.size() > 4000) break;
  }
  std::vector<TruthTransfer> final_set(set.begin(), set.end());
  const std::string diff = testsupport::diff(end, final_set);
  if (!diff.empty()) out += "start + ADDED - REVERTED differs from the final truth: " + diff;
  return out;
}

// Waits until the stream accounts for every commit so far: `start` + ADDED - REVERTED == `end`.
void wait_stream_matches(const EventStream& stream, const std::vector<TruthTransfer>& start,
                         const std::vector<TruthTransfer>& end) {
  size_t n = 0;
  const bool ok = stream.wait_for_events(
      [&](const std::vector<v1::Event>& ev) { return replay_events(start, ev, end, &n).empty(); }, 30s);
  ASSERT_TRUE(ok) << replay_events(start, stream.events(), end, &n);
}

TEST(EngineReorg, ScriptedDepths1_2_5_25) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "21", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                     "120", "--solid-lag", "40"}));
  TS_ASSIGN(ChainTruth truth, read_truth(*sim));
  IndexSpec spec;
  spec.all = true;
  auto o = daemon_options(spec, {sim->full_node_endpoint()});  // default start: the node's solidified + 1
  TS_ASSIGN(auto d, Daemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  TS_ASSIGN(const auto status, d->status());
  EXPECT_EQ(status.base_block_num(), truth.solidified) << "default start must be the node's solidified block + 1";
  spec.base = status.base_block_num();
  std::string diff = compare_index_api(*d, truth, spec);
  ASSERT_TRUE(diff.empty()) << diff;

  std::set<std::string> tokens;
  EventStream stream(*d, token_filter(truth, tokens));
  wait_stream_ready(stream);
  const auto start_set = transfers_from(truth, spec, tokens, 0);

  size_t reappeared_indexed = 0;
  for (const int depth : {1, 2, 5, 25}) {
    SCOPED_TRACE("reorg depth " + std::to_string(depth));
    TS_ASSIGN(const ChainTruth before, read_truth(*sim));
    wait_stream_matches(stream, start_set, transfers_from(before, spec, tokens, 0));
    const size_t first_event = stream.events().size();
    const size_t logged = count_occurrences(d->log_text(), "reorg: depth " + std::to_string(depth) + ",");
    tronsim::v1::ReorgRequest req;
    req.set_depth(depth);
    TS_ASSIGN(const auto reorg, sim->reorg(req));
    const uint64_t fork_at = static_cast<uint64_t>(reorg.reorg().fork_at());
    ASSERT_EQ(reorg.reorg().depth(), depth);
    ASSERT_GT(fork_at, spec.base);
    TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
    TS_ASSIGN(truth, read_truth(*sim));
    diff = compare_index_api(*d, truth, spec);
    ASSERT_TRUE(diff.empty()) << diff;

    // The journal: REVERTED for exactly the orphaned transfers (newest first), ADDED for the new branch.
    const auto orphaned = transfers_from(before, spec, tokens, fork_at);
    const auto added = transfers_from(truth, spec, tokens, fork_at);
    ASSERT_TRUE(stream.wait_for_events(
        [&](const std::vector<v1::Event>& ev) {
          std::vector<v1::Event> tail_events(ev.begin() + static_cast<long>(first_event), ev.end());
          return of_type(tail_events, 0, v1::Event::REVERTED).size() >= orphaned.size() &&
                 of_type(tail_events, 0, v1::Event::ADDED).size() >= added.size();
        },
        30s))
        << "events missing: expected " << orphaned.size() << " REVERTED and " << added.size() << " ADDED";
    const auto events = stream.events();
    const auto reverted = of_type(events, first_event, v1::Event::REVERTED);
    for (size_t i = 1; i < reverted.size(); ++i) {
      EXPECT_GT(std::tie(reverted[i - 1].block_num, reverted[i - 1].tx_index, reverted[i - 1].event_index),
                std::tie(reverted[i].block_num, reverted[i].tx_index, reverted[i].event_index))
          << "REVERTED events must come newest first";
    }
    for (const auto& t : reverted) {
      EXPECT_EQ(before.block_id(t.block_num), t.block_id) << "REVERTED names a block that was not the orphaned one";
    }
    std::vector<TruthTransfer> got = reverted;
    std::sort(got.begin(), got.end());
    diff = testsupport::diff(orphaned, got);
    EXPECT_TRUE(diff.empty()) << "REVERTED events vs the orphaned transfers: " << diff;
    got = of_type(events, first_event, v1::Event::ADDED);
    std::sort(got.begin(), got.end());
    diff = testsupport::diff(added, got);
    EXPECT_TRUE(diff.empty()) << "ADDED events vs the new branch: " << diff;
    EXPECT_TRUE(d->wait_for_log("reorg: depth " + std::to_string(depth) + ",", 5s));
    EXPECT_EQ(count_occurrences(d->log_text(), "reorg: depth " + std::to_string(depth) + ","), logged + 1);

    // Orphaned transactions: at their new position only (or nowhere).
    for (const auto& txid : txids_of(orphaned)) {
      diff = compare_txid(*d, txid, expected_transfers(truth.transfers, spec, truth.head));
      EXPECT_TRUE(diff.empty()) << diff;
    }
    const auto new_txids = txids_of(added);
    for (const auto& txid : txids_of(orphaned)) reappeared_indexed += new_txids.count(txid);

    TS_ASSERT_OK(sim->advance(2));
    TS_ASSERT_OK(wait_synced(*d, *sim, 60s));
  }
  EXPECT_GT(reappeared_indexed, 0u) << "no orphaned transfer reappeared: the test did not exercise re-inclusion";
  TS_ASSIGN(truth, read_truth(*sim));
  wait_stream_matches(stream, start_set, transfers_from(truth, spec, tokens, 0));
  stop_and_check(*d, *sim, spec);
}

TEST(EngineReorg, RandomReorgs) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "22", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                     "60", "--solid-lag", "20", "--reorg-rate", "0.25", "--reorg-max-depth", "6"}));
  TS_ASSIGN(ChainTruth truth, read_truth(*sim));
  IndexSpec spec;
  spec.all = true;
  TS_ASSIGN(auto d, Daemon::start(daemon_options(spec, {sim->full_node_endpoint()})));
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  TS_ASSIGN(const auto status, d->status());
  spec.base = status.base_block_num();
  TS_ASSIGN(truth, read_truth(*sim));
  std::string diff = compare_index_api(*d, truth, spec);
  ASSERT_TRUE(diff.empty()) << diff;

  std::set<std::string> tokens;
  auto filter = token_filter(truth, tokens);
  EventStream stream(*d, filter);
  wait_stream_ready(stream);
  const auto start_set = transfers_from(truth, spec, tokens, 0);
  TS_ASSIGN(const auto sim_before, sim->status());

  const int steps = 15 * long_factor();
  for (int i = 0; i < steps; ++i) {
    SCOPED_TRACE("step " + std::to_string(i));
    TS_ASSERT_OK(sim->advance(1 + i % 3));
    TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
    TS_ASSIGN(truth, read_truth(*sim));
    diff = compare_index_api(*d, truth, spec, 15);
    ASSERT_TRUE(diff.empty()) << diff;
  }
  TS_ASSIGN(const auto sim_after, sim->status());
  const int64_t reorgs = sim_after.reorgs() - sim_before.reorgs();
  std::cout << "tron-sim made " << reorgs << " random reorgs; tronidxd logged "
            << count_occurrences(d->log_text(), "reorg: depth") << " reorgs" << std::endl;
  ASSERT_GE(reorgs, 3) << "too few random reorgs to test anything";
  EXPECT_GE(count_occurrences(d->log_text(), "reorg: depth"), 1u) << "the daemon never reverted anything";

  // Every event of the stream accounted for.
  const auto end_set = transfers_from(truth, spec, tokens, 0);
  wait_stream_matches(stream, start_set, end_set);
  size_t reverted = 0;
  EXPECT_EQ(replay_events(start_set, stream.events(), end_set, &reverted), "");
  EXPECT_GT(reverted, 0u) << "no REVERTED event despite the reorgs";
  stop_and_check(*d, *sim, spec);
}

TEST(EngineReorg, ReorgWhileDaemonDownIsDetectedOnRestart) {
  // Watched mode this time (two hot addresses receiving half of the transfers): reverts must remove the
  // watched sides' index entries too.
  TS_ASSIGN(auto sim, start_sim({"--seed", "23", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                     "80", "--solid-lag", "30", "--hot-addresses", "2", "--hot-share", "0.5"}));
  TS_ASSIGN(ChainTruth truth, read_truth(*sim));
  IndexSpec spec;
  spec.all = false;
  spec.watched = {truth.hot_addresses.begin(), truth.hot_addresses.end()};
  TS_ASSIGN(auto d, Daemon::start(daemon_options(spec, {sim->full_node_endpoint()})));
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  TS_ASSERT_OK(sim->advance(5));
  TS_ASSERT_OK(wait_synced(*d, *sim, 60s));
  TS_ASSIGN(const auto status, d->status());
  spec.base = status.base_block_num();

  std::set<std::string> tokens;
  TS_ASSIGN(const ChainTruth before, read_truth(*sim));
  token_filter(before, tokens);
  v1::SubscribeRequest filter;  // empty filter: every watched address
  std::string cursor;
  {
    EventStream stream(*d, filter);
    wait_stream_ready(stream);
    cursor = stream.last_cursor();
  }
  ASSERT_FALSE(cursor.empty()) << "heartbeats carry no cursor";

  const ExitStatus stopped = d->stop();
  ASSERT_TRUE(stopped.success()) << stopped.describe();
  TS_ASSIGN(const DbView db_before, read_db(d->data_dir()));
  ASSERT_EQ(db_before.tip_id, before.head_id);

  tronsim::v1::ReorgRequest req;
  req.set_depth(6);
  req.set_new_length(8);
  TS_ASSIGN(const auto reorg, sim->reorg(req));
  const uint64_t fork_at = static_cast<uint64_t>(reorg.reorg().fork_at());
  TS_ASSIGN(truth, read_truth(*sim));

  TS_ASSERT_OK(d.restart_fresh());
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  std::string diff = compare_index_api(*d, truth, spec, 150);
  ASSERT_TRUE(diff.empty()) << diff;
  const std::string log = d->log_text();
  EXPECT_NE(log.find("is not on the node's chain"), std::string::npos) << tail(log);
  EXPECT_NE(log.find("reorg: depth 6,"), std::string::npos) << tail(log);

  // A subscriber that resumes from its cursor sees the reverts and the new branch.
  const auto orphaned = transfers_from(before, spec, tokens, fork_at);
  const auto added = transfers_from(truth, spec, tokens, fork_at);
  ASSERT_FALSE(orphaned.empty()) << "the orphaned blocks held no watched transfer: nothing to revert";
  filter.set_after_cursor(cursor);
  EventStream resumed(*d, filter);
  ASSERT_TRUE(resumed.wait_for_events(
      [&](const std::vector<v1::Event>& ev) {
        return of_type(ev, 0, v1::Event::REVERTED).size() >= orphaned.size() &&
               of_type(ev, 0, v1::Event::ADDED).size() >= added.size();
      },
      30s))
      << "resumed stream: " << resumed.events().size() << " events, status " << describe(resumed.status());
  auto got = of_type(resumed.events(), 0, v1::Event::REVERTED);
  std::sort(got.begin(), got.end());
  diff = testsupport::diff(orphaned, got);
  EXPECT_TRUE(diff.empty()) << "REVERTED after restart vs orphaned: " << diff;
  got = of_type(resumed.events(), 0, v1::Event::ADDED);
  std::sort(got.begin(), got.end());
  diff = testsupport::diff(added, got);
  EXPECT_TRUE(diff.empty()) << "ADDED after restart vs new branch: " << diff;
  for (const auto& txid : txids_of(orphaned)) {
    diff = compare_txid(*d, txid, expected_transfers(truth.transfers, spec, truth.head));
    EXPECT_TRUE(diff.empty()) << diff;
  }
  stop_and_check(*d, *sim, spec);
}

}  // namespace
}  // namespace tronidx::engine
