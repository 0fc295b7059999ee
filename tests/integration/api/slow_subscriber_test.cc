// A subscriber that stops reading (docs/subscriptions.md guarantee 5):
//   - never stalls ingestion: the daemon's tip keeps following the node's head;
//   - never stalls other subscribers: another stream keeps receiving each new block's events;
//   - with api.max_subscriber_lag = 100 records the server gives up on it (RESOURCE_EXHAUSTED), and it
//     resumes from its last cursor with no gap: what it received across both streams is exactly the
//     reference model's stream (read from the journal once the daemon stopped). The resumed stream starts
//     more than 100 records behind, so the backlog threads serve it until it is live again.
// And the backlog threads run at nice +api.backlog_nice, the live ones at normal priority. While the
// daemon catches up, the backlog threads also route commits and send heartbeats: idle streams still get
// their heartbeats, and an address stream opened before the first commit gets every one of its events;
// under a tiny CPU budget for that catch-up, streams still get exactly the model's events.
// The stalled client uses a tiny HTTP/2 receive window, so the server's writes block after a few KB.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "api_util.h"
#include "model.h"
#include "testsupport/wait.h"

namespace tronidx::apitest {
namespace {

const std::string kUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
constexpr const char* kSlowMetric = "tronidx_subscribers_disconnected_slow_total";

// A small-profile chain of `prebuild` blocks whose node refuses info calls, so that no block with
// transactions can be indexed yet: streams opened now open before the first commit.
Result<std::unique_ptr<SimProcess>> start_held_sim(int txs_per_block, int prebuild) {
  TRONIDX_ASSIGN(auto sim, start_sim({"--profile", "small", "--txs-per-block", std::to_string(txs_per_block),
                                      "--block-interval-ms", "0", "--prebuild", std::to_string(prebuild),
                                      "--hot-addresses", "2", "--hot-share", "0.15"}));
  tronsim::v1::FaultConfig hold;
  hold.set_unavailable_rate(1.0);
  hold.set_unavailable_scope(tronsim::v1::SCOPE_INFOS);
  TRONIDX_TRY(sim->set_faults(hold));
  return sim;
}

// Whether a stream is idle (two heartbeats in a row) with its cursor at or beyond journal seq `seq`.
bool idle_at(const std::vector<Received>& r, uint64_t seq) {
  if (r.size() < 2 || r.back().event.type() != v1::Event::HEARTBEAT ||
      r[r.size() - 2].event.type() != v1::Event::HEARTBEAT) {
    return false;
  }
  auto c = decode_cursor(r.back().event.cursor());
  return c && c->seq >= seq;
}

TEST(SlowSubscriber, NeverStallsIngestionOrOthersAndIsDisconnectedThenResumesWithoutGap) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "small", "--txs-per-block", "40", "--block-interval-ms", "0",
                                  "--prebuild", "12", "--solid-lag", "6", "--hot-addresses", "2", "--hot-share",
                                  "0.15"}));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  o.api_settings.push_back("max_subscriber_lag = 100");
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth t0, read_truth(*sim));
  std::set<std::string> tokens;
  for (const auto& t : t0.transfers) {
    if (t.kind != "TRC10") tokens.insert(t.token);
  }
  // The slow one matches nearly everything; the other one address.
  ModelFilter slow_f{"slow: all tokens/d0", {}, tokens, 0};
  ModelFilter fast_f{"fast: hot0/d1", {t0.hot_addresses[0]}, {}, 1};
  EventStream::Options small;
  small.small_window = true;
  auto slow = std::make_unique<EventStream>(d->api_endpoint(), slow_f.request(), small);
  EventStream fast(d->api_endpoint(), fast_f.request());
  ASSERT_TRUE(slow->wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s));
  ASSERT_TRUE(fast.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s));
  slow->pause_reading(true);
  const double slow_before = metric_value(d->metrics(), kSlowMetric).value_or(-1);
  ASSERT_GE(slow_before, 0) << "no " << kSlowMetric << " metric";

  uint64_t head = t0.head;
  size_t fast_added_expected = 0;
  for (int chunk = 0; chunk < 24; ++chunk) {
    TS_ASSERT_OK(sim->advance(10));
    head += 10;
    // Ingestion keeps following the node (generous deadline: ASan, two shared cores).
    TS_ASSERT_OK(wait_synced(*d, *sim, 60s));
    // The other subscriber keeps receiving: every ADDED of the new blocks touching its address.
    TS_ASSIGN(const std::string jsonl, sim->dump_ground_truth(static_cast<int64_t>(head - 9), static_cast<int64_t>(head)));
    for (const auto& x : touching(testsupport::parse_truth(jsonl), t0.hot_addresses[0])) {
      if (x.kind != "TRC10") ++fast_added_expected;  // TRC10 is not indexed
    }
    const bool fast_ok = fast.wait_for(
        [&](const std::vector<Received>& r) {
          size_t n = 0;
          for (const auto& x : r) n += x.event.type() == v1::Event::ADDED ? 1 : 0;
          return n >= fast_added_expected;
        },
        30s);
    if (!fast_ok) {
      size_t n = 0;
      for (const auto& e : fast.events()) n += e.type() == v1::Event::ADDED ? 1 : 0;
      auto fst = d->status();
      FAIL() << "chunk " << chunk << ": the other subscriber stalled: " << n << " ADDED of " << fast_added_expected
             << " expected; its last cursor " << fast.last_cursor() << " (" << fast.size() << " messages, ended "
             << fast.ended() << " " << describe(fast.status()) << "); journal end "
             << (fst.ok() ? fst->journal_next_seq() - 1 : 0) << "; metrics:\n"
             << d->metrics().substr(0, 0);
    }
  }
  ASSERT_GT(fast_added_expected, 0u);
  const size_t slow_received = slow->size();
  TS_ASSIGN(const auto st, d->status());
  std::cout << "[slow] journal end " << st.journal_next_seq() - 1 << ", the stalled stream holds " << slow_received
            << " messages" << std::endl;
  auto last = decode_cursor(slow->last_cursor());
  ASSERT_TRUE(last.has_value());
  ASSERT_GT(st.journal_next_seq() - 1 - last->seq, 150u) << "the stalled stream is not far enough behind";

  // While it still does not read, the server gives up on it (it is further behind than 100 records).
  const bool given_up = testsupport::wait_until(
      [&] { return metric_value(d->metrics(), kSlowMetric).value_or(0) > slow_before; }, 20s, 100ms);
  EXPECT_TRUE(given_up) << "a subscriber that stopped reading is " << st.journal_next_seq() - 1 - last->seq
                        << " records behind (max_subscriber_lag = 100) and was never disconnected ("
                        << kSlowMetric << " stays " << slow_before << "; GetStatus.subscribers = " << st.subscribers()
                        << ")";

  // Reading again: what was buffered arrives, then RESOURCE_EXHAUSTED.
  slow->pause_reading(false);
  ASSERT_TRUE(slow->wait_ended(60s)) << "the slow subscriber was not disconnected after it read again";
  EXPECT_EQ(slow->status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << describe(slow->status());
  EXPECT_NE(slow->status().error_message().find("cursor"), std::string::npos) << describe(slow->status());
  std::vector<Segment> segments;
  segments.push_back(Segment{std::nullopt, slow->received(), describe(slow->status())});
  const auto resume_from = decode_cursor(slow->last_cursor());
  ASSERT_TRUE(resume_from.has_value());
  slow.reset();

  // It resumes from its last cursor and catches up (reading normally now).
  v1::SubscribeRequest again = slow_f.request();
  again.set_after_cursor(encode_cursor(*resume_from));
  EventStream resumed(d->api_endpoint(), again);
  TS_ASSIGN(const auto st2, d->status());
  const uint64_t end = st2.journal_next_seq() - 1;
  // Caught up: idle (two heartbeats in a row) at or beyond the last event of the journal's last records.
  ASSERT_TRUE(resumed.wait_for([&](const std::vector<Received>& r) { return idle_at(r, end > 10 ? end - 10 : 0); },
                               120s))
      << "the resumed stream did not catch up: " << describe(resumed.status()) << " last " << resumed.last_cursor();
  resumed.cancel();
  segments.push_back(Segment{resume_from, resumed.received(), describe(resumed.status())});
  fast.cancel();
  const ExitStatus stopped = d->stop();
  EXPECT_TRUE(stopped.success()) << stopped.describe();

  // No gap, nothing extra: both streams against the model.
  TS_ASSIGN(const Journal journal, read_journal(d->data_dir()));
  const Replay rep = replay(journal, {slow_f});
  EXPECT_TRUE(rep.errors.empty()) << ::testing::PrintToString(rep.errors);
  std::pair<uint64_t, uint32_t> start{0, 0};
  EXPECT_EQ(check_segments(segments, rep.events[0], &start), "");
  EXPECT_EQ(check_union(segments, rep.events[0], start), "");
  std::cout << "[slow] model " << rep.events[0].size() << " events; received " << segments[0].received.size() << " + "
            << segments[1].received.size() << std::endl;
}

