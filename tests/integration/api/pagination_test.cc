// ListTransfers / GetTransfers against ground truth:
//   - walking every page (page_size 3) of an address and of a token, in both orders, while blocks arrive
//     and reorganisations (within finality) happen between pages, returns every row of history that did
//     not change exactly once, never a row twice, rows only of blocks the simulator produced, in strictly
//     monotone position order;
//   - a page token used with other request fields is INVALID_ARGUMENT (page_size may change);
//   - a read mask returns the same rows with exactly the named fields (libprotobuf's FieldMaskUtil trims the
//     full rows for the oracle), its page tokens continue an unmasked listing, an unknown field name is
//     INVALID_ARGUMENT naming read_mask; GetTransfers too;
//   - direction, token_filter, block range, time range (inclusive bounds), min_confirmations and order
//     match ground truth exactly, with the confirmations / final of every row; GetTransfers(txid) too.
#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <random>

#include "api_util.h"
#include "model.h"
#include "testsupport/wait.h"

namespace tronidx::apitest {
namespace {

const std::string kUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

std::string row_id(const TruthTransfer& t) {
  return std::to_string(t.block_num) + "/" + std::to_string(t.tx_index) + "/" + std::to_string(t.event_index) + "/" +
         t.block_id;
}

bool indexed(const TruthTransfer& t) { return t.kind != "TRC10"; }  // all mode, TRC10 off

struct Walk {
  std::string name;
  v1::ListTransfersRequest req;
  std::function<bool(const TruthTransfer&)> subject;
};

TEST(Pagination, WalkingPagesWhileBlocksArriveAndReorgsHappenYieldsUnchangedRowsExactlyOnce) {
  const uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--txs-per-block", "6", "--block-interval-ms", "0", "--prebuild",
                                  "30", "--solid-lag", "8", "--hot-addresses", "2", "--hot-share", "0.5", "--seed",
                                  std::to_string(seed % 100000 + 1)}));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth t0, read_truth(*sim));
  const std::string hot = t0.hot_addresses[0];

  std::vector<Walk> walks;
  for (auto order : {v1::NEWEST_FIRST, v1::OLDEST_FIRST}) {
    const std::string o_name = order == v1::NEWEST_FIRST ? "newest-first" : "oldest-first";
    Walk a;
    a.name = "address " + o_name;
    a.req.set_address(hot);
    a.req.set_order(order);
    a.req.set_page_size(3);
    a.subject = [hot](const TruthTransfer& t) { return t.from == hot || t.to == hot; };
    walks.push_back(a);
    Walk k;
    k.name = "token USDT " + o_name;
    k.req.set_token(kUsdt);
    k.req.set_order(order);
    k.req.set_page_size(3);
    k.subject = [](const TruthTransfer& t) { return t.token == kUsdt; };
    walks.push_back(k);
  }

  std::map<std::string, SimVersion> versions;
  add_versions(t0, versions);
  int reorgs = 0;
  for (auto& w : walks) {
    TS_ASSERT_OK(wait_synced(*d, *sim));
    TS_ASSIGN(const ChainTruth before, read_truth(*sim));
    std::vector<TruthTransfer> rows;
    v1::ListTransfersRequest req = w.req;
    int pages = 0;
    while (true) {
      auto ctx = make_ctx();
      v1::ListTransfersResponse resp;
      const grpc::Status s = d->query().ListTransfers(ctx.get(), req, &resp);
      ASSERT_TRUE(s.ok()) << w.name << " page " << pages << ": " << describe(s);
      ASSERT_LE(resp.transfers_size(), 3);
      for (const auto& t : resp.transfers()) rows.push_back(testsupport::from_proto(t));
      ++pages;
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
      if (pages > 14) continue;  // then let the walk reach the end
      // The chain moves between pages: new blocks, or a reorganisation of the unsolidified top.
      TS_ASSIGN(const auto st, sim->status());
      const int room = static_cast<int>(st.head_num() - st.solidified_num()) - 1;
      if (pick(0, 2) == 0 && room >= 1) {
        tronsim::v1::ReorgRequest r;
        const int depth = pick(1, std::min(4, room));
        r.set_depth(depth);
        r.set_new_length(depth + pick(0, 2));
        auto rr = sim->reorg(r);
        ASSERT_TRUE(rr.ok()) << rr.error().message;
        ++reorgs;
      } else {
        TS_ASSERT_OK(sim->advance(pick(1, 2)));
      }
      TS_ASSIGN(const ChainTruth now, read_truth(*sim));
      add_versions(now, versions);
      if (pick(0, 2) != 0) TS_ASSERT_OK(wait_synced(*d, *sim));
    }
    TS_ASSERT_OK(wait_synced(*d, *sim));
    TS_ASSIGN(const ChainTruth after, read_truth(*sim));
    add_versions(after, versions);

    // Strictly monotone positions, never a row twice.
    std::set<std::string> seen;
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_TRUE(seen.insert(row_id(rows[i])).second) << w.name << ": row returned twice: " << testsupport::describe(rows[i]);
      if (i > 0) {
        const auto p0 = std::make_tuple(rows[i - 1].block_num, rows[i - 1].tx_index, rows[i - 1].event_index);
        const auto p1 = std::make_tuple(rows[i].block_num, rows[i].tx_index, rows[i].event_index);
        if (w.req.order() == v1::NEWEST_FIRST) {
          EXPECT_LT(p1, p0) << w.name << ": position order broken at row " << i;
        } else {
          EXPECT_GT(p1, p0) << w.name << ": position order broken at row " << i;
        }
      }
      // A real transfer of a block the simulator produced.
      auto v = versions.find(rows[i].block_id);
      ASSERT_NE(v, versions.end()) << w.name << ": row of an unknown block: " << testsupport::describe(rows[i]);
      const auto& vt = v->second.transfers;
      EXPECT_NE(std::find(vt.begin(), vt.end(), rows[i]), vt.end())
          << w.name << ": row not in its block's ground truth: " << testsupport::describe(rows[i]);
      EXPECT_TRUE(w.subject(rows[i])) << w.name << ": row of another subject";
    }
    // Every row that existed when the walk began and still exists at its end: exactly once.
    std::set<TruthTransfer> final_set(after.transfers.begin(), after.transfers.end());
    size_t unchanged = 0;
    for (const auto& t : before.transfers) {
      if (!indexed(t) || !w.subject(t) || final_set.count(t) == 0) continue;
      ++unchanged;
      EXPECT_EQ(std::count(rows.begin(), rows.end(), t), 1) << w.name << ": unchanged row not returned exactly once: "
                                                           << testsupport::describe(t);
    }
    EXPECT_GT(unchanged, 10u) << w.name;
    std::cout << "[pages] " << w.name << ": " << pages << " pages, " << rows.size() << " rows, " << unchanged
              << " unchanged rows" << std::endl;
  }
  EXPECT_GT(reorgs, 3);
}

