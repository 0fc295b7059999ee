#include "tronidx/store/snapshot.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <functional>
#include <string>
#include <utility>

#include "final_blocks.h"
#include "records.h"
#include "rocks.h"
#include "schema.h"
#include "token_dict.h"
#include "tronidx/store/store.h"

namespace tronidx::store {

struct Candidate {
  decode::Position pos;
  bool want_in = false;
  bool want_out = false;
  std::string row;  // the transfer's value when its by_address entry carries it (schema.h), else empty
};

namespace {
const uint8_t* u8p(const rocksdb::Slice& s) { return reinterpret_cast<const uint8_t*>(s.data()); }  // NOLINT
std::string_view sv(const rocksdb::Slice& s) { return {s.data(), s.size()}; }
Error corrupt(std::string what) { return make_error(Errc::kDataLoss, "database corruption: " + std::move(what)); }
BlockInfo to_info(uint64_t num, uint64_t apply_seq, const schema::BlockValue& v) {
  return BlockInfo{num, v.id, v.parent_id, v.timestamp_ms, v.tx_count, v.transfer_count, apply_seq, v.revert_seq};
}

// Every version of `block_num` applied before `next_seq` (the snapshot's), read with `it` (an iterator over
// the blocks family, reused across calls: creating one costs more than the seek). The bound is what keeps
// a snapshot's view of the blocks family its own: a catch-up commit's new blocks may be ingested with
// sequence number 0 (ingest.h), which every open snapshot sees.
Result<std::vector<BlockInfo>> read_versions(rocksdb::Iterator& it, uint64_t block_num, uint64_t next_seq) {
  std::vector<BlockInfo> out;
  if (block_num > UINT32_MAX) return out;
  const std::string prefix = schema::block_prefix(block_num);
  for (it.Seek(prefix); it.Valid() && it.key().starts_with(prefix); it.Next()) {
    if (it.key().size() != 12) return corrupt("block key");
    const uint64_t apply_seq = schema::get_be64(u8p(it.key()) + 4);
    if (apply_seq >= next_seq) continue;
    TRONIDX_ASSIGN(auto v, schema::decode_block(sv(it.value())));
    out.push_back(to_info(block_num, apply_seq, v));
  }
  if (!it.status().ok()) return rocks_error(it.status(), "reading blocks");
  return out;
}
}  // namespace

// The canonical blocks of the rows a query returns: one iterator for the whole query, the last block
// remembered (consecutive rows usually share it), and final blocks (at or below the snapshot's solidified
// number) taken from and given to the store's FinalBlocks, which every snapshot may share for them.
struct BlockCursor {
  BlockCursor(const Rocks& r, const rocksdb::Snapshot* snap, uint64_t next, uint64_t solid, FinalBlocks& f)
      : rocks(r), snapshot(snap), next_seq(next), solidified(solid), final_blocks(f) {}
  Result<const BlockInfo*> canonical(uint64_t block_num) {
    if (last && last->block_num == block_num) return &*last;
    const bool is_final = block_num <= solidified;
    if (is_final) {
      last = final_blocks.find(block_num);
      if (last) return &*last;
    }
    if (!it) {
      rocksdb::ReadOptions ro;
      ro.snapshot = snapshot;
      it.reset(rocks.db->NewIterator(ro, rocks.blocks));
    }
    TRONIDX_ASSIGN(auto versions, read_versions(*it, block_num, next_seq));
    last.reset();
    for (const auto& v : versions) {
      if (v.revert_seq == 0) {
        last = v;
        break;
      }
    }
    if (!last) return corrupt("transfer in block " + std::to_string(block_num) + " without a canonical block");
    if (is_final) final_blocks.put(*last);
    return &*last;
  }
  const Rocks& rocks;
  const rocksdb::Snapshot* snapshot;
  uint64_t next_seq;
  uint64_t solidified;
  FinalBlocks& final_blocks;
  std::unique_ptr<rocksdb::Iterator> it;
  std::optional<BlockInfo> last;
};

namespace {

// Positions of one (address prefix, direction) slice of by_address, in query order, within
// [from_block, to_block], strictly after `after`.
class DirIter {
 public:
  DirIter(const Rocks& rocks, const rocksdb::Snapshot* snap, const Snapshot::HistoryQuery& q, uint8_t dir)
      : newest_first_(q.newest_first), prefix_(schema::by_address_prefix(q.address, dir)) {
    lower_ = prefix_;
    schema::put_pos(lower_, decode::Position{std::min<uint64_t>(q.from_block, UINT32_MAX), 0, 0});
    upper_ = prefix_;
    if (q.to_block >= UINT32_MAX) {
      upper_.append(schema::kPosSize + 1, '\xff');  // past every position of this prefix (one 0xff byte would cut off blocks >= 0xff000000)
    } else {
      schema::put_pos(upper_, decode::Position{q.to_block + 1, 0, 0});
    }
    lower_slice_ = rocksdb::Slice(lower_);
    upper_slice_ = rocksdb::Slice(upper_);
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    ro.iterate_lower_bound = &lower_slice_;
    ro.iterate_upper_bound = &upper_slice_;
    it_.reset(rocks.db->NewIterator(ro, rocks.by_address));
    if (q.after) {
      std::string k = prefix_;
      schema::put_pos(k, *q.after);
      if (newest_first_) {
        it_->SeekForPrev(k);
        if (it_->Valid() && it_->key() == rocksdb::Slice(k)) it_->Prev();
      } else {
        it_->Seek(k);
        if (it_->Valid() && it_->key() == rocksdb::Slice(k)) it_->Next();
      }
    } else if (newest_first_) {
      it_->SeekToLast();
    } else {
      it_->SeekToFirst();
    }
  }
  bool valid() const { return it_->Valid(); }
  decode::Position pos() const { return schema::get_pos(u8p(it_->key()) + prefix_.size()); }
  rocksdb::Slice value() const { return it_->value(); }
  void next() { newest_first_ ? it_->Prev() : it_->Next(); }
  rocksdb::Status status() const { return it_->status(); }

