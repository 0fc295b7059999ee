#pragma once
// The reference model of the subscription stream (docs/subscriptions.md), written from the document
// alone — it shares no code with src/api (derive.cc, hub.cc):
//
//   read_journal():  opens a stopped daemon's database read-only and reads every journal record with
//                    the transfers each APPLY indexed (Snapshot::block_versions + block_transfers as of
//                    the record), each REVERT's stored transfers, and each BACKFILL's own;
//   replay():        walks the records keeping the canonical stack (blocks with their transfers,
//                    backfilled ones added), the solidified number and the watched set, checks that the
//                    journal is self-consistent (every APPLY extends the tip, every REVERT removes it and
//                    carries exactly its transfers, SOLIDIFY never moves down nor above the tip, no final
//                    block is reverted, tip/solidified after each record as replayed), and emits for every
//                    filter the events ADDED / CONFIRMED / FINALIZED / REVERTED with their cursors;
//   compare_*():     what a subscriber received against the model.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api_util.h"
#include "tronidx/chain/result.h"
#include "tronidx/store/journal.h"

namespace tronidx::apitest {

struct JournalBlock {
  uint64_t num = 0;
  std::string id;
  std::string parent;
  int64_t timestamp_ms = 0;
  uint64_t apply_seq = 0;
};

struct JournalEntry {
  uint64_t seq = 0;
  store::RecordType type = store::RecordType::kApply;
  uint64_t tip_after = 0;
  uint64_t solidified_after = 0;
  JournalBlock block;                   // APPLY / REVERT
  uint64_t solidified = 0;              // SOLIDIFY
  uint64_t previous_solidified = 0;
  std::string address;                  // BACKFILL / WATCH (base58)
  bool watch_on = false;
  std::vector<TruthTransfer> transfers;  // APPLY: as indexed by it; REVERT: as stored; BACKFILL: carried
};

struct Journal {
  std::string instance;  // 16 raw bytes (decode_cursor(...).instance)
  uint64_t base = 0;
  std::string base_id;
  uint64_t tip = 0;
  std::string tip_id;
  uint64_t solidified = 0;
  uint64_t first_seq = 1;
  uint64_t next_seq = 1;
  std::string mode;
  std::vector<JournalEntry> records;
};

// Opens `data_dir` read-only (no daemon may be writing it) and reads the whole retained journal.
Result<Journal> read_journal(const std::filesystem::path& data_dir);

// A subscription's filter and depth, in the public API's notation (base58 addresses; tokens "TRX",
// a TRC10 id or a base58 contract).
struct ModelFilter {
  std::string name;
  std::set<std::string> addresses;
  std::set<std::string> tokens;
  uint32_t depth = 0;
  bool everything() const { return addresses.empty() && tokens.empty(); }
  bool matches(const TruthTransfer& t, const std::set<std::string>& watched) const;
  v1::SubscribeRequest request() const;
};

struct ModelEvent {
  v1::Event::Type type = v1::Event::ADDED;
  TruthTransfer transfer;
  uint64_t seq = 0;
  uint32_t ordinal = 0;
  uint64_t confirmations = 0;
  uint64_t head = 0;
  uint64_t solidified = 0;
  std::pair<uint64_t, uint32_t> pos() const { return {seq, ordinal}; }
  std::string key() const;
  std::string describe() const;
};

struct ModelBlock {
  JournalBlock block;
  std::vector<TruthTransfer> transfers;  // position order; backfilled ones included
  uint64_t max_height_since = 0;         // highest tip height reached by a later APPLY
};

struct Replay {
  std::vector<std::vector<ModelEvent>> events;  // per filter, in stream order
  std::map<uint64_t, ModelBlock> chain;         // the canonical chain after the last record
  uint64_t solidified = 0;
  std::set<std::string> watched;
  std::vector<std::string> errors;              // journal inconsistencies (empty = consistent)
  size_t applies = 0, reverts = 0, solidifies = 0, backfills = 0, watch_changes = 0;
  // Called for every APPLY with the watched set as of that record (for mode checks by the caller).
  std::vector<std::pair<const JournalEntry*, std::set<std::string>>> apply_watch_sets;
};

Replay replay(const Journal& journal, const std::vector<ModelFilter>& filters);

// Converts a received event for comparison.
ModelEvent from_event(const v1::Event& e);

// One uninterrupted stream of a subscriber: where it started and what it received.
struct Segment {
  std::optional<CursorPos> start;  // after_cursor; nullopt: live (the start is its first heartbeat's cursor)
  std::vector<Received> received;
  std::string end_status;
};

// "" when every segment received exactly a contiguous run of the model's events after its start (same
// type, transfer, cursor, confirmations, head, solidified), cursors strictly increase along it, and each
// heartbeat's cursor is usable (it is at or after the last event and no model event lies between them).
// `start_out` receives the position the subscriber's history starts from (the first segment's start).
std::string check_segments(const std::vector<Segment>& segments, const std::vector<ModelEvent>& model,
                           std::pair<uint64_t, uint32_t>* start_out);

// Deduplicated by key, in order of first occurrence.
std::vector<ModelEvent> dedupe(const std::vector<ModelEvent>& events);
// "" when the union of what the segments received, deduplicated, equals the deduplicated model after
// `start` in order.
std::string check_union(const std::vector<Segment>& segments, const std::vector<ModelEvent>& model,
                        std::pair<uint64_t, uint32_t> start);
// "" when no FINALIZED(t, block) is followed by REVERTED(t, block) and every REVERTED is preceded by its
// ADDED, in `events` (or was added before them: `added_before`, ids "txid|event_index|block_id").
std::string check_invariants(const std::vector<ModelEvent>& events, const std::set<std::string>& added_before = {});
// The ids of the transfers the model ADDED at or before `start`.
std::set<std::string> added_before(const std::vector<ModelEvent>& model, std::pair<uint64_t, uint32_t> start);

// Blocks the simulator produced, canonical or orphaned, by id, with their ground-truth transfers.
struct SimVersion {
  TruthBlock block;
  std::vector<TruthTransfer> transfers;
};
void add_versions(const ChainTruth& truth, std::map<std::string, SimVersion>& versions);

// The journal against the simulator: the replayed canonical chain equals `truth`'s blocks above the base
// (ids and parents), its transfers equal `expected_final`, and every APPLY names a block the simulator
// produced with exactly the transfers `indexed(t, watched_at_apply)` keeps of it. "" or the differences.
std::string check_journal_truth(const Journal& journal, const Replay& replay, const ChainTruth& truth,
                                const std::vector<TruthTransfer>& expected_final,
                                const std::map<std::string, SimVersion>& versions,
                                const std::function<bool(const TruthTransfer&, const std::set<std::string>&)>& indexed);

}  // namespace tronidx::apitest
