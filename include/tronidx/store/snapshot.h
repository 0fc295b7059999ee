#pragma once
// Snapshot: a consistent, immutable read view of the index. Thread-safe; never blocks the writer.
// Every Result error is a database error (kDataLoss for corruption, kInternal for I/O).
// Lifetime: a Snapshot must be released before its Store is destroyed.
// Invariant for every read added here: the transfers, blocks and journal families are read only within
// this snapshot's own state (rows named by its index entries or its canonical blocks, block versions
// applied before next_seq(), journal records before next_seq()). RocksDB's snapshot alone does not bound
// them: a catch-up commit's keys past the tip may be ingested with sequence number 0 (src/store/ingest.h),
// which every open RocksDB snapshot sees.

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/store/journal.h"
#include "tronidx/store/types.h"

namespace rocksdb {
class Snapshot;
}

namespace tronidx::store {

class Store;
struct Candidate;    // a row position found in an index (snapshot.cc)
struct BlockCursor;  // resolves rows' canonical blocks during one query (snapshot.cc)
namespace schema {
struct TransferValue;
}

class Snapshot {
 public:
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // State as of this snapshot.
  std::optional<ChainPoint> base() const { return base_; }
  ChainPoint tip() const { return tip_; }
  uint64_t solidified() const { return solidified_; }
  uint64_t next_seq() const { return next_seq_; }          // the journal holds seqs [journal_first, next_seq)
  uint64_t journal_first() const { return journal_first_; }

  // The canonical block at `block_num`, if indexed.
  Result<std::optional<BlockInfo>> block(uint64_t block_num) const;
  // The block that was canonical at `block_num` just before journal record `seq` (seq = next_seq(): now).
  Result<std::optional<BlockInfo>> block_as_of(uint64_t block_num, uint64_t seq) const;
  // All versions ever applied at `block_num` that are still retained, oldest first.
  Result<std::vector<BlockInfo>> block_versions(uint64_t block_num) const;

  // The transfers of one block version as they were just before journal record `as_of_seq`: those its
  // APPLY indexed plus those backfilled into it by records before as_of_seq. Position order.
  Result<std::vector<IndexedTransfer>> block_transfers(const BlockInfo& version, uint64_t as_of_seq) const;

  struct HistoryQuery {
    chain::Address address;
    Direction direction = Direction::kBoth;
    std::optional<chain::Address> token;        // only transfers of this token
    uint64_t from_block = 0;                    // inclusive
    uint64_t to_block = std::numeric_limits<uint64_t>::max();  // inclusive
    bool newest_first = true;
    std::optional<decode::Position> after;      // continue after this position (exclusive), in query order
    size_t limit = 100;
  };
  // Transfers touching an address, from the by_address index. Bounded by `limit`.
  Result<std::vector<IndexedTransfer>> address_history(const HistoryQuery& query) const;

  struct TokenQuery {
    chain::Address token;                       // decode::trx_token() for TRX
    uint64_t from_block = 0;
    uint64_t to_block = std::numeric_limits<uint64_t>::max();
    bool newest_first = true;
    std::optional<decode::Position> after;
    size_t limit = 100;
  };
  Result<std::vector<IndexedTransfer>> token_history(const TokenQuery& query) const;

  Result<std::vector<IndexedTransfer>> by_txid(const chain::TxId& txid) const;

  // Up to max_records journal records in seq order, starting at max(from_seq, journal_first()): a first
  // record above from_seq means the ones in between were pruned. kApply/kRevert come without transfers
  // (use block_transfers); kBackfill carries its own.
  Result<std::vector<JournalRecord>> journal(uint64_t from_seq, size_t max_records) const;

  Result<std::vector<WatchInfo>> watches(bool include_removed = false) const;

  // Every stored job state (WriteTxn::put_job), by id.
  Result<std::vector<std::pair<uint64_t, std::string>>> jobs() const;

  // The first canonical block with timestamp >= ts (binary search over the blocks), if any.
  Result<std::optional<uint64_t>> first_block_at_or_after(int64_t timestamp_ms) const;

 private:
  friend class Store;
  Snapshot(const Store& store, const rocksdb::Snapshot* snap);
  Status load_meta();
  Status fetch_rows(const std::vector<Candidate>& candidates, size_t limit,
                    const std::function<bool(const Candidate&, const schema::TransferValue&)>& accept,
                    BlockCursor& blocks, std::vector<IndexedTransfer>& out) const;

  const Store* store_;
  const rocksdb::Snapshot* snap_;
  std::optional<ChainPoint> base_;
  ChainPoint tip_;
  uint64_t solidified_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t journal_first_ = 1;
};

}  // namespace tronidx::store
