// Subscribe resume edge cases (docs/subscriptions.md §Cursors and resume): no cursor = live only; a
// cursor of another filter / depth / database, a forged or malformed one, one beyond the end →
// INVALID_ARGUMENT naming after_cursor; one older than the journal's retention → OUT_OF_RANGE naming
// an oldest valid cursor that works; heartbeats on idle streams carry usable cursors; a read mask trims
// each event's transfer and changes nothing else (not its cursors), an unknown field name is refused.
#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <regex>

#include "api_util.h"
#include "testsupport/wait.h"
#include "tronidx/chain/address.h"

namespace tronidx::apitest {
namespace {

const std::string kUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

struct Env {
  std::unique_ptr<SimProcess> sim;
  std::unique_ptr<ApiDaemon> daemon;
  ChainTruth truth;
};

// tiny chain, all mode, heartbeats every 300 ms.
void start_env(Env& env, std::vector<std::pair<std::string, std::string>> extra_env = {},
               std::vector<std::string> sync = {}, int prebuild = 20) {
  TS_ASSIGN(env.sim, start_sim({"--profile", "tiny", "--txs-per-block", "5", "--block-interval-ms", "0", "--prebuild",
                                 std::to_string(prebuild), "--solid-lag", "6", "--hot-addresses", "3", "--hot-share",
                                 "0.4"}));
  ApiDaemonOptions o = daemon_options(*env.sim, "all");
  o.start_block = 1;
  for (auto& e : extra_env) o.env.push_back(e);
  o.sync_settings = std::move(sync);
  TS_ASSIGN(env.daemon, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*env.daemon, *env.sim));
  TS_ASSIGN(env.truth, read_truth(*env.sim));
}

v1::SubscribeRequest filter(std::vector<std::string> addresses, std::vector<std::string> tokens, uint32_t depth) {
  v1::SubscribeRequest r;
  for (auto& a : addresses) r.add_addresses(a);
  for (auto& t : tokens) r.add_tokens(t);
  r.set_min_confirmations(depth);
  return r;
}

// A heartbeat cursor of a fresh live stream of `req`.
std::string live_cursor(const ApiDaemon& d, const v1::SubscribeRequest& req) {
  EventStream s(d.api_endpoint(), req);
  if (!s.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s)) return "";
  return s.received().front().event.cursor();
}

void expect_invalid_cursor(v1::Subscribe::Stub& stub, v1::SubscribeRequest req, const std::string& cursor,
                           const std::string& why) {
  req.set_after_cursor(cursor);
  bool opened = false;
  const grpc::Status s = subscribe_status(stub, req, &opened);
  EXPECT_FALSE(opened) << why << ": the stream opened";
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << why << ": " << describe(s);
  EXPECT_NE(s.error_message().find("after_cursor"), std::string::npos) << why << ": " << describe(s);
}

TEST(Resume, NoCursorIsLiveOnly) {
  Env env;
  start_env(env);
  if (HasFatalFailure()) return;
  TS_ASSIGN(const auto st, env.daemon->status());
  const uint64_t end = st.journal_next_seq() - 1;
  ASSERT_GT(end, 10u);
  EventStream s(env.daemon->api_endpoint(), filter({}, {kUsdt, "TRX"}, 0));
  ASSERT_TRUE(s.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s)) << describe(s.status());
  const auto first = s.received().front().event;
  ASSERT_EQ(first.type(), v1::Event::HEARTBEAT) << "a live stream replayed history: " << first.DebugString();
  auto c = decode_cursor(first.cursor());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->seq, end) << "a live stream starts at the end of the journal";
  EXPECT_EQ(c->ordinal, CursorPos::kAfterRecord);
  EXPECT_EQ(first.head(), env.truth.head);
  EXPECT_EQ(first.solidified(), env.truth.solidified);

  TS_ASSERT_OK(env.sim->advance(4));
  TS_ASSERT_OK(wait_synced(*env.daemon, *env.sim));
  TS_ASSIGN(const ChainTruth after, read_truth(*env.sim));
  std::vector<TruthTransfer> want;
  for (const auto& t : after.transfers) {
    if (t.block_num > env.truth.head && (t.token == kUsdt || t.token == "TRX")) want.push_back(t);
  }
  ASSERT_FALSE(want.empty()) << "the new blocks have no USDT/TRX transfer; pick another seed";
  ASSERT_TRUE(s.wait_for(
      [&](const std::vector<Received>& r) {
        size_t added = 0;
        for (const auto& x : r) added += x.event.type() == v1::Event::ADDED ? 1 : 0;
        return added >= want.size();
      },
      30s));
  std::vector<TruthTransfer> got;
  for (const auto& e : s.events()) {
    auto ec = decode_cursor(e.cursor());
    ASSERT_TRUE(ec.has_value());
    EXPECT_GT(ec->seq, end) << "an event of a record before the stream started: " << e.ShortDebugString();
    // Live: ADDED only for the new blocks (FINALIZED may name older blocks that became final since).
    if (e.type() == v1::Event::ADDED) {
      got.push_back(event_transfer(e));
      EXPECT_GT(e.transfer().block_num(), env.truth.head) << "history replayed on a live stream";
    }
    if (e.type() == v1::Event::FINALIZED) {
      EXPECT_GT(e.transfer().block_num(), env.truth.solidified) << "a FINALIZED delivered before the stream began";
    }
  }
  EXPECT_EQ(testsupport::diff(want, got), "");
}

