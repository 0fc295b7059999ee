// `export`: the CSV and JSONL files, parsed back, equal the simulator's ground truth for the address
// (optionally one token) or the token over the block range, oldest first; the summary line on stderr
// has the row count, the range end, and per token the rows and totals in/out (token export: volume).
#include <gtest/gtest.h>

#include "cli_util.h"

namespace tronidx::clitest {
namespace {

// "SYMBOL (token)" or "token", as the summary names a token.
std::string summary_token(const std::vector<v1::Transfer>& protos, const std::string& token) {
  for (const auto& t : protos) {
    if (t.token() == token) return t.token_symbol().empty() ? token : t.token_symbol() + " (" + token + ")";
  }
  return token;
}

std::string expected_summary(const std::vector<TruthTransfer>& want, const std::vector<v1::Transfer>& protos,
                             const std::string& address, uint64_t to_block) {
  // Tokens in the order the CLI prints them: sorted by their summary name.
  std::map<std::string, TokenTotals> named;
  for (const auto& [token, tot] : totals(want, address)) named[summary_token(protos, token)] = tot;
  std::string s = "export: " + std::to_string(want.size()) + " transfers up to block " + std::to_string(to_block);
  for (const auto& [name, tot] : named) {
    s += "; " + name + ": " + std::to_string(tot.rows) + " rows, ";
    s += address.empty() ? "volume " + tot.in : "in " + tot.in + ", out " + tot.out;
  }
  return s;
}

TEST(CliExport, CsvAndJsonlEqualGroundTruthWithSummary) {
  TS_ASSIGN(auto sim, start_fixed_sim(80, 8));
  auto o = apitest::daemon_options(*sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth truth, apitest::read_truth(*sim));
  const std::string a = truth.hot_addresses[0];
  const auto& api = d->api_endpoint();
  const uint64_t from = 11, to = 70;
  TempDir dir("tronidx-cli-export");

  const auto want = history(truth, a, from, to);
  ASSERT_GT(want.size(), 10u);
  ASSERT_GT(totals(want, a).size(), 1u) << "one token only: the per-token summary is not exercised";

  // Address export, CSV to a file and JSONL to stdout.
  const auto csv_path = dir.file("a.csv").string();
  const CliResult csv = run_cli_at(api, {"export", "--address", a, "--from-block", std::to_string(from), "--to-block",
                                         std::to_string(to), "--format", "csv", "-o", csv_path});
  ASSERT_EQ(csv.code(), 0) << csv.describe();
  TS_ASSIGN(const auto got_csv, transfers_from_csv(testsupport::read_text_file(csv_path)));
  EXPECT_EQ(testsupport::diff(want, got_csv), "");

  const CliResult jsonl = run_cli_at(api, {"export", "--address", a, "--from-block", std::to_string(from),
                                           "--to-block", std::to_string(to), "--format", "jsonl"});
  ASSERT_EQ(jsonl.code(), 0) << jsonl.describe();
  TS_ASSIGN(const auto protos, protos_from_jsonl(jsonl.out));
  TS_ASSIGN(const auto got_jsonl, transfers_from_jsonl(jsonl.out));
  EXPECT_EQ(testsupport::diff(want, got_jsonl), "");

  const std::string summary = expected_summary(want, protos, a, to);
  for (const CliResult* r : {&csv, &jsonl}) {
    const auto err = lines_of(r->err);
    ASSERT_FALSE(err.empty()) << r->describe();
    EXPECT_EQ(err.back(), summary) << r->describe();
  }

  // One token of the address (--token-filter).
  const std::string token = got_csv.front().token;
  std::vector<TruthTransfer> want_token;
  for (const auto& t : want) {
    if (t.token == token) want_token.push_back(t);
  }
  const CliResult filtered = run_cli_at(api, {"export", "--address", a, "--token-filter", token, "--from-block",
                                              std::to_string(from), "--to-block", std::to_string(to)});
  ASSERT_EQ(filtered.code(), 0) << filtered.describe();
  TS_ASSIGN(const auto got_filtered, transfers_from_csv(filtered.out));
  EXPECT_EQ(testsupport::diff(want_token, got_filtered), "");
  EXPECT_EQ(lines_of(filtered.err).back(), expected_summary(want_token, protos, a, to)) << filtered.describe();

  // Token export (every TRX transfer in the range): volume totals.
  std::vector<TruthTransfer> want_trx;
  for (const auto& t : history(truth, "", from, to)) {
    if (t.token == "TRX") want_trx.push_back(t);
  }
  ASSERT_FALSE(want_trx.empty());
  const CliResult trx = run_cli_at(api, {"export", "--token", "TRX", "--from-block", std::to_string(from),
                                         "--to-block", std::to_string(to), "--format", "jsonl"});
  ASSERT_EQ(trx.code(), 0) << trx.describe();
  TS_ASSIGN(const auto got_trx, transfers_from_jsonl(trx.out));
  EXPECT_EQ(testsupport::diff(want_trx, got_trx), "");
  std::string volume = "0";
  for (const auto& t : want_trx) volume = add_decimal(volume, t.amount);
  TS_ASSIGN(const auto trx_protos, protos_from_jsonl(trx.out));
  EXPECT_EQ(lines_of(trx.err).back(), "export: " + std::to_string(want_trx.size()) + " transfers up to block " +
                                          std::to_string(to) + "; " + summary_token(trx_protos, "TRX") + ": " +
                                          std::to_string(want_trx.size()) + " rows, volume " + volume)
      << trx.describe();
}

}  // namespace
}  // namespace tronidx::clitest
