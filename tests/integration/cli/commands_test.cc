// The query and management subcommands against a running tron-sim + tronidxd: `status` (human and
// --json) reports the simulator's head; `watch add --start-block --wait` backfills exactly the
// address's history, `watch ls` (table, CSV, JSON) shows it, `watch rm` removes it; `backfill` and
// `jobs` run and list jobs; `transfers` (table, --json, --csv, and each filter) equals ground truth.
#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>

#include "cli_util.h"

namespace tronidx::clitest {
namespace {

std::vector<TruthTransfer> newest_first(std::vector<TruthTransfer> v) {
  std::reverse(v.begin(), v.end());
  return v;
}

// `status` answers with the indexed tip = the node's head, in both formats.
TEST(CliCommands, StatusHumanAndJson) {
  TS_ASSIGN(auto sim, start_fixed_sim(40, 8));
  TS_ASSIGN(auto d, ApiDaemon::start(apitest::daemon_options(*sim, "all")));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth truth, apitest::read_truth(*sim));

  const CliResult human = run_cli_at(d->api_endpoint(), {"status"});
  ASSERT_EQ(human.code(), 0) << human.describe();
  EXPECT_NE(human.out.find("tip          " + std::to_string(truth.head) + " " + truth.head_id), std::string::npos)
      << human.describe();
  EXPECT_NE(human.out.find("node head    " + std::to_string(truth.head)), std::string::npos) << human.describe();
  EXPECT_NE(human.out.find("solidified   " + std::to_string(truth.solidified)), std::string::npos) << human.describe();
  EXPECT_NE(human.out.find("phase        following"), std::string::npos) << human.describe();

  const CliResult json = run_cli_at(d->api_endpoint(), {"status", "--json"});
  ASSERT_EQ(json.code(), 0) << json.describe();
  ASSERT_EQ(lines_of(json.out).size(), 1u) << json.describe();
  v1::GetStatusResponse st;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines_of(json.out)[0], &st).ok()) << json.describe();
  EXPECT_EQ(st.tip_block_num(), truth.head);
  EXPECT_EQ(st.tip_block_id(), truth.head_id);
  EXPECT_EQ(st.solidified(), truth.solidified);
  EXPECT_EQ(st.mode(), "all:*");
}

