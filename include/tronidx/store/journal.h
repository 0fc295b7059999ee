#pragma once
// The journal: the ordered, gap-free log of every commit (SUBSCRIPTIONS.md). Subscribers are fed from
// it, and resume from a cursor into it.

#include <cstdint>
#include <vector>

#include "tronidx/store/types.h"

namespace tronidx::store {

enum class RecordType : uint8_t {
  kApply = 1,     // a block became the new tip
  kRevert = 2,    // the tip block left the canonical chain
  kSolidify = 3,  // the solidified number moved up
  kBackfill = 4,  // historical transfers found for a newly watched address
  kWatch = 5,     // the watched set changed
};

const char* record_type_name(RecordType type) noexcept;

struct JournalRecord {
  uint64_t seq = 0;
  RecordType type = RecordType::kApply;
  // The indexed tip and the solidified number right after this record (what events report as head and
  // solidified, and what confirmations are computed from).
  uint64_t tip_after = 0;
  uint64_t solidified_after = 0;
  // kApply, kRevert: the block version (block.apply_seq == seq for kApply; for kRevert it names the
  // version being reverted).
  BlockInfo block;
  // kSolidify
  uint64_t solidified = 0;
  uint64_t previous_solidified = 0;
  // kBackfill, kWatch
  chain::Address address;
  bool watch_on = false;
  // kBackfill: its transfers (always carried by the record itself).
  // kApply/kRevert: filled only when the record comes from a commit (CommitResult) or when a reader
  // asks for them (Snapshot::block_transfers).
  std::vector<IndexedTransfer> transfers;
  bool has_transfers = false;  // `transfers` is filled (always for kBackfill and for CommitResult records)
};

}  // namespace tronidx::store