TEST(Resume, CursorOfAnotherFilterOrDepthIsInvalidArgument) {
  Env env;
  start_env(env);
  if (HasFatalFailure()) return;
  const auto& hot = env.truth.hot_addresses;
  const auto base = filter({hot[0], hot[1]}, {}, 1);
  const std::string cursor = live_cursor(*env.daemon, base);
  ASSERT_FALSE(cursor.empty());
  auto& stub = env.daemon->subscribe();
  expect_invalid_cursor(stub, filter({hot[0]}, {}, 1), cursor, "fewer addresses");
  expect_invalid_cursor(stub, filter({hot[0], hot[2]}, {}, 1), cursor, "another address");
  expect_invalid_cursor(stub, filter({hot[0], hot[1]}, {}, 0), cursor, "depth 0");
  expect_invalid_cursor(stub, filter({hot[0], hot[1]}, {}, 3), cursor, "depth 3");
  expect_invalid_cursor(stub, filter({hot[0], hot[1]}, {kUsdt}, 1), cursor, "a token added");
  expect_invalid_cursor(stub, filter({}, {}, 1), cursor, "everything watched");
  expect_invalid_cursor(stub, filter({}, {kUsdt}, 3), live_cursor(*env.daemon, filter({}, {"TRX"}, 3)),
                        "another token");

  // The same filter and depth resume, however the addresses are spelled and ordered.
  for (const auto& same : {base, filter({hot[1], hot[0]}, {}, 1), filter({hot[0], hot[1], hot[0]}, {}, 1)}) {
    v1::SubscribeRequest req = same;
    req.set_after_cursor(cursor);
    bool opened = false;
    const grpc::Status s = subscribe_status(stub, req, &opened);
    EXPECT_TRUE(opened) << describe(s) << " for " << req.ShortDebugString();
  }
  // Hex spelling of the same addresses.
  {
    auto hex = [](const std::string& b58) {
      return tronidx::chain::Address::parse(b58).value().to_hex();
    };
    v1::SubscribeRequest req = filter({hex(hot[0]), "0x" + hex(hot[1]).substr(2)}, {}, 1);
    req.set_after_cursor(cursor);
    bool opened = false;
    const grpc::Status s = subscribe_status(stub, req, &opened);
    EXPECT_TRUE(opened) << "the same filter in hex was refused: " << describe(s);
  }
}

