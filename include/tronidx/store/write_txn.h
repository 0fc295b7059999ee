#pragma once
// WriteTxn: the operations of one commit, built by the writer thread and applied by Store::commit as a
// single WriteBatch. Each operation validates against the transaction's running state (the committed
// state plus the operations before it) and fails without side effects on the transaction.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/decode/block.h"
#include "tronidx/decode/transfer.h"
#include "tronidx/store/journal.h"
#include "tronidx/store/types.h"

namespace rocksdb {
class WriteBatch;
}

namespace tronidx::store {

class IndexWrites;
class Store;
namespace schema {
struct TransferValue;
}

class WriteTxn {
 public:
  WriteTxn(WriteTxn&&) noexcept;
  WriteTxn& operator=(WriteTxn&&) = delete;
  ~WriteTxn();

  // APPLY: `header` must be block tip+1 and its parent id must be the tip's id (else kFailedPrecondition).
  // `transfers` are all the block's transfers (position order); the store keeps those its mode indexes
  // (watched mode: touching an address watched now; all mode: of the configured tokens). A position
  // beyond the schema limits is kOutOfRange; a transfer of another block, or positions not strictly
  // increasing, kInvalidArgument.
  Status apply_block(const decode::BlockHeader& header, uint32_t tx_count,
                     std::span<const decode::Transfer> transfers);

  // REVERT of the tip. The tip must be a committed block (not applied in this transaction, nor
  // backfilled into by it) above the base and the solidified number (kFailedPrecondition otherwise:
  // reverting the base means a reorg below where indexing began).
  Status revert_tip();

  // SOLIDIFY: raises the solidified number to min(block_num, tip). No record when it would not move.
  Status solidify(uint64_t block_num);

  // WATCH on/off. Idempotent: no record when nothing changes (watch() of a watched address may update
  // nothing; its label stays the first one).
  Status watch(const chain::Address& address, const std::string& label, uint64_t since_block);
  Status unwatch(const chain::Address& address);

  // BACKFILL: historical transfers of `address` (watched mode: a newly watched address) in committed
  // canonical blocks; each transfer's block id must match the canonical block at its number (else
  // kAborted: the range was reorganised meanwhile, fetch it again). Transfers already indexed (also by
  // an earlier backfill of this transaction) are not duplicated, but all are carried by the record.
  Status backfill(const chain::Address& address, std::span<const IndexedTransfer> transfers);

  // Stores a job's state (opaque to the store) in the same batch: job progress commits atomically with
  // the data the job wrote. No journal record.
  void put_job(uint64_t job_id, const std::string& state);

  bool empty() const noexcept { return records_.empty() && !has_other_writes_; }
  ChainPoint tip() const noexcept { return tip_; }
  uint64_t solidified() const noexcept { return solidified_; }
  size_t record_count() const noexcept { return records_.size(); }

 private:
  friend class Store;
  explicit WriteTxn(Store& store);
  bool watched(const chain::Address& address) const;
  bool keeps(const decode::Transfer& t) const;
  Result<uint32_t> token_ref(const chain::Address& token);
  Status put_transfer(const IndexedTransfer& t, uint64_t backfill_seq, bool index_from, bool index_to);
  JournalRecord& add_record(RecordType type);
  // Stamps rec with the transaction's state after it and queues its journal entry.
  void put_record(JournalRecord& rec, const std::vector<schema::TransferValue>& values = {});

  Store* store_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  std::unique_ptr<IndexWrites> index_writes_;  // by_address/by_token/by_txid writes, in key order at commit
  ChainPoint tip_;
  uint64_t solidified_ = 0;
  uint64_t next_seq_ = 0;
  std::vector<JournalRecord> records_;
  std::unordered_set<uint64_t> applied_nums_;  // blocks applied in this transaction
  std::unordered_set<uint64_t> backfilled_nums_;  // blocks backfilled into in this transaction
  // Transfers inserted by this transaction's backfills (pos8 key -> stored value): they are only in the
  // batch, so reads of the committed state cannot see them.
  std::unordered_map<std::string, std::string> backfilled_values_;
  std::unordered_map<chain::Address, bool, chain::AddressHash> watch_changes_;
  struct PendingWatch {
    uint64_t added_seq = 0;
    uint64_t since_block = 0;
    std::string label;
  };
  std::unordered_map<chain::Address, PendingWatch, chain::AddressHash> pending_watches_;
  std::vector<std::pair<chain::Address, uint32_t>> new_tokens_;
  uint32_t next_token_ref_ = 0;
  bool has_other_writes_ = false;
  std::string value_buf_;  // reused by put_transfer
};

}  // namespace tronidx::store
