#include "derive.h"

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
  for (const auto& t : *confirmed) {
    if (filter.matches(t.transfer, rec.seq, watches)) em.emit(EventType::kConfirmed, t, depth);
  }
  return ok_status();
}

Status derive_revert(const store::JournalRecord& rec, const Filter& filter, BlockSource& source,
                     const store::WatchSet& watches, Emitter& em) {
  TRONIDX_ASSIGN(auto transfers, record_transfers(rec, source));
  for (auto it = transfers->rbegin(); it != transfers->rend(); ++it) {
    if (filter.matches(it->transfer, rec.seq, watches)) em.emit(EventType::kReverted, *it, 0);
  }
  return ok_status();
}

Status derive_solidify(const store::JournalRecord& rec, const Filter& filter, BlockSource& source,
                       const store::WatchSet& watches, Emitter& em) {
  for (uint64_t h = rec.previous_solidified + 1; h <= rec.solidified; ++h) {
    TRONIDX_ASSIGN(auto block, source.block_as_of(h, rec.seq));
    if (!block) continue;  // at or below the base: not indexed
    TRONIDX_ASSIGN(auto transfers, source.transfers(*block, rec.seq));
    for (const auto& t : *transfers) {
      if (filter.matches(t.transfer, rec.seq, watches)) {
        em.emit(EventType::kFinalized, t, confirmations_at(rec, h));
      }
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