TEST(Resume, ReadMaskTrimsEachEventsTransferAndNothingElse) {
  Env env;
  start_env(env);
  if (HasFatalFailure()) return;
  const auto& hot = env.truth.hot_addresses;
  const v1::SubscribeRequest full_req = filter({hot[0]}, {}, 1);
  v1::SubscribeRequest masked_req = full_req;
  for (const char* f : {"txid", "amount", "from", "final"}) masked_req.mutable_read_mask()->add_paths(f);
  EventStream full(env.daemon->api_endpoint(), full_req);
  EventStream masked(env.daemon->api_endpoint(), masked_req);
  auto any = [](const std::vector<Received>& r) { return !r.empty(); };
  ASSERT_TRUE(full.wait_for(any, 30s)) << describe(full.status());
  ASSERT_TRUE(masked.wait_for(any, 30s)) << describe(masked.status());
  // Both streams are live at the same end of the journal before the chain moves on.
  EXPECT_EQ(full.received().front().event.cursor(), masked.received().front().event.cursor());

  TS_ASSERT_OK(env.sim->advance(6));
  TS_ASSERT_OK(wait_synced(*env.daemon, *env.sim));
  TS_ASSIGN(const ChainTruth after, read_truth(*env.sim));
  size_t want = 0;
  for (const auto& t : touching(after.transfers, hot[0])) {
    if (t.block_num > env.truth.head) want += 2;  // ADDED, CONFIRMED
  }
  ASSERT_GT(want, 0u) << "the new blocks do not touch the hot address; pick another seed";
  auto enough = [&](const std::vector<Received>& r) {
    size_t n = 0;
    for (const auto& x : r) n += x.event.type() != v1::Event::HEARTBEAT ? 1 : 0;
    return n >= want;
  };
  ASSERT_TRUE(full.wait_for(enough, 30s)) << describe(full.status());
  ASSERT_TRUE(masked.wait_for(enough, 30s)) << describe(masked.status());
  const auto a = full.events(), b = masked.events();
  ASSERT_GE(std::min(a.size(), b.size()), want);
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    v1::Event expect = a[i];
    google::protobuf::util::FieldMaskUtil::TrimMessage(masked_req.read_mask(), expect.mutable_transfer());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(b[i], expect))
        << "event " << i << ": " << b[i].ShortDebugString() << " vs " << expect.ShortDebugString();
    EXPECT_FALSE(b[i].transfer().txid().empty());
  }

  masked_req.mutable_read_mask()->add_paths("blockNum");
  bool opened = false;
  const grpc::Status s = subscribe_status(env.daemon->subscribe(), masked_req, &opened);
  EXPECT_FALSE(opened);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << describe(s);
  EXPECT_NE(s.error_message().find("read_mask: unknown Transfer field \"blockNum\""), std::string::npos) << describe(s);
}

TEST(Resume, MalformedForgedOrBeyondTheEndCursorIsInvalidArgumentNamingAfterCursor) {
  Env env;
  start_env(env);
  if (HasFatalFailure()) return;
  const auto req = filter({}, {kUsdt}, 0);
  const std::string good = live_cursor(*env.daemon, req);
  auto c = decode_cursor(good);
  ASSERT_TRUE(c.has_value()) << good;
  TS_ASSIGN(const auto st, env.daemon->status());
  auto& stub = env.daemon->subscribe();

  expect_invalid_cursor(stub, req, "garbage", "not a cursor");
  expect_invalid_cursor(stub, req, "c1.", "empty body");
  expect_invalid_cursor(stub, req, "c1.@@@@", "not base64url");
  expect_invalid_cursor(stub, req, "c2." + good.substr(3), "unknown version");
  expect_invalid_cursor(stub, req, good.substr(0, good.size() - 2), "truncated");
  expect_invalid_cursor(stub, req, good + "AAAA", "too long");
  expect_invalid_cursor(stub, req, "c1." + base64url_encode(std::string(35, 'x')), "35 bytes");
  expect_invalid_cursor(stub, req, "c1." + base64url_encode(std::string(37, 'x')), "37 bytes");
  expect_invalid_cursor(stub, req, " " + good, "leading space");
  {
    CursorPos f = *c;
    f.instance[0] = static_cast<char>(f.instance[0] ^ 1);
    expect_invalid_cursor(stub, req, encode_cursor(f), "instance id altered (another database)");
  }
  {
    CursorPos f = *c;
    f.binding ^= 1;
    expect_invalid_cursor(stub, req, encode_cursor(f), "binding altered");
  }
  // Beyond the end of the journal.
  for (uint64_t seq : {st.journal_next_seq(), st.journal_next_seq() + 100, uint64_t{1} << 40, ~uint64_t{0}}) {
    CursorPos f = *c;
    f.seq = seq;
    f.ordinal = 0;
    expect_invalid_cursor(stub, req, encode_cursor(f), "seq " + std::to_string(seq) + " beyond the end");
  }
  // The end itself is fine.
  {
    CursorPos f = *c;
    f.seq = st.journal_next_seq() - 1;
    f.ordinal = CursorPos::kAfterRecord;
    v1::SubscribeRequest r = req;
    r.set_after_cursor(encode_cursor(f));
    bool opened = false;
    const grpc::Status s = subscribe_status(stub, r, &opened);
    EXPECT_TRUE(opened) << describe(s);
  }
  // Still serving.
  EXPECT_TRUE(env.daemon->status().ok());
  EXPECT_TRUE(env.daemon->running());
}

