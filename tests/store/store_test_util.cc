#include "store_test_util.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace tronidx::store::testing {
namespace {

void put64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void fill(uint8_t* p, size_t n, uint64_t seed) {
  for (size_t i = 0; i < n; i += 8) {
    seed = mix(seed);
    uint8_t tmp[8];
    put64(tmp, seed);
    for (size_t j = 0; j < 8 && i + j < n; ++j) p[i + j] = tmp[j];
  }
}

}  // namespace

TempDir::TempDir() {
  char tmpl[] = "/tmp/tronidx-store-test-XXXXXX";
  const char* p = ::mkdtemp(tmpl);
  if (p == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

chain::BlockId make_block_id(uint64_t block_num, uint64_t fork) {
  chain::BlockId id;
  put64(id.hash.bytes.data(), block_num);
  fill(id.hash.bytes.data() + 8, 24, (block_num * 1'000'003) ^ (fork * 0x51ed2701) ^ 0xb10c);
  return id;
}

chain::BlockId test_genesis() { return make_block_id(0, 0); }
chain::BlockId other_genesis() { return make_block_id(0, 77); }

chain::Address make_address(uint64_t n) {
  std::array<uint8_t, 20> raw{};
  fill(raw.data(), 20, n * 7919 + 0xadd7e55);
  return chain::Address::from_evm(raw);
}

chain::Address prefix_twin(const chain::Address& a, uint8_t tail) {
  std::array<uint8_t, 20> raw{};
  std::copy(a.evm().begin(), a.evm().end(), raw.begin());
  raw[19] = static_cast<uint8_t>(raw[19] ^ (tail | 1));
  raw[12] = static_cast<uint8_t>(raw[12] ^ tail);
  return chain::Address::from_evm(raw);
}

chain::TxId make_txid(uint64_t n) {
  chain::TxId t;
  fill(t.hash.bytes.data(), 32, n * 104729 + 0x7a1d);
  return t;
}

chain::TxId txid_twin(const chain::TxId& t, uint8_t tail) {
  chain::TxId o = t;
  o.hash.bytes[31] = static_cast<uint8_t>(o.hash.bytes[31] ^ (tail | 1));
  o.hash.bytes[9] = static_cast<uint8_t>(o.hash.bytes[9] ^ tail);
  return o;
}

chain::Address usdt() {
  static const chain::Address a = *chain::Address::parse("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  return a;
}

chain::Address token_b() { return make_address(0x70ce17b); }

chain::Amount amount_u64(uint64_t v) { return chain::Amount(v); }

chain::Amount amount_dec(const std::string& decimal) {
  auto a = chain::Amount::parse_decimal(decimal);
  if (!a.ok()) throw std::runtime_error("bad amount literal " + decimal);
  return *a;
}

ModeConfig watched_mode() { return ModeConfig{}; }

ModeConfig all_mode() {
  ModeConfig m;
  m.kind = ModeConfig::Kind::kAll;
  return m;
}

OpenOptions open_options(const std::string& path, const ModeConfig& mode, const chain::BlockId& genesis) {
  OpenOptions o;
  o.path = path;
  o.genesis_id = genesis;
  o.mode = mode;
  o.sync_writes = false;
  o.block_cache_bytes = size_t{8} << 20;
  o.write_buffer_bytes = size_t{4} << 20;
  return o;
}

std::unique_ptr<Store> open_store(const std::string& path, const ModeConfig& mode) {
  return must(Store::open(open_options(path, mode)), "Store::open");
}

decode::Transfer trc20(uint64_t block_num, uint32_t tx, uint32_t ev, const chain::Address& token,
                       const chain::Address& from, const chain::Address& to, const chain::Amount& amount,
                       const chain::TxId& txid) {
  decode::Transfer t;
  t.position = decode::Position{block_num, tx, ev};
  t.kind = decode::TransferKind::kTrc20;
  t.token = token;
  t.from = from;
  t.to = to;
  t.amount = amount;
  t.txid = txid;
  return t;
}

decode::Transfer trx(uint64_t block_num, uint32_t tx, const chain::Address& from, const chain::Address& to,
                     uint64_t sun, const chain::TxId& txid) {
  decode::Transfer t = trc20(block_num, tx, 0, decode::trx_token(), from, to, chain::Amount(sun), txid);
  t.kind = decode::TransferKind::kTrx;
  return t;
}

decode::Transfer trc10(uint64_t block_num, uint32_t tx, uint64_t asset_id, const chain::Address& from,
                       const chain::Address& to, uint64_t amount, const chain::TxId& txid) {
  decode::Transfer t = trc20(block_num, tx, 0, decode::trc10_token(asset_id), from, to, chain::Amount(amount), txid);
  t.kind = decode::TransferKind::kTrc10;
  return t;
}

TestChain::TestChain(uint64_t base_num, uint64_t base_fork) : base_{base_num, make_block_id(base_num, base_fork)} {}

ChainPoint TestChain::tip() const {
  if (blocks_.empty()) return base_;
  return ChainPoint{blocks_.back().block_num, blocks_.back().id};
}

decode::BlockHeader TestChain::next_header(uint64_t fork) const {
  const ChainPoint t = tip();
  decode::BlockHeader h;
  h.block_num = t.block_num + 1;
  h.id = make_block_id(h.block_num, fork);
  h.parent_id = t.id;
  h.timestamp_ms = timestamp_of(h.block_num);
  return h;
}

decode::BlockHeader TestChain::push(uint64_t fork) {
  blocks_.push_back(next_header(fork));
  return blocks_.back();
}

void TestChain::pop() {
  if (blocks_.empty()) throw std::runtime_error("TestChain::pop below the base");
  blocks_.pop_back();
}

void must(const Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + errc_name(s.error().code) + ": " + s.error().message);
}

CommitResult apply_commit(Store& store, const decode::BlockHeader& header,
                          const std::vector<decode::Transfer>& transfers, uint32_t tx_count) {
  WriteTxn txn = store.begin();
  must(txn.apply_block(header, tx_count, transfers), "apply_block");
  return must(store.commit(std::move(txn)), "commit");
}

CommitResult revert_commit(Store& store) {
  WriteTxn txn = store.begin();
  must(txn.revert_tip(), "revert_tip");
  return must(store.commit(std::move(txn)), "commit");
}

CommitResult watch_commit(Store& store, const chain::Address& address, const std::string& label,
                          uint64_t since_block) {
  WriteTxn txn = store.begin();
  must(txn.watch(address, label, since_block), "watch");
  return must(store.commit(std::move(txn)), "commit");
}

CommitResult unwatch_commit(Store& store, const chain::Address& address) {
  WriteTxn txn = store.begin();
  must(txn.unwatch(address), "unwatch");
  return must(store.commit(std::move(txn)), "commit");
}

CommitResult solidify_commit(Store& store, uint64_t block_num) {
  WriteTxn txn = store.begin();
  must(txn.solidify(block_num), "solidify");
  return must(store.commit(std::move(txn)), "commit");
}

std::shared_ptr<const Snapshot> snap(const Store& store) { return must(store.snapshot(), "snapshot"); }

std::vector<IndexedTransfer> all_pages(const Snapshot& s, Snapshot::HistoryQuery q, size_t page) {
  std::vector<IndexedTransfer> out;
  q.limit = page;
  for (size_t guard = 0; guard < 100000; ++guard) {
    auto rows = must(s.address_history(q), "address_history");
    if (rows.size() > page) throw std::runtime_error("address_history returned more rows than the limit");
    out.insert(out.end(), rows.begin(), rows.end());
    if (rows.size() < page) return out;
    q.after = rows.back().transfer.position;
  }
  throw std::runtime_error("address_history pagination does not terminate");
}

std::vector<IndexedTransfer> all_pages(const Snapshot& s, Snapshot::TokenQuery q, size_t page) {
  std::vector<IndexedTransfer> out;
  q.limit = page;
  for (size_t guard = 0; guard < 100000; ++guard) {
    auto rows = must(s.token_history(q), "token_history");
    if (rows.size() > page) throw std::runtime_error("token_history returned more rows than the limit");
    out.insert(out.end(), rows.begin(), rows.end());
    if (rows.size() < page) return out;
    q.after = rows.back().transfer.position;
  }
  throw std::runtime_error("token_history pagination does not terminate");
}

std::vector<JournalRecord> whole_journal(const Snapshot& s) {
  std::vector<JournalRecord> out;
  uint64_t from = s.journal_first();
  while (from < s.next_seq()) {
    auto recs = must(s.journal(from, 64), "journal");
    if (recs.empty()) throw std::runtime_error("journal() returned nothing below next_seq");
    for (auto& r : recs) out.push_back(std::move(r));
    from = out.back().seq + 1;
  }
  return out;
}

std::vector<decode::Position> positions(const std::vector<IndexedTransfer>& ts) {
  std::vector<decode::Position> out;
  for (const auto& t : ts) out.push_back(t.transfer.position);
  return out;
}

std::vector<decode::Transfer> plain(const std::vector<IndexedTransfer>& ts) {
  std::vector<decode::Transfer> out;
  for (const auto& t : ts) out.push_back(t.transfer);
  return out;
}

std::string describe(const decode::Transfer& t) {
  std::ostringstream os;
  os << decode::kind_name(t.kind) << "@" << t.position.block_num << "/" << t.position.tx_index << "/"
     << t.position.event_index << " " << t.from.to_hex().substr(0, 12) << "->" << t.to.to_hex().substr(0, 12)
     << " token " << t.token.to_hex().substr(0, 12) << " amount " << t.amount.to_decimal() << " tx "
     << t.txid.to_hex().substr(0, 12);
  return os.str();
}

std::string describe(const IndexedTransfer& t) {
  std::ostringstream os;
  os << describe(t.transfer) << " block " << t.block_id.to_hex().substr(0, 20) << " ts " << t.timestamp_ms;
  if (t.backfilled) os << " backfilled@" << t.backfill_seq;
  return os.str();
}

}  // namespace tronidx::store::testing

namespace tronidx::decode {
void PrintTo(const Position& p, std::ostream* os) {
  *os << p.block_num << "/" << p.tx_index << "/" << p.event_index;
}
void PrintTo(const Transfer& t, std::ostream* os) { *os << store::testing::describe(t); }
}  // namespace tronidx::decode

namespace tronidx::store {
void PrintTo(const IndexedTransfer& t, std::ostream* os) { *os << testing::describe(t); }
}  // namespace tronidx::store