// Watched mode: watch add with a start block runs a backfill job whose result is the exact history;
// watch ls shows label and state in every format; backfill and jobs drive a second address; watch rm.
TEST(CliCommands, WatchBackfillJobsLifecycle) {
  TS_ASSIGN(auto sim, start_fixed_sim(60, 8));
  TS_ASSIGN(const ChainTruth t0, apitest::read_truth(*sim));
  const std::string a = t0.hot_addresses[0], b = t0.hot_addresses[1], c = t0.hot_addresses[2];
  auto o = apitest::daemon_options(*sim, "watched");
  o.start_block = 1;
  o.watches = {{c, "from config"}};
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  const auto& api = d->api_endpoint();

  // watch add --start-block --wait: the job's final state, exit 0.
  const CliResult add = run_cli_at(api, {"watch", "add", a, "--label", "shop", "--start-block", "1", "--wait"});
  ASSERT_EQ(add.code(), 0) << add.describe();
  EXPECT_NE(add.out.find(a + " is now watched; backfill job "), std::string::npos) << add.describe();
  EXPECT_NE(add.err.find("done"), std::string::npos) << add.describe();
  const CliResult again = run_cli_at(api, {"watch", "add", a});
  ASSERT_EQ(again.code(), 0) << again.describe();
  EXPECT_NE(again.out.find("was already watched"), std::string::npos) << again.describe();

  TS_ASSIGN(const ChainTruth truth, apitest::read_truth(*sim));
  const CliResult hist = run_cli_at(api, {"transfers", a, "--oldest-first", "--limit", "0", "--json"});
  ASSERT_EQ(hist.code(), 0) << hist.describe();
  TS_ASSIGN(const auto got, transfers_from_jsonl(hist.out));
  EXPECT_EQ(testsupport::diff(history(truth, a, 1), got), "");
  ASSERT_FALSE(got.empty()) << "the hot address has no history: the test proves nothing";

  // watch ls: table, CSV and JSON agree.
  const CliResult ls = run_cli_at(api, {"watch", "ls"});
  ASSERT_EQ(ls.code(), 0) << ls.describe();
  bool row = false;
  for (const auto& l : lines_of(ls.out)) {
    if (l.rfind(a, 0) == 0) row = l.find("shop") != std::string::npos && l.find("done") != std::string::npos;
  }
  EXPECT_TRUE(row) << ls.describe();
  const CliResult csv = run_cli_at(api, {"watch", "ls", "--csv"});
  ASSERT_EQ(csv.code(), 0) << csv.describe();
  const auto rows = parse_csv(csv.out);
  EXPECT_NE(std::find(rows.begin(), rows.end(), std::vector<std::string>{a, "shop", "1", "done"}), rows.end())
      << csv.describe();
  EXPECT_NE(std::find(rows.begin(), rows.end(), std::vector<std::string>{c, "from config", "0", ""}), rows.end())
      << csv.describe();
  const CliResult lsj = run_cli_at(api, {"watch", "ls", "--json"});
  ASSERT_EQ(lsj.code(), 0) << lsj.describe();
  EXPECT_EQ(lines_of(lsj.out).size(), 2u) << lsj.describe();

  // backfill b (watched first, without history), followed to its end.
  const CliResult add_b = run_cli_at(api, {"watch", "add", b, "--json"});
  ASSERT_EQ(add_b.code(), 0) << add_b.describe();
  const CliResult bf = run_cli_at(api, {"backfill", b, "--from", "1", "--json"});
  ASSERT_EQ(bf.code(), 0) << bf.describe();
  v1::Job job;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines_of(bf.out).back(), &job).ok()) << bf.describe();
  EXPECT_EQ(job.kind(), "backfill");
  EXPECT_EQ(job.state(), "done");
  EXPECT_EQ(job.from_block(), 1u);
  TS_ASSIGN(const ChainTruth truth2, apitest::read_truth(*sim));
  const CliResult hist_b = run_cli_at(api, {"transfers", b, "--oldest-first", "--limit", "0", "--csv"});
  ASSERT_EQ(hist_b.code(), 0) << hist_b.describe();
  TS_ASSIGN(const auto got_b, transfers_from_csv(hist_b.out));
  EXPECT_EQ(testsupport::diff(history(truth2, b, 1), got_b), "");

  // jobs: both backfills listed, done; `jobs ID` re-attaches to a finished job and exits 0.
  const CliResult jobs = run_cli_at(api, {"jobs", "--json"});
  ASSERT_EQ(jobs.code(), 0) << jobs.describe();
  std::set<std::string> done_addresses;
  for (const auto& l : lines_of(jobs.out)) {
    v1::Job j;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(l, &j).ok()) << l;
    if (j.kind() == "backfill" && j.state() == "done") done_addresses.insert(j.address());
  }
  EXPECT_EQ(done_addresses, (std::set<std::string>{a, b})) << jobs.describe();
  const CliResult table = run_cli_at(api, {"jobs"});
  ASSERT_EQ(table.code(), 0) << table.describe();
  EXPECT_EQ(lines_of(table.out).size(), 3u) << table.describe();  // header + 2 jobs
  EXPECT_EQ(lines_of(table.out)[0].rfind("ID", 0), 0u) << table.describe();
  const CliResult attach = run_cli_at(api, {"jobs", std::to_string(job.id())});
  EXPECT_EQ(attach.code(), 0) << attach.describe();
  EXPECT_NE(attach.err.find("done"), std::string::npos) << attach.describe();

  // watch rm: gone from the list; a second rm says so.
  const CliResult rm = run_cli_at(api, {"watch", "rm", a});
  ASSERT_EQ(rm.code(), 0) << rm.describe();
  EXPECT_NE(rm.out.find("is no longer watched"), std::string::npos) << rm.describe();
  const CliResult rm2 = run_cli_at(api, {"watch", "rm", a});
  EXPECT_NE(rm2.out.find("was not watched"), std::string::npos) << rm2.describe();
  const CliResult ls2 = run_cli_at(api, {"watch", "ls", "--csv"});
  EXPECT_EQ(ls2.out.find(a), std::string::npos) << ls2.describe();
}