struct Served {
  std::unique_ptr<SimProcess> sim;
  std::unique_ptr<ApiDaemon> daemon;
  ChainTruth truth;
};

// A static tiny chain of `blocks` blocks (6 transactions each, half of them to one of `hot` hot addresses),
// indexed in all mode from block 1.
void serve_tiny_chain(Served& s, int blocks, int hot) {
  TS_ASSIGN(s.sim, start_sim({"--profile", "tiny", "--txs-per-block", "6", "--block-interval-ms", "0", "--prebuild",
                              std::to_string(blocks), "--solid-lag", "6", "--hot-addresses", std::to_string(hot),
                              "--hot-share", "0.5"}));
  ApiDaemonOptions o = daemon_options(*s.sim, "all");
  o.start_block = 1;
  TS_ASSIGN(s.daemon, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*s.daemon, *s.sim));
  TS_ASSIGN(s.truth, read_truth(*s.sim));
}

TEST(Pagination, PageTokenWithOtherRequestFieldsIsInvalidArgument) {
  Served served;
  serve_tiny_chain(served, 40, 2);
  if (HasFatalFailure()) return;
  const auto& d = served.daemon;
  const ChainTruth& t = served.truth;
  v1::ListTransfersRequest base;
  base.set_address(t.hot_addresses[0]);
  base.set_page_size(2);
  auto ctx = make_ctx();
  v1::ListTransfersResponse first;
  ASSERT_TRUE(d->query().ListTransfers(ctx.get(), base, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  const std::string token = first.next_page_token();

  std::vector<std::pair<std::string, std::function<void(v1::ListTransfersRequest&)>>> changes = {
      {"another address", [&](auto& r) { r.set_address(t.hot_addresses[1]); }},
      {"token subject", [&](auto& r) { r.set_token(kUsdt); }},
      {"direction IN", [](auto& r) { r.set_direction(v1::IN); }},
      {"direction OUT", [](auto& r) { r.set_direction(v1::OUT); }},
      {"token_filter", [](auto& r) { r.set_token_filter(kUsdt); }},
      {"from_block", [](auto& r) { r.set_from_block(2); }},
      {"to_block", [](auto& r) { r.set_to_block(30); }},
      {"from_time_ms", [&](auto& r) { r.set_from_time_ms(t.blocks.at(2).timestamp_ms); }},
      {"to_time_ms", [&](auto& r) { r.set_to_time_ms(t.blocks.at(30).timestamp_ms); }},
      {"min_confirmations", [](auto& r) { r.set_min_confirmations(2); }},
      {"order", [](auto& r) { r.set_order(v1::OLDEST_FIRST); }},
  };
  for (const auto& [name, change] : changes) {
    v1::ListTransfersRequest r = base;
    change(r);
    r.set_page_token(token);
    auto c = make_ctx();
    v1::ListTransfersResponse resp;
    const grpc::Status s = d->query().ListTransfers(c.get(), r, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name << ": " << describe(s);
    EXPECT_NE(s.error_message().find("page_token"), std::string::npos) << name << ": " << describe(s);
  }
  // page_size is not part of the listing: the token continues with another page size.
  v1::ListTransfersRequest r = base;
  r.set_page_size(50);
  r.set_page_token(token);
  auto c = make_ctx();
  v1::ListTransfersResponse resp;
  const grpc::Status s = d->query().ListTransfers(c.get(), r, &resp);
  ASSERT_TRUE(s.ok()) << describe(s);
  TS_ASSIGN(auto all, list_all(*d, base));
  ASSERT_GE(all.size(), 2u + static_cast<size_t>(resp.transfers_size()));
  for (int i = 0; i < resp.transfers_size(); ++i) {
    EXPECT_EQ(testsupport::from_proto(resp.transfers(i)), all[2 + static_cast<size_t>(i)]);
  }
}

TEST(Pagination, ReadMaskReturnsTheSameRowsWithOnlyTheNamedFields) {
  Served served;
  serve_tiny_chain(served, 30, 1);
  if (HasFatalFailure()) return;
  const auto& d = served.daemon;
  const ChainTruth& t = served.truth;
  v1::ListTransfersRequest full_req;
  full_req.set_address(t.hot_addresses[0]);
  full_req.set_page_size(20);
  v1::ListTransfersResponse full;
  auto ctx = make_ctx();
  ASSERT_TRUE(d->query().ListTransfers(ctx.get(), full_req, &full).ok());
  ASSERT_GE(full.transfers_size(), 4);
  ASSERT_FALSE(full.transfers(0).from_hex().empty());

  google::protobuf::FieldMask mask;
  for (const char* f : {"txid", "amount", "to", "from_hex", "confirmations"}) mask.add_paths(f);
  v1::ListTransfersRequest masked_req = full_req;
  *masked_req.mutable_read_mask() = mask;
  v1::ListTransfersResponse masked;
  ctx = make_ctx();
  ASSERT_TRUE(d->query().ListTransfers(ctx.get(), masked_req, &masked).ok());
  ASSERT_EQ(masked.transfers_size(), full.transfers_size());
  EXPECT_EQ(masked.next_page_token(), full.next_page_token());
  for (int i = 0; i < full.transfers_size(); ++i) {
    v1::Transfer want = full.transfers(i);
    google::protobuf::util::FieldMaskUtil::TrimMessage(mask, &want);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(masked.transfers(i), want))
        << "row " << i << ": " << masked.transfers(i).DebugString() << " vs " << want.DebugString();
  }

  // A masked listing's page token continues the unmasked listing where it stopped.
  masked_req.set_page_size(2);
  ctx = make_ctx();
  ASSERT_TRUE(d->query().ListTransfers(ctx.get(), masked_req, &masked).ok());
  ASSERT_FALSE(masked.next_page_token().empty());
  v1::ListTransfersRequest next = full_req;
  next.set_page_size(2);
  next.set_page_token(masked.next_page_token());
  v1::ListTransfersResponse second;
  ctx = make_ctx();
  const grpc::Status s = d->query().ListTransfers(ctx.get(), next, &second);
  ASSERT_TRUE(s.ok()) << describe(s);
  ASSERT_EQ(second.transfers_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(second.transfers(i), full.transfers(2 + i))) << i;
  }

  // An unknown field: INVALID_ARGUMENT naming read_mask and the path, for both methods.
  masked_req.mutable_read_mask()->add_paths("no_such_field");
  ctx = make_ctx();
  const grpc::Status bad = d->query().ListTransfers(ctx.get(), masked_req, &masked);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << describe(bad);
  EXPECT_NE(bad.error_message().find("read_mask: unknown Transfer field \"no_such_field\""), std::string::npos)
      << describe(bad);
  v1::GetTransfersRequest by_txid;
  by_txid.set_txid(full.transfers(0).txid());
  *by_txid.mutable_read_mask() = masked_req.read_mask();
  v1::GetTransfersResponse got;
  ctx = make_ctx();
  const grpc::Status bad_get = d->query().GetTransfers(ctx.get(), by_txid, &got);
  EXPECT_EQ(bad_get.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << describe(bad_get);
  EXPECT_NE(bad_get.error_message().find("read_mask"), std::string::npos) << describe(bad_get);

  // GetTransfers with a mask: the transaction's rows, trimmed alike.
  *by_txid.mutable_read_mask() = mask;
  ctx = make_ctx();
  ASSERT_TRUE(d->query().GetTransfers(ctx.get(), by_txid, &got).ok());
  v1::GetTransfersRequest unmasked = by_txid;
  unmasked.clear_read_mask();
  v1::GetTransfersResponse all;
  ctx = make_ctx();
  ASSERT_TRUE(d->query().GetTransfers(ctx.get(), unmasked, &all).ok());
  ASSERT_EQ(got.transfers_size(), all.transfers_size());
  ASSERT_GE(got.transfers_size(), 1);
  for (int i = 0; i < all.transfers_size(); ++i) {
    v1::Transfer want = all.transfers(i);
    google::protobuf::util::FieldMaskUtil::TrimMessage(mask, &want);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got.transfers(i), want)) << i;
  }
}

