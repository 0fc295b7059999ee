// What generic gRPC tooling relies on:
//   - grpc.health.v1.Health/Check: SERVING when caught up; NOT_SERVING while catching up a large chain,
//     while lagging behind a node whose blocks cannot be fetched, and once indexing has halted (a reorg
//     below the solidified block); per-service names follow; an unknown service is NOT_FOUND;
//   - server reflection lists the tronidx.v1 services and serves their descriptors;
//   - an idle daemon with open streams does not burn CPU (hub workers block instead of spinning).
#include <gtest/gtest.h>
#include <google/protobuf/descriptor.pb.h>

#include <fstream>

#include "api_util.h"
#include "testsupport/wait.h"

namespace tronidx::apitest {
namespace {

bool health_is(const std::shared_ptr<grpc::Channel>& ch, const std::string& want, const std::string& service = "") {
  auto h = health_check(ch, service);
  return h.ok() && *h == want;
}

TEST(Ecosystem, HealthIsNotServingWhileCatchingUpALargeChain) {
  // 600 blocks behind, fetched one transaction-info answer at a time with 10 ms latency: a few seconds
  // of catching up with a lag far beyond api.health_max_lag_blocks.
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "600", "--solid-lag",
                                  "6", "--latency-ms", "10", "--latency-scope", "infos"}));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  o.sync_settings = {"fetch_concurrency = 1", "ranges_in_flight = 1"};
  o.api_settings.push_back("health_max_lag_blocks = 30");
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  auto ch = make_channel(d->api_endpoint());
  // While far behind (as GetStatus says), NOT_SERVING.
  bool seen_lagging = false;
  ASSERT_TRUE(testsupport::wait_until(
      [&] {
        auto st = d->status();
        if (!st.ok() || st->node_head() == 0) return false;
        if (st->lag_blocks() <= 60) return true;  // too late to look
        auto h = health_check(ch);
        auto st2 = d->status();
        if (h.ok() && st2.ok() && st2->lag_blocks() > 60) {
          EXPECT_EQ(*h, "NOT_SERVING") << "lag " << st2->lag_blocks() << " phase " << st2->phase();
          seen_lagging = true;
        }
        return seen_lagging;
      },
      60s));
  EXPECT_TRUE(seen_lagging) << "catch-up finished before the lag could be observed";
  // Caught up: SERVING, per service too.
  TS_ASSERT_OK(sim->set_faults(tronsim::v1::FaultConfig()));
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));
  EXPECT_TRUE(testsupport::wait_until([&] { return health_is(ch, "SERVING"); }, 10s));
  for (const char* svc : {"tronidx.v1.Query", "tronidx.v1.Watch", "tronidx.v1.Subscribe", "tronidx.v1.Admin"}) {
    EXPECT_TRUE(health_is(ch, "SERVING", svc)) << svc;
  }
  auto unknown = health_check(ch, "no.such.Service");
  EXPECT_FALSE(unknown.ok()) << "unknown service answered " << *unknown;
}

TEST(Ecosystem, HealthFollowsLagAndHalt) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "30", "--solid-lag",
                                  "6"}));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  o.api_settings.push_back("health_max_lag_blocks = 5");
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  auto ch = make_channel(d->api_endpoint());
  ASSERT_TRUE(testsupport::wait_until([&] { return health_is(ch, "SERVING"); }, 10s));

  // The node keeps its head moving but its blocks' transaction infos cannot be fetched: the daemon knows
  // the head and falls behind it.
  tronsim::v1::FaultConfig f;
  f.set_unavailable_rate(1.0);
  f.set_unavailable_scope(tronsim::v1::SCOPE_INFOS);
  TS_ASSERT_OK(sim->set_faults(f));
  TS_ASSERT_OK(sim->advance(20));
  EXPECT_TRUE(testsupport::wait_until([&] { return health_is(ch, "NOT_SERVING"); }, 20s))
      << "lagging 20 blocks behind (limit 5) and still SERVING";
  EXPECT_TRUE(health_is(ch, "NOT_SERVING", "tronidx.v1.Subscribe"));
  TS_ASSIGN(const auto lagging, d->status());
  EXPECT_GE(lagging.lag_blocks(), 15u);
  TS_ASSERT_OK(sim->set_faults(tronsim::v1::FaultConfig()));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  EXPECT_TRUE(testsupport::wait_until([&] { return health_is(ch, "SERVING"); }, 10s));

  // Halted: the node rewrites final history.
  tronsim::v1::ReorgRequest r;
  r.set_depth(10);
  r.set_allow_below_solidified(true);
  ASSERT_TRUE(sim->reorg(r).ok());
  ASSERT_TRUE(testsupport::wait_until(
      [&] {
        auto st = d->status();
        return st.ok() && st->phase() == "halted";
      },
      30s))
      << tail(d->log_text());
  TS_ASSIGN(const auto halted, d->status());
  EXPECT_FALSE(halted.halt_reason().empty());
  EXPECT_TRUE(testsupport::wait_until([&] { return health_is(ch, "NOT_SERVING"); }, 10s)) << "halted and SERVING";
  EXPECT_TRUE(d->running()) << "the halted daemon should keep serving its read API";
}

