// Opt-in (TRONIDX_PROMETHEUS_TEST=1, with Debian's `prometheus` package installed): a real Prometheus
// server scrapes tronidxd's /metrics and loads deploy/'s alert rules. It proves what the text-format
// parser of metrics_test.cc cannot: that Prometheus itself accepts the exposition (target up, the tip
// queryable and equal to the node's head) and the rule file (promtool, and the server's rule manager).
//   apt-get install prometheus && TRONIDX_PROMETHEUS_TEST=1 bash tools/test.sh -R Prometheus
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "testsupport/temp_dir.h"
#include "testsupport/wait.h"

namespace tronidx::clitest {
namespace {

const std::filesystem::path kRules = std::filesystem::path(TRONIDX_TEST_DATA_DIR) / ".." / "deploy" / "prometheus" /
                                     "tronidx-alerts.yml";

bool opted_in() {
  const char* v = std::getenv("TRONIDX_PROMETHEUS_TEST");
  return v != nullptr && std::string(v) == "1";
}

// The instant-query result of `expr` at Prometheus on `port`: the first sample's value, if any.
std::optional<double> query(int port, const std::string& expr) {
  std::string q;
  for (char c : expr) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      q += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      q += buf;
    }
  }
  const HttpAnswer a = http_get(port, "/api/v1/query?query=" + q);
  if (a.status != 200) return std::nullopt;
  const auto j = nlohmann::json::parse(a.body, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success") return std::nullopt;
  const auto& result = j["data"]["result"];
  if (!result.is_array() || result.empty()) return std::nullopt;
  return std::stod(result[0]["value"][1].get<std::string>());
}

TEST(Prometheus, PromtoolAcceptsTheAlertRules) {
  if (!opted_in()) GTEST_SKIP() << "opt-in: TRONIDX_PROMETHEUS_TEST=1 (needs Debian's prometheus package)";
  testsupport::TempDir dir("tronidx-promtool");
  testsupport::ChildOptions o;
  o.program = "promtool";
  o.args = {"check", "rules", kRules.string()};
  o.stdout_path = dir.file("out.log");
  o.stderr_path = dir.file("err.log");
  auto child = testsupport::ChildProcess::spawn(o);
  ASSERT_TRUE(child.ok()) << child.error().message;
  const auto st = child->wait_for(std::chrono::seconds(60));
  ASSERT_TRUE(st.has_value()) << "promtool did not finish";
  EXPECT_TRUE(st->exited && st->code == 0) << st->describe() << "\n"
                                           << testsupport::read_text_file(dir.file("out.log"))
                                           << testsupport::read_text_file(dir.file("err.log"));
}

TEST(Prometheus, RealServerScrapesTheDaemonAndLoadsTheRules) {
  if (!opted_in()) GTEST_SKIP() << "opt-in: TRONIDX_PROMETHEUS_TEST=1 (needs Debian's prometheus package)";
  TS_ASSIGN(auto sim, apitest::start_sim({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "30"}));
  TS_ASSIGN(auto d, apitest::ApiDaemon::start(apitest::daemon_options(*sim, "all")));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  const int metrics_port = d->metrics_port();
  ASSERT_GT(metrics_port, 0);

  testsupport::TempDir dir("tronidx-prometheus");
  {
    std::ofstream cfg(dir.file("prometheus.yml"));
    cfg << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        << "rule_files:\n  - " << std::filesystem::canonical(kRules).string() << "\n"
        << "scrape_configs:\n  - job_name: tronidx\n    static_configs:\n      - targets: ['127.0.0.1:"
        << metrics_port << "']\n";
  }
  const int port = testsupport::free_port();
  testsupport::ChildOptions o;
  o.program = "prometheus";
  o.args = {"--config.file=" + dir.file("prometheus.yml").string(), "--storage.tsdb.path=" + dir.file("tsdb").string(),
            "--web.listen-address=127.0.0.1:" + std::to_string(port)};
  o.stdout_path = dir.file("prometheus.log");
  o.stderr_path = dir.file("prometheus.log");
  auto prom = testsupport::ChildProcess::spawn(o);
  ASSERT_TRUE(prom.ok()) << prom.error().message;
  auto log = [&] { return testsupport::read_text_file(dir.file("prometheus.log")); };

  // The target is up and the tip it scraped is the node's head.
  TS_ASSIGN(const auto truth, apitest::read_truth(*sim));
  EXPECT_TRUE(testsupport::wait_until([&] { return query(port, "up{job=\"tronidx\"}") == 1.0; }, std::chrono::seconds(60),
                                      std::chrono::milliseconds(200)))
      << "Prometheus never saw the target up:\n" << log();
  EXPECT_TRUE(testsupport::wait_until(
      [&] { return query(port, "tronidx_tip_block") == static_cast<double>(truth.head); }, std::chrono::seconds(30),
      std::chrono::milliseconds(200)))
      << "tronidx_tip_block never equalled the head " << truth.head << ":\n" << log();
  // Every rule group loaded (a rule that does not parse makes Prometheus refuse the whole file).
  const HttpAnswer rules = http_get(port, "/api/v1/rules");
  ASSERT_EQ(rules.status, 200) << rules.body;
  const auto j = nlohmann::json::parse(rules.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  size_t loaded = 0;
  for (const auto& g : j["data"]["groups"]) loaded += g["rules"].size();
  EXPECT_GT(loaded, 0u) << "no alert rule loaded:\n" << log();
  // A new block moves the scraped tip.
  TS_ASSERT_OK(sim->advance(3));
  EXPECT_TRUE(testsupport::wait_until(
      [&] { return query(port, "tronidx_tip_block") == static_cast<double>(truth.head + 3); }, std::chrono::seconds(30),
      std::chrono::milliseconds(200)))
      << "the scraped tip did not move to " << truth.head + 3;
}

}  // namespace
}  // namespace tronidx::clitest
