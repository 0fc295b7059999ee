#pragma once
// Domain types shared by the store's writers and readers.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/ids.h"
#include "tronidx/chain/result.h"
#include "tronidx/decode/transfer.h"

namespace tronidx::store {

// A block on the chain: its number and id.
struct ChainPoint {
  uint64_t block_num = 0;
  chain::BlockId id;
  bool operator==(const ChainPoint&) const = default;
};

// What the database indexes (DESIGN.md §4). Recorded at creation; a database is never reopened in
// another mode.
struct ModeConfig {
  enum class Kind : uint8_t { kWatched, kAll };
  Kind kind = Kind::kWatched;
  // kAll only: the token contracts indexed (TRC20 contract addresses; the zero address = TRX);
  // empty = every token.
  std::vector<chain::Address> tokens;

  bool indexes_token(const chain::Address& token) const noexcept;
  // "watched", "all:*" or "all:<hex41>,<hex41>" (tokens sorted): stored in the database.
  std::string to_string() const;
  static Result<ModeConfig> parse(std::string_view text);
  bool operator==(const ModeConfig&) const = default;
};

// One version of a block as the index knows it.
struct BlockInfo {
  uint64_t block_num = 0;
  chain::BlockId id;
  chain::BlockId parent_id;
  int64_t timestamp_ms = 0;
  uint32_t tx_count = 0;
  uint32_t transfer_count = 0;  // indexed transfers (after the mode's filter)
  uint64_t apply_seq = 0;       // the journal seq that applied this version
  uint64_t revert_seq = 0;      // the journal seq that reverted it; 0 while canonical
};

// A transfer read back from the index, with what its block adds.
struct IndexedTransfer {
  decode::Transfer transfer;
  chain::BlockId block_id;
  int64_t timestamp_ms = 0;
  bool backfilled = false;      // inserted by a BACKFILL record (watched mode), not by its block's APPLY
  uint64_t backfill_seq = 0;    // that record's seq

  bool operator==(const IndexedTransfer&) const = default;
};

enum class Direction : uint8_t { kBoth, kIn, kOut };

// A watched address (one interval of it: an address unwatched and watched again has two).
struct WatchInfo {
  chain::Address address;
  std::string label;
  uint64_t since_block = 0;   // backfill start requested when added (0 = none)
  uint64_t added_seq = 0;     // journal seq of its WATCH on record
  uint64_t removed_seq = 0;   // journal seq of its WATCH off record; 0 while watched
};

}  // namespace tronidx::store