TEST(Resume, CursorOfAnotherDatabaseIsInvalidArgument) {
  Env env;
  start_env(env);
  if (HasFatalFailure()) return;
  ApiDaemonOptions o = daemon_options(*env.sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto other, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*other, *env.sim));
  const auto req = filter({}, {kUsdt}, 1);
  const std::string cursor = live_cursor(*env.daemon, req);
  ASSERT_FALSE(cursor.empty());
  // Same chain, same journal length, same filter: only the database differs.
  expect_invalid_cursor(other->subscribe(), req, cursor, "cursor of another data dir");
  // And it still works where it came from.
  v1::SubscribeRequest r = req;
  r.set_after_cursor(cursor);
  bool opened = false;
  const grpc::Status s = subscribe_status(env.daemon->subscribe(), r, &opened);
  EXPECT_TRUE(opened) << describe(s);
}

TEST(Resume, CursorOlderThanRetentionIsOutOfRangeNamingAnOldestCursorThatWorks) {
  Env env;
  // The smallest retention (1000 records) and one block per commit, so that catching up 1,300 blocks
  // makes more than 1000 commits (the writer prunes every 1000) and ~2,600 records.
  start_env(env, {{"TRONIDX_STORE_JOURNAL_RETENTION", "1000"}, {"TRONIDX_STORE_SYNC_WRITES", "false"}},
            {"commit_max_blocks = 1"}, 12);
  if (HasFatalFailure()) return;
  const auto req = filter({}, {kUsdt}, 0);
  const std::string old = live_cursor(*env.daemon, req);
  auto oc = decode_cursor(old);
  ASSERT_TRUE(oc.has_value());
  // A subscriber that keeps up is not affected by pruning.
  EventStream keeping_up(env.daemon->api_endpoint(), req);
  ASSERT_TRUE(keeping_up.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s));

  TS_ASSERT_OK(env.sim->advance(1300));
  TS_ASSERT_OK(wait_synced(*env.daemon, *env.sim, 240s));
  TS_ASSIGN(const auto st, env.daemon->status());
  ASSERT_GT(st.journal_first_seq(), oc->seq + 1) << "the journal was not pruned (first " << st.journal_first_seq()
                                                 << ", next " << st.journal_next_seq() << ")";
  EXPECT_LE(st.journal_next_seq() - st.journal_first_seq(), 2000u) << "retention 1000 not applied";

  v1::SubscribeRequest r = req;
  r.set_after_cursor(old);
  bool opened = false;
  const grpc::Status s = subscribe_status(env.daemon->subscribe(), r, &opened);
  ASSERT_FALSE(opened);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE) << describe(s);
  EXPECT_NE(s.error_message().find("after_cursor"), std::string::npos) << describe(s);
  std::smatch m;
  const std::string msg = s.error_message();
  ASSERT_TRUE(std::regex_search(msg, m, std::regex("c1\\.[A-Za-z0-9_-]+"))) << "no cursor in: " << msg;
  const std::string oldest = m.str();
  auto ocur = decode_cursor(oldest);
  ASSERT_TRUE(ocur.has_value()) << oldest;
  TS_ASSIGN(const auto st2, env.daemon->status());
  EXPECT_LE(ocur->seq + 1, st2.journal_first_seq() + 1);
  EXPECT_GE(ocur->seq + 1, st.journal_first_seq()) << "the named cursor is older than the retained journal";

  // It works: the stream opens and delivers the retained events of the filter, then live ones.
  r.set_after_cursor(oldest);
  EventStream resumed(env.daemon->api_endpoint(), r);
  ASSERT_TRUE(resumed.wait_for([](const std::vector<Received>& x) { return !x.empty(); }, 30s))
      << "resuming from the named oldest cursor failed: " << describe(resumed.status());
  ASSERT_FALSE(resumed.ended()) << describe(resumed.status());
  TS_ASSIGN(const ChainTruth truth, read_truth(*env.sim));
  size_t retained_usdt = 0;
  for (const auto& t : truth.transfers) {
    if (t.token == kUsdt && t.block_num + 400 > truth.head) ++retained_usdt;  // well inside the retained journal
  }
  ASSERT_TRUE(resumed.wait_for(
      [&](const std::vector<Received>& x) {
        size_t added = 0;
        for (const auto& e : x) added += e.event.type() == v1::Event::ADDED ? 1 : 0;
        return added >= retained_usdt;
      },
      60s))
      << "the resumed stream did not replay the retained journal";
  for (const auto& e : resumed.events()) {
    auto ec = decode_cursor(e.cursor());
    ASSERT_TRUE(ec.has_value());
    EXPECT_GE(ec->seq, st.journal_first_seq());
  }
  EXPECT_FALSE(keeping_up.ended()) << describe(keeping_up.status());
}

