// Malformed requests: INVALID_ARGUMENT with a message naming the offending field, for every place an
// address is accepted (bad base58, bad checksum, wrong hex length or prefix, empty), page sizes, block
// and time ranges, unknown tokens, page tokens, cursors, filter sizes, min_confirmations, labels and
// txids — and the daemon never crashes: afterwards it still answers GetStatus and still indexes.
#include <gtest/gtest.h>

#include "api_util.h"
#include "testsupport/wait.h"

namespace tronidx::apitest {
namespace {

const std::string kUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

// A base58 address with its last character changed (checksum broken), and other bad spellings.
std::vector<std::pair<std::string, std::string>> bad_addresses(const std::string& good) {
  std::string bad_checksum = good;
  bad_checksum.back() = bad_checksum.back() == 'a' ? 'b' : 'a';
  std::string hex = "41" + std::string(40, 'a');
  return {
      {"bad checksum", bad_checksum},
      {"not base58 (0, O, I, l)", "T0OIl" + good.substr(5)},
      {"too short", good.substr(0, 20)},
      {"too long", good + "x"},
      {"hex with prefix 42", "42" + std::string(40, 'a')},
      {"0x hex of 19 bytes", "0x" + std::string(38, 'b')},
      {"hex with a non-hex digit", "41" + std::string(39, 'a') + "g"},
      {"empty", ""},
      {"spaces", " " + good + " "},
      {"a TRC10 id", "1002000"},
  };
}

struct Case {
  std::string name;
  std::string field;  // the message must name it
  std::function<grpc::Status(grpc::ClientContext*)> call;
  bool empty_is_ok = false;
};

TEST(Malformed, EveryMalformedFieldIsInvalidArgumentNamingItAndTheDaemonSurvives) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--txs-per-block", "5", "--block-interval-ms", "0", "--prebuild",
                                  "30", "--solid-lag", "6", "--hot-addresses", "2", "--hot-share", "0.4"}));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth truth, read_truth(*sim));
  const std::string good = truth.hot_addresses[0];
  auto& q = d->query();
  auto& w = d->watch();
  auto& a = d->admin();
  auto& sub = d->subscribe();
  auto subscribe = [&](grpc::ClientContext* c, const v1::SubscribeRequest& req) {
    auto reader = sub.Subscribe(c, req);
    v1::Event e;
    if (reader->Read(&e)) {
      c->TryCancel();
      while (reader->Read(&e)) {
      }
      (void)reader->Finish();
      return grpc::Status::OK;  // it opened: not refused
    }
    return reader->Finish();
  };

  std::vector<Case> cases;
  // Every place an address is accepted.
  for (const auto& [what, bad] : bad_addresses(good)) {
    if (what == "a TRC10 id") {
      // A TRC10 id is a valid *token*, never an address.
      cases.push_back({"ListTransfers.address " + what, "address", [&, bad = bad](auto* c) {
                         v1::ListTransfersRequest r;
                         r.set_address(bad);
                         v1::ListTransfersResponse resp;
                         return q.ListTransfers(c, r, &resp);
                       }});
      continue;
    }
    cases.push_back({"ListTransfers.address " + what, "address", [&, bad = bad](auto* c) {
                       v1::ListTransfersRequest r;
                       r.set_address(bad);
                       v1::ListTransfersResponse resp;
                       return q.ListTransfers(c, r, &resp);
                     }});
    if (!bad.empty()) {  // an empty token_filter means "no filter"
      cases.push_back({"ListTransfers.token_filter " + what, "token_filter", [&, bad = bad](auto* c) {
                         v1::ListTransfersRequest r;
                         r.set_address(good);
                         r.set_token_filter(bad);
                         v1::ListTransfersResponse resp;
                         return q.ListTransfers(c, r, &resp);
                       }});
      cases.push_back({"ListTransfers.token " + what, "token", [&, bad = bad](auto* c) {
                         v1::ListTransfersRequest r;
                         r.set_token(bad);
                         v1::ListTransfersResponse resp;
                         return q.ListTransfers(c, r, &resp);
                       }});
    }
    cases.push_back({"Subscribe.addresses " + what, "addresses[1]", [&, bad = bad](auto* c) {
                       v1::SubscribeRequest r;
                       r.add_addresses(good);
                       r.add_addresses(bad);
                       return subscribe(c, r);
                     }});
    cases.push_back({"Subscribe.tokens " + what, "tokens[0]", [&, bad = bad](auto* c) {
                       v1::SubscribeRequest r;
                       r.add_tokens(bad);
                       return subscribe(c, r);
                     }});
    cases.push_back({"AddWatch.address " + what, "address", [&, bad = bad](auto* c) {
                       v1::AddWatchRequest r;
                       r.set_address(bad);
                       v1::AddWatchResponse resp;
                       return w.AddWatch(c, r, &resp);
                     }});
    cases.push_back({"AddWatches.watches[1].address " + what, "watches[1].address", [&, bad = bad](auto* c) {
                       v1::AddWatchesRequest r;
                       r.add_watches()->set_address(good);
                       r.add_watches()->set_address(bad);
                       v1::AddWatchesResponse resp;
                       return w.AddWatches(c, r, &resp);
                     }});
    cases.push_back({"RemoveWatch.address " + what, "address", [&, bad = bad](auto* c) {
                       v1::RemoveWatchRequest r;
                       r.set_address(bad);
                       v1::RemoveWatchResponse resp;
                       return w.RemoveWatch(c, r, &resp);
                     }});
    cases.push_back({"StartBackfill.address " + what, "address", [&, bad = bad](auto* c) {
                       v1::StartBackfillRequest r;
                       r.set_address(bad);
                       r.set_from_block(1);
                       v1::Job resp;
                       return a.StartBackfill(c, r, &resp);
                     }});
    if (!bad.empty()) {
      cases.push_back({"ListWatches.page_token " + what, "page_token", [&, bad = bad](auto* c) {
                         v1::ListWatchesRequest r;
                         r.set_page_token(bad);
                         v1::ListWatchesResponse resp;
                         return w.ListWatches(c, r, &resp);
                       }});
    }
  }
  auto list = [&](std::function<void(v1::ListTransfersRequest&)> f) {
    return [&, f](grpc::ClientContext* c) {
      v1::ListTransfersRequest r;
      r.set_address(good);
      f(r);
      v1::ListTransfersResponse resp;
      return q.ListTransfers(c, r, &resp);
    };
  };
  cases.push_back({"ListTransfers page_size 1001", "page_size", list([](auto& r) { r.set_page_size(1001); })});
  cases.push_back({"ListTransfers page_size 2^32-1", "page_size", list([](auto& r) { r.set_page_size(0xffffffffu); })});
  cases.push_back({"ListTransfers no subject", "address", [&](auto* c) {
                     v1::ListTransfersRequest r;
                     v1::ListTransfersResponse resp;
                     return q.ListTransfers(c, r, &resp);
                   }});
  cases.push_back({"ListTransfers inverted block range", "to_block", list([](auto& r) {
                     r.set_from_block(20);
                     r.set_to_block(10);
                   })});
  cases.push_back({"ListTransfers inverted time range", "to_time_ms", list([&](auto& r) {
                     r.set_from_time_ms(truth.blocks.at(20).timestamp_ms);
                     r.set_to_time_ms(truth.blocks.at(10).timestamp_ms);
                   })});
  cases.push_back({"ListTransfers negative time", "time_ms", list([](auto& r) { r.set_from_time_ms(-5); })});
  cases.push_back({"ListTransfers negative to_time", "time_ms", list([](auto& r) { r.set_to_time_ms(-5); })});
  cases.push_back({"ListTransfers unknown token symbol", "token", [&](auto* c) {
                     v1::ListTransfersRequest r;
                     r.set_token("USDT");
                     v1::ListTransfersResponse resp;
                     return q.ListTransfers(c, r, &resp);
                   }});
  cases.push_back({"ListTransfers TRC10 id out of range", "token", [&](auto* c) {
                     v1::ListTransfersRequest r;
                     r.set_token("99999999999999999999999");
                     v1::ListTransfersResponse resp;
                     return q.ListTransfers(c, r, &resp);
                   }});
  cases.push_back({"ListTransfers token_filter symbol", "token_filter", list([](auto& r) { r.set_token_filter("USDT"); })});
  cases.push_back({"ListTransfers direction with a token", "direction", [&](auto* c) {
                     v1::ListTransfersRequest r;
                     r.set_token(kUsdt);
                     r.set_direction(v1::IN);
                     v1::ListTransfersResponse resp;
                     return q.ListTransfers(c, r, &resp);
                   }});
  cases.push_back({"ListTransfers token_filter with a token", "token_filter", [&](auto* c) {
                     v1::ListTransfersRequest r;
                     r.set_token(kUsdt);
                     r.set_token_filter("TRX");
                     v1::ListTransfersResponse resp;
                     return q.ListTransfers(c, r, &resp);
                   }});
  cases.push_back({"ListTransfers unknown direction value", "direction", list([](auto& r) {
                     r.set_direction(static_cast<v1::Direction>(7));
                   })});
  cases.push_back({"ListTransfers unknown order value", "order", list([](auto& r) {
                     r.set_order(static_cast<v1::Order>(9));
                   })});
  for (const std::string tok : {"garbage", "p1.", "p1.@@", "p1.AAAA", "p2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    cases.push_back({"ListTransfers page_token " + tok, "page_token", list([tok](auto& r) { r.set_page_token(tok); })});
  }
  cases.push_back({"ListWatches page_size 10001", "page_size", [&](auto* c) {
                     v1::ListWatchesRequest r;
                     r.set_page_size(10001);
                     v1::ListWatchesResponse resp;
                     return w.ListWatches(c, r, &resp);
                   }});
  for (const std::string& tx : {std::string("abc"), std::string(63, 'a'), std::string(65, 'a'), std::string(62, 'a') + "zz", std::string(),
                               std::string(64, 'g')}) {
    cases.push_back({"GetTransfers txid \"" + tx.substr(0, 8) + "\" (" + std::to_string(tx.size()) + ")", "txid",
                     [&, tx](auto* c) {
                       v1::GetTransfersRequest r;
                       r.set_txid(tx);
                       v1::GetTransfersResponse resp;
                       return q.GetTransfers(c, r, &resp);
                     }});
  }
  // Subscribe limits and cursors.
  cases.push_back({"Subscribe 10001 addresses", "addresses", [&](auto* c) {
                     v1::SubscribeRequest r;
                     for (int i = 0; i < 10001; ++i) r.add_addresses(good);
                     return subscribe(c, r);
                   }});
  cases.push_back({"Subscribe 101 tokens", "tokens", [&](auto* c) {
                     v1::SubscribeRequest r;
                     for (int i = 0; i < 101; ++i) r.add_tokens("TRX");
                     return subscribe(c, r);
                   }});
  cases.push_back({"Subscribe min_confirmations 1001", "min_confirmations", [&](auto* c) {
                     v1::SubscribeRequest r;
                     r.add_tokens("TRX");
                     r.set_min_confirmations(1001);
                     return subscribe(c, r);
                   }});
  cases.push_back({"Subscribe min_confirmations 2^32-1", "min_confirmations", [&](auto* c) {
                     v1::SubscribeRequest r;
                     r.set_min_confirmations(0xffffffffu);
                     return subscribe(c, r);
                   }});
  for (const std::string cur : {"garbage", "c1.", "c1.@@", "c1.AAAA"}) {
    cases.push_back({"Subscribe after_cursor " + cur, "after_cursor", [&, cur](auto* c) {
                       v1::SubscribeRequest r;
                       r.add_tokens("TRX");
                       r.set_after_cursor(cur);
                       return subscribe(c, r);
                     }});
  }
  // Watches.
  cases.push_back({"AddWatch label of 257 bytes", "label", [&](auto* c) {
                     v1::AddWatchRequest r;
                     r.set_address(good);
                     r.set_label(std::string(257, 'x'));
                     v1::AddWatchResponse resp;
                     return w.AddWatch(c, r, &resp);
                   }});
  cases.push_back({"AddWatches label of 257 bytes", "watches[0].label", [&](auto* c) {
                     v1::AddWatchesRequest r;
                     auto* x = r.add_watches();
                     x->set_address(good);
                     x->set_label(std::string(257, 'y'));
                     v1::AddWatchesResponse resp;
                     return w.AddWatches(c, r, &resp);
                   }});
  cases.push_back({"AddWatches 10001 watches", "watches", [&](auto* c) {
                     v1::AddWatchesRequest r;
                     for (int i = 0; i < 10001; ++i) r.add_watches()->set_address(good);
                     v1::AddWatchesResponse resp;
                     return w.AddWatches(c, r, &resp);
                   }});
  // Admin ranges.
  cases.push_back({"StartBackfill inverted range", "to_block", [&](auto* c) {
                     v1::StartBackfillRequest r;
                     r.set_address(good);
                     r.set_from_block(20);
                     r.set_to_block(10);
                     v1::Job resp;
                     return a.StartBackfill(c, r, &resp);
                   }});
  cases.push_back({"StartReindex inverted range", "to_block", [&](auto* c) {
                     v1::StartReindexRequest r;
                     r.set_from_block(20);
                     r.set_to_block(10);
                     v1::Job resp;
                     return a.StartReindex(c, r, &resp);
                   }});
  cases.push_back({"StartVerify inverted range", "to_block", [&](auto* c) {
                     v1::StartVerifyRequest r;
                     r.set_from_block(20);
                     r.set_to_block(10);
                     v1::Job resp;
                     return a.StartVerify(c, r, &resp);
                   }});
  cases.push_back({"StartVerify beyond the tip", "from_block", [&](auto* c) {
                     v1::StartVerifyRequest r;
                     r.set_from_block(1'000'000);
                     v1::Job resp;
                     return a.StartVerify(c, r, &resp);
                   }});

  int failures = 0;
  for (const auto& cs : cases) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 30s);
    const grpc::Status s = cs.call(&ctx);
    const bool ok = s.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
                    s.error_message().find(cs.field) != std::string::npos;
    EXPECT_TRUE(ok) << cs.name << ": expected INVALID_ARGUMENT naming \"" << cs.field << "\", got " << describe(s);
    failures += ok ? 0 : 1;
    ASSERT_TRUE(d->running()) << "tronidxd died on: " << cs.name << "\n" << tail(d->log_text());
  }
  std::cout << "[malformed] " << cases.size() << " cases, " << failures << " not as expected" << std::endl;

  // page_size 0 is the default (100), not an error.
  {
    auto ctx = make_ctx();
    v1::ListTransfersRequest r;
    r.set_token(kUsdt);
    r.set_page_size(0);
    v1::ListTransfersResponse resp;
    const grpc::Status s = q.ListTransfers(ctx.get(), r, &resp);
    EXPECT_TRUE(s.ok()) << describe(s);
  }
  // The daemon still answers and still indexes.
  ASSERT_TRUE(d->running());
  TS_ASSIGN(const auto st, d->status());
  EXPECT_EQ(st.tip_block_num(), truth.head);
  TS_ASSERT_OK(sim->advance(2));
  TS_ASSERT_OK(wait_synced(*d, *sim));
}

