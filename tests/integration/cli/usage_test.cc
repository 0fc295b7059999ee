// Usage: every subcommand's --help exits 0 with a usage text; bad input (unknown subcommand or flag, a
// bad address, an inverted block range) exits 2 and an unreachable daemon exits 1 — each with exactly
// one clear line on stderr, never a stack trace or an abort.
#include <gtest/gtest.h>

#include "cli_util.h"
#include "itsupport/daemon_process.h"

namespace tronidx::clitest {
namespace {

// Exactly one non-empty stderr line, starting "tronidx", and no sign of a crash.
void expect_one_clear_line(const CliResult& r, const std::string& must_contain) {
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.describe();
  EXPECT_EQ(lines[0].rfind("tronidx", 0), 0u) << r.describe();
  EXPECT_NE(lines[0].find(must_contain), std::string::npos) << "want \"" << must_contain << "\"\n" << r.describe();
  for (const char* crash : {"terminate", "Aborted", "AddressSanitizer", "what():", "#0 "}) {
    EXPECT_EQ(r.err.find(crash), std::string::npos) << r.describe();
  }
}

// --help of the program and of every (sub)subcommand: exit 0, a usage text naming the command.
TEST(CliUsage, HelpOfEverySubcommandExitsZero) {
  const std::vector<std::vector<std::string>> commands = {
      {},         {"status"},   {"watch"},  {"watch", "add"}, {"watch", "rm"}, {"watch", "ls"},
      {"transfers"}, {"tail"}, {"export"}, {"reindex"},     {"verify"},      {"backfill"},
      {"jobs"},   {"db"},       {"db", "stats"}, {"db", "check"}, {"db", "new-instance"}};
  for (auto args : commands) {
    const std::string name = args.empty() ? "tronidx" : args.back();
    args.push_back("--help");
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.code(), 0) << name << "\n" << r.describe();
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << name << "\n" << r.describe();
    EXPECT_NE(r.out.find(name), std::string::npos) << name << "\n" << r.describe();
  }
}

// Parse errors are the CLI's own: exit 2 with one line, before any connection is attempted.
TEST(CliUsage, UnknownSubcommandAndFlagExitTwoWithOneLine) {
  const std::string nowhere = "127.0.0.1:" + std::to_string(testsupport::free_port());
  {
    const CliResult r = run_cli_at(nowhere, {"frobnicate"});
    EXPECT_EQ(r.code(), 2) << r.describe();
    expect_one_clear_line(r, "unknown subcommand \"frobnicate\"");
  }
  {
    const CliResult r = run_cli_at(nowhere, {"--timeout", "5", "db", "frob", "--data-dir", "/x"});
    EXPECT_EQ(r.code(), 2) << r.describe();
    expect_one_clear_line(r, "unknown subcommand \"frob\"");
  }
  {
    const CliResult r = run_cli_at(nowhere, {"status", "--bogus-flag"});
    EXPECT_EQ(r.code(), 2) << r.describe();
    expect_one_clear_line(r, "--bogus-flag");
  }
  {
    const CliResult r = run_cli_at(nowhere, {"transfers"});  // the address is required
    EXPECT_EQ(r.code(), 2) << r.describe();
    expect_one_clear_line(r, "address");
  }
  {
    const CliResult r = run_cli_at(nowhere, {"export", "--address", "TX", "--format", "xml"});
    EXPECT_EQ(r.code(), 2) << r.describe();
    expect_one_clear_line(r, "--format");
  }
}

// No daemon on the port: exit 1, one line saying what to check.
TEST(CliUsage, UnreachableDaemonExitsOneWithOneLine) {
  const std::string nowhere = "127.0.0.1:" + std::to_string(testsupport::free_port());
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"status"}, {"jobs"}, {"watch", "ls"}, {"tail", "--count", "1"},
        {"verify", "--from", "1", "--to", "2"}}) {
    const CliResult r = run_cli_at(nowhere, args, 60s);
    EXPECT_EQ(r.code(), 1) << args[0] << "\n" << r.describe();
    expect_one_clear_line(r, "is tronidxd running");
  }
}

// Input the daemon refuses (bad address, inverted range): exit 2, one line naming the problem.
TEST(CliUsage, BadAddressAndInvertedRangeExitTwo) {
  TS_ASSIGN(auto sim, start_fixed_sim(30, 5));
  TS_ASSIGN(auto d, ApiDaemon::start(apitest::daemon_options(*sim, "all")));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth truth, apitest::read_truth(*sim));
  const std::string a = truth.hot_addresses[0];
  const auto& api = d->api_endpoint();

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"transfers", "TNotAnAddress"}, {"watch", "add", "T123"},
        {"backfill", "0x1234", "--from", "1"}, {"export", "--address", "nope"}}) {
    const CliResult r = run_cli_at(api, args);
    EXPECT_EQ(r.code(), 2) << args[0] << "\n" << r.describe();
    expect_one_clear_line(r, "address");
  }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"verify", "--from", "20", "--to", "10"}, {"reindex", "--from", "20", "--to", "10"},
        {"backfill", a, "--from", "20", "--to", "10"}, {"transfers", a, "--from-block", "20", "--to-block", "10"},
        {"export", "--address", a, "--from-block", "20", "--to-block", "10"}}) {
    const CliResult r = run_cli_at(api, args);
    EXPECT_EQ(r.code(), 2) << args[0] << "\n" << r.describe();
    expect_one_clear_line(r, "20");
  }
  ASSERT_TRUE(d->running()) << "bad input must not hurt the daemon";
}

}  // namespace
}  // namespace tronidx::clitest
