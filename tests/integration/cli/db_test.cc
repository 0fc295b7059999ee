// `db stats` and `db check` on a STOPPED daemon's data dir: stats report the indexed range and every
// column family (human and --json); check passes (exit 0) on a clean copy and, on a copy where one
// by_address index entry was deleted, exits 1 naming the transfer whose entry is missing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "db_surgery.h"

namespace tronidx::clitest {
namespace {

TEST(CliDb, StatsAndCheckCatchPlantedInconsistency) {
  TS_ASSIGN(auto sim, start_fixed_sim(40, 8));
  auto o = apitest::daemon_options(*sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth truth, apitest::read_truth(*sim));
  ASSERT_TRUE(d->stop().success());
  const std::string data = d->data_dir().string();
  const std::string head = std::to_string(truth.head);

  const CliResult stats = run_cli({"db", "stats", "--data-dir", data});
  ASSERT_EQ(stats.code(), 0) << stats.describe();
  EXPECT_NE(stats.out.find("blocks     1.." + head + " (solidified " + std::to_string(truth.solidified) + ")"),
            std::string::npos)
      << stats.describe();
  EXPECT_NE(stats.out.find("genesis    " + truth.blocks.at(0).block_id), std::string::npos) << stats.describe();
  for (const char* cf : {"transfers", "by_address", "by_token", "by_txid", "blocks", "journal"}) {
    bool row = false;
    for (const auto& l : lines_of(stats.out)) row = row || l.rfind(std::string(cf) + " ", 0) == 0;
    EXPECT_TRUE(row) << cf << "\n" << stats.describe();
  }
  const CliResult sj = run_cli({"db", "stats", "--data-dir", data, "--json"});
  ASSERT_EQ(sj.code(), 0) << sj.describe();
  const auto j = nlohmann::json::parse(sj.out);
  EXPECT_EQ(j.at("tip").get<uint64_t>(), truth.head);
  EXPECT_EQ(j.at("base").get<uint64_t>(), 0u);
  EXPECT_EQ(j.at("solidified").get<uint64_t>(), truth.solidified);
  EXPECT_EQ(j.at("mode").get<std::string>(), "all:*");
  EXPECT_EQ(j.at("column_families").size(), 11u) << sj.out;

  // Clean copy: every invariant holds.
  TempDir dir("tronidx-cli-db");
  const auto clean = dir.file("clean"), broken = dir.file("broken");
  TS_ASSERT_OK(copy_data_dir(data, clean));
  TS_ASSERT_OK(copy_data_dir(data, broken));
  const CliResult ok = run_cli({"db", "check", "--data-dir", clean.string()});
  EXPECT_EQ(ok.code(), 0) << ok.describe();
  EXPECT_EQ(lines_of(ok.out), std::vector<std::string>{"ok: every invariant holds"}) << ok.describe();

  // One by_address entry deleted: exit 1, the violation names its transfer.
  TS_ASSIGN(const std::string pos, delete_by_address_entry(broken, 10));
  const CliResult bad = run_cli({"db", "check", "--data-dir", broken.string()});
  EXPECT_EQ(bad.code(), 1) << bad.describe();
  const auto lines = lines_of(bad.out);
  ASSERT_EQ(lines.size(), 1u) << bad.describe();
  EXPECT_EQ(lines[0], "VIOLATION transfer " + pos + " lacks a by_address entry in all mode") << bad.describe();
  EXPECT_EQ(lines_of(bad.err), std::vector<std::string>{"tronidx: db check: 1 violation(s)"}) << bad.describe();
  const CliResult badj = run_cli({"db", "check", "--data-dir", broken.string(), "--json"});
  EXPECT_EQ(badj.code(), 1) << badj.describe();
  ASSERT_EQ(lines_of(badj.out).size(), 1u) << badj.describe();
  EXPECT_EQ(nlohmann::json::parse(lines_of(badj.out)[0]).at("violation").get<std::string>(),
            "transfer " + pos + " lacks a by_address entry in all mode");

  // A directory that is no database: exit 1, one line.
  const CliResult none = run_cli({"db", "check", "--data-dir", dir.file("nothing").string()});
  EXPECT_EQ(none.code(), 1) << none.describe();
  EXPECT_EQ(lines_of(none.err).size(), 1u) << none.describe();
}

}  // namespace
}  // namespace tronidx::clitest