TEST(SlowSubscriber, DuringCatchUpIdleStreamsGetHeartbeatsAndAddressStreamsEveryEvent) {
  // No block can be indexed while the node refuses info calls: the streams open before the first commit.
  TS_ASSIGN(auto sim, start_held_sim(20, 150));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  // One slow call at a time and small commits: a catch-up of many commits over several seconds.
  o.sync_settings = {"fetch_concurrency = 1", "ranges_in_flight = 1", "commit_max_blocks = 5"};
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  const std::string hot = truth.hot_addresses[0];
  const ModelFilter idle_f{"nobody/d0", {"T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"}, {}, 0};
  const ModelFilter watched_f{"hot0/d0", {hot}, {}, 0};
  EventStream idle(d->api_endpoint(), idle_f.request());
  EventStream watched(d->api_endpoint(), watched_f.request());
  ASSERT_TRUE(idle.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s));
  TS_ASSIGN(const auto before, d->status());
  // (Only blocks without transactions can be indexed then: at most the first one.)
  ASSERT_LE(before.tip_block_num(), 1u) << "blocks were indexed while the node refused info calls";

  tronsim::v1::FaultConfig slow;
  slow.set_latency_ms(40);
  TS_ASSERT_OK(sim->set_faults(slow));
  // Heartbeats on the idle stream between the first commit and the last moment seen catching up.
  size_t at_first_commit = 0, while_catching_up = 0;
  bool committed = false;
  const bool done = testsupport::wait_until(
      [&] {
        auto st = d->status();
        if (!st.ok()) return false;
        size_t beats = 0;
        for (const auto& r : idle.received()) beats += r.event.type() == v1::Event::HEARTBEAT ? 1 : 0;
        if (st->phase() == "catching_up" && st->tip_block_num() > before.tip_block_num()) {
          if (!committed) at_first_commit = beats;
          committed = true;
          while_catching_up = beats;
        }
        return st->tip_block_num() >= truth.head && st->phase() == "following";
      },
      240s, 50ms);
  ASSERT_TRUE(done) << "the daemon did not catch up";
  ASSERT_TRUE(committed) << "never saw the daemon catching up after a commit";
  EXPECT_GE(while_catching_up - at_first_commit, 3u)
      << "heartbeats (every 300 ms) stopped on an idle stream while the daemon caught up";

  // The address stream: every ADDED of the transfers touching its address after where it opened, once each.
  std::multiset<std::pair<std::string, uint32_t>> want;
  for (const auto& x : touching(truth.transfers, hot)) {
    if (x.kind != "TRC10" && x.block_num > before.tip_block_num()) want.emplace(x.txid, x.event_index);
  }
  ASSERT_FALSE(want.empty());
  auto added = [](const std::vector<Received>& received) {
    std::multiset<std::pair<std::string, uint32_t>> got;
    for (const auto& r : received) {
      if (r.event.type() == v1::Event::ADDED) got.emplace(r.event.transfer().txid(), r.event.transfer().event_index());
    }
    return got;
  };
  watched.wait_for([&](const std::vector<Received>& r) { return added(r).size() >= want.size(); }, 60s);
  EXPECT_EQ(added(watched.received()), want);
  EXPECT_FALSE(watched.ended()) << describe(watched.status());
}