TEST(Pagination, FiltersAndOrdersMatchGroundTruth) {
  const uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  TS_ASSIGN(auto sim, start_sim({"--profile", "small", "--txs-per-block", "12", "--block-interval-ms", "0",
                                  "--prebuild", "60", "--solid-lag", "8", "--hot-addresses", "3", "--hot-share", "0.4",
                                  "--seed", std::to_string(seed % 100000 + 1)}));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth t, read_truth(*sim));
  std::vector<TruthTransfer> truth;
  std::set<std::string> tokens;
  for (const auto& x : t.transfers) {
    if (x.block_num >= 1 && indexed(x)) {
      truth.push_back(x);
      tokens.insert(x.token);
    }
  }
  const std::vector<std::string> tokens_v(tokens.begin(), tokens.end());
  auto ts = [&](uint64_t n) { return t.blocks.at(n).timestamp_ms; };

  int checked = 0;
  for (int i = 0; i < 120; ++i) {
    v1::ListTransfersRequest req;
    std::function<bool(const TruthTransfer&)> keep;
    std::string what;
    const bool by_address = pick(0, 2) != 0;
    if (by_address) {
      const std::string a = t.hot_addresses[static_cast<size_t>(pick(0, 2))];
      req.set_address(a);
      const int dir = pick(0, 2);
      req.set_direction(dir == 0 ? v1::BOTH : dir == 1 ? v1::IN : v1::OUT);
      std::string tf;
      if (pick(0, 2) == 0) tf = tokens_v[static_cast<size_t>(pick(0, static_cast<int>(tokens_v.size()) - 1))];
      if (!tf.empty()) req.set_token_filter(tf);
      keep = [a, dir, tf](const TruthTransfer& x) {
        const bool in = x.to == a, out = x.from == a;
        const bool side = dir == 0 ? (in || out) : dir == 1 ? in : out;
        return side && (tf.empty() || x.token == tf);
      };
    } else {
      const std::string tk = tokens_v[static_cast<size_t>(pick(0, static_cast<int>(tokens_v.size()) - 1))];
      req.set_token(tk);
      keep = [tk](const TruthTransfer& x) { return x.token == tk; };
    }
    uint64_t from = 0, to = 0;
    if (pick(0, 1) == 0) from = static_cast<uint64_t>(pick(1, 50));
    if (pick(0, 1) == 0) to = static_cast<uint64_t>(pick(static_cast<int>(std::max<uint64_t>(from, 1)), 60));
    req.set_from_block(from);
    req.set_to_block(to);
    int64_t from_ms = 0, to_ms = 0;
    if (pick(0, 2) == 0) from_ms = ts(static_cast<uint64_t>(pick(1, 40))) + pick(-1, 1);
    if (pick(0, 2) == 0) to_ms = std::max<int64_t>(from_ms, ts(static_cast<uint64_t>(pick(20, 60))) + pick(-1, 1));
    req.set_from_time_ms(from_ms);
    req.set_to_time_ms(to_ms);
    const uint64_t minc = pick(0, 1) == 0 ? 0 : static_cast<uint64_t>(pick(1, 70));
    req.set_min_confirmations(minc);
    req.set_order(pick(0, 1) == 0 ? v1::NEWEST_FIRST : v1::OLDEST_FIRST);
    req.set_page_size(static_cast<uint32_t>(pick(1, 4) * 7));

    std::vector<TruthTransfer> want;
    for (const auto& x : truth) {
      if (!keep(x)) continue;
      if (from != 0 && x.block_num < from) continue;
      if (to != 0 && x.block_num > to) continue;
      if (from_ms != 0 && x.timestamp_ms < from_ms) continue;
      if (to_ms != 0 && x.timestamp_ms > to_ms) continue;
      if (minc != 0 && t.head - x.block_num + 1 < minc) continue;
      want.push_back(x);
    }
    if (req.order() == v1::NEWEST_FIRST) std::reverse(want.begin(), want.end());
    // Every page, with confirmations and finality of each row.
    std::vector<TruthTransfer> got;
    v1::ListTransfersRequest r = req;
    for (int pages = 0; pages < 1000; ++pages) {
      auto ctx = make_ctx();
      v1::ListTransfersResponse resp;
      const grpc::Status s = d->query().ListTransfers(ctx.get(), r, &resp);
      ASSERT_TRUE(s.ok()) << req.ShortDebugString() << ": " << describe(s);
      EXPECT_EQ(resp.tip_block_num(), t.head);
      EXPECT_EQ(resp.solidified(), t.solidified);
      for (const auto& x : resp.transfers()) {
        EXPECT_EQ(x.confirmations(), t.head - x.block_num() + 1);
        EXPECT_EQ(x.final(), x.block_num() <= t.solidified);
        if (x.token() == kUsdt) {
          EXPECT_EQ(x.token_symbol(), "USDT");
          EXPECT_TRUE(x.decimals_known());
          EXPECT_EQ(x.decimals(), 6u);
        }
        got.push_back(testsupport::from_proto(x));
      }
      if (resp.next_page_token().empty()) break;
      r.set_page_token(resp.next_page_token());
    }
    ++checked;
    if (got != want) {
      ADD_FAILURE() << req.ShortDebugString() << ": " << got.size() << " rows, expected " << want.size() << "\n"
                    << testsupport::diff(std::vector<TruthTransfer>(want.begin(), want.end()), got, 10);
      if (::testing::Test::HasFailure() && checked > 5) break;
    }
  }

  // GetTransfers: exactly the indexed transfers of the transaction, in event order; NOT_FOUND otherwise.
  std::map<std::string, std::vector<TruthTransfer>> by_tx;
  for (const auto& x : truth) by_tx[x.txid].push_back(x);
  int n = 0;
  for (const auto& [txid, want] : by_tx) {
    if (n++ % 7 != 0) continue;
    v1::GetTransfersRequest req;
    req.set_txid(txid);
    auto ctx = make_ctx();
    v1::GetTransfersResponse resp;
    const grpc::Status s = d->query().GetTransfers(ctx.get(), req, &resp);
    ASSERT_TRUE(s.ok()) << txid << ": " << describe(s);
    std::vector<TruthTransfer> got;
    for (const auto& x : resp.transfers()) got.push_back(testsupport::from_proto(x));
    EXPECT_EQ(got, want) << txid;
  }
  v1::GetTransfersRequest missing;
  missing.set_txid(std::string(64, 'a'));
  auto ctx = make_ctx();
  v1::GetTransfersResponse resp;
  EXPECT_EQ(d->query().GetTransfers(ctx.get(), missing, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace tronidx::apitest
