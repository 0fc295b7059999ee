// tronidxd's HTTP endpoints: /metrics parses as strict Prometheus text (every family with HELP and TYPE,
// histograms consistent), its tip gauge equals the node's head and moves up as blocks arrive, counters
// never go back; /healthz and /readyz answer 200 once synced; other paths 404; every metric deploy/'s alert
// rules and Grafana dashboard use is one it exports. The parser itself is shown to reject each kind of
// malformed exposition, so that "it parses" means something.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "cli_util.h"
#include "prom_text.h"
#include "testsupport/wait.h"

namespace tronidx::clitest {
namespace {

// The parser accepts a well-formed exposition and rejects each single defect.
TEST(CliMetrics, StrictParserRejectsMalformedExpositions) {
  const std::string good =
      "# HELP up Whether it is up.\n# TYPE up gauge\nup 1\n"
      "# HELP req_total Requests.\n# TYPE req_total counter\nreq_total{code=\"200\",path=\"/a\\\"b\"} 3\n"
      "req_total{code=\"500\",path=\"/\"} 0\n"
      "# HELP lat Latency.\n# TYPE lat histogram\n"
      "lat_bucket{le=\"0.1\"} 1\nlat_bucket{le=\"1\"} 2\nlat_bucket{le=\"+Inf\"} 3\nlat_sum 4.5\nlat_count 3\n";
  auto parsed = parse_prometheus(good);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->value("req_total", {{"code", "200"}, {"path", "/a\"b"}}), 3.0);
  EXPECT_EQ(parsed->families.at("lat").type, "histogram");

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"no final newline", "# TYPE up gauge\nup 1"},
      {"bad metric name", "# TYPE 1up gauge\n1up 1\n"},
      {"bad value", "up one\n"},
      {"hex value", "up 0x10\n"},
      {"unquoted label", "up{a=b} 1\n"},
      {"bad escape", "up{a=\"\\x\"} 1\n"},
      {"duplicate series", "up{a=\"1\"} 1\nup{a=\"1\"} 2\n"},
      {"not contiguous", "a 1\nb 1\na{x=\"1\"} 1\n"},
      {"TYPE after samples", "up 1\n# TYPE up gauge\n"},
      {"two TYPEs", "# TYPE up gauge\n# TYPE up counter\nup 1\n"},
      {"unknown type", "# TYPE up thing\nup 1\n"},
      {"negative counter", "# TYPE c counter\nc -1\n"},
      {"histogram without +Inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"},
      {"histogram +Inf != count",
       "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"},
      {"histogram not cumulative",
       "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n"},
      {"histogram le descending",
       "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"},
      {"histogram without _count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n"},
      {"bucket without le", "# TYPE h histogram\nh_bucket 1\nh_sum 1\nh_count 1\n"},
      {"bad le", "# TYPE h histogram\nh_bucket{le=\"x\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"},
  };
  for (const auto& [what, text] : bad) EXPECT_FALSE(parse_prometheus(text).ok()) << what;
}