 private:
  bool newest_first_;
  std::string prefix_, lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

Snapshot::Snapshot(const Store& store, const rocksdb::Snapshot* snap) : store_(&store), snap_(snap) {}

Snapshot::~Snapshot() { store_->rocks_->db->ReleaseSnapshot(snap_); }

Status Snapshot::load_meta() {
  const Rocks& r = *store_->rocks_;
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_;
  std::string v;
  auto get = [&](std::string_view key) -> Result<bool> {
    auto s = r.db->Get(ro, r.meta, std::string(key), &v);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return rocks_error(s, "reading meta");
    return true;
  };
  TRONIDX_ASSIGN(bool has_base, get(schema::meta::kBase));
  if (has_base) {
    TRONIDX_ASSIGN(auto b, schema::decode_tip(v));
    base_ = ChainPoint{b.first, b.second};
    TRONIDX_ASSIGN(bool has_tip, get(schema::meta::kTip));
    if (!has_tip) return corrupt("base without tip");
    TRONIDX_ASSIGN(auto t, schema::decode_tip(v));
    tip_ = ChainPoint{t.first, t.second};
  }
  TRONIDX_ASSIGN(bool has_sol, get(schema::meta::kSolidified));
  if (has_sol) {
    if (v.size() != 4) return corrupt("solidified");
    solidified_ = schema::get_be32(reinterpret_cast<const uint8_t*>(v.data()));  // NOLINT
  }
  TRONIDX_ASSIGN(bool has_next, get(schema::meta::kNextSeq));
  if (has_next) {
    if (v.size() != 8) return corrupt("next_seq");
    next_seq_ = schema::get_be64(reinterpret_cast<const uint8_t*>(v.data()));  // NOLINT
  }
  TRONIDX_ASSIGN(bool has_first, get(schema::meta::kJournalFirst));
  if (has_first) {
    if (v.size() != 8) return corrupt("journal_first");
    journal_first_ = schema::get_be64(reinterpret_cast<const uint8_t*>(v.data()));  // NOLINT
  }
  return ok_status();
}

Result<std::vector<BlockInfo>> Snapshot::block_versions(uint64_t block_num) const {
  const Rocks& r = *store_->rocks_;
  if (block_num > UINT32_MAX) return std::vector<BlockInfo>{};
  const std::string hi = schema::block_prefix(block_num + 1);
  rocksdb::Slice hi_slice(hi);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_;
  ro.iterate_upper_bound = block_num == UINT32_MAX ? nullptr : &hi_slice;
  std::unique_ptr<rocksdb::Iterator> it(r.db->NewIterator(ro, r.blocks));
  return read_versions(*it, block_num, next_seq_);
}

Result<std::optional<BlockInfo>> Snapshot::block(uint64_t block_num) const {
  TRONIDX_ASSIGN(auto versions, block_versions(block_num));
  for (const auto& v : versions) {
    if (v.revert_seq == 0) return std::optional<BlockInfo>(v);
  }
  return std::optional<BlockInfo>();
}

Result<std::optional<BlockInfo>> Snapshot::block_as_of(uint64_t block_num, uint64_t seq) const {
  TRONIDX_ASSIGN(auto versions, block_versions(block_num));
  for (const auto& v : versions) {
    if (v.apply_seq < seq && (v.revert_seq == 0 || v.revert_seq >= seq)) return std::optional<BlockInfo>(v);
  }
  return std::optional<BlockInfo>();
}

Result<std::vector<IndexedTransfer>> Snapshot::block_transfers(const BlockInfo& version, uint64_t as_of_seq) const {
  const Rocks& r = *store_->rocks_;
  const bool canonical = version.revert_seq == 0;
  const std::string prefix =
      canonical ? schema::transfers_block_prefix(version.block_num) : schema::orphan_prefix(version.apply_seq);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_;
  std::unique_ptr<rocksdb::Iterator> it(r.db->NewIterator(ro, canonical ? r.transfers : r.orphans));
  std::vector<IndexedTransfer> out;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != prefix.size() + schema::kPosSize - (canonical ? 4 : 0)) return corrupt("transfer key");
    const decode::Position pos = schema::get_pos(u8p(it->key()) + (canonical ? 0 : 8));
    TRONIDX_ASSIGN(auto v, schema::decode_transfer(sv(it->value())));
    if ((v.flags & schema::kFlagBackfilled) != 0 && v.backfill_seq >= as_of_seq) continue;
    TRONIDX_ASSIGN(auto t, to_indexed(v, pos, version.id, version.timestamp_ms, *store_->tokens_));
    out.push_back(std::move(t));
  }
  if (!it->status().ok()) return rocks_error(it->status(), "reading block transfers");
  return out;
}

// Fetches the values of a batch of candidate rows with one MultiGet (those whose index entry carried its
// row need none) and appends, up to `limit` rows, those `accept` keeps (joined with their block).
Status Snapshot::fetch_rows(const std::vector<Candidate>& cands, size_t limit,
                            const std::function<bool(const Candidate&, const schema::TransferValue&)>& accept,
                            BlockCursor& blocks, std::vector<IndexedTransfer>& out) const {
  const Rocks& r = *store_->rocks_;
  std::vector<schema::FixedKey<schema::kPosSize>> keys;
  keys.reserve(cands.size());
  std::vector<rocksdb::Slice> slices;
  slices.reserve(cands.size());
  std::vector<size_t> lookup(cands.size());  // candidate -> its slot in the MultiGet
  for (size_t i = 0; i < cands.size(); ++i) {
    if (!cands[i].row.empty()) continue;
    lookup[i] = slices.size();
    keys.push_back(schema::pos_fixed(cands[i].pos));
    slices.emplace_back(keys.back().data, schema::kPosSize);
  }
  std::vector<rocksdb::PinnableSlice> values(slices.size());
  std::vector<rocksdb::Status> statuses(slices.size());
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_;
  if (!slices.empty()) r.db->MultiGet(ro, r.transfers, slices.size(), slices.data(), values.data(), statuses.data());
  for (size_t i = 0; i < cands.size() && out.size() < limit; ++i) {
    std::string_view row = cands[i].row;
    if (row.empty()) {
      const size_t j = lookup[i];
      if (statuses[j].IsNotFound()) return corrupt("index entry without its transfer");
      if (!statuses[j].ok()) return rocks_error(statuses[j], "reading a transfer");
      row = sv(values[j]);
    }
    TRONIDX_ASSIGN(auto v, schema::decode_transfer(row));
    if (!accept(cands[i], v)) continue;
    const auto& pos = cands[i].pos;
    TRONIDX_ASSIGN(const BlockInfo* block, blocks.canonical(pos.block_num));
    TRONIDX_ASSIGN(auto t, to_indexed(v, pos, block->id, block->timestamp_ms, *store_->tokens_));
    out.push_back(std::move(t));
  }
  return ok_status();
}

Result<std::vector<IndexedTransfer>> Snapshot::address_history(const HistoryQuery& q) const {
  const Rocks& r = *store_->rocks_;
  std::vector<IndexedTransfer> out;
  if (q.limit == 0 || q.from_block > q.to_block) return out;
  std::optional<DirIter> in, outgoing;
  if (q.direction != Direction::kOut) in.emplace(r, snap_, q, schema::kDirIn);
  if (q.direction != Direction::kIn) outgoing.emplace(r, snap_, q, schema::kDirOut);
  BlockCursor blocks(r, snap_, next_seq_, solidified_, *store_->final_blocks_);
  auto before = [&](const decode::Position& a, const decode::Position& b) { return q.newest_first ? a > b : a < b; };
  // Token ref of the filter, if any: compared on the stored value before decoding the rest.
  std::optional<uint32_t> token_ref;
  if (q.token && *q.token != decode::trx_token()) {
    auto known = store_->tokens_->ref(*q.token);
    if (!known) return out;  // a token never indexed
    token_ref = *known;
  }
  auto accept = [&](const Candidate& c, const schema::TransferValue& v) {
    // The key holds 8 address bytes only: confirm the hit.
    const bool match = (c.want_in && v.to == q.address) || (c.want_out && v.from == q.address);
    if (!match) return false;
    if (!q.token) return true;
    return token_ref ? v.kind != decode::TransferKind::kTrx && v.token_ref == *token_ref
                     : v.kind == decode::TransferKind::kTrx;
  };
  std::vector<Candidate> cands;
  while (out.size() < q.limit) {
    cands.clear();
    while (cands.size() < q.limit - out.size()) {
      const bool in_ok = in && in->valid();
      const bool out_ok = outgoing && outgoing->valid();
      if (!in_ok && !out_ok) break;
      Candidate c;
      if (in_ok && (!out_ok || !before(outgoing->pos(), in->pos()))) {
        c.pos = in->pos();
        c.want_in = true;
        c.row = sv(in->value());
      } else {
        c.pos = outgoing->pos();
        c.row = sv(outgoing->value());
      }
      if (out_ok && outgoing->pos() == c.pos) c.want_out = true;
      if (c.want_in) in->next();
      if (c.want_out) outgoing->next();
      cands.push_back(std::move(c));
    }
    if (cands.empty()) break;
    TRONIDX_TRY(fetch_rows(cands, q.limit, accept, blocks, out));
  }
  if (in && !in->status().ok()) return rocks_error(in->status(), "reading by_address");
  if (outgoing && !outgoing->status().ok()) return rocks_error(outgoing->status(), "reading by_address");
  return out;
}

Result<std::vector<IndexedTransfer>> Snapshot::token_history(const TokenQuery& q) const {
  const Rocks& r = *store_->rocks_;
  std::vector<IndexedTransfer> out;
  if (q.limit == 0 || q.from_block > q.to_block) return out;
  uint32_t ref = 0;
  if (q.token != decode::trx_token()) {
    auto known = store_->tokens_->ref(q.token);
    if (!known) return out;
    ref = *known;
  }
  const std::string prefix = schema::by_token_prefix(ref);
  std::string lower = prefix, upper = prefix;
  schema::put_pos(lower, decode::Position{std::min<uint64_t>(q.from_block, UINT32_MAX), 0, 0});
  if (q.to_block >= UINT32_MAX) {
    upper.append(schema::kPosSize + 1, '\xff');  // past every position of this token
  } else {
    schema::put_pos(upper, decode::Position{q.to_block + 1, 0, 0});
  }
  rocksdb::Slice lo(lower), hi(upper);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_;
  ro.iterate_lower_bound = &lo;
  ro.iterate_upper_bound = &hi;
  std::unique_ptr<rocksdb::Iterator> it(r.db->NewIterator(ro, r.by_token));
  if (q.after) {
    std::string k = prefix;
    schema::put_pos(k, *q.after);
    if (q.newest_first) {
      it->SeekForPrev(k);
      if (it->Valid() && it->key() == rocksdb::Slice(k)) it->Prev();
    } else {
      it->Seek(k);
      if (it->Valid() && it->key() == rocksdb::Slice(k)) it->Next();
    }
  } else if (q.newest_first) {
    it->SeekToLast();
  } else {
    it->SeekToFirst();
  }
  BlockCursor blocks(r, snap_, next_seq_, solidified_, *store_->final_blocks_);
  std::vector<Candidate> cands;
  auto accept = [](const Candidate&, const schema::TransferValue&) { return true; };
  while (it->Valid() && out.size() < q.limit) {
    cands.clear();
    for (; it->Valid() && cands.size() < q.limit - out.size(); q.newest_first ? it->Prev() : it->Next()) {
      cands.push_back(Candidate{schema::get_pos(u8p(it->key()) + 4), false, false, {}});
    }
    TRONIDX_TRY(fetch_rows(cands, q.limit, accept, blocks, out));
  }
  if (!it->status().ok()) return rocks_error(it->status(), "reading by_token");
  return out;
}

Result<std::vector<IndexedTransfer>> Snapshot::by_txid(const chain::TxId& txid) const {
  const Rocks& r = *store_->rocks_;
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(r.db->NewIterator(ro, r.by_txid));
  std::vector<IndexedTransfer> out;
  const std::string prefix = schema::by_txid_prefix(txid);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 6) return corrupt("by_txid key");
    const uint64_t num = schema::get_be32(u8p(it->key()) + 8);
    const uint32_t tx = static_cast<uint32_t>((u8p(it->key())[12] << 8) | u8p(it->key())[13]);
    TRONIDX_ASSIGN(auto block, this->block(num));
    if (!block) return corrupt("by_txid entry in block " + std::to_string(num) + " without a canonical block");
    const std::string tx_prefix = schema::transfers_tx_prefix(num, tx);
    rocksdb::ReadOptions tro;
    tro.snapshot = snap_;
    std::unique_ptr<rocksdb::Iterator> t_it(r.db->NewIterator(tro, r.transfers));
    for (t_it->Seek(tx_prefix); t_it->Valid() && t_it->key().starts_with(tx_prefix); t_it->Next()) {
      TRONIDX_ASSIGN(auto v, schema::decode_transfer(sv(t_it->value())));
      if (v.txid != txid) break;  // another transaction sharing the 8-byte prefix
      TRONIDX_ASSIGN(auto t, to_indexed(v, schema::get_pos(u8p(t_it->key())), block->id, block->timestamp_ms,
                                        *store_->tokens_));
      out.push_back(std::move(t));
    }
    if (!t_it->status().ok()) return rocks_error(t_it->status(), "reading transfers");
  }
  if (!it->status().ok()) return rocks_error(it->status(), "reading by_txid");
  return out;
}

