#include "query_db.h"

#include <fstream>
#include <memory>
#include <random>

#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"
#include "tronidx/chain/usdt.h"
#include "tronidx/decode/transfer.h"
#include "tronidx/store/store.h"
#include "tronidx/store/write_txn.h"

namespace tronidx::bench {
namespace {

chain::Address synthetic(uint64_t i, const char* tag) {
  const auto h = chain::sha256(std::string(tag) + std::to_string(i));
  std::array<uint8_t, 20> a{};
  std::copy(h.bytes.begin(), h.bytes.begin() + 20, a.begin());
  return chain::Address::from_evm(a);
}

}  // namespace

chain::Address subject_address(int s) { return synthetic(static_cast<uint64_t>(s) + 1, "subject"); }

Result<QueryDb> build_query_db(const std::string& path, const chain::BlockId& genesis, uint64_t total) {
  store::OpenOptions o;
  o.path = path;
  o.genesis_id = genesis;
  o.mode = store::ModeConfig{store::ModeConfig::Kind::kAll, {}};
  o.sync_writes = false;
  TRONIDX_ASSIGN(auto st, store::Store::open(o));
  TRONIDX_TRY(st->set_base(store::ChainPoint{0, genesis}));
  QueryDb db;
  const uint64_t per_block = 250;
  db.blocks = total / per_block;
  const chain::Address usdt = *chain::Address::parse(chain::kUsdtContract);
  const chain::Address subject[3] = {subject_address(0), subject_address(1), subject_address(2)};
  uint64_t counts[3] = {0, 0, 0};
  std::mt19937_64 rng(5);
  chain::BlockId parent = genesis;
  auto txn = std::make_unique<store::WriteTxn>(st->begin());
  for (uint64_t b = 1; b <= db.blocks; ++b) {
    decode::BlockHeader h;
    h.block_num = b;
    h.parent_id = parent;
    h.timestamp_ms = 1'700'000'000'000 + static_cast<int64_t>(b) * 3000;
    h.id = chain::BlockId::compute(b, chain::as_bytes(std::to_string(b) + "query-db"));
    std::vector<decode::Transfer> ts(per_block);
    for (uint64_t i = 0; i < per_block; ++i) {
      auto& t = ts[i];
      t.position = decode::Position{b, static_cast<uint32_t>(i), 0};
      t.kind = decode::TransferKind::kTrc20;
      t.token = usdt;
      t.from = synthetic(rng() % 1'000'000, "account");
      const uint64_t r = rng() % 1000;
      int s = r < 100 ? 0 : r < 110 ? 1 : r < 111 ? 2 : -1;
      t.to = s >= 0 ? subject[s] : synthetic(rng() % 1'000'000, "account");
      if (s >= 0) ++counts[s];
      t.amount = chain::Amount(rng() % 100'000'000'000ull);
      t.txid = chain::TxId{chain::sha256(std::to_string(b) + "/" + std::to_string(i))};
    }
    TRONIDX_TRY(txn->apply_block(h, static_cast<uint32_t>(per_block), ts));
    parent = h.id;
    if (b % 100 == 0 || b == db.blocks) {
      TRONIDX_TRY(txn->solidify(b));
      auto r = st->commit(std::move(*txn));
      if (!r.ok()) return std::move(r).error();
      txn = std::make_unique<store::WriteTxn>(st->begin());
    }
  }
  TRONIDX_TRY(st->compact());
  db.transfers = db.blocks * per_block;
  for (int s = 0; s < 3; ++s) db.subjects.emplace_back(subject[s], counts[s]);
  return db;
}

namespace {

std::filesystem::path manifest_path(const std::filesystem::path& dir) { return dir / "bench-query-db.txt"; }

}  // namespace

void write_query_db_manifest(const std::filesystem::path& dir, const QueryDb& db) {
  std::ofstream f(manifest_path(dir));
  f << db.blocks << " " << db.transfers;
  for (const auto& s : db.subjects) f << " " << s.second;
  f << "\n";
}

std::optional<QueryDb> read_query_db_manifest(const std::filesystem::path& dir, uint64_t total) {
  std::ifstream f(manifest_path(dir));
  QueryDb db;
  uint64_t counts[3] = {};
  if (!(f >> db.blocks >> db.transfers >> counts[0] >> counts[1] >> counts[2]) || (total != 0 && db.transfers != total)) {
    return std::nullopt;
  }
  for (int s = 0; s < 3; ++s) db.subjects.emplace_back(subject_address(s), counts[s]);
  return db;
}

}  // namespace tronidx::bench
