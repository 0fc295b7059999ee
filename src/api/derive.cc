#include "derive.h"

#include <deque>
#include <map>

namespace tronidx::api {
namespace {

class Emitter {
 public:
  Emitter(const store::JournalRecord& rec, const Cursor& after, std::vector<Event>& out)
      : rec_(rec), after_(after), out_(out) {}

  void emit(EventType type, const store::IndexedTransfer& t, uint64_t confirmations) {
    const Cursor c{rec_.seq, ordinal_++};
    if (c <= after_) return;
    Event e;
    e.type = type;
    e.transfer = t;
    e.confirmations = confirmations;
    e.head = rec_.tip_after;
    e.solidified = rec_.solidified_after;
    e.cursor = c;
    out_.push_back(std::move(e));
  }

 private:
  const store::JournalRecord& rec_;
  const Cursor after_;
  std::vector<Event>& out_;
  uint32_t ordinal_ = 0;
};

// Whether the stream reports the CONFIRMED, REVERTED and FINALIZED of `t` (of the block version applied by
// record `apply_seq`) at record `seq`. For an explicit filter, whether t matches it. For "everything
// watched", they follow t's ADDED: reported iff ADDED was, at that APPLY (an address of t watched then) or
// by a BACKFILL record since — whatever was watched or unwatched in between (docs/subscriptions.md: a
// client told of a payment is told of its revert; it is never told of a revert it was not told of).
class FollowsAdded {
 public:
  FollowsAdded(const Filter& filter, const store::WatchSet& watches, BlockSource& source, uint64_t seq)
      : filter_(filter), watches_(watches), source_(source), seq_(seq) {}

  Result<bool> operator()(const store::IndexedTransfer& t, uint64_t apply_seq) {
    const decode::Transfer& x = t.transfer;
    if (!filter_.everything_watched()) return filter_.matches(x, seq_, watches_);
    if (watches_.watched_at(x.from, apply_seq) || watches_.watched_at(x.to, apply_seq)) return true;
    if (!watches_.watched_between(x.from, apply_seq, seq_) && !watches_.watched_between(x.to, apply_seq, seq_)) {
      return false;
    }
    // Rare: an address of t was watched after its APPLY. Did a BACKFILL record since report it?
    TRONIDX_ASSIGN(const auto* backfills, backfills_since(apply_seq));
    for (const store::JournalRecord* r : *backfills) {
      if (!filter_.matches(x, r->seq, watches_)) continue;
      for (const auto& b : r->transfers) {
        if (b.block_id == t.block_id && b.transfer.position == x.position) return true;
      }
    }
    return false;
  }

 private:
  // The BACKFILL records in (apply_seq, seq_), read once per apply_seq.
  Result<const std::vector<const store::JournalRecord*>*> backfills_since(uint64_t apply_seq) {
    auto [it, inserted] = backfills_.try_emplace(apply_seq);
    if (inserted) {
      const uint64_t count = seq_ > apply_seq + 1 ? seq_ - apply_seq - 1 : 0;
      TRONIDX_ASSIGN(auto records, source_.snapshot().journal(apply_seq + 1, count));
      for (auto& r : records) {
        if (r.seq < seq_ && r.type == store::RecordType::kBackfill) {
          it->second.push_back(&kept_.emplace_back(std::move(r)));
        }
      }
    }
    return &it->second;
  }