// While catching up, the backlog threads keep to a CPU budget (api.backlog_catch_up_cpu_percent): their
// pumps stop after a slice of CPU time, between two records, and are queued again. With a budget of 1 %
// of a core, a stream of every token (thousands of events: many slices) and an address stream, both
// opened before the first commit, receive exactly the reference model's events: no gap, nothing twice.
TEST(SlowSubscriber, UnderATinyCatchUpCpuBudgetStreamsStillGetExactlyTheModelsEvents) {
  TS_ASSIGN(auto sim, start_held_sim(30, 300));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  // Small commits, and node calls slowed below: a catch-up of several seconds, during which the streams'
  // backlog grows faster than 1 % of a core delivers it, so their pumps run out of CPU slices.
  o.sync_settings = {"commit_max_blocks = 5", "fetch_concurrency = 2"};
  o.api_settings.push_back("backlog_catch_up_cpu_percent = 1");
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  std::set<std::string> tokens;
  for (const auto& t : truth.transfers) {
    if (t.kind != "TRC10") tokens.insert(t.token);
  }
  const std::vector<ModelFilter> filters = {ModelFilter{"all tokens/d0", {}, tokens, 0},
                                            ModelFilter{"hot0/d0", {truth.hot_addresses[0]}, {}, 0}};
  std::vector<std::unique_ptr<EventStream>> streams;
  for (const auto& f : filters) streams.push_back(std::make_unique<EventStream>(d->api_endpoint(), f.request()));
  for (auto& s : streams) ASSERT_TRUE(s->wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s));
  tronsim::v1::FaultConfig slow;
  slow.set_latency_ms(10);
  TS_ASSERT_OK(sim->set_faults(slow));
  TS_ASSERT_OK(wait_synced(*d, *sim, 240s));
  TS_ASSIGN(const auto st, d->status());
  const uint64_t end = st.journal_next_seq() - 1;
  for (size_t i = 0; i < streams.size(); ++i) {
    // Caught up once the daemon follows (no budget then): idle (two heartbeats in a row) at the journal's
    // end as it was when the daemon had synced.
    ASSERT_TRUE(streams[i]->wait_for([&](const std::vector<Received>& r) { return idle_at(r, end); }, 120s))
        << filters[i].name << ": did not reach the journal's end " << end << "; last " << streams[i]->last_cursor();
    streams[i]->cancel();
  }
  const ExitStatus stopped = d->stop();
  EXPECT_TRUE(stopped.success()) << stopped.describe();

  TS_ASSIGN(const Journal journal, read_journal(d->data_dir()));
  const Replay rep = replay(journal, filters);
  EXPECT_TRUE(rep.errors.empty()) << ::testing::PrintToString(rep.errors);
  ASSERT_GT(rep.events[0].size(), 1000u) << "too few events to cut the pumps into many slices";
  for (size_t i = 0; i < streams.size(); ++i) {
    const std::vector<Segment> segments = {
        Segment{std::nullopt, streams[i]->received(), describe(streams[i]->status())}};
    std::pair<uint64_t, uint32_t> start{0, 0};
    EXPECT_EQ(check_segments(segments, rep.events[i], &start), "") << filters[i].name;
    EXPECT_EQ(check_union(segments, rep.events[i], start), "") << filters[i].name;
  }
}

