// API keys (DESIGN.md §6, proto comments): every RPC of Query / Watch / Subscribe / Admin called with no
// key, an unknown key, the key's SHA-256 itself, a malformed header, a key holding each single scope and
// a key holding all three, answers UNAUTHENTICATED / PERMISSION_DENIED / OK-or-a-normal-error exactly as
// the scopes say (Query: read; Watch: admin, ListWatches read; Subscribe: subscribe; Admin: admin,
// GetJob/ListJobs also read). Keys are configured only as SHA-256 hashes (the config file holds no key).
// allow_unauthenticated on a non-loopback listen address is refused at start (exit 2 naming the key).
// Health and reflection answer without a key.
#include <gtest/gtest.h>

#include <random>

#include "api_util.h"
#include "testsupport/wait.h"

namespace tronidx::apitest {
namespace {

const std::string kUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

enum ScopeSet : int { kRead = 1, kSubscribe = 2, kAdmin = 4 };

struct Rpc {
  std::string name;
  int allowed;  // scopes any of which grants the call
  std::function<grpc::Status(grpc::ClientContext*)> call;
};

std::string random_key(std::mt19937_64& rng, const std::string& prefix) {
  static const char* kAlpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string k = prefix + "-";
  for (int i = 0; i < 32; ++i) k.push_back(kAlpha[rng() % 62]);
  return k;
}

TEST(Auth, EveryRpcTimesEveryCredentialGetsTheRightStatus) {
  const uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--txs-per-block", "5", "--block-interval-ms", "0", "--prebuild",
                                  "20", "--solid-lag", "6", "--hot-addresses", "2", "--hot-share", "0.4"}));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  const std::map<std::string, int> keys = {
      {random_key(rng, "read"), kRead},
      {random_key(rng, "subscribe"), kSubscribe},
      {random_key(rng, "admin"), kAdmin},
      {random_key(rng, "root"), kRead | kSubscribe | kAdmin},
  };
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  o.api_settings = {"allow_unauthenticated = false", "heartbeat_interval_ms = 300"};
  o.plaintext_unauthenticated = false;
  for (const auto& [key, scopes] : keys) {
    o.extra_toml += "[[api.key]]\nname = \"" + key.substr(0, key.find('-')) + "\"\nsha256 = \"" + sha256_hex(key) +
                    "\"\nscopes = [";
    std::vector<std::string> names;
    if (scopes & kRead) names.push_back("\"read\"");
    if (scopes & kSubscribe) names.push_back("\"subscribe\"");
    if (scopes & kAdmin) names.push_back("\"admin\"");
    for (size_t i = 0; i < names.size(); ++i) o.extra_toml += (i ? ", " : "") + names[i];
    o.extra_toml += "]\n";
  }
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  // Only hashes in the configuration.
  const std::string config = testsupport::read_text_file(d->config_path());
  for (const auto& [key, scopes] : keys) {
    EXPECT_EQ(config.find(key), std::string::npos);
    EXPECT_NE(config.find(sha256_hex(key)), std::string::npos);
  }
  const std::string root = std::find_if(keys.begin(), keys.end(), [](const auto& k) { return k.second == 7; })->first;
  // Synced (read with the root key).
  ASSERT_TRUE(testsupport::wait_until(
      [&] {
        auto ctx = make_ctx(5s, root);
        v1::GetStatusResponse st;
        return d->query().GetStatus(ctx.get(), v1::GetStatusRequest(), &st).ok() && st.tip_block_num() == truth.head;
      },
      60s));

  const std::string hot = truth.hot_addresses[0];
  const std::string other = truth.hot_addresses[1];
  std::string txid;
  for (const auto& t : truth.transfers) {
    if (t.kind != "TRC10" && t.block_num >= 1) txid = t.txid;
  }
  auto& q = d->query();
  auto& w = d->watch();
  auto& a = d->admin();
  std::vector<Rpc> rpcs = {
      {"Query.GetStatus", kRead, [&](auto* c) { v1::GetStatusResponse r; return q.GetStatus(c, {}, &r); }},
      {"Query.ListTransfers", kRead,
       [&](auto* c) {
         v1::ListTransfersRequest req;
         req.set_address(hot);
         v1::ListTransfersResponse r;
         return q.ListTransfers(c, req, &r);
       }},
      {"Query.GetTransfers", kRead,
       [&](auto* c) {
         v1::GetTransfersRequest req;
         req.set_txid(txid);
         v1::GetTransfersResponse r;
         return q.GetTransfers(c, req, &r);
       }},
      {"Watch.AddWatch", kAdmin,
       [&](auto* c) {
         v1::AddWatchRequest req;
         req.set_address(hot);
         v1::AddWatchResponse r;
         return w.AddWatch(c, req, &r);
       }},
      {"Watch.AddWatches", kAdmin,
       [&](auto* c) {
         v1::AddWatchesRequest req;
         req.add_watches()->set_address(other);
         v1::AddWatchesResponse r;
         return w.AddWatches(c, req, &r);
       }},
      {"Watch.RemoveWatch", kAdmin,
       [&](auto* c) {
         v1::RemoveWatchRequest req;
         req.set_address(other);
         v1::RemoveWatchResponse r;
         return w.RemoveWatch(c, req, &r);
       }},
      {"Watch.ListWatches", kRead, [&](auto* c) { v1::ListWatchesResponse r; return w.ListWatches(c, {}, &r); }},
      {"Subscribe.Subscribe", kSubscribe,
       [&](auto* c) {
         v1::SubscribeRequest req;
         req.add_tokens(kUsdt);
         auto reader = d->subscribe().Subscribe(c, req);
         v1::Event e;
         if (reader->Read(&e)) {  // opened: a heartbeat came
           c->TryCancel();
           while (reader->Read(&e)) {
           }
           (void)reader->Finish();
           return grpc::Status::OK;
         }
         return reader->Finish();
       }},
      {"Admin.ListJobs", kRead | kAdmin, [&](auto* c) { v1::ListJobsResponse r; return a.ListJobs(c, {}, &r); }},
      {"Admin.GetJob", kRead | kAdmin,
       [&](auto* c) {
         v1::GetJobRequest req;
         req.set_id(1);
         v1::Job r;
         return a.GetJob(c, req, &r);
       }},
      {"Admin.StartBackfill", kAdmin,
       [&](auto* c) {
         v1::StartBackfillRequest req;
         req.set_address(hot);
         req.set_from_block(1);
         v1::Job r;
         return a.StartBackfill(c, req, &r);
       }},
      {"Admin.StartReindex", kAdmin,
       [&](auto* c) {
         v1::StartReindexRequest req;
         req.set_from_block(truth.head - 1);
         v1::Job r;
         return a.StartReindex(c, req, &r);
       }},
      {"Admin.StartVerify", kAdmin,
       [&](auto* c) {
         v1::StartVerifyRequest req;
         req.set_from_block(1);
         v1::Job r;
         return a.StartVerify(c, req, &r);
       }},
      {"Admin.CancelJob", kAdmin,
       [&](auto* c) {
         v1::CancelJobRequest req;
         req.set_id(1);
         v1::Job r;
         return a.CancelJob(c, req, &r);
       }},
  };

  struct Cred {
    std::string name;
    std::function<void(grpc::ClientContext*)> apply;
    int scopes;  // -1: not authenticated
  };
  std::vector<Cred> creds = {
      {"no key", [](auto*) {}, -1},
      {"unknown key", [&](auto* c) { c->AddMetadata("authorization", "Bearer " + random_key(rng, "nope")); }, -1},
      {"the key's hash as key", [&](auto* c) { c->AddMetadata("authorization", "Bearer " + sha256_hex(root)); }, -1},
      {"no Bearer prefix", [&](auto* c) { c->AddMetadata("authorization", root); }, -1},
      {"Basic scheme", [&](auto* c) { c->AddMetadata("authorization", "Basic " + root); }, -1},
      {"empty Bearer", [](auto* c) { c->AddMetadata("authorization", "Bearer "); }, -1},
  };
  for (const auto& [key, scopes] : keys) {
    const std::string k = key;
    creds.push_back({key.substr(0, key.find('-')) + " key", [k](auto* c) { c->AddMetadata("authorization", "Bearer " + k); },
                     scopes});
  }
  // A job to GetJob/CancelJob (id 1), started with the root key.
  {
    auto ctx = make_ctx(10s, root);
    v1::StartVerifyRequest req;
    req.set_from_block(1);
    v1::Job job;
    const grpc::Status s = a.StartVerify(ctx.get(), req, &job);
    ASSERT_TRUE(s.ok()) << describe(s);
    ASSERT_EQ(job.id(), 1u);
  }

  int calls = 0;
  for (const auto& rpc : rpcs) {
    for (const auto& cred : creds) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + 10s);
      cred.apply(&ctx);
      const grpc::Status s = rpc.call(&ctx);
      ++calls;
      const std::string where = rpc.name + " with " + cred.name + ": " + describe(s);
      if (cred.scopes < 0) {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << where;
      } else if ((cred.scopes & rpc.allowed) == 0) {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << where;
      } else {
        // Authorized: OK or an ordinary error of the request (e.g. a job already finished).
        EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << where;
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << where;
        EXPECT_NE(s.error_code(), grpc::StatusCode::UNAVAILABLE) << where;
        EXPECT_NE(s.error_code(), grpc::StatusCode::INTERNAL) << where;
      }
    }
  }
  std::cout << "[auth] " << calls << " calls" << std::endl;

  // Health and reflection answer without any key.
  auto ch = make_channel(d->api_endpoint());
  TS_ASSIGN(const std::string health, health_check(ch));
  EXPECT_EQ(health, "SERVING");
  TS_ASSIGN(const auto services, reflection_services(ch));
  for (const char* svc : {"tronidx.v1.Query", "tronidx.v1.Watch", "tronidx.v1.Subscribe", "tronidx.v1.Admin"}) {
    EXPECT_NE(std::find(services.begin(), services.end(), svc), services.end()) << svc;
  }
  EXPECT_TRUE(d->running());
}

