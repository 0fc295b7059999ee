// `verify` and `reindex` against a deliberately damaged index: one transfer's amount is changed in a COPY
// of a stopped daemon's database (straight in RocksDB), and a daemon runs on the copy.
//   - verify exits 0 on the correct index and 1 on the damaged copy, printing the mismatch (the block
//     and the position of the changed transfer);
//   - reindex over the damaged (not yet final) range repairs it: verify exits 0 again and the
//     address's transfers equal the ground truth, where before the repair they did not.
#include <gtest/gtest.h>

#include "cli_util.h"
#include "db_surgery.h"
#include "itsupport/daemon_process.h"

namespace tronidx::clitest {
namespace {

using testsupport::DaemonOptions;
using testsupport::DaemonProcess;

// A daemon (all mode, from block 1) on an existing data dir, synced to `head`.
Result<std::unique_ptr<DaemonProcess>> daemon_on(const SimProcess& sim, const std::filesystem::path& data_dir,
                                                 uint64_t head) {
  DaemonOptions o;
  o.node_endpoints = {sim.full_node_endpoint()};
  o.mode = "all";
  o.start_block = 1;
  o.data_dir = data_dir;
  TRONIDX_ASSIGN(auto d, DaemonProcess::start(o));
  TRONIDX_TRY(d->wait_for_tip(head, 60s));
  return d;
}

struct Damaged {
  std::unique_ptr<SimProcess> sim;
  ChainTruth truth;
  std::string address;
  CorruptedTransfer corrupted;
  TempDir dir{"tronidx-cli-damaged"};
  std::unique_ptr<DaemonProcess> daemon;  // on the damaged copy
};

// Index the chain, check verify passes, stop, copy, damage one transfer of a hot address in [from, to]
// of the copy, and start a daemon on it.
void make_damaged(int solid_lag, uint64_t from, uint64_t to, Damaged& out) {
  TS_ASSIGN(out.sim, start_fixed_sim(60, solid_lag));
  auto o = apitest::daemon_options(*out.sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(apitest::wait_synced(*d, *out.sim));
  TS_ASSIGN(out.truth, apitest::read_truth(*out.sim));
  out.address = out.truth.hot_addresses[0];

  const CliResult ok = run_cli_at(d->api_endpoint(), {"verify", "--from", "1", "--to", std::to_string(out.truth.head)});
  ASSERT_EQ(ok.code(), 0) << ok.describe();
  EXPECT_NE(ok.err.find("done, " + std::to_string(out.truth.head) + " items, 0 mismatches"), std::string::npos)
      << ok.describe();
  EXPECT_EQ(ok.out.find("MISMATCH"), std::string::npos) << ok.describe();

  ASSERT_TRUE(d->stop().success());
  const auto copy = out.dir.file("copy");
  TS_ASSERT_OK(copy_data_dir(d->data_dir(), copy));
  TS_ASSIGN(out.corrupted, corrupt_transfer_amount(copy, from, to, out.address));
  TS_ASSIGN(out.daemon, daemon_on(*out.sim, copy, out.truth.head));
}

std::string position(const CorruptedTransfer& c) {
  return std::to_string(c.block_num) + "/" + std::to_string(c.tx_index) + "/" + std::to_string(c.event_index);
}

TEST(CliVerify, PassesOnCorrectIndexFailsOnDamagedCopy) {
  Damaged dmg;
  ASSERT_NO_FATAL_FAILURE(make_damaged(8, 10, 40, dmg));
  const auto& c = dmg.corrupted;
  const CliResult bad = run_cli_at(dmg.daemon->api_endpoint(),
                                   {"verify", "--from", "1", "--to", std::to_string(dmg.truth.head)});
  EXPECT_EQ(bad.code(), 1) << bad.describe();
  const auto lines = lines_of(bad.out);
  ASSERT_EQ(lines.size(), 1u) << bad.describe();
  EXPECT_EQ(lines[0].rfind("MISMATCH block " + std::to_string(c.block_num) + ":", 0), 0u) << bad.describe();
  EXPECT_NE(lines[0].find(c.new_amount), std::string::npos) << bad.describe();
  EXPECT_NE(bad.err.find("1 mismatches"), std::string::npos) << bad.describe();

  // A range without the damaged block still verifies.
  const CliResult clean = run_cli_at(dmg.daemon->api_endpoint(),
                                     {"verify", "--from", std::to_string(c.block_num + 1), "--to",
                                      std::to_string(dmg.truth.head), "--json"});
  EXPECT_EQ(clean.code(), 0) << clean.describe();
  ASSERT_FALSE(lines_of(clean.out).empty()) << clean.describe();
  EXPECT_NE(lines_of(clean.out).back().find("\"mismatches\":\"0\""), std::string::npos) << clean.describe();
}

TEST(CliReindex, RepairsDamagedRangeThenVerifyPasses) {
  Damaged dmg;
  // solidified = head - 30 = 30: the damage in 40..55 is not final, so reindex may rewrite it.
  ASSERT_NO_FATAL_FAILURE(make_damaged(30, 40, 55, dmg));
  const auto& c = dmg.corrupted;
  const auto& api = dmg.daemon->api_endpoint();
  const std::string head = std::to_string(dmg.truth.head);
  const auto want = history(dmg.truth, dmg.address, 1);

  const CliResult before = run_cli_at(api, {"transfers", dmg.address, "--limit", "0", "--oldest-first", "--csv"});
  ASSERT_EQ(before.code(), 0) << before.describe();
  TS_ASSIGN(const auto damaged, transfers_from_csv(before.out));
  EXPECT_NE(testsupport::diff(want, damaged), "") << "the damage is not visible: the test proves nothing";
  const CliResult bad = run_cli_at(api, {"verify", "--from", "31", "--to", head});
  EXPECT_EQ(bad.code(), 1) << bad.describe();
  EXPECT_NE(bad.out.find("block " + std::to_string(c.block_num)), std::string::npos) << bad.describe();

  const CliResult reindex = run_cli_at(api, {"reindex", "--from", "31", "--to", head});
  ASSERT_EQ(reindex.code(), 0) << reindex.describe();
  EXPECT_NE(reindex.err.find("reindex job"), std::string::npos) << reindex.describe();
  EXPECT_NE(reindex.err.find("done"), std::string::npos) << reindex.describe();

  const CliResult good = run_cli_at(api, {"verify", "--from", "1", "--to", head});
  EXPECT_EQ(good.code(), 0) << good.describe() << "\ndamaged " << position(c);
  const CliResult after = run_cli_at(api, {"transfers", dmg.address, "--limit", "0", "--oldest-first", "--csv"});
  ASSERT_EQ(after.code(), 0) << after.describe();
  TS_ASSIGN(const auto repaired, transfers_from_csv(after.out));
  EXPECT_EQ(testsupport::diff(want, repaired), "");

  // The repaired database is consistent (checked offline after a clean stop).
  ASSERT_TRUE(dmg.daemon->stop().success());
  const CliResult check = run_cli({"db", "check", "--data-dir", dmg.daemon->data_dir().string()});
  EXPECT_EQ(check.code(), 0) << check.describe();
}

}  // namespace
}  // namespace tronidx::clitest
