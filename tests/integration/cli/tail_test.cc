// `tail`: a live subscription prints one ADDED per new transfer of the address and one CONFIRMED when
// its block reaches --min-confirmations (exactly the ground truth of the blocks produced while it
// runs); `tail --after CURSOR --count N` resumes strictly after that event and exits by itself after N
// events, printing exactly the events the first stream printed next; the human format shows them too.
#include <gtest/gtest.h>

#include "cli_util.h"

namespace tronidx::clitest {
namespace {

std::string key(const v1::Event& e) { return apitest::event_key(e); }

TEST(CliTail, LiveEventsMinConfirmationsAndResumeAfterCursor) {
  TS_ASSIGN(auto sim, start_fixed_sim(30, 8));
  TS_ASSIGN(auto d, ApiDaemon::start(apitest::daemon_options(*sim, "all")));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth before, apitest::read_truth(*sim));
  const std::string a = before.hot_addresses[0];
  const auto& api = d->api_endpoint();

  BackgroundCli tail({"--api", api, "tail", "--address", a, "--min-confirmations", "2", "--heartbeats", "--json"});
  ASSERT_TRUE(tail.started());
  // Live once its first heartbeat is printed (it starts at the current end of the journal).
  ASSERT_TRUE(tail.wait_for_output([](const std::string& o) { return o.find("HEARTBEAT") != std::string::npos; }, 30s))
      << tail.err();

  TS_ASSERT_OK(sim->advance(4));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth after, apitest::read_truth(*sim));
  const auto fresh = history(after, a, before.head + 1);
  ASSERT_GE(fresh.size(), 2u) << "too few new transfers of the hot address: the test proves nothing";
  std::set<std::string> want_added, want_confirmed;
  for (const auto& t : fresh) {
    want_added.insert(apitest::event_key(v1::Event::ADDED, t.txid, t.event_index, t.block_id));
  }
  // CONFIRMED: the blocks whose depth crossed 2 while the stream ran (the old head's too).
  for (const auto& t : history(after, a, before.head, after.head - 1)) {
    want_confirmed.insert(apitest::event_key(v1::Event::CONFIRMED, t.txid, t.event_index, t.block_id));
  }
  ASSERT_FALSE(want_confirmed.empty());
  auto printed = [&](v1::Event::Type type) {
    std::set<std::string> out;
    auto events = events_from_jsonl(tail.out());
    if (!events.ok()) return out;
    for (const auto& e : *events) {
      if (e.type() == type) out.insert(key(e));
    }
    return out;
  };
  ASSERT_TRUE(tail.wait_for_output(
      [&](const std::string&) {
        return printed(v1::Event::ADDED) == want_added && printed(v1::Event::CONFIRMED) == want_confirmed;
      },
      30s))
      << "ADDED/CONFIRMED printed differ from the truth\n"
      << tail.out() << "\n"
      << tail.err();
  // The depth is the subscription's: CONFIRMED carries confirmations == 2.
  TS_ASSIGN(const auto events, events_from_jsonl(tail.out()));
  std::vector<v1::Event> transfers_only;
  for (const auto& e : events) {
    if (e.type() == v1::Event::CONFIRMED) {
      EXPECT_EQ(e.confirmations(), 2u) << key(e);
    }
    EXPECT_NE(e.type(), v1::Event::REVERTED) << key(e);
    EXPECT_FALSE(e.cursor().empty());
    if (e.type() != v1::Event::HEARTBEAT) transfers_only.push_back(e);
  }
  tail.kill();
  ASSERT_GE(transfers_only.size(), 3u);

  // Resume after the first event: the next two, in order, then exit 0 on its own.
  const CliResult resumed = run_cli_at(api, {"tail", "--address", a, "--min-confirmations", "2", "--after",
                                             transfers_only[0].cursor(), "--count", "2", "--json"},
                                       60s);
  ASSERT_EQ(resumed.code(), 0) << resumed.describe();
  TS_ASSIGN(const auto again, events_from_jsonl(resumed.out));
  ASSERT_EQ(again.size(), 2u) << resumed.describe();
  EXPECT_EQ(key(again[0]), key(transfers_only[1]));
  EXPECT_EQ(key(again[1]), key(transfers_only[2]));
  EXPECT_EQ(again[1].cursor(), transfers_only[2].cursor());

  // Human format: one line per event, type first, the block number and amount in it.
  const CliResult human = run_cli_at(api, {"tail", "--address", a, "--min-confirmations", "2", "--after",
                                           transfers_only[0].cursor(), "--count", "1"},
                                     60s);
  ASSERT_EQ(human.code(), 0) << human.describe();
  const auto lines = lines_of(human.out);
  ASSERT_EQ(lines.size(), 1u) << human.describe();
  const auto& e1 = transfers_only[1];
  EXPECT_EQ(lines[0].rfind(v1::Event::Type_Name(e1.type()), 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("block " + std::to_string(e1.transfer().block_num())), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(e1.transfer().from() + " -> " + e1.transfer().to()), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace tronidx::clitest
