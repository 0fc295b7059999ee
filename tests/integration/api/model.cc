#include "model.h"

#include <algorithm>
#include <sstream>

#include "tronidx/decode/transfer.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/store.h"

namespace tronidx::apitest {
namespace {

TruthTransfer to_truth(const store::IndexedTransfer& it) {
  const decode::Transfer& t = it.transfer;
  TruthTransfer out;
  out.block_num = t.position.block_num;
  out.tx_index = t.position.tx_index;
  out.event_index = t.position.event_index;
  out.block_id = it.block_id.to_hex();
  out.timestamp_ms = it.timestamp_ms;
  out.txid = t.txid.to_hex();
  switch (t.kind) {
    case decode::TransferKind::kTrx:
      out.kind = "TRX";
      out.token = "TRX";
      break;
    case decode::TransferKind::kTrc20:
      out.kind = "TRC20";
      out.token = t.token.to_base58();
      break;
    case decode::TransferKind::kTrc10:
      out.kind = "TRC10";
      out.token = std::to_string(decode::trc10_asset_id(t.token));
      break;
  }
  out.from = t.from.to_base58();
  out.to = t.to.to_base58();
  out.amount = t.amount.to_decimal();
  return out;
}

JournalBlock to_block(const store::BlockInfo& b) {
  return JournalBlock{b.block_num, b.id.to_hex(), b.parent_id.to_hex(), b.timestamp_ms, b.apply_seq};
}

bool same_position(const TruthTransfer& a, const TruthTransfer& b) {
  return a.block_num == b.block_num && a.tx_index == b.tx_index && a.event_index == b.event_index;
}

std::string short_desc(const TruthTransfer& t) {
  std::ostringstream s;
  s << t.block_num << "/" << t.tx_index << "/" << t.event_index << " " << t.block_id.substr(16, 10) << " tx "
    << t.txid.substr(0, 10) << " " << t.token.substr(0, 8) << " " << t.from.substr(0, 8) << "->" << t.to.substr(0, 8)
    << " " << t.amount;
  return s.str();
}

std::string pos_str(std::pair<uint64_t, uint32_t> p) {
  return "(" + std::to_string(p.first) + "," +
         (p.second == CursorPos::kAfterRecord ? std::string("end") : std::to_string(p.second)) + ")";
}

}  // namespace

// ---- the journal -------------------------------------------------------------------------------------------

Result<Journal> read_journal(const std::filesystem::path& data_dir) {
  store::OpenOptions o;
  o.path = data_dir.string();
  o.read_only = true;
  o.create_if_missing = false;
  TRONIDX_ASSIGN(auto st, store::Store::open(o));
  Journal j;
  j.instance.assign(reinterpret_cast<const char*>(st->instance_id().data()), st->instance_id().size());  // NOLINT
  j.mode = st->mode().to_string();
  {
    TRONIDX_ASSIGN(auto snap, st->snapshot());
    if (snap->base()) {
      j.base = snap->base()->block_num;
      j.base_id = snap->base()->id.to_hex();
    }
    j.tip = snap->tip().block_num;
    j.tip_id = snap->tip().id.to_hex();
    j.solidified = snap->solidified();
    j.first_seq = snap->journal_first();
    j.next_seq = snap->next_seq();
    uint64_t from = j.first_seq;
    while (from < j.next_seq) {
      TRONIDX_ASSIGN(auto recs, snap->journal(from, 1000));
      if (recs.empty()) return make_error(Errc::kDataLoss, "journal ends at " + std::to_string(from));
      for (auto& r : recs) {
        JournalEntry e;
        e.seq = r.seq;
        e.type = r.type;
        e.tip_after = r.tip_after;
        e.solidified_after = r.solidified_after;
        e.solidified = r.solidified;
        e.previous_solidified = r.previous_solidified;
        e.block = to_block(r.block);
        if (r.type == store::RecordType::kBackfill || r.type == store::RecordType::kWatch) {
          e.address = r.address.to_base58();
          e.watch_on = r.watch_on;
        }
        if (r.type == store::RecordType::kBackfill) {
          for (const auto& t : r.transfers) e.transfers.push_back(to_truth(t));
        }
        if (r.type == store::RecordType::kApply || r.type == store::RecordType::kRevert) {
          const uint64_t apply_seq = r.type == store::RecordType::kApply ? r.seq : r.block.apply_seq;
          TRONIDX_ASSIGN(auto versions, snap->block_versions(r.block.block_num));
          const store::BlockInfo* version = nullptr;
          for (const auto& v : versions) {
            if (v.apply_seq == apply_seq) version = &v;
          }
          if (version == nullptr) {
            return make_error(Errc::kDataLoss, "record " + std::to_string(r.seq) + " names block version " +
                                                   std::to_string(r.block.block_num) + "/" +
                                                   std::to_string(apply_seq) + ", which is not stored");
          }
          e.block = to_block(*version);
          // APPLY: what it indexed (backfills came later). REVERT: everything the version held then.
          TRONIDX_ASSIGN(auto ts, snap->block_transfers(*version, r.type == store::RecordType::kApply ? r.seq + 1 : r.seq));
          for (const auto& t : ts) e.transfers.push_back(to_truth(t));
        }
        j.records.push_back(std::move(e));
      }
      from = j.records.back().seq + 1;
    }
  }
  return j;
}

// ---- filters and events ------------------------------------------------------------------------------------

bool ModelFilter::matches(const TruthTransfer& t, const std::set<std::string>& watched) const {
  if (everything()) return watched.count(t.from) != 0 || watched.count(t.to) != 0;
  if (!tokens.empty() && tokens.count(t.token) == 0) return false;
  return addresses.empty() || addresses.count(t.from) != 0 || addresses.count(t.to) != 0;
}

v1::SubscribeRequest ModelFilter::request() const {
  v1::SubscribeRequest r;
  for (const auto& a : addresses) r.add_addresses(a);
  for (const auto& t : tokens) r.add_tokens(t);
  r.set_min_confirmations(depth);
  return r;
}

std::string ModelEvent::key() const {
  return event_key(type, transfer.txid, transfer.event_index, transfer.block_id);
}

std::string ModelEvent::describe() const {
  std::ostringstream s;
  s << type_name(type) << " " << short_desc(transfer) << " @" << pos_str(pos()) << " conf " << confirmations
    << " head " << head << " solid " << solidified;
  return s.str();
}

ModelEvent from_event(const v1::Event& e) {
  ModelEvent m;
  m.type = e.type();
  if (e.has_transfer()) m.transfer = event_transfer(e);
  if (auto c = decode_cursor(e.cursor())) {
    m.seq = c->seq;
    m.ordinal = c->ordinal;
  }
  m.confirmations = e.confirmations();
  m.head = e.head();
  m.solidified = e.solidified();
  return m;
}

// ---- replay ---------------------------------------------------------------------------------------------------

Replay replay(const Journal& journal, const std::vector<ModelFilter>& filters) {
  Replay r;
  r.events.resize(filters.size());
  uint64_t solidified = 0;
  bool have_solidified = false;
  std::set<std::string> watched;
  std::vector<std::set<std::string>> reported(filters.size());  // per filter: keys of the transfers ADDED
  auto err = [&](uint64_t seq, const std::string& what) {
    if (r.errors.size() < 50) r.errors.push_back("record " + std::to_string(seq) + ": " + what);
  };
  auto tip_num = [&] { return r.chain.empty() ? journal.base : r.chain.rbegin()->first; };
  auto tip_id = [&] { return r.chain.empty() ? journal.base_id : r.chain.rbegin()->second.block.id; };
  uint64_t expected_seq = journal.first_seq;
  if (journal.first_seq != 1) err(journal.first_seq, "the journal was pruned: the model needs it whole");

  for (const auto& rec : journal.records) {
    if (rec.seq != expected_seq) err(rec.seq, "expected seq " + std::to_string(expected_seq));
    expected_seq = rec.seq + 1;
    std::vector<uint32_t> ordinal(filters.size(), 0);
    // "Everything watched": CONFIRMED, REVERTED and FINALIZED follow the transfer's ADDED (sent iff it was),
    // whatever was watched or unwatched in between (docs/subscriptions.md §Watch changes).
    auto follows = [&](size_t f, const TruthTransfer& t) {
      if (!filters[f].everything()) return filters[f].matches(t, watched);
      return reported[f].count(t.txid + "|" + std::to_string(t.event_index) + "|" + t.block_id) != 0;
    };
    auto emit = [&](size_t f, v1::Event::Type type, const TruthTransfer& t, uint64_t conf) {
      if (type == v1::Event::ADDED) reported[f].insert(t.txid + "|" + std::to_string(t.event_index) + "|" + t.block_id);
      ModelEvent e;
      e.type = type;
      e.transfer = t;
      e.seq = rec.seq;
      e.ordinal = ordinal[f]++;
      e.confirmations = conf;
      e.head = rec.tip_after;
      e.solidified = rec.solidified_after;
      r.events[f].push_back(std::move(e));
    };
    // Records written before the base was chosen (the configured watches of a new database) carry
    // tip 0 and solidified 0; choosing the base (not a journal record) makes it the tip and the
    // solidified number.
    const bool before_base = !have_solidified && rec.type == store::RecordType::kWatch && rec.tip_after == 0 &&
                             rec.solidified_after == 0 && journal.first_seq == 1;
    if (!have_solidified && !before_base) {
      solidified = journal.first_seq == 1 ? journal.base
                   : rec.type == store::RecordType::kSolidify ? rec.previous_solidified
                                                              : rec.solidified_after;
      have_solidified = true;
    }
    switch (rec.type) {
      case store::RecordType::kApply: {
        ++r.applies;
        const uint64_t n = rec.block.num;
        if (n != tip_num() + 1) err(rec.seq, "APPLY of " + std::to_string(n) + " on tip " + std::to_string(tip_num()));
        if (rec.block.parent != tip_id()) err(rec.seq, "APPLY " + std::to_string(n) + " does not connect to the tip");
        if (rec.block.apply_seq != rec.seq) err(rec.seq, "APPLY version has apply_seq " + std::to_string(rec.block.apply_seq));
        ModelBlock b;
        b.block = rec.block;
        b.transfers = rec.transfers;
        std::sort(b.transfers.begin(), b.transfers.end());
        for (const auto& t : b.transfers) {
          if (t.block_id != rec.block.id || t.block_num != n) err(rec.seq, "APPLY transfer of another block: " + short_desc(t));
        }
        r.chain[n] = b;
        r.apply_watch_sets.emplace_back(&rec, watched);
        for (size_t f = 0; f < filters.size(); ++f) {
          const ModelFilter& flt = filters[f];
          for (const auto& t : b.transfers) {
            if (flt.matches(t, watched)) emit(f, v1::Event::ADDED, t, 1);
          }
          if (flt.depth == 0 || n + 1 <= flt.depth) continue;
          const uint64_t h = n - flt.depth + 1;
          auto c = r.chain.find(h);
          if (c == r.chain.end()) continue;  // at or below the base
          if (c->first != n && c->second.max_height_since >= n) continue;  // already reported
          for (const auto& t : c->second.transfers) {
            if (follows(f, t)) emit(f, v1::Event::CONFIRMED, t, flt.depth);
          }
        }
        for (auto& [num, blk] : r.chain) blk.max_height_since = std::max(blk.max_height_since, n);
        break;
      }
      case store::RecordType::kRevert: {
        ++r.reverts;
        if (r.chain.empty()) {
          err(rec.seq, "REVERT below the base");
          break;
        }
        auto top = std::prev(r.chain.end());
        ModelBlock b = top->second;
        if (rec.block.num != top->first || rec.block.id != b.block.id) {
          err(rec.seq, "REVERT of " + std::to_string(rec.block.num) + " " + rec.block.id.substr(0, 12) +
                           " but the tip is " + std::to_string(top->first) + " " + b.block.id.substr(0, 12));
        }
        if (rec.block.apply_seq != b.block.apply_seq) err(rec.seq, "REVERT names another version of the tip");
        if (top->first <= solidified) {
          err(rec.seq, "REVERT of block " + std::to_string(top->first) + " at or below the solidified number " +
                           std::to_string(solidified) + " (final history rewritten)");
        }
        std::vector<TruthTransfer> stored = rec.transfers;
        std::sort(stored.begin(), stored.end());
        if (stored != b.transfers) {
          err(rec.seq, "REVERT of " + std::to_string(top->first) + " carries " + std::to_string(stored.size()) +
                           " transfers, the replayed block holds " + std::to_string(b.transfers.size()));
        }
        for (size_t f = 0; f < filters.size(); ++f) {
          for (auto it = b.transfers.rbegin(); it != b.transfers.rend(); ++it) {
            if (follows(f, *it)) emit(f, v1::Event::REVERTED, *it, 0);
          }
        }
        r.chain.erase(top);
        break;
      }
      case store::RecordType::kSolidify: {
        ++r.solidifies;
        if (rec.previous_solidified != solidified) {
          err(rec.seq, "SOLIDIFY from " + std::to_string(rec.previous_solidified) + " but the replayed number is " +
                           std::to_string(solidified));
        }
        if (rec.solidified <= rec.previous_solidified) err(rec.seq, "SOLIDIFY does not move up");
        if (rec.solidified > tip_num()) err(rec.seq, "SOLIDIFY above the tip");
        const uint64_t tip = tip_num();
        for (size_t f = 0; f < filters.size(); ++f) {
          for (uint64_t h = solidified + 1; h <= rec.solidified; ++h) {
            auto c = r.chain.find(h);
            if (c == r.chain.end()) continue;
            for (const auto& t : c->second.transfers) {
              if (follows(f, t)) emit(f, v1::Event::FINALIZED, t, tip >= h ? tip - h + 1 : 0);
            }
          }
        }
        solidified = std::max(solidified, rec.solidified);
        break;
      }
      case store::RecordType::kBackfill: {
        ++r.backfills;
        const uint64_t tip = tip_num();
        std::vector<TruthTransfer> ts = rec.transfers;
        std::sort(ts.begin(), ts.end());
        for (const auto& t : ts) {
          if (t.from != rec.address && t.to != rec.address) err(rec.seq, "BACKFILL transfer not touching its address");
          auto c = r.chain.find(t.block_num);
          if (c == r.chain.end() || c->second.block.id != t.block_id) {
            err(rec.seq, "BACKFILL into a block that is not canonical: " + short_desc(t));
            continue;
          }
          auto& bt = c->second.transfers;
          auto same = std::find_if(bt.begin(), bt.end(), [&](const TruthTransfer& x) { return same_position(x, t); });
          if (same == bt.end()) {
            bt.insert(std::upper_bound(bt.begin(), bt.end(), t), t);
          } else if (!(*same == t)) {
            err(rec.seq, "BACKFILL transfer differs from the indexed one at its position: " + short_desc(t));
          }
        }
        for (size_t f = 0; f < filters.size(); ++f) {
          for (const auto& t : ts) {
            if (!filters[f].matches(t, watched)) continue;
            const uint64_t conf = tip >= t.block_num ? tip - t.block_num + 1 : 0;
            emit(f, v1::Event::ADDED, t, conf);
            if (filters[f].depth >= 1 && conf >= filters[f].depth) emit(f, v1::Event::CONFIRMED, t, conf);
            if (t.block_num <= solidified) emit(f, v1::Event::FINALIZED, t, conf);
          }
        }
        break;
      }
      case store::RecordType::kWatch: {
        ++r.watch_changes;
        if (rec.watch_on) {
          if (!watched.insert(rec.address).second) err(rec.seq, "WATCH on of an address already watched");
        } else if (watched.erase(rec.address) == 0) {
          err(rec.seq, "WATCH off of an address not watched");
        }
        break;
      }
    }
    if (before_base) continue;
    if (rec.tip_after != tip_num()) {
      err(rec.seq, "tip_after " + std::to_string(rec.tip_after) + " but the replayed tip is " + std::to_string(tip_num()));
    }
    if (rec.solidified_after != solidified) {
      err(rec.seq, "solidified_after " + std::to_string(rec.solidified_after) + " but the replayed number is " +
                       std::to_string(solidified));
    }
  }
  if (expected_seq != journal.next_seq) err(expected_seq, "journal shorter than next_seq " + std::to_string(journal.next_seq));
  if (tip_num() != journal.tip || tip_id() != journal.tip_id) {
    err(journal.next_seq, "the replayed tip " + std::to_string(tip_num()) + " is not the stored tip " +
                              std::to_string(journal.tip));
  }
  if (solidified != journal.solidified && !journal.records.empty()) {
    err(journal.next_seq, "the replayed solidified number is not the stored one");
  }
  r.solidified = solidified;
  r.watched = watched;
  return r;
}

// ---- comparisons ---------------------------------------------------------------------------------------------

namespace {

bool same_event(const ModelEvent& a, const ModelEvent& b) {
  return a.type == b.type && a.transfer == b.transfer && a.pos() == b.pos() && a.confirmations == b.confirmations &&
         a.head == b.head && a.solidified == b.solidified;
}

}  // namespace

std::string check_segments(const std::vector<Segment>& segments, const std::vector<ModelEvent>& model,
                           std::pair<uint64_t, uint32_t>* start_out) {
  std::ostringstream out;
  bool first = true;
  for (size_t si = 0; si < segments.size(); ++si) {
    const Segment& seg = segments[si];
    std::pair<uint64_t, uint32_t> start;
    size_t i = 0;
    if (seg.start) {
      start = seg.start->pos();
    } else {
      // Live: the test waits for the first heartbeat before anything happens on the chain.
      if (seg.received.empty() || seg.received.front().event.type() != v1::Event::HEARTBEAT) {
        out << "segment " << si << ": a live stream's first message is not a heartbeat\n";
        continue;
      }
      auto c = decode_cursor(seg.received.front().event.cursor());
      if (!c) {
        out << "segment " << si << ": undecodable heartbeat cursor\n";
        continue;
      }
      start = c->pos();
      i = 1;
    }
    if (first) {
      *start_out = start;
      first = false;
    }
    // The model's events after `start`.
    size_t m = static_cast<size_t>(
        std::upper_bound(model.begin(), model.end(), start, [](const std::pair<uint64_t, uint32_t>& p, const ModelEvent& e) {
          return p < e.pos();
        }) -
        model.begin());
    std::pair<uint64_t, uint32_t> last = start;
    bool last_is_event = false;
    size_t errors = 0;
    for (; i < seg.received.size() && errors < 5; ++i) {
      const v1::Event& ev = seg.received[i].event;
      auto c = decode_cursor(ev.cursor());
      if (!c) {
        out << "segment " << si << " message " << i << ": undecodable cursor \"" << ev.cursor() << "\"\n";
        ++errors;
        continue;
      }
      if (ev.type() == v1::Event::HEARTBEAT) {
        if (c->pos() < last || (last_is_event && c->pos() < last)) {
          out << "segment " << si << " message " << i << ": heartbeat cursor " << pos_str(c->pos())
              << " goes back from " << pos_str(last) << "\n";
          ++errors;
        }
        // Usable: resuming from it must not skip a model event.
        if (m < model.size() && model[m].pos() <= c->pos()) {
          out << "segment " << si << " message " << i << ": heartbeat cursor " << pos_str(c->pos())
              << " is past an event not delivered: " << model[m].describe() << "\n";
          ++errors;
        }
        if (c->pos() > last) last = c->pos();
        continue;
      }
      if (!(c->pos() > last) && last_is_event) {
        out << "segment " << si << " message " << i << ": cursor " << pos_str(c->pos()) << " does not increase (after "
            << pos_str(last) << ")\n";
        ++errors;
      }
      const ModelEvent got = from_event(ev);
      if (m >= model.size()) {
        out << "segment " << si << " message " << i << ": extra event " << got.describe() << "\n";
        ++errors;
      } else if (!same_event(got, model[m])) {
        out << "segment " << si << " message " << i << ": got      " << got.describe() << "\n"
            << "                      expected " << model[m].describe() << "\n";
        ++errors;
      }
      ++m;
      last = c->pos();
      last_is_event = true;
    }
  }
  return out.str();
}

std::vector<ModelEvent> dedupe(const std::vector<ModelEvent>& events) {
  std::set<std::string> seen;
  std::vector<ModelEvent> out;
  for (const auto& e : events) {
    if (seen.insert(e.key()).second) out.push_back(e);
  }
  return out;
}

std::string check_union(const std::vector<Segment>& segments, const std::vector<ModelEvent>& model,
                        std::pair<uint64_t, uint32_t> start) {
  std::vector<ModelEvent> got;
  for (const auto& seg : segments) {
    for (const auto& r : seg.received) {
      if (r.event.type() != v1::Event::HEARTBEAT) got.push_back(from_event(r.event));
    }
  }
  std::vector<ModelEvent> want;
  for (const auto& e : model) {
    if (e.pos() > start) want.push_back(e);
  }
  got = dedupe(got);
  want = dedupe(want);
  std::ostringstream out;
  size_t n = std::max(got.size(), want.size());
  size_t shown = 0;
  for (size_t i = 0; i < n && shown < 8; ++i) {
    const bool g = i < got.size(), w = i < want.size();
    if (g && w && got[i].key() == want[i].key()) continue;
    out << "  #" << i << " got " << (g ? got[i].describe() : "(nothing)") << "\n"
        << "  #" << i << " expected " << (w ? want[i].describe() : "(nothing)") << "\n";
    ++shown;
  }
  if (shown > 0) {
    return "union of received events (" + std::to_string(got.size()) + " distinct) != model (" +
           std::to_string(want.size()) + " distinct):\n" + out.str();
  }
  return "";
}

std::string check_invariants(const std::vector<ModelEvent>& events, const std::set<std::string>& added_before) {
  std::set<std::string> finalized, added = added_before;
  std::ostringstream out;
  for (const auto& e : events) {
    const std::string id = e.transfer.txid + "|" + std::to_string(e.transfer.event_index) + "|" + e.transfer.block_id;
    if (e.type == v1::Event::FINALIZED) finalized.insert(id);
    if (e.type == v1::Event::ADDED) added.insert(id);
    if (e.type == v1::Event::REVERTED) {
      if (finalized.count(id) != 0) out << "REVERTED after FINALIZED: " << e.describe() << "\n";
      if (added.count(id) == 0) out << "REVERTED without a preceding ADDED: " << e.describe() << "\n";
    }
  }
  return out.str();
}

std::set<std::string> added_before(const std::vector<ModelEvent>& model, std::pair<uint64_t, uint32_t> start) {
  std::set<std::string> out;
  for (const auto& e : model) {
    if (e.pos() > start) break;
    if (e.type == v1::Event::ADDED) out.insert(e.transfer.txid + "|" + std::to_string(e.transfer.event_index) + "|" + e.transfer.block_id);
  }
  return out;
}

void add_versions(const ChainTruth& truth, std::map<std::string, SimVersion>& versions) {
  for (const auto& [num, b] : truth.blocks) {
    auto& v = versions[b.block_id];
    v.block = b;
    v.transfers.clear();
  }
  for (const auto& t : truth.transfers) {
    auto it = versions.find(t.block_id);
    if (it != versions.end()) it->second.transfers.push_back(t);
  }
}

std::string check_journal_truth(const Journal& journal, const Replay& rep, const ChainTruth& truth,
                                const std::vector<TruthTransfer>& expected_final,
                                const std::map<std::string, SimVersion>& versions,
                                const std::function<bool(const TruthTransfer&, const std::set<std::string>&)>& indexed) {
  std::ostringstream out;
  // The replayed canonical chain is the simulator's, block by block above the base.
  for (uint64_t n = journal.base + 1; n <= std::max(truth.head, journal.tip); ++n) {
    auto mine = rep.chain.find(n);
    auto theirs = truth.blocks.find(n);
    const std::string a = mine == rep.chain.end() ? "(none)" : mine->second.block.id;
    const std::string b = theirs == truth.blocks.end() ? "(none)" : theirs->second.block_id;
    if (a != b) out << "block " << n << ": replayed journal " << a.substr(0, 16) << ", simulator " << b.substr(0, 16) << "\n";
    if (mine != rep.chain.end() && theirs != truth.blocks.end() && mine->second.block.parent != theirs->second.parent_id) {
      out << "block " << n << ": parent differs\n";
    }
  }
  // Its transfers are the ground truth the mode selects.
  std::vector<TruthTransfer> mine;
  for (const auto& [n, b] : rep.chain) mine.insert(mine.end(), b.transfers.begin(), b.transfers.end());
  std::sort(mine.begin(), mine.end());
  std::vector<TruthTransfer> want = expected_final;
  std::sort(want.begin(), want.end());
  if (mine != want) out << "replayed transfers vs ground truth:\n" << testsupport::diff(want, mine, 20);
  // Every APPLY is a block the simulator produced, with the transfers the mode keeps of it.
  for (const auto& [rec, watched] : rep.apply_watch_sets) {
    auto v = versions.find(rec->block.id);
    if (v == versions.end()) {
      out << "APPLY " << rec->seq << " of block " << rec->block.num << " " << rec->block.id.substr(0, 16)
          << ": not a block the simulator produced\n";
      continue;
    }
    if (v->second.block.block_num != rec->block.num || v->second.block.parent_id != rec->block.parent ||
        v->second.block.timestamp_ms != rec->block.timestamp_ms) {
      out << "APPLY " << rec->seq << ": header differs from the simulator's block\n";
    }
    std::vector<TruthTransfer> keep;
    for (const auto& t : v->second.transfers) {
      if (indexed(t, watched)) keep.push_back(t);
    }
    std::sort(keep.begin(), keep.end());
    std::vector<TruthTransfer> got = rec->transfers;
    std::sort(got.begin(), got.end());
    if (got != keep) {
      out << "APPLY " << rec->seq << " of block " << rec->block.num << ": transfers differ from the simulator's:\n"
          << testsupport::diff(keep, got, 10);
    }
  }
  return out.str();
}

}  // namespace tronidx::apitest
