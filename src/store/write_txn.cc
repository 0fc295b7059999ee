#include "tronidx/store/write_txn.h"

#include <rocksdb/write_batch.h>

#include "hot_addresses.h"
#include "index_writes.h"
#include "records.h"
#include "rocks.h"
#include "schema.h"
#include "token_dict.h"
#include "tronidx/chain/hex.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/store.h"

namespace tronidx::store {
namespace {

Error precondition(std::string msg) { return make_error(Errc::kFailedPrecondition, std::move(msg)); }

std::string watch_value(uint64_t removed_seq, uint64_t since_block, const std::string& label) {
  std::string v;
  schema::put_var(v, removed_seq);
  schema::put_var(v, since_block);
  schema::put_var(v, label.size());
  v += label;
  return v;
}

}  // namespace

WriteTxn::WriteTxn(Store& store)
    : store_(&store), batch_(std::make_unique<rocksdb::WriteBatch>()), index_writes_(std::make_unique<IndexWrites>()) {
  const Store::State st = store.state();
  tip_ = st.tip;
  solidified_ = st.solidified;
  next_seq_ = st.next_seq;
  next_token_ref_ = store.tokens_->next_ref();
}

WriteTxn::WriteTxn(WriteTxn&&) noexcept = default;
WriteTxn::~WriteTxn() = default;

JournalRecord& WriteTxn::add_record(RecordType type) {
  JournalRecord& r = records_.emplace_back();
  r.seq = next_seq_++;
  r.type = type;
  return r;
}

void WriteTxn::put_record(JournalRecord& rec, const std::vector<schema::TransferValue>& values) {
  rec.tip_after = tip_.block_num;
  rec.solidified_after = solidified_;
  batch_->Put(store_->rocks_->journal, schema::journal_key(rec.seq), encode_record(rec, values));
}

bool WriteTxn::watched(const chain::Address& address) const {
  auto it = watch_changes_.find(address);
  if (it != watch_changes_.end()) return it->second;
  return store_->watches_.watched_now(address);
}

bool WriteTxn::keeps(const decode::Transfer& t) const {
  if (store_->mode_.kind == ModeConfig::Kind::kAll) return store_->mode_.indexes_token(t.token);
  return watched(t.from) || watched(t.to);
}

Result<uint32_t> WriteTxn::token_ref(const chain::Address& token) {
  if (auto ref = store_->tokens_->ref(token)) return *ref;
  for (const auto& [t, ref] : new_tokens_) {
    if (t == token) return ref;
  }
  const uint32_t ref = next_token_ref_++;
  new_tokens_.emplace_back(token, ref);
  const auto& rocks = *store_->rocks_;
  batch_->Put(rocks.tokens, schema::token_ref_key(ref), std::string(chain::as_chars(token.bytes())));
  std::string v;
  schema::put_be32(v, ref);
  batch_->Put(rocks.tokens, schema::token_addr_key(token), v);
  return ref;
}

Status WriteTxn::put_transfer(const IndexedTransfer& it, uint64_t backfill_seq, bool index_from, bool index_to) {
  const auto& rocks = *store_->rocks_;
  const decode::Transfer& t = it.transfer;
  TRONIDX_TRY(schema::check_position_limits(t.position));
  uint32_t ref = 0;
  if (t.kind != decode::TransferKind::kTrx) {
    TRONIDX_ASSIGN(ref, token_ref(t.token));
  }
  // Hot path (every transfer of every block): keys on the stack, one reused value buffer.
  auto sv = [](std::string_view v) { return rocksdb::Slice(v.data(), v.size()); };
  schema::encode_transfer_into(to_value(t, ref, backfill_seq), value_buf_);
  batch_->Put(rocks.transfers, sv(schema::pos_fixed(t.position).view()), value_buf_);
  // The busiest addresses' entries carry the row (hot_addresses.h): the same bytes, written in the same commit.
  const HotAddresses::Carry carry = store_->hot_ ? store_->hot_->note(t.from, t.to) : HotAddresses::Carry{};
  if (index_from) {
    index_writes_->put(rocks.by_address, schema::by_address_fixed(t.from, schema::kDirOut, t.position).view(),
                       carry.from ? std::string_view(value_buf_) : std::string_view());
  }
  if (index_to) {
    index_writes_->put(rocks.by_address, schema::by_address_fixed(t.to, schema::kDirIn, t.position).view(),
                       carry.to ? std::string_view(value_buf_) : std::string_view());
  }
  index_writes_->put(rocks.by_token, schema::by_token_fixed(ref, t.position).view());
  index_writes_->put(rocks.by_txid, schema::by_txid_fixed(t.txid, t.position.block_num, t.position.tx_index).view());
  return ok_status();
}

Status WriteTxn::apply_block(const decode::BlockHeader& header, uint32_t tx_count,
                             std::span<const decode::Transfer> transfers) {
  if (!store_->state().base) return precondition("the database has no base block yet");
  if (header.block_num != tip_.block_num + 1 || header.parent_id != tip_.id) {
    return precondition("block " + std::to_string(header.block_num) + " (parent " + header.parent_id.to_hex() +
                        ") does not connect to the tip " + std::to_string(tip_.block_num) + " " + tip_.id.to_hex());
  }
  TRONIDX_TRY(schema::check_position_limits(decode::Position{header.block_num, 0, 0}));
  for (size_t i = 0; i < transfers.size(); ++i) {
    const decode::Position& pos = transfers[i].position;
    TRONIDX_TRY(schema::check_position_limits(pos));
    if (pos.block_num != header.block_num || (i > 0 && !(transfers[i - 1].position < pos))) {
      return make_error(Errc::kInvalidArgument,
                        "block " + std::to_string(header.block_num) + ": transfer " + std::to_string(i) + " at " +
                            std::to_string(pos.block_num) + "/" + std::to_string(pos.tx_index) + "/" +
                            std::to_string(pos.event_index) +
                            " is not in this block or not after the previous one (positions must strictly increase)");
    }
  }

  JournalRecord& rec = add_record(RecordType::kApply);
  rec.has_transfers = true;
  BlockInfo& b = rec.block;
  b.block_num = header.block_num;
  b.id = header.id;
  b.parent_id = header.parent_id;
  b.timestamp_ms = header.timestamp_ms;
  b.tx_count = tx_count;
  b.apply_seq = rec.seq;
  const bool all_mode = store_->mode_.kind == ModeConfig::Kind::kAll;
  for (const auto& t : transfers) {
    if (!keeps(t)) continue;
    IndexedTransfer it{t, header.id, header.timestamp_ms, false, 0};
    TRONIDX_TRY(put_transfer(it, 0, all_mode || watched(t.from), all_mode || watched(t.to)));
    rec.transfers.push_back(it);
  }
  b.transfer_count = static_cast<uint32_t>(rec.transfers.size());
  const auto& rocks = *store_->rocks_;
  schema::BlockValue bv{b.id, b.parent_id, b.timestamp_ms, b.tx_count, b.transfer_count, 0};
  batch_->Put(rocks.blocks, schema::block_key(b.block_num, b.apply_seq), schema::encode_block(bv));
  tip_ = ChainPoint{header.block_num, header.id};
  put_record(rec);
  applied_nums_.insert(header.block_num);
  return ok_status();
}

Status WriteTxn::revert_tip() {
  const auto base = store_->state().base;
  if (!base || tip_.block_num <= base->block_num) {
    return precondition("cannot revert block " + std::to_string(tip_.block_num) +
                        ": it is the base block (where indexing began); the chain reorganised below it");
  }
  if (tip_.block_num <= solidified_) {
    return precondition("cannot revert block " + std::to_string(tip_.block_num) + ": it is solidified (final, " +
                        std::to_string(solidified_) + ")");
  }
  if (applied_nums_.count(tip_.block_num) != 0) {
    return precondition("cannot revert a block applied in the same transaction");
  }
  if (backfilled_nums_.count(tip_.block_num) != 0) {
    // Its backfilled transfers are only in this batch: the revert below could not move them away.
    return precondition("cannot revert block " + std::to_string(tip_.block_num) +
                        ": transfers were backfilled into it in the same transaction");
  }
  TRONIDX_ASSIGN(auto snap, store_->snapshot());
  TRONIDX_ASSIGN(auto version, snap->block(tip_.block_num));
  if (!version || version->id != tip_.id) {
    return make_error(Errc::kDataLoss, "database corruption: tip block " + std::to_string(tip_.block_num) +
                                           " has no matching canonical block record");
  }
  TRONIDX_ASSIGN(auto transfers, snap->block_transfers(*version, snap->next_seq()));

  JournalRecord& rec = add_record(RecordType::kRevert);
  rec.has_transfers = true;
  rec.block = *version;
  rec.block.revert_seq = rec.seq;
  const auto& rocks = *store_->rocks_;
  const std::string orphan_prefix = schema::orphan_prefix(version->apply_seq);
  for (const auto& it : transfers) {
    const decode::Transfer& t = it.transfer;
    const std::string pos = *schema::pos_key(t.position);
    std::string value;
    auto s = rocks.db->Get(rocksdb::ReadOptions(), rocks.transfers, pos, &value);
    if (!s.ok()) return rocks_error(s, "reading a transfer to revert");
    batch_->Delete(rocks.transfers, pos);
    batch_->Put(rocks.orphans, orphan_prefix + pos, value);
    index_writes_->erase(rocks.by_address, schema::by_address_fixed(t.from, schema::kDirOut, t.position).view());
    index_writes_->erase(rocks.by_address, schema::by_address_fixed(t.to, schema::kDirIn, t.position).view());
    const uint32_t ref = t.kind == decode::TransferKind::kTrx ? 0 : store_->tokens_->ref(t.token).value_or(0);
    index_writes_->erase(rocks.by_token, schema::by_token_fixed(ref, t.position).view());
    index_writes_->erase(rocks.by_txid, schema::by_txid_fixed(t.txid, t.position.block_num, t.position.tx_index).view());
  }
  rec.transfers = std::move(transfers);
  schema::BlockValue bv{version->id,           version->parent_id,       version->timestamp_ms,
                        version->tx_count,     version->transfer_count,  rec.seq};
  batch_->Put(rocks.blocks, schema::block_key(version->block_num, version->apply_seq), schema::encode_block(bv));
  tip_ = ChainPoint{version->block_num - 1, version->parent_id};
  put_record(rec);
  return ok_status();
}

Status WriteTxn::solidify(uint64_t block_num) {
  const uint64_t n = std::min(block_num, tip_.block_num);
  if (n <= solidified_) return ok_status();
  JournalRecord& rec = add_record(RecordType::kSolidify);
  rec.solidified = n;
  rec.previous_solidified = solidified_;
  solidified_ = n;
  put_record(rec);
  return ok_status();
}

Status WriteTxn::watch(const chain::Address& address, const std::string& label, uint64_t since_block) {
  if (watched(address)) return ok_status();
  JournalRecord& rec = add_record(RecordType::kWatch);
  rec.address = address;
  rec.watch_on = true;
  const auto& rocks = *store_->rocks_;
  batch_->Put(rocks.watches, schema::watch_key(address, rec.seq), watch_value(0, since_block, label));
  put_record(rec);
  watch_changes_[address] = true;
  pending_watches_[address] = PendingWatch{rec.seq, since_block, label};
  return ok_status();
}

Status WriteTxn::unwatch(const chain::Address& address) {
  if (!watched(address)) return ok_status();
  // The open interval: added in this transaction, or the committed one.
  PendingWatch open;
  if (auto it = pending_watches_.find(address); it != pending_watches_.end()) {
    open = it->second;
  } else {
    TRONIDX_ASSIGN(auto snap, store_->snapshot());
    TRONIDX_ASSIGN(auto all, snap->watches(false));
    bool found = false;
    for (const auto& w : all) {
      if (w.address == address) {
        open = PendingWatch{w.added_seq, w.since_block, w.label};
        found = true;
      }
    }
    if (!found) return make_error(Errc::kDataLoss, "database corruption: watched address without a record");
  }
  JournalRecord& rec = add_record(RecordType::kWatch);
  rec.address = address;
  rec.watch_on = false;
  const auto& rocks = *store_->rocks_;
  batch_->Put(rocks.watches, schema::watch_key(address, open.added_seq),
              watch_value(rec.seq, open.since_block, open.label));
  put_record(rec);
  watch_changes_[address] = false;
  pending_watches_.erase(address);
  return ok_status();
}

void WriteTxn::put_job(uint64_t job_id, const std::string& state) {
  batch_->Put(store_->rocks_->jobs, schema::journal_key(job_id), state);
  has_other_writes_ = true;
}

Status WriteTxn::backfill(const chain::Address& address, std::span<const IndexedTransfer> transfers) {
  TRONIDX_ASSIGN(auto snap, store_->snapshot());
  const auto& rocks = *store_->rocks_;
  // Validate everything before touching the transaction, so that a refused backfill leaves no partial
  // record (a journal gap) and no partial writes in the batch.
  struct Item {
    IndexedTransfer out;
    std::string pos;
  };
  std::vector<Item> items;
  items.reserve(transfers.size());
  std::optional<BlockInfo> block;
  for (const auto& in : transfers) {
    const decode::Transfer& t = in.transfer;
    if (t.from != address && t.to != address) {
      return make_error(Errc::kInvalidArgument, "backfill transfer " + t.txid.to_hex() + " does not touch " +
                                                    address.to_base58());
    }
    if (!store_->mode_.indexes_token(t.token)) {
      return make_error(Errc::kInvalidArgument, "backfill transfer " + t.txid.to_hex() + " is of token " +
                                                    t.token.to_hex() + ", which this database does not index");
    }
    if (t.position.block_num > tip_.block_num || applied_nums_.count(t.position.block_num) != 0) {
      return make_error(Errc::kAborted, "backfill block " + std::to_string(t.position.block_num) +
                                            " is not a committed block");
    }
    if (!block || block->block_num != t.position.block_num) {
      TRONIDX_ASSIGN(block, snap->block(t.position.block_num));
    }
    if (!block || block->id != in.block_id) {
      return make_error(Errc::kAborted, "backfill block " + std::to_string(t.position.block_num) +
                                            " is no longer canonical (the chain reorganised); fetch it again");
    }
    TRONIDX_ASSIGN(std::string pos, schema::pos_key(t.position));
    Item item{in, std::move(pos)};
    item.out.timestamp_ms = block->timestamp_ms;
    items.push_back(std::move(item));
  }

  JournalRecord& rec = add_record(RecordType::kBackfill);
  rec.has_transfers = true;
  rec.address = address;
  const uint64_t seq = rec.seq;
  std::vector<schema::TransferValue> values;
  for (auto& item : items) {
    const decode::Transfer& t = item.out.transfer;
    std::string existing;
    bool found = false;
    if (auto it = backfilled_values_.find(item.pos); it != backfilled_values_.end()) {
      existing = it->second;
      found = true;
    } else {
      auto s = rocks.db->Get(rocksdb::ReadOptions(), rocks.transfers, item.pos, &existing);
      if (!s.ok() && !s.IsNotFound()) return rocks_error(s, "reading a transfer to backfill");
      found = s.ok();
    }
    if (found) {
      TRONIDX_ASSIGN(auto v, schema::decode_transfer(existing));
      if (v.txid != t.txid) {
        return make_error(Errc::kDataLoss, "database corruption: transfer at " + std::to_string(t.position.block_num) +
                                               " has another txid than the node's");
      }
      item.out.backfilled = (v.flags & schema::kFlagBackfilled) != 0;
      item.out.backfill_seq = v.backfill_seq;
      if (t.from == address) index_writes_->put(rocks.by_address, schema::by_address_fixed(t.from, schema::kDirOut, t.position).view());
      if (t.to == address) index_writes_->put(rocks.by_address, schema::by_address_fixed(t.to, schema::kDirIn, t.position).view());
      values.push_back(v);
    } else {
      item.out.backfilled = true;
      item.out.backfill_seq = seq;
      TRONIDX_TRY(put_transfer(item.out, seq, t.from == address || watched(t.from), t.to == address || watched(t.to)));
      uint32_t ref = 0;
      if (t.kind != decode::TransferKind::kTrx) {
        TRONIDX_ASSIGN(ref, token_ref(t.token));
      }
      values.push_back(to_value(t, ref, seq));
      backfilled_values_[item.pos] = schema::encode_transfer(values.back());
    }
    backfilled_nums_.insert(t.position.block_num);
    records_.back().transfers.push_back(item.out);
  }
  put_record(records_.back(), values);
  return ok_status();
}

}  // namespace tronidx::store
