// Backfill of a newly watched address (Watch.AddWatch with a past start_block):
//   - watched mode: a job re-reads [start, tip] from the node while live indexing keeps following the
//     head (asserted on tip progress while the job runs, the node's transaction-info calls slowed down a
//     little so that the job lasts); progress is visible through Admin.GetJob and ListWatches; the
//     address ends with exactly its ground-truth history; its transfers reach subscribers as ADDED (and
//     FINALIZED where final), exactly as the reference model derives them from the journal;
//   - all mode: the same watch is instant (the index already has the history) and reaches subscribers.
#include <gtest/gtest.h>

#include "api_util.h"
#include "model.h"
#include "testsupport/wait.h"

namespace tronidx::apitest {
namespace {

bool indexed(const TruthTransfer& t) { return t.kind != "TRC10"; }

Result<v1::Job> get_job(const ApiDaemon& d, uint64_t id) {
  auto ctx = make_ctx();
  v1::GetJobRequest req;
  req.set_id(id);
  v1::Job job;
  auto s = d.admin().GetJob(ctx.get(), req, &job);
  if (!s.ok()) return make_error(Errc::kUnavailable, "GetJob: " + describe(s));
  return job;
}

Result<v1::WatchedAddress> watch_info(const ApiDaemon& d, const std::string& address) {
  auto ctx = make_ctx();
  v1::ListWatchesResponse resp;
  auto s = d.watch().ListWatches(ctx.get(), v1::ListWatchesRequest(), &resp);
  if (!s.ok()) return make_error(Errc::kUnavailable, "ListWatches: " + describe(s));
  for (const auto& w : resp.watches()) {
    if (w.address() == address) return w;
  }
  return make_error(Errc::kNotFound, address + " is not in ListWatches");
}

// What a subscriber saw, deduplicated, as keys.
std::set<std::string> keys_of(const EventStream& s) {
  std::set<std::string> out;
  for (const auto& e : s.events()) out.insert(event_key(e));
  return out;
}

void check_stream_against_model(const std::string& name, const std::vector<Segment>& segs,
                                const std::vector<ModelEvent>& model) {
  std::pair<uint64_t, uint32_t> start{0, 0};
  EXPECT_EQ(check_segments(segs, model, &start), "") << name;
  EXPECT_EQ(check_union(segs, model, start), "") << name;
}

TEST(Backfill, WatchedModeJobBackfillsExactHistoryWhileLiveIndexingKeepsPace) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "small", "--txs-per-block", "16", "--block-interval-ms", "0",
                                  "--prebuild", "400", "--solid-lag", "8", "--hot-addresses", "2", "--hot-share",
                                  "0.3"}));
  TS_ASSIGN(const ChainTruth t0, read_truth(*sim));
  const std::string a = t0.hot_addresses[0], b = t0.hot_addresses[1];
  ApiDaemonOptions o = daemon_options(*sim, "watched");
  o.start_block = 1;
  o.watches = {{b, "already watched"}};
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim, 120s));

  ModelFilter everything{"watched/d1", {}, {}, 1};
  ModelFilter only_a{"a/d0", {a}, {}, 0};
  EventStream s_all(d->api_endpoint(), everything.request());
  EventStream s_a(d->api_endpoint(), only_a.request());
  ASSERT_TRUE(s_all.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s));
  ASSERT_TRUE(s_a.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s));

  // Slow the node's transaction-info answers a little, so that the job lasts a few seconds.
  tronsim::v1::FaultConfig slow;
  slow.set_latency_ms(8);
  slow.set_latency_scope(tronsim::v1::SCOPE_INFOS);
  TS_ASSERT_OK(sim->set_faults(slow));

  TS_ASSIGN(const auto st0, d->status());
  v1::AddWatchRequest req;
  req.set_address(a);
  req.set_label("new customer");
  req.set_start_block(1);
  v1::AddWatchResponse resp;
  {
    auto ctx = make_ctx();
    const grpc::Status s = d->watch().AddWatch(ctx.get(), req, &resp);
    ASSERT_TRUE(s.ok()) << describe(s);
  }
  EXPECT_TRUE(resp.added());
  EXPECT_EQ(resp.address(), a);
  ASSERT_NE(resp.backfill_job_id(), 0u);
  const uint64_t job_id = resp.backfill_job_id();

  // While it runs: progress is visible and never goes back, and the tip keeps following the head.
  uint64_t last_next = 0;
  int live_checks = 0;
  std::set<std::string> states;
  for (int i = 0; i < 200; ++i) {
    // The watch first: a job still running after it was read was running when it was read (a job only
    // goes from running to done; the other order raced with a job finishing between the two calls).
    TS_ASSIGN(const v1::WatchedAddress w, watch_info(*d, a));
    TS_ASSIGN(const v1::Job job, get_job(*d, job_id));
    states.insert(job.state());
    EXPECT_EQ(job.kind(), "backfill");
    EXPECT_EQ(job.address(), a);
    EXPECT_GE(job.next_block(), last_next) << "job progress went back";
    last_next = job.next_block();
    EXPECT_EQ(w.backfill_job_id(), job_id);
    EXPECT_EQ(w.label(), "new customer");
    EXPECT_EQ(w.start_block(), 1u);
    if (job.state() != "running") break;
    EXPECT_EQ(w.backfill_state(), "running");
    // Live indexing meanwhile: two new blocks, indexed within a generous deadline.
    TS_ASSERT_OK(sim->advance(2));
    TS_ASSERT_OK(wait_synced(*d, *sim, 60s));
    ++live_checks;
  }
  EXPECT_TRUE(states.count("running")) << "the job was never seen running";
  EXPECT_GT(live_checks, 0) << "the job finished before live indexing could be observed";
  ASSERT_TRUE(testsupport::wait_until(
      [&] {
        auto j = get_job(*d, job_id);
        return j.ok() && j->state() != "running";
      },
      120s));
  TS_ASSERT_OK(sim->set_faults(tronsim::v1::FaultConfig()));
  TS_ASSIGN(const v1::Job done, get_job(*d, job_id));
  EXPECT_EQ(done.state(), "done") << done.error();
  EXPECT_EQ(done.from_block(), 1u);
  EXPECT_EQ(done.to_block(), st0.tip_block_num());
  EXPECT_EQ(done.next_block(), done.to_block() + 1);
  EXPECT_GT(done.finished_ms(), 0);
  TS_ASSIGN(const v1::WatchedAddress w, watch_info(*d, a));
  EXPECT_EQ(w.backfill_state(), "done");
  EXPECT_EQ(w.backfill_progress_block(), done.to_block() + 1);
  {
    auto ctx = make_ctx();
    v1::ListJobsResponse jobs;
    ASSERT_TRUE(d->admin().ListJobs(ctx.get(), v1::ListJobsRequest(), &jobs).ok());
    bool found = false;
    for (const auto& j : jobs.jobs()) found = found || j.id() == job_id;
    EXPECT_TRUE(found);
  }

  // The index: exactly the ground truth history of both addresses.
  TS_ASSERT_OK(sim->advance(3));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth t, read_truth(*sim));
  size_t items = 0;
  for (const std::string& who : {a, b}) {
    std::vector<TruthTransfer> want;
    for (const auto& x : touching(t.transfers, who)) {
      if (x.block_num >= 1 && indexed(x)) want.push_back(x);
    }
    if (who == a) {
      for (const auto& x : want) items += x.block_num <= done.to_block() ? 1 : 0;
    }
    v1::ListTransfersRequest lr;
    lr.set_address(who);
    lr.set_order(v1::OLDEST_FIRST);
    TS_ASSIGN(const auto got, list_all(*d, lr));
    EXPECT_EQ(testsupport::diff(want, got), "") << who;
  }
  EXPECT_EQ(done.items(), items);

  // Subscribers: every transfer of `a` ADDED, and FINALIZED where final.
  ASSERT_TRUE(s_a.wait_heartbeat(10s));
  ASSERT_TRUE(s_a.wait_heartbeat(10s));
  ASSERT_TRUE(s_all.wait_heartbeat(10s));
  const auto got_a = keys_of(s_a), got_all = keys_of(s_all);
  for (const auto& x : touching(t.transfers, a)) {
    if (!indexed(x) || x.block_num < 1) continue;
    for (const auto* keys : {&got_a, &got_all}) {
      EXPECT_EQ(keys->count(event_key(v1::Event::ADDED, x.txid, x.event_index, x.block_id)), 1u)
          << (keys == &got_a ? "address subscriber" : "everything-watched subscriber")
          << ": no ADDED for " << testsupport::describe(x);
      if (x.block_num <= t.solidified) {
        EXPECT_EQ(keys->count(event_key(v1::Event::FINALIZED, x.txid, x.event_index, x.block_id)), 1u)
            << (keys == &got_a ? "address subscriber" : "everything-watched subscriber")
            << ": no FINALIZED for " << testsupport::describe(x);
      }
    }
  }

  // And exactly the model's streams; the journal against the simulator.
  s_all.cancel();
  s_a.cancel();
  const std::vector<Segment> seg_all{{std::nullopt, s_all.received(), ""}}, seg_a{{std::nullopt, s_a.received(), ""}};
  ASSERT_TRUE(d->stop().success());
  TS_ASSIGN(const Journal journal, read_journal(d->data_dir()));
  const Replay rep = replay(journal, {everything, only_a});
  EXPECT_TRUE(rep.errors.empty()) << ::testing::PrintToString(rep.errors);
  EXPECT_GT(rep.backfills, 0u);
  check_stream_against_model(everything.name, seg_all, rep.events[0]);
  check_stream_against_model(only_a.name, seg_a, rep.events[1]);
  std::map<std::string, SimVersion> versions;
  add_versions(t, versions);
  std::vector<TruthTransfer> expected_final;
  for (const auto& x : t.transfers) {
    if (x.block_num >= 1 && indexed(x) && (x.from == a || x.to == a || x.from == b || x.to == b)) {
      expected_final.push_back(x);
    }
  }
  EXPECT_EQ(check_journal_truth(journal, rep, t, expected_final, versions,
                                [](const TruthTransfer& x, const std::set<std::string>& watched) {
                                  return indexed(x) && (watched.count(x.from) != 0 || watched.count(x.to) != 0);
                                }),
            "");
}