TEST(Ecosystem, ReflectionListsAndDescribesTheServices) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "5"}));
  TS_ASSIGN(auto d, ApiDaemon::start(daemon_options(*sim, "all")));
  auto ch = make_channel(d->api_endpoint());
  TS_ASSIGN(const auto services, reflection_services(ch));
  for (const char* svc : {"tronidx.v1.Query", "tronidx.v1.Watch", "tronidx.v1.Subscribe", "tronidx.v1.Admin",
                          "grpc.health.v1.Health"}) {
    EXPECT_NE(std::find(services.begin(), services.end(), svc), services.end())
        << svc << " not listed: " << ::testing::PrintToString(services);
  }
  // The descriptors are enough to call the API: Subscribe's file defines the service and its messages.
  TS_ASSIGN(const auto files, reflection_file_containing(ch, "tronidx.v1.Subscribe"));
  bool found = false;
  for (const auto& bytes : files) {
    google::protobuf::FileDescriptorProto fd;
    ASSERT_TRUE(fd.ParseFromString(bytes));
    if (fd.name() != "tronidx/v1/subscribe.proto") continue;
    found = true;
    EXPECT_EQ(fd.package(), "tronidx.v1");
    ASSERT_EQ(fd.service_size(), 1);
    EXPECT_EQ(fd.service(0).method(0).name(), "Subscribe");
    EXPECT_TRUE(fd.service(0).method(0).server_streaming());
  }
  EXPECT_TRUE(found) << "tronidx/v1/subscribe.proto not served";
  for (const char* sym : {"tronidx.v1.Query", "tronidx.v1.Admin", "tronidx.v1.Transfer", "tronidx.v1.ListTransfersRequest"}) {
    auto f = reflection_file_containing(ch, sym);
    EXPECT_TRUE(f.ok() && !f->empty()) << sym << ": " << (f.ok() ? "empty" : f.error().message);
  }
  EXPECT_FALSE(reflection_file_containing(ch, "tronidx.v1.NoSuchThing").ok());
}

// CPU time (user + system, seconds) of a process so far.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string x;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15; ++i) {
    fields >> x;
    if (i == 14) utime = std::stoull(x);
    if (i == 15) stime = std::stoull(x);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

TEST(Ecosystem, IdleDaemonWithOpenStreamsDoesNotBurnCpu) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "10"}));
  TS_ASSIGN(auto d, ApiDaemon::start(daemon_options(*sim, "all")));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  v1::SubscribeRequest req;
  req.add_tokens("TRX");
  EventStream s1(d->api_endpoint(), req), s2(d->api_endpoint(), v1::SubscribeRequest());
  ASSERT_TRUE(s1.wait_heartbeat(10s));
  ASSERT_TRUE(s2.wait_heartbeat(10s));
  const double before = cpu_seconds(d->pid());
  const auto t0 = std::chrono::steady_clock::now();
  // Idle for a few seconds (heartbeats only).
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(s1.wait_heartbeat(10s));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double used = cpu_seconds(d->pid()) - before;
  std::cout << "[idle] " << used << " s CPU in " << wall << " s" << std::endl;
  EXPECT_LT(used / wall, 0.25) << "an idle daemon used " << used << " s of CPU in " << wall << " s";
}

}  // namespace
}  // namespace tronidx::apitest