// types.proto documents three address forms: base58, "41" + 40 hex digits, "0x" + 40 hex digits. Forty
// hex digits without "0x" is none of them — it is what a 41-form address missing two digits looks like,
// and accepting it silently watches / lists / subscribes to another address.
TEST(Malformed, FortyHexDigitsWithoutPrefixAreNotADocumentedAddressForm) {
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--block-interval-ms", "0", "--prebuild", "5"}));
  TS_ASSIGN(auto d, ApiDaemon::start(daemon_options(*sim, "all")));
  const std::string truncated = "41" + std::string(38, 'a');
  {
    auto ctx = make_ctx();
    v1::ListTransfersRequest r;
    r.set_address(truncated);
    v1::ListTransfersResponse resp;
    const grpc::Status s = d->query().ListTransfers(ctx.get(), r, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "ListTransfers.address: " << describe(s);
  }
  {
    auto ctx = make_ctx();
    v1::AddWatchRequest r;
    r.set_address(truncated);
    v1::AddWatchResponse resp;
    const grpc::Status s = d->watch().AddWatch(ctx.get(), r, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << "AddWatch.address: " << describe(s) << (s.ok() ? " (watching " + resp.address() + ")" : "");
  }
  {
    v1::SubscribeRequest r;
    r.add_addresses(truncated);
    const grpc::Status s = subscribe_status(d->subscribe(), r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "Subscribe.addresses: " << describe(s);
  }
}

}  // namespace
}  // namespace tronidx::apitest
