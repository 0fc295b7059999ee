// The busiest addresses' by_address entries carry their rows (src/store/hot_addresses.h):
//   - HotAddresses picks the addresses with at least 1 % of the sampled entries, densest first, within
//     the byte budget (skipping one that alone exceeds it), none with a zero budget, and lets an address
//     go once it stops appearing;
//   - a store whose busy address's entries carry rows answers every history query exactly as one whose
//     entries do not (both directions, both orders, paged), also after reverts, whether its commits were
//     write batches or ingested table files; the checker is clean on it, and reports a carried row that
//     differs from its transfer.
#include <rocksdb/db.h>

#include <random>

#include "hot_addresses.h"
#include "invariants.h"
#include "rocks.h"
#include "schema.h"
#include "store_test_util.h"

namespace tronidx::store {
namespace {

using namespace testing;

bool contains(const std::vector<chain::Address>& v, const chain::Address& a) {
  return std::find(v.begin(), v.end(), a) != v.end();
}

// `n` transfers: `to` is hot[i] with probability shares[i], else one of 100,000 addresses, as is `from`.
void feed(HotAddresses& h, size_t n, const std::vector<chain::Address>& hot, const std::vector<double>& shares,
          std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  for (size_t i = 0; i < n; ++i) {
    chain::Address to = make_address(1000 + rng() % 100'000);
    double u = unit(rng);
    for (size_t k = 0; k < hot.size(); ++k) {
      if (u < shares[k]) {
        to = hot[k];
        break;
      }
      u -= shares[k];
    }
    h.note(make_address(1000 + rng() % 100'000), to);
  }
}

TEST(HotAddresses, TheDensestAddressesWithinTheBudget) {
  const chain::Address a = make_address(1), b = make_address(2), c = make_address(3);
  std::mt19937_64 rng(1);
  // a: 10 % of transfers (5 % of entries, ~6.1 bytes per transfer), b: 4 % (~2.4), c: 1 % (0.5 % of entries).
  HotAddresses h(HotAddresses::Options{8, 0.01});
  feed(h, 200'000, {a, b, c}, {0.10, 0.04, 0.01}, rng);
  EXPECT_EQ(h.hot(), std::vector<chain::Address>{a});  // b would bring it to ~8.5 bytes
  HotAddresses wide(HotAddresses::Options{20, 0.01});
  feed(wide, 200'000, {a, b, c}, {0.10, 0.04, 0.01}, rng);
  EXPECT_EQ(wide.hot(), (std::vector<chain::Address>{a, b}));  // c is under the 1 % of entries
  // One address whose rows alone exceed the budget is skipped, not the ones after it.
  HotAddresses skip(HotAddresses::Options{4, 0.01});
  feed(skip, 200'000, {a, b}, {0.10, 0.04}, rng);
  EXPECT_EQ(skip.hot(), std::vector<chain::Address>{b});
  // The carry decision follows the set.
  const auto carry = h.note(a, make_address(5));
  EXPECT_TRUE(carry.from);
  EXPECT_FALSE(carry.to);
}

TEST(HotAddresses, NoneWithAZeroBudget) {
  HotAddresses h(HotAddresses::Options{0, 0.01});
  std::mt19937_64 rng(2);
  feed(h, 50'000, {make_address(1)}, {0.5}, rng);
  EXPECT_TRUE(h.hot().empty());
  const auto carry = h.note(make_address(1), make_address(1));
  EXPECT_FALSE(carry.from || carry.to);
}

TEST(HotAddresses, AnAddressThatStopsAppearingIsLetGo) {
  const chain::Address a = make_address(1);
  HotAddresses h(HotAddresses::Options{8, 0.01});
  std::mt19937_64 rng(3);
  feed(h, 100'000, {a}, {0.10}, rng);
  ASSERT_TRUE(contains(h.hot(), a));
  feed(h, 2'000'000, {}, {}, rng);
  EXPECT_FALSE(contains(h.hot(), a));
}

// A chain of `blocks` blocks of 60 transfers where `hot` receives ~7 % and sends ~1 % of them (4 % of the
// entries: ~4.9 bytes per transfer, within the default budget).
void build(Store& store, TestChain& chain, int blocks, const chain::Address& hot) {
  std::mt19937_64 rng(7);
  uint64_t txn = 1;
  for (int b = 0; b < blocks; ++b) {
    const auto header = chain.push();
    std::vector<decode::Transfer> ts;
    for (uint32_t i = 0; i < 60; ++i) {
      const uint64_t r = rng() % 100;
      const chain::Address from = r < 1 ? hot : make_address(100 + rng() % 2000);
      const chain::Address to = r >= 1 && r < 8 ? hot : make_address(100 + rng() % 2000);
      ts.push_back(trc20(header.block_num, i, 0, usdt(), from, to, amount_u64(1 + rng() % 1'000'000), make_txid(txn++)));
    }
    apply_commit(store, header, ts, 60);
  }
}

// Entries of `address` (both directions) in `path`'s by_address, and how many carry a row.
std::pair<size_t, size_t> entries(const std::string& path, const chain::Address& address) {
  RocksOptions o;
  o.path = path;
  o.read_only = true;
  auto rocks = must(open_rocks(o), "open_rocks");
  size_t all = 0, carrying = 0;
  for (uint8_t dir : {schema::kDirIn, schema::kDirOut}) {
    const std::string prefix = schema::by_address_prefix(address, dir);
    std::unique_ptr<rocksdb::Iterator> it(rocks->db->NewIterator({}, rocks->by_address));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      ++all;
      carrying += it->value().empty() ? 0 : 1;
    }
  }
  return {all, carrying};
}

std::vector<IndexedTransfer> history(const Store& store, const chain::Address& a, Direction dir, bool newest,
                                     size_t page) {
  Snapshot::HistoryQuery q;
  q.address = a;
  q.direction = dir;
  q.newest_first = newest;
  return all_pages(*snap(store), q, page);
}

void expect_same_histories(const Store& with, const Store& without, const std::vector<chain::Address>& addresses) {
  for (const auto& a : addresses) {
    for (Direction dir : {Direction::kBoth, Direction::kIn, Direction::kOut}) {
      for (bool newest : {true, false}) {
        for (size_t page : {13}) {
          const auto want = history(without, a, dir, newest, page);
          EXPECT_EQ(history(with, a, dir, newest, page), want)
              << a.to_base58() << " dir " << static_cast<int>(dir) << " newest " << newest << " page " << page;
        }
      }
    }
  }
}

// Both write paths: commits as write batches (a block followed live) and as ingested table files (catch-up).
class StoreHotAddressesPaths : public ::testing::TestWithParam<size_t> {};

TEST_P(StoreHotAddressesPaths, HistoryIsTheSameWhetherEntriesCarryRowsOrNot) {
  TempDir dir;
  OpenOptions with_o = open_options(dir.sub("with"), all_mode());
  with_o.sync_writes = false;
  with_o.ingest_min_writes = GetParam();
  OpenOptions without_o = open_options(dir.sub("without"), all_mode());
  without_o.sync_writes = false;
  without_o.ingest_min_writes = GetParam();
  without_o.inline_rows_budget = 0;
  const chain::Address hot = make_address(42);
  {
    auto with = must(Store::open(with_o), "open");
    auto without = must(Store::open(without_o), "open");
    TestChain cw, co;
    for (auto* s : {with.get(), without.get()}) must(s->set_base(cw.base()), "set_base");
    build(*with, cw, 200, hot);
    build(*without, co, 200, hot);
    expect_same_histories(*with, *without, {hot, make_address(100), make_address(101)});
    // Reverting blocks removes carrying entries with their transfers.
    for (int i = 0; i < 5; ++i) {
      revert_commit(*with);
      revert_commit(*without);
    }
    expect_same_histories(*with, *without, {hot, make_address(100)});
    EXPECT_EQ(check_invariants(*with), std::vector<std::string>{});
  }
  const auto [all, carrying] = entries(dir.sub("with"), hot);
  EXPECT_GT(carrying, all / 2) << "the busy address's entries should mostly carry rows (" << all << " entries)";
  EXPECT_EQ(entries(dir.sub("without"), hot).second, 0u);
  EXPECT_EQ(entries(dir.sub("with"), make_address(100)).second, 0u) << "a quiet address carries none";
}

INSTANTIATE_TEST_SUITE_P(WriteBatchesAndIngestion, StoreHotAddressesPaths,
                         ::testing::Values(OpenOptions{}.ingest_min_writes, size_t{1}));

TEST(StoreHotAddresses, TheCheckerReportsACarriedRowThatDiffersFromItsTransfer) {
  TempDir dir;
  OpenOptions o = open_options(dir.path(), all_mode());
  o.sync_writes = false;
  const chain::Address hot = make_address(42);
  {
    auto store = must(Store::open(o), "open");
    TestChain chain;
    must(store->set_base(chain.base()), "set_base");
    build(*store, chain, 300, hot);
  }
  ASSERT_EQ(check_invariants(dir.path()), std::vector<std::string>{});
  {
    RocksOptions ro;
    ro.path = dir.path();
    auto rocks = must(open_rocks(ro), "open_rocks");
    const std::string prefix = schema::by_address_prefix(hot, schema::kDirIn);
    std::unique_ptr<rocksdb::Iterator> it(rocks->db->NewIterator({}, rocks->by_address));
    it->Seek(prefix);
    while (it->Valid() && it->key().starts_with(prefix) && it->value().empty()) it->Next();
    ASSERT_TRUE(it->Valid() && it->key().starts_with(prefix)) << "no carrying entry";
    auto row = must(schema::decode_transfer(std::string_view(it->value().data(), it->value().size())), "decode");
    row.amount = amount_u64(123456789);
    const std::string key = it->key().ToString();
    it.reset();
    ASSERT_TRUE(rocks->db->Put({}, rocks->by_address, key, schema::encode_transfer(row)).ok());
  }
  const auto violations = check_invariants(dir.path());
  ASSERT_EQ(violations.size(), 1u) << ::testing::PrintToString(violations);
  EXPECT_NE(violations[0].find("carries another row than its transfer"), std::string::npos) << violations[0];
}

}  // namespace
}  // namespace tronidx::store
