// The daemon's life cycle: bad configuration files are refused with exit code 2 and a message naming the
// key (and nothing is created); a data dir of another chain or of another mode is refused with exit 2
// naming both sides; a second daemon on the same data dir is refused ("already in use") without
// disturbing the first; SIGTERM exits 0 after the commit in progress, and the restart continues exactly
// where the first run stopped.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <functional>

#include "engine_util.h"
#include "testsupport/temp_dir.h"
#include "testsupport/wait.h"

namespace tronidx::engine {
namespace {

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "config template lacks \"" << from << "\"";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// ---- bad configuration ------------------------------------------------------------------------------------

struct ConfigCase {
  std::string name;
  std::function<std::string(std::string)> edit;     // applied to a valid config
  std::vector<std::string> must_name;               // substrings of the error message
  std::vector<std::pair<std::string, std::string>> env = {};
  std::vector<std::string> extra_args = {};
};

void PrintTo(const ConfigCase& c, std::ostream* os) { *os << c.name; }

class EngineBadConfig : public ::testing::TestWithParam<ConfigCase> {};

TEST_P(EngineBadConfig, ExitsWithCode2NamingTheKey) {
  const ConfigCase& c = GetParam();
  testsupport::TempDir dir("tronidxd-config");
  const auto data_dir = dir.file("data");
  // The node endpoint is never contacted: configuration errors come first.
  const std::string cfg = c.edit(base_config("127.0.0.1:1", data_dir, "watched", testsupport::free_port()));
  write_file(dir.file("tronidxd.toml"), cfg);
  std::vector<std::string> args = {"-c", dir.file("tronidxd.toml").string()};
  args.insert(args.end(), c.extra_args.begin(), c.extra_args.end());
  const RunResult r = run_tronidxd(args, c.env, 30s);
  ASSERT_FALSE(r.timed_out) << "tronidxd did not exit on a bad configuration:\n" << cfg << "\n" << r.output;
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe() << "\n" << r.output;
  for (const auto& s : c.must_name) EXPECT_NE(r.output.find(s), std::string::npos) << "no \"" << s << "\" in:\n" << r.output;
  EXPECT_FALSE(std::filesystem::exists(data_dir)) << "a bad configuration still created the data dir";
}

const char* kValidAddress = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

INSTANTIATE_TEST_SUITE_P(
    Daemon, EngineBadConfig,
    ::testing::Values(
        ConfigCase{"UnknownKey",
                   [](std::string s) { return replace(s, "poll_interval_ms = 100", "poll_interval_ms = 100\nfetch_concurency = 4"); },
                   {"sync.fetch_concurency", "unknown key"}},
        ConfigCase{"UnknownSection", [](std::string s) { return s + "[indexer]\nmode = \"all\"\n"; }, {"indexer"}},
        ConfigCase{"WrongTypeInteger",
                   [](std::string s) { return replace(s, "poll_interval_ms = 100", "poll_interval_ms = \"fast\""); },
                   {"sync.poll_interval_ms", "integer"}},
        ConfigCase{"WrongTypeBool",
                   [](std::string s) { return replace(s, "sync_writes = true", "sync_writes = \"yes\""); },
                   {"store.sync_writes"}},
        ConfigCase{"WrongTypeList",
                   [](std::string s) { return replace(s, "endpoints = [\"127.0.0.1:1\"]", "endpoints = \"127.0.0.1:1\""); },
                   {"node.endpoints"}},
        ConfigCase{"EndpointNotHostPort",
                   [](std::string s) { return replace(s, "endpoints = [\"127.0.0.1:1\"]", "endpoints = [\"localhost\"]"); },
                   {"node.endpoints", "localhost"}},
        ConfigCase{"BadWatchAddress",
                   [](std::string s) { return s + "[[watch]]\naddress = \"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u\"\n"; },
                   {"watch[0].address"}},
        ConfigCase{"BadSecondWatchAddress",
                   [](std::string s) {
                     return s + "[[watch]]\naddress = \"" + kValidAddress + "\"\n[[watch]]\naddress = \"41zz\"\n";
                   },
                   {"watch[1].address"}},
        ConfigCase{"UnknownWatchKey",
                   [](std::string s) { return s + "[[watch]]\naddress = \"" + kValidAddress + "\"\nlable = \"x\"\n"; },
                   {"watch[0].lable"}},
        ConfigCase{"BadTokenAddress",
                   [](std::string s) { return replace(s, "mode = \"watched\"", "mode = \"all\"\ntokens = [\"TRX\", \"Tnope\"]"); },
                   {"index.tokens"}},
        ConfigCase{"TokensInWatchedMode",
                   [](std::string s) { return replace(s, "mode = \"watched\"", "mode = \"watched\"\ntokens = [\"TRX\"]"); },
                   {"index.tokens"}},
        ConfigCase{"BadMode", [](std::string s) { return replace(s, "mode = \"watched\"", "mode = \"everything\""); },
                   {"index.mode", "everything"}},
        ConfigCase{"MissingDataDir",
                   [](std::string s) {
                     const size_t at = s.find("data_dir = ");
                     return s.erase(at, s.find('\n', at) - at + 1);
                   },
                   {"store.data_dir"}},
        ConfigCase{"OutOfRangeZero",
                   [](std::string s) { return replace(s, "poll_interval_ms = 100", "poll_interval_ms = 100\nfetch_concurrency = 0"); },
                   {"sync.fetch_concurrency", "between"}},
        ConfigCase{"OutOfRangeTimeout",
                   [](std::string s) { return replace(s, "call_timeout_ms = 5000", "call_timeout_ms = 5"); },
                   {"node.call_timeout_ms"}},
        ConfigCase{"OutOfRangeNegativeStartBlock",
                   [](std::string s) { return replace(s, "mode = \"watched\"", "mode = \"watched\"\nstart_block = -5"); },
                   {"index.start_block"}},
        ConfigCase{"OutOfRangeHugeStartBlock",
                   [](std::string s) {
                     return replace(s, "mode = \"watched\"", "mode = \"watched\"\nstart_block = 5000000000");
                   },
                   {"index.start_block"}},
        ConfigCase{"OutOfRangeMaxAttempts",
                   [](std::string s) { return replace(s, "max_attempts = 3", "max_attempts = 1000"); },
                   {"node.max_attempts"}},
        ConfigCase{"BadLogLevel", [](std::string s) { return replace(s, "level = \"info\"", "level = \"loud\""); },
                   {"log.level"}},
        ConfigCase{"BadApiKeyHash",
                   [](std::string s) {
                     return s + "[[api.key]]\nname = \"k\"\nsha256 = \"abc\"\nscopes = [\"read\"]\n";
                   },
                   {"api.key[0].sha256"}},
        ConfigCase{"MalformedToml", [](std::string s) { return "[node\n" + s; }, {"tronidxd.toml:1"}},
        ConfigCase{"MalformedTomlValue",
                   [](std::string s) { return replace(s, "sync_writes = true", "sync_writes = tru e"); },
                   {"tronidxd.toml:"}},
        ConfigCase{"BadEnvironmentOverride", [](std::string s) { return s; }, {"sync.poll_interval_ms", "TRONIDX_SYNC_POLL_INTERVAL_MS"},
                   {{"TRONIDX_SYNC_POLL_INTERVAL_MS", "soon"}}},
        ConfigCase{"UnknownKeyOnCommandLine", [](std::string s) { return s; }, {"sync.poll"},
                   {}, {"--set", "sync.poll=5"}}),
    [](const ::testing::TestParamInfo<ConfigCase>& p) { return p.param.name; });

// ---- identity of the data dir ----------------------------------------------------------------------------

// Runs a daemon on `sim` into `data_dir` until it has indexed the head, then stops it (exit 0).
void index_once(const SimProcess& sim, const std::filesystem::path& data_dir, const std::string& mode) {
  IndexSpec spec;
  spec.all = mode == "all";
  auto o = daemon_options(spec, {sim.full_node_endpoint()});
  o.data_dir = data_dir;
  o.start_block = 1;
  TS_ASSIGN(auto d, Daemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, sim, 120s));
  const ExitStatus st = d->stop();
  ASSERT_TRUE(st.success()) << st.describe();
}

TEST(EngineLifecycle, RefusesADataDirOfAnotherChain) {
  TS_ASSIGN(auto sim_a, start_sim({"--seed", "61", "--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "30"}));
  TS_ASSIGN(auto sim_b, start_sim({"--seed", "62", "--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "30"}));
  TS_ASSIGN(const auto a, sim_a->status());
  TS_ASSIGN(const auto b, sim_b->status());
  ASSERT_NE(a.genesis_id(), b.genesis_id());
  testsupport::TempDir dir("tronidxd-identity");
  const auto data_dir = dir.file("data");
  index_once(*sim_a, data_dir, "all");
  if (HasFatalFailure()) return;
  TS_ASSIGN(const DbView before, read_db(data_dir));

  write_file(dir.file("b.toml"), base_config(sim_b->full_node_endpoint(), data_dir, "all", testsupport::free_port()));
  const RunResult r = run_tronidxd({"-c", dir.file("b.toml").string()}, {}, 60s);
  ASSERT_FALSE(r.timed_out) << r.output;
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe() << "\n" << r.output;
  EXPECT_NE(r.output.find(a.genesis_id()), std::string::npos) << "the stored genesis is not named:\n" << r.output;
  EXPECT_NE(r.output.find(b.genesis_id()), std::string::npos) << "the node's genesis is not named:\n" << r.output;

  TS_ASSIGN(const DbView after, read_db(data_dir));
  EXPECT_EQ(after.tip_id, before.tip_id);
  EXPECT_EQ(after.next_seq, before.next_seq);
  const auto violations = db_invariants(data_dir);
  EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

TEST(EngineLifecycle, RefusesADataDirOfAnotherMode) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "63", "--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "30"}));
  testsupport::TempDir dir("tronidxd-mode");
  const auto data_dir = dir.file("data");
  index_once(*sim, data_dir, "watched");
  if (HasFatalFailure()) return;
  TS_ASSIGN(const DbView before, read_db(data_dir));
  write_file(dir.file("all.toml"), base_config(sim->full_node_endpoint(), data_dir, "all", testsupport::free_port()));
  const RunResult r = run_tronidxd({"-c", dir.file("all.toml").string()}, {}, 60s);
  ASSERT_FALSE(r.timed_out) << r.output;
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe() << "\n" << r.output;
  EXPECT_NE(r.output.find("\"watched\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"all:*\""), std::string::npos) << r.output;
  TS_ASSIGN(const DbView after, read_db(data_dir));
  EXPECT_EQ(after.next_seq, before.next_seq);
}

TEST(EngineLifecycle, SecondDaemonOnTheSameDataDirIsRefused) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "64", "--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "40"}));
  IndexSpec spec;
  spec.all = true;
  spec.base = 0;
  auto o = daemon_options(spec, {sim->full_node_endpoint()});
  o.start_block = 1;
  TS_ASSIGN(auto d, Daemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));

  testsupport::TempDir dir("tronidxd-second");
  write_file(dir.file("second.toml"), base_config(sim->full_node_endpoint(), d->data_dir(), "all", testsupport::free_port()));
  const RunResult r = run_tronidxd({"-c", dir.file("second.toml").string()}, {}, 60s);
  ASSERT_FALSE(r.timed_out) << r.output;
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe() << "\n" << r.output;
  EXPECT_NE(r.output.find("already in use"), std::string::npos) << r.output;

  // The first one is undisturbed.
  ASSERT_TRUE(d->running());
  TS_ASSERT_OK(sim->advance(5));
  TS_ASSERT_OK(wait_synced(*d, *sim, 60s));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  const std::string diff = compare_index_api(*d, truth, spec, 150);
  EXPECT_TRUE(diff.empty()) << diff;
  const ExitStatus st = d->stop();
  EXPECT_TRUE(st.success()) << st.describe();
}

// ---- SIGTERM -----------------------------------------------------------------------------------------------

TEST(EngineLifecycle, SigtermDuringCatchUpExits0AndRestartContinuesWhereItStopped) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "65", "--profile", "small", "--block-interval-ms", "0", "--prebuild",
                                     "400", "--latency-ms", "80", "--latency-scope", "data"}));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  IndexSpec spec;
  spec.all = true;
  spec.base = 0;
  auto o = daemon_options(spec, {sim->full_node_endpoint()});
  o.start_block = 1;
  TS_ASSIGN(auto d, Daemon::start(o));
  uint64_t tip = 0;
  ASSERT_TRUE(testsupport::wait_until(
      [&] {
        auto st = d->status();
        tip = st.ok() ? st->tip_block_num() : 0;
        return tip >= 100;
      },
      120s, 20ms))
      << tail(d->log_text());
  ASSERT_LT(tip + 100, truth.solidified) << "catch-up finished too early to be interrupted";

  const auto t0 = std::chrono::steady_clock::now();
  const ExitStatus st = d->stop(60s);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(st.success()) << "SIGTERM: " << st.describe() << "\n" << tail(d->log_text());
  EXPECT_LT(took, 20s) << "shutdown took too long";
  EXPECT_NE(d->log_text().find("received SIGTERM"), std::string::npos);

  const auto violations = db_invariants(d->data_dir());
  ASSERT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
  TS_ASSIGN(const DbView stopped, read_db(d->data_dir()));
  ASSERT_TRUE(stopped.exists && stopped.has_base);
  std::map<std::string, std::vector<TruthTransfer>> versions;
  add_versions(truth, versions);
  std::string diff = compare_db_blocks(stopped, versions, spec);
  ASSERT_TRUE(diff.empty()) << diff;
  ASSERT_LT(stopped.tip, truth.head);
  const std::string stop_log = d->log_text();
  EXPECT_NE(stop_log.find("tronidxd stopped at tip " + std::to_string(stopped.tip)), std::string::npos)
      << "the last log line should name the tip it stopped at (" << stopped.tip << ")\n" << tail(stop_log);

  // The restart resumes with block tip + 1: no gap, nothing applied twice.
  TS_ASSERT_OK(d.restart_fresh());
  TS_ASSERT_OK(wait_synced(*d, *sim, 180s));
  const std::string second_run = d->log_text();
  EXPECT_NE(second_run.find("catch-up: blocks " + std::to_string(stopped.tip + 1) + ".."), std::string::npos)
      << "the second run should resume catch-up at block " << stopped.tip + 1 << ":\n" << tail(second_run);
  diff = compare_index_api(*d, truth, spec, 30);
  EXPECT_TRUE(diff.empty()) << diff;
  const ExitStatus st2 = d->stop();
  EXPECT_TRUE(st2.success()) << st2.describe();
  TS_ASSIGN(const DbView done, read_db(d->data_dir()));
  ASSERT_GE(done.journal.size(), 1u);
  bool first_after = true;
  uint64_t next = spec.base + 1;
  for (const auto& r : done.journal) {
    ASSERT_NE(r.type, store::RecordType::kRevert);
    if (r.type != store::RecordType::kApply) continue;
    if (r.seq >= stopped.next_seq && first_after) {
      EXPECT_EQ(r.block.block_num, stopped.tip + 1) << "the first block of the second run";
      first_after = false;
    }
    ASSERT_EQ(r.block.block_num, next) << "APPLY " << r.seq;
    ++next;
  }
  EXPECT_EQ(next, truth.head + 1);
}

TEST(EngineLifecycle, SigtermWhileFollowingAndWhileTheNodeIsUnreachable) {
  TS_ASSIGN(auto sim, start_sim({"--seed", "66", "--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "40"}));
  IndexSpec spec;
  spec.all = true;
  spec.base = 0;
  auto o = daemon_options(spec, {sim->full_node_endpoint()});
  o.start_block = 1;
  TS_ASSIGN(auto d, Daemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  ExitStatus st = d->stop();
  EXPECT_TRUE(st.success()) << "SIGTERM while following: " << st.describe();
  TS_ASSIGN(const DbView db, read_db(d->data_dir()));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  EXPECT_EQ(db.tip_id, truth.head_id);

  // Nothing listens on the node endpoint: the daemon waits for it, and SIGTERM still ends it with 0.
  testsupport::TempDir dir("tronidxd-unreachable");
  write_file(dir.file("t.toml"), base_config("127.0.0.1:" + std::to_string(testsupport::free_port()),
                                              dir.file("data"), "all", testsupport::free_port()));
  testsupport::ChildOptions c;
  c.program = DaemonProcess::default_binary().string();
  c.args = {"-c", dir.file("t.toml").string()};
  c.stderr_path = dir.file("log");
  TS_ASSIGN(auto child, testsupport::ChildProcess::spawn(c));
  ASSERT_TRUE(testsupport::wait_until(
      [&] { return testsupport::read_text_file(dir.file("log")).find("waiting for the node") != std::string::npos; },
      30s))
      << testsupport::read_text_file(dir.file("log"));
  TS_ASSERT_OK(child.signal(SIGTERM));
  auto exited = child.wait_for(20s);
  ASSERT_TRUE(exited.has_value()) << "no exit after SIGTERM\n" << testsupport::read_text_file(dir.file("log"));
  EXPECT_TRUE(exited->success()) << exited->describe();
}

}  // namespace
}  // namespace tronidx::engine