TEST(Resume, HeartbeatsOnIdleStreamsCarryUsableCursors) {
  Env env;
  start_env(env);
  if (HasFatalFailure()) return;
  const auto& hot = env.truth.hot_addresses;
  const auto req = filter({hot[0]}, {}, 0);
  EventStream s1(env.daemon->api_endpoint(), req);
  // A filter nothing matches: only heartbeats, whose cursor still follows the journal.
  const std::string nobody = "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb";
  EventStream idle(env.daemon->api_endpoint(), filter({nobody}, {}, 0));
  ASSERT_TRUE(s1.wait_for([](const std::vector<Received>& r) { return r.size() >= 3; }, 30s))
      << "fewer than 3 heartbeats on an idle stream";
  for (const auto& r : s1.received()) {
    EXPECT_EQ(r.event.type(), v1::Event::HEARTBEAT);
    EXPECT_FALSE(r.event.has_transfer());
    EXPECT_EQ(r.event.head(), env.truth.head);
    EXPECT_EQ(r.event.solidified(), env.truth.solidified);
    EXPECT_TRUE(decode_cursor(r.event.cursor()).has_value()) << r.event.cursor();
  }
  const std::string hb = s1.received().back().event.cursor();

  TS_ASSERT_OK(env.sim->advance(6));
  TS_ASSERT_OK(wait_synced(*env.daemon, *env.sim));
  TS_ASSIGN(const ChainTruth after, read_truth(*env.sim));
  size_t want = 0;
  for (const auto& x : touching(after.transfers, hot[0])) {
    if (x.block_num > env.truth.head && x.kind != "TRC10") ++want;
  }
  ASSERT_GT(want, 0u) << "no new transfer of the hot address";
  TS_ASSIGN(const auto st, env.daemon->status());
  const uint64_t end = st.journal_next_seq() - 1;
  // s1 gets its events, then heartbeats at or after them.
  ASSERT_TRUE(s1.wait_for(
      [&](const std::vector<Received>& r) {
        if (r.empty() || r.back().event.type() != v1::Event::HEARTBEAT) return false;
        auto c = decode_cursor(r.back().event.cursor());
        return c && c->seq >= end;
      },
      30s))
      << "no heartbeat at the end of the journal after the events";
  const auto beat = s1.received().back().event;
  EXPECT_EQ(beat.head(), after.head);
  EXPECT_EQ(beat.solidified(), after.solidified);
  // The idle stream's heartbeat cursor moved to the end of the journal too.
  ASSERT_TRUE(idle.wait_for(
      [&](const std::vector<Received>& r) {
        if (r.empty()) return false;
        auto c = decode_cursor(r.back().event.cursor());
        return c && c->seq >= end;
      },
      30s))
      << "the idle stream's heartbeat cursor does not follow the journal: " << idle.last_cursor();
  EXPECT_TRUE(idle.events().empty());

  // Resuming from the heartbeat taken before the blocks delivers exactly what s1 received after it.
  std::vector<std::string> after_hb;
  for (const auto& e : s1.events()) after_hb.push_back(e.SerializeAsString());
  ASSERT_GE(after_hb.size(), want);
  v1::SubscribeRequest r = req;
  r.set_after_cursor(hb);
  EventStream s2(env.daemon->api_endpoint(), r);
  ASSERT_TRUE(s2.wait_for([&](const std::vector<Received>& x) {
    size_t n = 0;
    for (const auto& e : x) n += e.event.type() == v1::Event::HEARTBEAT ? 0 : 1;
    return n >= after_hb.size();
  }, 30s)) << describe(s2.status());
  std::vector<std::string> replayed;
  for (const auto& e : s2.events()) replayed.push_back(e.SerializeAsString());
  EXPECT_EQ(replayed, after_hb) << "resume from a heartbeat cursor differs from the live stream";
  // And resuming from the last heartbeat delivers nothing old.
  v1::SubscribeRequest r3 = req;
  r3.set_after_cursor(beat.cursor());
  EventStream s3(env.daemon->api_endpoint(), r3);
  ASSERT_TRUE(s3.wait_for([](const std::vector<Received>& x) { return !x.empty(); }, 30s));
  EXPECT_EQ(s3.received().front().event.type(), v1::Event::HEARTBEAT) << s3.received().front().event.DebugString();
}

}  // namespace
}  // namespace tronidx::apitest