TEST(Backfill, AllModeWatchIsInstantAndReachesSubscribers) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "small", "--txs-per-block", "10", "--block-interval-ms", "0",
                                  "--prebuild", "80", "--solid-lag", "8", "--hot-addresses", "2", "--hot-share",
                                  "0.3"}));
  TS_ASSIGN(const ChainTruth t, read_truth(*sim));
  const std::string a = t.hot_addresses[0];
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  ModelFilter everything{"watched/d1", {}, {}, 1};
  EventStream s_all(d->api_endpoint(), everything.request());
  ASSERT_TRUE(s_all.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s));

  v1::AddWatchRequest req;
  req.set_address(a);
  req.set_start_block(1);
  v1::AddWatchResponse resp;
  {
    auto ctx = make_ctx();
    const grpc::Status s = d->watch().AddWatch(ctx.get(), req, &resp);
    ASSERT_TRUE(s.ok()) << describe(s);
  }
  ASSERT_NE(resp.backfill_job_id(), 0u);
  ASSERT_TRUE(testsupport::wait_until(
      [&] {
        auto j = get_job(*d, resp.backfill_job_id());
        return j.ok() && j->state() != "running";
      },
      30s))
      << "an all-mode backfill is not instant";
  TS_ASSIGN(const v1::Job done, get_job(*d, resp.backfill_job_id()));
  EXPECT_EQ(done.state(), "done") << done.error();

  std::vector<TruthTransfer> want;
  for (const auto& x : touching(t.transfers, a)) {
    if (x.block_num >= 1 && indexed(x)) want.push_back(x);
  }
  v1::ListTransfersRequest lr;
  lr.set_address(a);
  lr.set_order(v1::OLDEST_FIRST);
  TS_ASSIGN(const auto got, list_all(*d, lr));
  EXPECT_EQ(testsupport::diff(want, got), "");
  EXPECT_EQ(done.items(), want.size());

  ASSERT_TRUE(s_all.wait_heartbeat(10s));
  ASSERT_TRUE(s_all.wait_heartbeat(10s));
  const auto keys = keys_of(s_all);
  for (const auto& x : want) {
    EXPECT_EQ(keys.count(event_key(v1::Event::ADDED, x.txid, x.event_index, x.block_id)), 1u)
        << "no ADDED for " << testsupport::describe(x);
    if (x.block_num <= t.solidified) {
      EXPECT_EQ(keys.count(event_key(v1::Event::FINALIZED, x.txid, x.event_index, x.block_id)), 1u)
          << "no FINALIZED for " << testsupport::describe(x);
    }
  }
  s_all.cancel();
  const std::vector<Segment> segs{{std::nullopt, s_all.received(), ""}};
  ASSERT_TRUE(d->stop().success());
  TS_ASSIGN(const Journal journal, read_journal(d->data_dir()));
  const Replay rep = replay(journal, {everything});
  EXPECT_TRUE(rep.errors.empty()) << ::testing::PrintToString(rep.errors);
  check_stream_against_model(everything.name, segs, rep.events[0]);
}

}  // namespace
}  // namespace tronidx::apitest