Result<std::vector<JournalRecord>> Snapshot::journal(uint64_t from_seq, size_t max_records) const {
  const Rocks& r = *store_->rocks_;
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_;
  std::unique_ptr<rocksdb::Iterator> it(r.db->NewIterator(ro, r.journal));
  std::vector<JournalRecord> out;
  uint64_t expect = std::max(from_seq, journal_first_);
  for (it->Seek(schema::journal_key(expect)); it->Valid() && out.size() < max_records; it->Next()) {
    if (it->key().size() != 8) return corrupt("journal key");
    const uint64_t seq = schema::get_be64(u8p(it->key()));
    if (seq >= next_seq_) break;
    if (seq != expect) return corrupt("journal gap at seq " + std::to_string(expect));
    TRONIDX_ASSIGN(auto rec, decode_record(seq, sv(it->value()), *store_->tokens_));
    out.push_back(std::move(rec));
    ++expect;
  }
  if (!it->status().ok()) return rocks_error(it->status(), "reading the journal");
  return out;
}

Result<std::vector<WatchInfo>> Snapshot::watches(bool include_removed) const {
  const Rocks& r = *store_->rocks_;
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(r.db->NewIterator(ro, r.watches));
  std::vector<WatchInfo> out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 28) return corrupt("watch key");
    WatchInfo w;
    std::array<uint8_t, 20> raw{};
    std::copy(u8p(it->key()), u8p(it->key()) + 20, raw.begin());
    w.address = chain::Address::from_evm(raw);
    w.added_seq = schema::get_be64(u8p(it->key()) + 20);
    schema::Reader rd(sv(it->value()));
    uint64_t len = 0;
    std::string_view label;
    if (!rd.var(w.removed_seq) || !rd.var(w.since_block) || !rd.var(len) || !rd.bytes(len, label) || !rd.done()) {
      return corrupt("watch value");
    }
    w.label = std::string(label);
    // Only records committed as of this snapshot count (the journal bounds them).
    if (w.added_seq >= next_seq_) continue;
    if (w.removed_seq >= next_seq_) w.removed_seq = 0;
    if (w.removed_seq != 0 && !include_removed) continue;
    out.push_back(std::move(w));
  }
  if (!it->status().ok()) return rocks_error(it->status(), "reading watches");
  return out;
}