// A live daemon: strict exposition, documented families present, tip follows the node, health 200.
TEST(CliMetrics, PrometheusTextTipMovesAndHealthEndpoints) {
  TS_ASSIGN(auto sim, start_fixed_sim(20, 5));
  TS_ASSIGN(auto d, ApiDaemon::start(apitest::daemon_options(*sim, "all")));
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  const int port = d->metrics_port();
  ASSERT_GT(port, 0) << "no \"metrics listening\" line in the log";
  TS_ASSIGN(const ChainTruth truth, apitest::read_truth(*sim));

  const HttpAnswer m1 = http_get(port, "/metrics");
  ASSERT_EQ(m1.status, 200);
  TS_ASSIGN(const PromText p1, parse_prometheus(m1.body));
  for (const auto& [name, f] : p1.families) {
    EXPECT_FALSE(f.help.empty()) << name << " has no HELP";
    EXPECT_NE(f.type, "untyped") << name << " has no TYPE";
    EXPECT_FALSE(f.samples.empty()) << name << " has no samples";
    EXPECT_EQ(name.rfind("tronidx_", 0), 0u) << name;
  }
  for (const char* fam :
       {"tronidx_tip_block", "tronidx_node_head_block", "tronidx_blocks_applied_total", "tronidx_commit_seconds",
        "tronidx_node_call_seconds", "tronidx_phase", "tronidx_rocksdb_live_bytes",
        "tronidx_rocksdb_ingest_stalls_total", "tronidx_rocksdb_l0_files", "tronidx_rocksdb_compactions_running",
        "tronidx_event_delivery_seconds"}) {
    EXPECT_EQ(p1.families.count(fam), 1u) << fam;
  }
  // The shipped alert rules and dashboard name only metrics tronidxd exports (a histogram's series by their
  // _bucket/_sum/_count names): a renamed metric would otherwise silently empty a panel or mute an alert.
  for (const char* file : {"deploy/prometheus/tronidx-alerts.yml", "deploy/grafana/tronidx-dashboard.json"}) {
    std::ifstream in(std::filesystem::path(TRONIDX_TEST_DATA_DIR) / ".." / file);
    ASSERT_TRUE(in) << file;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::regex metric("tronidx_[a-z0-9_]+");
    size_t uses = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), metric); it != std::sregex_iterator(); ++it, ++uses) {
      std::string family = it->str();
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const size_t n = std::strlen(suffix);
        if (p1.families.count(family) == 0 && family.size() > n && family.ends_with(suffix)) {
          family.resize(family.size() - n);
        }
      }
      EXPECT_EQ(p1.families.count(family), 1u) << file << " uses " << it->str() << ", which tronidxd does not export";
    }
    EXPECT_GE(uses, 10u) << file;
  }

  EXPECT_EQ(p1.value("tronidx_tip_block"), static_cast<double>(truth.head));
  EXPECT_EQ(p1.value("tronidx_lag_blocks"), 0.0);
  EXPECT_EQ(p1.value("tronidx_phase", {{"phase", "following"}}), 1.0);
  EXPECT_GT(p1.value("tronidx_commit_seconds_count").value_or(0), 0.0);

  const HttpAnswer health = http_get(port, "/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  const HttpAnswer ready = http_get(port, "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(http_get(port, "/nope").status, 404);

  // Blocks arrive: the tip gauge reaches the new head; counters do not go back.
  TS_ASSERT_OK(sim->advance(5));
  const double want = static_cast<double>(truth.head + 5);
  std::optional<PromText> p2;
  std::string last_error;
  ASSERT_TRUE(testsupport::wait_until(
      [&] {
        const HttpAnswer m = http_get(port, "/metrics");
        auto p = parse_prometheus(m.body);
        if (!p.ok()) {
          last_error = p.error().message;
          return true;  // reported below
        }
        p2 = std::move(*p);
        return p2->value("tronidx_tip_block") == want;
      },
      30s, 50ms))
      << "tronidx_tip_block never reached " << want;
  ASSERT_TRUE(p2.has_value()) << last_error;
  EXPECT_EQ(p2->value("tronidx_tip_block"), want);
  for (const auto& [name, f] : p1.families) {
    if (f.type != "counter") continue;
    for (const auto& s : f.samples) {
      const auto later = p2->value(s.name, s.labels);
      ASSERT_TRUE(later.has_value()) << s.name << " disappeared";
      EXPECT_GE(*later, s.value) << s.name << " went back";
    }
  }
  EXPECT_GE(p2->value("tronidx_blocks_applied_total").value_or(0),
            p1.value("tronidx_blocks_applied_total").value_or(0) + 5);
  TS_ASSERT_OK(apitest::wait_synced(*d, *sim));
  EXPECT_EQ(http_get(port, "/readyz").status, 200);
}

}  // namespace
}  // namespace tronidx::clitest