// transfers: the table, --json (newest first by default) and --csv equal the truth; every filter
// (direction, token, block range, limit, confirmations) selects exactly what the truth says.
TEST(CliCommands, TransfersFormatsAndFilters) {
  TS_ASSIGN(auto sim, start_fixed_sim(60, 8));
  auto o = apitest::daemon_options(*sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth truth, apitest::read_truth(*sim));
  // The busiest address that both sends and receives (hot addresses only receive), so that every
  // filter below selects something, TRX included.
  struct Sides {
    size_t in = 0, out = 0, trx = 0;
  };
  std::map<std::string, Sides> sides;
  for (const auto& t : history(truth, "", 1)) {
    ++sides[t.to].in;
    ++sides[t.from].out;
    if (t.token == "TRX") ++sides[t.to].trx, ++sides[t.from].trx;
  }
  std::string a;
  size_t best = 0;
  for (const auto& [who, n] : sides) {
    if (n.in > 0 && n.out > 0 && n.trx > 0 && n.in + n.out > best) {
      best = n.in + n.out;
      a = who;
    }
  }
  const auto& api = d->api_endpoint();
  const auto all = history(truth, a, 1);
  ASSERT_GT(all.size(), 10u);

  const CliResult json = run_cli_at(api, {"transfers", a, "--limit", "0", "--json"});
  ASSERT_EQ(json.code(), 0) << json.describe();
  TS_ASSIGN(const auto got_json, transfers_from_jsonl(json.out));
  EXPECT_EQ(testsupport::diff(newest_first(all), got_json), "");

  const CliResult csv = run_cli_at(api, {"transfers", a, "--limit", "0", "--csv", "--oldest-first"});
  ASSERT_EQ(csv.code(), 0) << csv.describe();
  TS_ASSIGN(const auto got_csv, transfers_from_csv(csv.out));
  EXPECT_EQ(testsupport::diff(all, got_csv), "");

  // The table: a header and one row per transfer (default limit 100), newest first, direction right.
  const CliResult table = run_cli_at(api, {"transfers", a});
  ASSERT_EQ(table.code(), 0) << table.describe();
  const auto lines = lines_of(table.out);
  ASSERT_EQ(lines.size(), 1 + std::min<size_t>(all.size(), 100)) << table.describe();
  EXPECT_EQ(lines[0].rfind("BLOCK", 0), 0u);
  const auto& newest = all.back();
  EXPECT_EQ(lines[1].rfind(std::to_string(newest.block_num) + " ", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find(newest.to == a ? " IN " : " OUT "), std::string::npos) << lines[1];

  // Filters.
  auto check = [&](std::vector<std::string> extra, const std::function<bool(const TruthTransfer&)>& keep) {
    std::vector<std::string> args = {"transfers", a, "--limit", "0", "--json", "--oldest-first"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliResult r = run_cli_at(api, args);
    ASSERT_EQ(r.code(), 0) << r.describe();
    std::vector<TruthTransfer> want;
    for (const auto& t : all) {
      if (keep(t)) want.push_back(t);
    }
    TS_ASSIGN(const auto got, transfers_from_jsonl(r.out));
    EXPECT_EQ(testsupport::diff(want, got), "") << ::testing::PrintToString(extra);
    EXPECT_FALSE(want.empty()) << "filter " << ::testing::PrintToString(extra) << " selects nothing: vacuous";
  };
  check({"--direction", "in"}, [&](const TruthTransfer& t) { return t.to == a; });
  check({"--direction", "out"}, [&](const TruthTransfer& t) { return t.from == a; });
  check({"--token", "TRX"}, [&](const TruthTransfer& t) { return t.token == "TRX"; });
  const std::string trc20 = [&] {
    for (const auto& t : all) {
      if (t.kind == "TRC20") return t.token;
    }
    return std::string();
  }();
  ASSERT_FALSE(trc20.empty());
  check({"--token", trc20}, [&](const TruthTransfer& t) { return t.token == trc20; });
  check({"--from-block", "20", "--to-block", "40"},
        [&](const TruthTransfer& t) { return t.block_num >= 20 && t.block_num <= 40; });
  const uint64_t deep = truth.head - 10;  // confirmations = head - block + 1 >= 11
  check({"--min-confirmations", "11"}, [&](const TruthTransfer& t) { return t.block_num <= deep; });

  const CliResult limited = run_cli_at(api, {"transfers", a, "--limit", "5", "--csv"});
  ASSERT_EQ(limited.code(), 0) << limited.describe();
  TS_ASSIGN(const auto got5, transfers_from_csv(limited.out));
  const auto nf = newest_first(all);
  EXPECT_EQ(testsupport::diff(std::vector<TruthTransfer>(nf.begin(), nf.begin() + 5), got5), "");
}

}  // namespace
}  // namespace tronidx::clitest