// The nice value of every thread of `pid`, by thread name.
std::multimap<std::string, int> thread_nice(pid_t pid) {
  std::multimap<std::string, int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // "tid (comm) state ppid ... " : nice is field 19, the 17th after the closing parenthesis.
    const size_t open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    for (int i = 0; i < 17 && rest >> field; ++i) {
    }
    out.emplace(line.substr(open + 1, close - open - 1), std::stoi(field));
  }
  return out;
}

TEST(SlowSubscriber, BacklogThreadsRunAtTheConfiguredNiceLiveThreadsAtNormalPriority) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "small", "--prebuild", "4", "--block-interval-ms", "0"}));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.api_settings.push_back("backlog_nice = 7");
  o.api_settings.push_back("hub_workers = 3");
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  const auto threads = thread_nice(d->pid());
  int live = 0, backlog = 0;
  for (const auto& [name, nice] : threads) {
    if (name.rfind("hub-backlog-", 0) == 0) {
      ++backlog;
      EXPECT_EQ(nice, 7) << name;
    } else if (name.rfind("hub-", 0) == 0) {
      ++live;
      EXPECT_EQ(nice, 0) << name;
    } else if (name == "writer") {
      EXPECT_EQ(nice, 0) << name;
    }
  }
  EXPECT_EQ(live, 3);
  EXPECT_EQ(backlog, 3);
}

}  // namespace
}  // namespace tronidx::apitest