TEST(Auth, AllowUnauthenticatedOnANonLoopbackAddressIsRefusedAtStart) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "5"}));
  for (const std::string listen : {"0.0.0.0", "[::]"}) {
    const std::string config = base_config(*sim) + "[api]\nlisten = \"" + listen + ":" +
                               std::to_string(testsupport::free_port()) + "\"\nallow_unauthenticated = true\n";
    const RunResult r = run_tronidxd_to_exit(config, 60s);
    EXPECT_FALSE(r.timed_out) << listen << ": tronidxd kept running\n" << tail(r.output);
    EXPECT_TRUE(r.status.exited && r.status.code == 2) << listen << ": " << r.status.describe() << "\n" << tail(r.output);
    EXPECT_NE(r.output.find("api.allow_unauthenticated"), std::string::npos) << tail(r.output);
  }
  // No key at all and no opt-in: refused too, naming the setting.
  const std::string config = base_config(*sim) + "[api]\nlisten = \"127.0.0.1:" + std::to_string(testsupport::free_port()) +
                             "\"\n";
  const RunResult r = run_tronidxd_to_exit(config, 60s);
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe() << "\n" << tail(r.output);
  EXPECT_NE(r.output.find("api.key"), std::string::npos) << tail(r.output);
}

}  // namespace
}  // namespace tronidx::apitest