Result<std::vector<std::pair<uint64_t, std::string>>> Snapshot::jobs() const {
  const Rocks& r = *store_->rocks_;
  rocksdb::ReadOptions ro;
  ro.snapshot = snap_;
  std::unique_ptr<rocksdb::Iterator> it(r.db->NewIterator(ro, r.jobs));
  std::vector<std::pair<uint64_t, std::string>> out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return corrupt("job key");
    out.emplace_back(schema::get_be64(u8p(it->key())), it->value().ToString());
  }
  if (!it->status().ok()) return rocks_error(it->status(), "reading jobs");
  return out;
}

Result<std::optional<uint64_t>> Snapshot::first_block_at_or_after(int64_t timestamp_ms) const {
  if (!base_ || tip_.block_num <= base_->block_num) return std::optional<uint64_t>();
  uint64_t lo = base_->block_num + 1, hi = tip_.block_num + 1;  // answer in [lo, hi]; hi = none
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    TRONIDX_ASSIGN(auto b, block(mid));
    if (!b) return corrupt("missing canonical block " + std::to_string(mid));
    if (b->timestamp_ms >= timestamp_ms) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  if (lo > tip_.block_num) return std::optional<uint64_t>();
  return std::optional<uint64_t>(lo);
}

}  // namespace tronidx::store
