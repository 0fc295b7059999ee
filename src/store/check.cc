#include "tronidx/store/check.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>

#include "rocks.h"
#include "schema.h"
#include "tronidx/chain/hex.h"
#include "tronidx/store/snapshot.h"

namespace tronidx::store {
namespace {

struct Violations {
  std::vector<std::string> lines;
  template <class... A>
  void add(const A&... parts) {
    std::ostringstream os;
    (os << ... << parts);
    lines.push_back(os.str());
  }
};

std::string pos_str(const decode::Position& p) {
  return std::to_string(p.block_num) + "/" + std::to_string(p.tx_index) + "/" + std::to_string(p.event_index);
}

const uint8_t* u8(const rocksdb::Slice& s) { return reinterpret_cast<const uint8_t*>(s.data()); }  // NOLINT
std::string_view sv(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

template <class F>
void scan(const Rocks& r, rocksdb::ColumnFamilyHandle* cf, Violations& out, F&& f) {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(r.db->NewIterator(ro, cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) f(it->key(), it->value());
  if (!it->status().ok()) out.add("scanning ", cf->GetName(), ": ", it->status().ToString());
}

bool has_key(const Rocks& r, rocksdb::ColumnFamilyHandle* cf, const std::string& key) {
  std::string v;
  return r.db->Get(rocksdb::ReadOptions(), cf, key, &v).ok();
}

bool same_prefix8(const rocksdb::Slice& key, const chain::Address& a) {
  return std::equal(a.evm().begin(), a.evm().begin() + 8, u8(key));
}

struct Version {
  uint64_t num = 0;
  uint64_t apply_seq = 0;
  schema::BlockValue v;
};

struct Link {
  uint64_t num = 0;
  chain::BlockId id;
  uint64_t apply_seq = 0;
};

struct Interval {
  uint64_t added = 0;
  uint64_t removed = 0;
};

class Checker {
 public:
  Checker(const Store& store, const Rocks& rocks, Violations& out) : store_(store), r_(rocks), out_(out) {}

  void run() {
    auto s = store_.snapshot();
    if (!s.ok()) {
      out_.add("Store::snapshot failed: ", s.error().message);
      return;
    }
    snap_ = *s;
    if (!check_meta()) return;
    check_tokens();
    check_watches();
    if (!base_) {
      for (auto* cf : {r_.blocks, r_.transfers, r_.orphans, r_.by_address, r_.by_token, r_.by_txid}) {
        scan(r_, cf, out_, [&](const rocksdb::Slice&, const rocksdb::Slice&) {
          out_.add("column family ", cf->GetName(), " holds data although the database has no base");
        });
      }
      check_journal_keys();
      replay_journal();
      return;
    }
    check_blocks();
    check_transfers();
    check_indexes();
    check_orphans();
    check_journal_keys();
    replay_journal();
    check_reads();
  }

 private:
  std::optional<std::string> meta(std::string_view key) {
    std::string v;
    auto st = r_.db->Get(rocksdb::ReadOptions(), r_.meta, std::string(key), &v);
    if (st.IsNotFound()) return std::nullopt;
    if (!st.ok()) {
      out_.add("reading meta ", key, ": ", st.ToString());
      return std::nullopt;
    }
    return v;
  }

  bool check_meta() {
    auto version = meta(schema::meta::kSchemaVersionKey);
    if (!version || version->size() != 4 || schema::get_be32(u8(*version)) != schema::kSchemaVersion) {
      out_.add("meta schema_version missing or not ", schema::kSchemaVersion);
      return false;
    }
    auto genesis = meta(schema::meta::kGenesisId);
    if (!genesis || *genesis != chain::as_chars(store_.genesis_id().hash.bytes)) out_.add("meta genesis_id differs from Store::genesis_id");
    auto mode = meta(schema::meta::kMode);
    if (!mode || *mode != store_.mode().to_string()) out_.add("meta mode differs from Store::mode");
    auto instance = meta(schema::meta::kInstanceId);
    if (!instance || instance->size() != 16 ||
        !std::equal(instance->begin(), instance->end(), store_.instance_id().begin(),
                    [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; })) {
      out_.add("meta instance_id differs from Store::instance_id");
    }
    if (auto b = meta(schema::meta::kBase)) {
      auto d = schema::decode_tip(*b);
      if (!d.ok()) return out_.add("meta base malformed"), false;
      base_ = ChainPoint{d->first, d->second};
      auto t = meta(schema::meta::kTip);
      if (!t) return out_.add("meta base without tip"), false;
      auto dt = schema::decode_tip(*t);
      if (!dt.ok()) return out_.add("meta tip malformed"), false;
      tip_ = ChainPoint{dt->first, dt->second};
    }
    auto read_u = [&](std::string_view key, uint64_t& v, size_t width) {
      if (auto m = meta(key)) {
        if (m->size() != width) return out_.add("meta ", key, " has ", m->size(), " bytes");
        v = width == 4 ? schema::get_be32(u8(*m)) : schema::get_be64(u8(*m));
      }
    };
    read_u(schema::meta::kSolidified, solidified_, 4);
    read_u(schema::meta::kNextSeq, next_seq_, 8);
    read_u(schema::meta::kJournalFirst, journal_first_, 8);

    const Store::State st = store_.state();
    if (st.base != base_) out_.add("Store::state().base differs from meta base");
    if (base_ && !(st.tip == tip_)) out_.add("Store::state().tip ", st.tip.block_num, " differs from meta tip ", tip_.block_num);
    if (st.solidified != solidified_) out_.add("Store::state().solidified ", st.solidified, " != meta ", solidified_);
    if (st.next_seq != next_seq_) out_.add("Store::state().next_seq ", st.next_seq, " != meta ", next_seq_);
    if (st.journal_first != journal_first_) out_.add("Store::state().journal_first ", st.journal_first, " != meta ", journal_first_);
    if (snap_->base() != base_ || (base_ && !(snap_->tip() == tip_)) || snap_->solidified() != solidified_ ||
        snap_->next_seq() != next_seq_ || snap_->journal_first() != journal_first_) {
      out_.add("Snapshot meta differs from the meta family");
    }
    if (journal_first_ < 1 || journal_first_ > next_seq_) out_.add("journal_first ", journal_first_, " outside [1, next_seq ", next_seq_, "]");
    if (base_) {
      if (tip_.block_num < base_->block_num) out_.add("tip ", tip_.block_num, " below base ", base_->block_num);
      if (solidified_ < base_->block_num || solidified_ > tip_.block_num) {
        out_.add("solidified ", solidified_, " outside [base ", base_->block_num, ", tip ", tip_.block_num, "]");
      }
    }
    return true;
  }

  void check_tokens() {
    std::map<chain::Address, uint32_t> by_addr;
    scan(r_, r_.tokens, out_, [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      if (k.size() == 5 && k[0] == 'r' && v.size() == 21) {
        const uint32_t ref = schema::get_be32(u8(k) + 1);
        std::array<uint8_t, 21> raw{};
        std::copy(u8(v), u8(v) + 21, raw.begin());
        if (ref == 0) out_.add("token ref 0 is reserved for TRX");
        if (!tokens_.emplace(ref, chain::Address::from_raw(raw)).second) out_.add("token ref ", ref, " twice");
      } else if (k.size() == 22 && k[0] == 't' && v.size() == 4) {
        std::array<uint8_t, 21> raw{};
        std::copy(u8(k) + 1, u8(k) + 22, raw.begin());
        by_addr.emplace(chain::Address::from_raw(raw), schema::get_be32(u8(v)));
      } else {
        out_.add("malformed tokens entry (key ", k.size(), " bytes)");
      }
    });
    for (const auto& [ref, token] : tokens_) {
      auto it = by_addr.find(token);
      if (it == by_addr.end() || it->second != ref) out_.add("token ref ", ref, " has no matching reverse entry");
    }
    if (by_addr.size() != tokens_.size()) out_.add("token dictionary: ", by_addr.size(), " reverse entries for ", tokens_.size(), " refs");
  }

  void check_watches() {
    scan(r_, r_.watches, out_, [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      if (k.size() != 28) return out_.add("malformed watches key");
      std::array<uint8_t, 20> raw{};
      std::copy(u8(k), u8(k) + 20, raw.begin());
      const chain::Address a = chain::Address::from_evm(raw);
      Interval i{schema::get_be64(u8(k) + 20), 0};
      schema::Reader rd(sv(v));
      uint64_t since = 0, len = 0;
      std::string_view label;
      if (!rd.var(i.removed) || !rd.var(since) || !rd.var(len) || !rd.bytes(len, label) || !rd.done()) {
        return out_.add("malformed watches value for ", a.to_hex());
      }
      watches_[a].push_back(i);
    });
    const WatchSet& ws = store_.watches();
    size_t open = 0;
    for (const auto& [a, list] : watches_) {
      for (size_t j = 0; j < list.size(); ++j) {
        const Interval& i = list[j];
        if (i.added == 0 || i.added >= next_seq_) out_.add("watch of ", a.to_hex(), " added at seq ", i.added, " outside the journal");
        if (i.removed != 0 && (i.removed <= i.added || i.removed >= next_seq_)) {
          out_.add("watch of ", a.to_hex(), " removed at seq ", i.removed, " (added ", i.added, ")");
        }
        if (i.removed == 0 && j + 1 != list.size()) out_.add("watch of ", a.to_hex(), " has an open interval before another one");
        if (j > 0 && (list[j - 1].removed == 0 || list[j - 1].removed >= i.added)) {
          out_.add("watch intervals of ", a.to_hex(), " overlap");
        }
      }
      const bool open_now = !list.empty() && list.back().removed == 0;
      open += open_now ? 1 : 0;
      if (ws.watched_now(a) != open_now) out_.add("WatchSet::watched_now(", a.to_hex(), ") disagrees with the watches family");
      for (const Interval& i : list) {
        for (uint64_t s : {i.added, i.added + 1, i.removed, i.removed + 1}) {
          if (s == 0) continue;
          bool expect = false;
          for (const Interval& o : list) expect = expect || (o.added < s && (o.removed == 0 || s < o.removed));
          if (ws.watched_at(a, s) != expect) out_.add("WatchSet::watched_at(", a.to_hex(), ", ", s, ") != ", expect);
        }
      }
    }
    if (ws.size() != open) out_.add("WatchSet::size() ", ws.size(), " != open intervals ", open);
  }

  void check_blocks() {
    scan(r_, r_.blocks, out_, [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      if (k.size() != 12) return out_.add("malformed blocks key");
      Version ver;
      ver.num = schema::get_be32(u8(k));
      ver.apply_seq = schema::get_be64(u8(k) + 4);
      auto d = schema::decode_block(sv(v));
      if (!d.ok()) return out_.add("malformed block value at ", ver.num);
      ver.v = *d;
      versions_[ver.num].push_back(ver);
    });
    for (const auto& [num, list] : versions_) {
      size_t canonical = 0;
      for (const Version& ver : list) {
        if (num <= base_->block_num) out_.add("block version at ", num, " at or below the base ", base_->block_num);
        if (ver.apply_seq == 0 || ver.apply_seq >= next_seq_) out_.add("block ", num, " apply_seq ", ver.apply_seq, " outside the journal");
        if (ver.v.revert_seq == 0) {
          ++canonical;
          canonical_[num] = ver;
        } else {
          if (ver.v.revert_seq <= ver.apply_seq || ver.v.revert_seq >= next_seq_) {
            out_.add("block ", num, " version ", ver.apply_seq, " has revert_seq ", ver.v.revert_seq);
          }
          if (ver.v.revert_seq < journal_first_) {
            out_.add("block ", num, " version ", ver.apply_seq, " retained although its REVERT (seq ", ver.v.revert_seq,
                     ") was pruned");
          }
        }
      }
      if (canonical > 1) out_.add("block ", num, " has ", canonical, " canonical versions");
      if (canonical == 1 && num > tip_.block_num) out_.add("canonical block ", num, " above the tip ", tip_.block_num);
    }
    chain::BlockId parent = base_->id;
    for (uint64_t n = base_->block_num + 1; n <= tip_.block_num; ++n) {
      auto it = canonical_.find(n);
      if (it == canonical_.end()) {
        out_.add("canonical block ", n, " missing (base ", base_->block_num, ", tip ", tip_.block_num, ")");
        return;
      }
      if (it->second.v.parent_id != parent) out_.add("canonical block ", n, " does not connect to its parent");
      parent = it->second.v.id;
    }
    if (parent != tip_.id) out_.add("tip id differs from the last canonical block's id");
  }

  void check_transfers() {
    scan(r_, r_.transfers, out_, [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      if (k.size() != schema::kPosSize) return out_.add("malformed transfers key");
      const decode::Position pos = schema::get_pos(u8(k));
      auto d = schema::decode_transfer(sv(v));
      if (!d.ok()) return out_.add("malformed transfer value at ", pos_str(pos));
      const schema::TransferValue& t = *d;
      transfers_[pos] = t;
      auto block = canonical_.find(pos.block_num);
      if (block == canonical_.end()) return out_.add("transfer ", pos_str(pos), " outside any canonical block");
      if (t.kind == decode::TransferKind::kTrx ? t.token_ref != 0 : tokens_.count(t.token_ref) == 0) {
        out_.add("transfer ", pos_str(pos), " has token ref ", t.token_ref, " not in the dictionary");
      }
      if ((t.flags & schema::kFlagBackfilled) != 0) {
        if (t.backfill_seq <= block->second.apply_seq || t.backfill_seq >= next_seq_) {
          out_.add("backfilled transfer ", pos_str(pos), " has backfill_seq ", t.backfill_seq, " (block applied at ",
                   block->second.apply_seq, ")");
        }
      } else {
        ++applied_count_[pos.block_num];
      }
      if (!has_key(r_, r_.by_token, schema::by_token_key(t.token_ref, pos))) out_.add("transfer ", pos_str(pos), " has no by_token entry");
      if (!has_key(r_, r_.by_txid, schema::by_txid_key(t.txid, pos.block_num, pos.tx_index))) {
        out_.add("transfer ", pos_str(pos), " has no by_txid entry");
      }
      const bool out_entry = has_key(r_, r_.by_address, schema::by_address_key(t.from, schema::kDirOut, pos));
      const bool in_entry = has_key(r_, r_.by_address, schema::by_address_key(t.to, schema::kDirIn, pos));
      if (!out_entry && !in_entry) out_.add("transfer ", pos_str(pos), " has no by_address entry");
      if (store_.mode().kind == ModeConfig::Kind::kAll && (t.flags & schema::kFlagBackfilled) == 0 && !(out_entry && in_entry)) {
        out_.add("transfer ", pos_str(pos), " lacks a by_address entry in all mode");
      }
    });
    for (const auto& [num, ver] : canonical_) {
      const uint64_t have = applied_count_.count(num) ? applied_count_[num] : 0;
      if (have != ver.v.transfer_count) {
        out_.add("canonical block ", num, " has ", have, " non-backfilled transfers, transfer_count ", ver.v.transfer_count);
      }
    }
  }

  void check_indexes() {
    scan(r_, r_.by_address, out_, [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      if (k.size() != schema::kByAddressPrefix + schema::kPosSize || (k[8] != 0 && k[8] != 1)) {
        return out_.add("malformed by_address key");
      }
      const decode::Position pos = schema::get_pos(u8(k) + schema::kByAddressPrefix);
      auto it = transfers_.find(pos);
      if (it == transfers_.end()) return out_.add("by_address entry ", pos_str(pos), " without its transfer");
      const chain::Address& side = k[8] == schema::kDirOut ? it->second.from : it->second.to;
      if (!same_prefix8(k, side))
        out_.add("by_address entry ", pos_str(pos), " names another address than the transfer");
      if (!v.empty() && schema::encode_transfer(it->second) != sv(v)) {
        out_.add("by_address entry ", pos_str(pos), " carries another row than its transfer");
      }
    });
    scan(r_, r_.by_token, out_, [&](const rocksdb::Slice& k, const rocksdb::Slice&) {
      if (k.size() != 4 + schema::kPosSize) return out_.add("malformed by_token key");
      const decode::Position pos = schema::get_pos(u8(k) + 4);
      auto it = transfers_.find(pos);
      if (it == transfers_.end()) return out_.add("by_token entry ", pos_str(pos), " without its transfer");
      if (it->second.token_ref != schema::get_be32(u8(k))) out_.add("by_token entry ", pos_str(pos), " under another token");
    });
    scan(r_, r_.by_txid, out_, [&](const rocksdb::Slice& k, const rocksdb::Slice&) {
      if (k.size() != schema::kTxidPrefixSize + 6) return out_.add("malformed by_txid key");
      const uint64_t num = schema::get_be32(u8(k) + 8);
      const uint32_t tx = static_cast<uint32_t>((u8(k)[12] << 8) | u8(k)[13]);
      auto it = transfers_.lower_bound(decode::Position{num, tx, 0});
      if (it == transfers_.end() || it->first.block_num != num || it->first.tx_index != tx) {
        return out_.add("by_txid entry ", num, "/", tx, " without a transfer");
      }
      if (!std::equal(it->second.txid.hash.bytes.begin(), it->second.txid.hash.bytes.begin() + 8, u8(k))) {
        out_.add("by_txid entry ", num, "/", tx, " names another txid");
      }
    });
  }

  void check_orphans() {
    std::map<uint64_t, uint64_t> counts;  // apply_seq -> non-backfilled orphans
    scan(r_, r_.orphans, out_, [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      if (k.size() != 8 + schema::kPosSize) return out_.add("malformed orphans key");
      const uint64_t apply_seq = schema::get_be64(u8(k));
      const decode::Position pos = schema::get_pos(u8(k) + 8);
      auto d = schema::decode_transfer(sv(v));
      if (!d.ok()) return out_.add("malformed orphan value at ", pos_str(pos));
      const Version* ver = find_version(pos.block_num, apply_seq);
      if (ver == nullptr || ver->v.revert_seq == 0) {
        return out_.add("orphan ", pos_str(pos), " of version ", apply_seq, " which is not a retained reverted version");
      }
      if ((d->flags & schema::kFlagBackfilled) == 0) ++counts[apply_seq];
    });
    for (const auto& [num, list] : versions_) {
      for (const Version& ver : list) {
        if (ver.v.revert_seq == 0) continue;
        const uint64_t have = counts.count(ver.apply_seq) ? counts[ver.apply_seq] : 0;
        if (have != ver.v.transfer_count) {
          out_.add("reverted version ", num, "@", ver.apply_seq, " has ", have, " orphans, transfer_count ", ver.v.transfer_count);
        }
      }
    }
  }

  void check_journal_keys() {
    uint64_t expect = journal_first_;
    scan(r_, r_.journal, out_, [&](const rocksdb::Slice& k, const rocksdb::Slice&) {
      if (k.size() != 8) return out_.add("malformed journal key");
      const uint64_t seq = schema::get_be64(u8(k));
      if (seq != expect) out_.add("journal key ", seq, " where ", expect, " was expected (journal_first ", journal_first_,
                                  ", next_seq ", next_seq_, ")");
      expect = seq + 1;
    });
    if (expect != next_seq_) out_.add("journal ends at ", expect, " but next_seq is ", next_seq_);
  }

  const Version* find_version(uint64_t num, uint64_t apply_seq) const {
    auto it = versions_.find(num);
    if (it == versions_.end()) return nullptr;
    for (const Version& v : it->second) {
      if (v.apply_seq == apply_seq) return &v;
    }
    return nullptr;
  }

  void replay_journal() {
    std::vector<JournalRecord> recs;
    for (uint64_t from = journal_first_; from < next_seq_;) {
      auto page = snap_->journal(from, 256);
      if (!page.ok()) return out_.add("Snapshot::journal(", from, "): ", page.error().message);
      if (page->empty()) return out_.add("Snapshot::journal(", from, ") returned nothing below next_seq ", next_seq_);
      for (auto& r : *page) recs.push_back(std::move(r));
      from = recs.back().seq + 1;
    }
    for (size_t i = 0; i < recs.size(); ++i) {
      if (recs[i].seq != journal_first_ + i) return out_.add("Snapshot::journal gap at ", journal_first_ + i);
    }
    std::vector<Link> stack;
    if (base_) {
      for (uint64_t n = base_->block_num + 1;; ++n) {
        auto b = snap_->block_as_of(n, journal_first_);
        if (!b.ok()) return out_.add("block_as_of(", n, "): ", b.error().message);
        if (!*b) break;
        stack.push_back(Link{n, (*b)->id, (*b)->apply_seq});
      }
    }
    std::optional<uint64_t> sol;
    if (journal_first_ == 1 && base_) sol = base_->block_num;
    bool seen_block = false;
    for (const JournalRecord& r : recs) {
      const Link top = stack.empty() ? Link{base_ ? base_->block_num : 0, base_ ? base_->id : chain::BlockId{}, 0} : stack.back();
      switch (r.type) {
        case RecordType::kApply: {
          if (!base_) return out_.add("APPLY ", r.seq, " in a database without a base");
          if (r.block.block_num != top.num + 1 || r.block.parent_id != top.id) {
            return out_.add("APPLY ", r.seq, " of block ", r.block.block_num, " does not extend the replayed tip ", top.num);
          }
          if (r.block.apply_seq != r.seq) out_.add("APPLY ", r.seq, " names apply_seq ", r.block.apply_seq);
          const Version* v = find_version(r.block.block_num, r.seq);
          if (v == nullptr) {
            out_.add("APPLY ", r.seq, " has no block version");
          } else if (v->v.id != r.block.id || v->v.parent_id != r.block.parent_id || v->v.timestamp_ms != r.block.timestamp_ms ||
                     v->v.tx_count != r.block.tx_count || v->v.transfer_count != r.block.transfer_count) {
            out_.add("APPLY ", r.seq, " differs from its block version");
          }
          stack.push_back(Link{r.block.block_num, r.block.id, r.seq});
          break;
        }
        case RecordType::kRevert: {
          if (stack.empty() || top.num != r.block.block_num || top.id != r.block.id || top.apply_seq != r.block.apply_seq) {
            return out_.add("REVERT ", r.seq, " of block ", r.block.block_num, "@", r.block.apply_seq,
                            " is not the replayed tip ", top.num, "@", top.apply_seq);
          }
          if (sol && r.block.block_num <= *sol) out_.add("REVERT ", r.seq, " of solidified block ", r.block.block_num);
          const Version* v = find_version(r.block.block_num, r.block.apply_seq);
          if (v == nullptr || v->v.revert_seq != r.seq) out_.add("REVERT ", r.seq, " does not match its version's revert_seq");
          if (r.block.revert_seq != r.seq) out_.add("REVERT ", r.seq, " carries revert_seq ", r.block.revert_seq);
          stack.pop_back();
          break;
        }
        case RecordType::kSolidify: {
          if (sol && r.previous_solidified != *sol) {
            out_.add("SOLIDIFY ", r.seq, " previous ", r.previous_solidified, " != replayed ", *sol);
          }
          if (r.solidified <= r.previous_solidified) out_.add("SOLIDIFY ", r.seq, " does not move up");
          if (r.solidified > top.num) out_.add("SOLIDIFY ", r.seq, " to ", r.solidified, " above the tip ", top.num);
          sol = r.solidified;
          break;
        }
        case RecordType::kWatch: {
          auto it = watches_.find(r.address);
          bool found = false;
          if (it != watches_.end()) {
            for (const Interval& i : it->second) found = found || (r.watch_on ? i.added == r.seq : i.removed == r.seq);
          }
          if (!found) out_.add("WATCH ", r.watch_on ? "on" : "off", " ", r.seq, " has no matching watches entry");
          break;
        }
        case RecordType::kBackfill: {
          for (const IndexedTransfer& t : r.transfers) {
            if (t.transfer.from != r.address && t.transfer.to != r.address) out_.add("BACKFILL ", r.seq, " carries a transfer not touching its address");
            if (t.transfer.position.block_num > top.num) out_.add("BACKFILL ", r.seq, " into block above the tip");
            if (t.backfilled && t.backfill_seq > r.seq) out_.add("BACKFILL ", r.seq, " carries backfill_seq ", t.backfill_seq);
            auto b = snap_->block_as_of(t.transfer.position.block_num, r.seq);
            if (b.ok() && *b && (*b)->id != t.block_id) out_.add("BACKFILL ", r.seq, " names a block that was not canonical then");
          }
          break;
        }
      }
      // Each record carries the state right after it. Records committed before set_base (WATCH only) say 0/0.
      seen_block = seen_block || r.type == RecordType::kApply || r.type == RecordType::kRevert;
      const bool before_base = !seen_block && r.tip_after == 0 && r.solidified_after == 0;
      if (before_base) continue;
      const uint64_t tip_now = stack.empty() ? (base_ ? base_->block_num : 0) : stack.back().num;
      if (r.tip_after != tip_now) out_.add("record ", r.seq, " says tip_after ", r.tip_after, ", the replay has ", tip_now);
      if (sol && r.solidified_after != *sol) {
        out_.add("record ", r.seq, " says solidified_after ", r.solidified_after, ", the replay has ", *sol);
      }
      if (!sol) sol = r.solidified_after;
    }
    for (const auto& [a, list] : watches_) {
      for (const Interval& i : list) {
        auto has = [&](uint64_t seq, bool on) {
          if (seq < journal_first_) return true;
          const JournalRecord& r = recs[seq - journal_first_];
          return r.type == RecordType::kWatch && r.address == a && r.watch_on == on;
        };
        if (!has(i.added, true) || (i.removed != 0 && !has(i.removed, false))) {
          out_.add("watch interval of ", a.to_hex(), " [", i.added, ", ", i.removed, ") without its WATCH records");
        }
      }
    }
    if (!base_) return;
    std::vector<Link> expect;
    for (const auto& [num, ver] : canonical_) expect.push_back(Link{num, ver.v.id, ver.apply_seq});
    bool same = expect.size() == stack.size();
    for (size_t i = 0; same && i < expect.size(); ++i) {
      same = expect[i].num == stack[i].num && expect[i].id == stack[i].id && expect[i].apply_seq == stack[i].apply_seq;
    }
    if (!same) out_.add("replaying the journal gives ", stack.size(), " blocks, the canonical chain has ", expect.size(),
                        " (or they differ)");
    if (sol && *sol != solidified_) out_.add("replayed solidified ", *sol, " != stored ", solidified_);
  }

  void check_reads() {
    for (const auto& [num, ver] : canonical_) {
      auto b = snap_->block(num);
      if (!b.ok() || !*b || (*b)->apply_seq != ver.apply_seq) {
        out_.add("Snapshot::block(", num, ") does not return the canonical version");
        continue;
      }
      auto ts = snap_->block_transfers(**b, next_seq_);
      if (!ts.ok()) {
        out_.add("block_transfers(", num, "): ", ts.error().message);
        continue;
      }
      std::vector<decode::Position> have, want;
      for (const auto& t : *ts) have.push_back(t.transfer.position);
      for (auto it = transfers_.lower_bound(decode::Position{num, 0, 0}); it != transfers_.end() && it->first.block_num == num; ++it) {
        want.push_back(it->first);
      }
      if (have != want) out_.add("block_transfers(", num, ") returns ", have.size(), " transfers, the family holds ", want.size());
    }
  }

  const Store& store_;
  const Rocks& r_;
  Violations& out_;
  std::shared_ptr<const Snapshot> snap_;
  std::optional<ChainPoint> base_;
  ChainPoint tip_;
  uint64_t solidified_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t journal_first_ = 1;
  std::map<uint32_t, chain::Address> tokens_;
  std::map<chain::Address, std::vector<Interval>> watches_;
  std::map<uint64_t, std::vector<Version>> versions_;
  std::map<uint64_t, Version> canonical_;
  std::map<decode::Position, schema::TransferValue> transfers_;
  std::map<uint64_t, uint64_t> applied_count_;
};

// A second, read-only RocksDB instance on the store's directory. Every table file is opened up front
// (max_open_files = -1) so the writer's compactions cannot pull a file from under a later read; opening
// itself can race with a compaction deleting a file the MANIFEST still names, so it is retried until a
// deadline. Column family options are defaults: filters and prefix extractors only speed reads up.
Result<std::unique_ptr<Rocks>> open_raw(const std::string& path) {
  rocksdb::DBOptions db_opts;
  db_opts.max_open_files = -1;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : {schema::kCfMeta, schema::kCfBlocks, schema::kCfTransfers, schema::kCfOrphans, schema::kCfByAddress,
                           schema::kCfByToken, schema::kCfByTxid, schema::kCfJournal, schema::kCfWatches, schema::kCfTokens,
                           schema::kCfJobs}) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  rocksdb::Status s;
  do {
    auto rocks = std::make_unique<Rocks>();
    rocksdb::DB* raw = nullptr;
    s = rocksdb::DB::OpenForReadOnly(db_opts, path, cfs, &rocks->handles, &raw);
    if (s.ok()) {
      rocks->db.reset(raw);
      auto& h = rocks->handles;
      rocks->meta = h[0];
      rocks->blocks = h[1];
      rocks->transfers = h[2];
      rocks->orphans = h[3];
      rocks->by_address = h[4];
      rocks->by_token = h[5];
      rocks->by_txid = h[6];
      rocks->journal = h[7];
      rocks->watches = h[8];
      rocks->tokens = h[9];
      rocks->jobs = h[10];
      return rocks;
    }
    std::this_thread::yield();
  } while (std::chrono::steady_clock::now() < deadline);
  return make_error(Errc::kInternal, s.ToString());
}

}  // namespace

std::vector<std::string> check_invariants(const Store& store) {
  Violations out;
  auto rocks = open_raw(store.path());
  if (!rocks.ok()) {
    out.add("cannot open ", store.path(), " read-only: ", rocks.error().message);
    return out.lines;
  }
  Checker(store, **rocks, out).run();
  return out.lines;
}

Result<std::vector<std::string>> check_database(const std::string& path) {
  OpenOptions o;
  o.path = path;
  o.read_only = true;
  o.create_if_missing = false;
  o.block_cache_bytes = size_t{8} << 20;
  o.write_buffer_bytes = size_t{4} << 20;
  TRONIDX_ASSIGN(auto store, Store::open(o));
  return check_invariants(*store);
}

}  // namespace tronidx::store