  const Filter& filter_;
  const store::WatchSet& watches_;
  BlockSource& source_;
  const uint64_t seq_;
  std::deque<store::JournalRecord> kept_;  // stable addresses
  std::map<uint64_t, std::vector<const store::JournalRecord*>> backfills_;
};

uint64_t confirmations_at(const store::JournalRecord& rec, uint64_t block_num) {
  return rec.tip_after >= block_num ? rec.tip_after - block_num + 1 : 0;
}

// The transfers of the version named by an APPLY/REVERT record.
Result<TransferList> record_transfers(const store::JournalRecord& rec, BlockSource& source) {
  if (rec.has_transfers) {
    return TransferList(std::make_shared<const std::vector<store::IndexedTransfer>>(rec.transfers));
  }
  TRONIDX_ASSIGN(auto version, source.version(rec.block.block_num, rec.block.apply_seq));
  if (!version) {
    return make_error(Errc::kDataLoss, "journal record " + std::to_string(rec.seq) + " names block version " +
                                           std::to_string(rec.block.block_num) + "/" +
                                           std::to_string(rec.block.apply_seq) + " which is not retained");
  }
  return source.transfers(*version, rec.seq);
}

Status derive_apply(const store::JournalRecord& rec, const Filter& filter, uint32_t depth, BlockSource& source,
                    const store::WatchSet& watches, Emitter& em) {
  TRONIDX_ASSIGN(auto transfers, record_transfers(rec, source));
  for (const auto& t : *transfers) {
    if (filter.matches(t.transfer, rec.seq, watches)) em.emit(EventType::kAdded, t, 1);
  }
  if (depth == 0) return ok_status();
  const uint64_t n = rec.block.block_num;
  if (n < depth) return ok_status();  // the block `depth` below the tip would be below block 1
  const uint64_t h = n - depth + 1;
  // The block that reached `depth` confirmations with this record, unless an earlier record at this height
  // (before a reorg above it) already did.
  TRONIDX_ASSIGN(auto c, source.block_as_of(h, rec.seq + 1));
  if (!c) return ok_status();
  TRONIDX_ASSIGN(bool earlier, source.applied_between(n, c->apply_seq, rec.seq));
  if (earlier) return ok_status();
  TRONIDX_ASSIGN(auto confirmed, source.transfers(*c, rec.seq + 1));
  FollowsAdded follows(filter, watches, source, rec.seq);
  for (const auto& t : *confirmed) {
    TRONIDX_ASSIGN(bool reported, follows(t, c->apply_seq));
    if (reported) em.emit(EventType::kConfirmed, t, depth);
  }
  return ok_status();
}

Status derive_revert(const store::JournalRecord& rec, const Filter& filter, BlockSource& source,
                     const store::WatchSet& watches, Emitter& em) {
  TRONIDX_ASSIGN(auto transfers, record_transfers(rec, source));
  FollowsAdded follows(filter, watches, source, rec.seq);
  for (auto it = transfers->rbegin(); it != transfers->rend(); ++it) {
    TRONIDX_ASSIGN(bool reported, follows(*it, rec.block.apply_seq));
    if (reported) em.emit(EventType::kReverted, *it, 0);
  }
  return ok_status();
}

Status derive_solidify(const store::JournalRecord& rec, const Filter& filter, BlockSource& source,
                       const store::WatchSet& watches, Emitter& em) {
  FollowsAdded follows(filter, watches, source, rec.seq);
  for (uint64_t h = rec.previous_solidified + 1; h <= rec.solidified; ++h) {
    TRONIDX_ASSIGN(auto block, source.block_as_of(h, rec.seq));
    if (!block) continue;  // at or below the base: not indexed
    TRONIDX_ASSIGN(auto transfers, source.transfers(*block, rec.seq));
    for (const auto& t : *transfers) {
      TRONIDX_ASSIGN(bool reported, follows(t, block->apply_seq));
      if (reported) em.emit(EventType::kFinalized, t, confirmations_at(rec, h));
    }
  }
  return ok_status();
}

void derive_backfill(const store::JournalRecord& rec, const Filter& filter, uint32_t depth,
                     const store::WatchSet& watches, Emitter& em) {
  for (const auto& t : rec.transfers) {
    if (!filter.matches(t.transfer, rec.seq, watches)) continue;
    const uint64_t conf = confirmations_at(rec, t.transfer.position.block_num);
    em.emit(EventType::kAdded, t, conf);
    if (depth >= 1 && conf >= depth) em.emit(EventType::kConfirmed, t, conf);
    if (t.transfer.position.block_num <= rec.solidified_after) em.emit(EventType::kFinalized, t, conf);
  }
}

}  // namespace

Status derive_events(const store::JournalRecord& rec, const Filter& filter, uint32_t depth, BlockSource& source,
                     const store::WatchSet& watches, const Cursor& after, std::vector<Event>& out) {
  if (Cursor{rec.seq, Cursor::kAfterRecord} <= after) return ok_status();
  Emitter em(rec, after, out);
  switch (rec.type) {
    case store::RecordType::kApply: return derive_apply(rec, filter, depth, source, watches, em);
    case store::RecordType::kRevert: return derive_revert(rec, filter, source, watches, em);
    case store::RecordType::kSolidify: return derive_solidify(rec, filter, source, watches, em);
    case store::RecordType::kBackfill: derive_backfill(rec, filter, depth, watches, em); return ok_status();
    case store::RecordType::kWatch: return ok_status();
  }
  return ok_status();
}

}  // namespace tronidx::api
