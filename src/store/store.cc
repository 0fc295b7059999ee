#include "tronidx/store/store.h"

#include <rocksdb/perf_level.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <thread>

#include "compaction_deferral.h"
#include "final_blocks.h"
#include "hot_addresses.h"
#include "index_writes.h"
#include "ingest.h"
#include "recompress.h"
#include "records.h"
#include "rocks.h"
#include "schema.h"
#include "token_dict.h"
#include "tronidx/chain/hex.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/write_txn.h"

namespace tronidx::store {
namespace {

std::array<uint8_t, 16> random_instance_id() {
  std::array<uint8_t, 16> id{};
  std::random_device rd;
  for (size_t i = 0; i < id.size(); i += 4) {
    const uint32_t v = rd();
    for (size_t j = 0; j < 4; ++j) id[i + j] = static_cast<uint8_t>(v >> (8 * j));
  }
  return id;
}

Error refuse(const std::string& path, const std::string& why) {
  return make_error(Errc::kFailedPrecondition, "refusing to open database " + path + ": " + why);
}

// Where the keys begin that no open snapshot's reader reaches, per growing family (ingest.h). A Snapshot
// reads the transfers family only through its own index entries and canonical blocks, so no further than
// its tip; blocks only where apply_seq < its next_seq; the journal only below its next_seq (snapshot.cc).
// Every open snapshot was taken at a committed state: its next_seq is at most `next_seq`, and its tip at
// most `highest_tip`, the highest tip committed since the store opened (not the tip now: a snapshot taken
// before a reorg still reads the blocks the reorg reverted, up to its own, higher tip).
std::vector<Ingester::Unseen> unseen_keys(const Rocks& rocks, uint64_t next_seq, uint64_t highest_tip) {
  std::vector<Ingester::Unseen> out{{rocks.journal, schema::journal_key(next_seq)}};
  if (highest_tip < UINT32_MAX) {  // block keys hold 32-bit numbers
    out.push_back({rocks.transfers, schema::transfers_block_prefix(highest_tip + 1)});
    out.push_back({rocks.blocks, schema::block_prefix(highest_tip + 1)});
  }
  return out;
}

}  // namespace

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const OpenOptions& options) {
  RocksOptions ro;
  ro.path = options.path;
  ro.read_only = options.read_only;
  ro.create_if_missing = options.create_if_missing;
  ro.block_cache_bytes = options.block_cache_bytes;
  ro.write_buffer_bytes = options.write_buffer_bytes;
  ro.index_l0_stop_writes_trigger = std::max(ro.index_l0_stop_writes_trigger, static_cast<int>(options.catch_up_l0_files) + 16);
  TRONIDX_ASSIGN(auto rocks, open_rocks(ro));

  std::unique_ptr<Store> store(new Store());
  store->rocks_ = std::move(rocks);
  store->path_ = options.path;
  store->read_only_ = options.read_only;
  store->sync_writes_ = options.sync_writes;
  if (!options.read_only) {  // (also with ingestion off: removes files an interrupted commit left)
    auto& r = *store->rocks_;
    store->deferral_ = std::make_unique<CompactionDeferral>(
        *r.db, std::vector<rocksdb::ColumnFamilyHandle*>{r.by_address, r.by_token, r.by_txid},
        options.catch_up_l0_files);
    TRONIDX_ASSIGN(store->ingester_, Ingester::open(r, options.path + "/ingest", store->deferral_.get()));
    store->recompressor_ = std::make_unique<Recompressor>(*store->rocks_->db);
    // Files a catch-up ingested and a stop or crash kept from being rewritten (recompress.h).
    size_t leftovers = 0;
    for (auto* h : r.growing()) {
      if (auto range = unrewritten_range(*r.db, h)) {
        store->recompressor_->enqueue(h, std::move(range->first), std::move(range->second));
        ++leftovers;
      }
    }
    if (leftovers > 0) {
      spdlog::info("store: rewriting {} ranges of ingested files a catch-up left uncompressed", leftovers);
    }
    store->ingest_min_writes_ = options.ingest_min_writes;
    store->recompress_every_commits_ = options.recompress_every_commits;
    HotAddresses::Options hot;
    hot.budget_bytes = options.inline_rows_budget;
    store->hot_ = std::make_unique<HotAddresses>(hot);
  }
  store->tokens_ = std::make_unique<TokenDict>();
  store->final_blocks_ = std::make_unique<FinalBlocks>();
  auto& db = *store->rocks_->db;
  auto* meta = store->rocks_->meta;

  std::string version;
  auto s = db.Get(rocksdb::ReadOptions(), meta, std::string(schema::meta::kSchemaVersionKey), &version);
  if (s.IsNotFound()) {
    // A fresh database: nothing but empty column families may exist.
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), meta));
    it->SeekToFirst();
    if (it->Valid()) return refuse(options.path, "it is not a tronidx database (no schema version)");
    if (options.read_only) return refuse(options.path, "it is empty");
    if (!options.genesis_id || !options.mode) {
      return make_error(Errc::kInvalidArgument, "creating a database needs the genesis id and the mode");
    }
    store->genesis_id_ = *options.genesis_id;
    store->mode_ = *options.mode;
    store->instance_id_ = random_instance_id();
    rocksdb::WriteBatch b;
    std::string v;
    schema::put_be32(v, schema::kSchemaVersion);
    b.Put(meta, std::string(schema::meta::kSchemaVersionKey), v);
    b.Put(meta, std::string(schema::meta::kInstanceId),
          std::string(reinterpret_cast<const char*>(store->instance_id_.data()), 16));  // NOLINT
    b.Put(meta, std::string(schema::meta::kGenesisId), chain::as_chars(store->genesis_id_.hash.bytes));
    b.Put(meta, std::string(schema::meta::kMode), store->mode_.to_string());
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db.Write(wo, &b);
    if (!s.ok()) return rocks_error(s, "initialising " + options.path);
  } else if (!s.ok()) {
    return rocks_error(s, "reading schema version");
  } else {
    if (version.size() != 4) return refuse(options.path, "malformed schema version");
    const uint32_t v = schema::get_be32(reinterpret_cast<const uint8_t*>(version.data()));  // NOLINT
    if (v != schema::kSchemaVersion) {
      return refuse(options.path, "schema version " + std::to_string(v) + ", this build reads version " +
                                      std::to_string(schema::kSchemaVersion) + " (reindex into a new data dir)");
    }
    std::string genesis, mode, instance;
    if (!db.Get(rocksdb::ReadOptions(), meta, std::string(schema::meta::kGenesisId), &genesis).ok() ||
        genesis.size() != 32 ||
        !db.Get(rocksdb::ReadOptions(), meta, std::string(schema::meta::kMode), &mode).ok() ||
        !db.Get(rocksdb::ReadOptions(), meta, std::string(schema::meta::kInstanceId), &instance).ok() ||
        instance.size() != 16) {
      return refuse(options.path, "identity records are missing or malformed");
    }
    std::copy(genesis.begin(), genesis.end(), store->genesis_id_.hash.bytes.begin());
    std::copy(instance.begin(), instance.end(), store->instance_id_.begin());
    TRONIDX_ASSIGN(store->mode_, ModeConfig::parse(mode));
    if (options.genesis_id && *options.genesis_id != store->genesis_id_) {
      return refuse(options.path, "it indexes another chain (genesis " + store->genesis_id_.to_hex() +
                                      ", the node's genesis is " + options.genesis_id->to_hex() + ")");
    }
    if (options.mode && options.mode->to_string() != store->mode_.to_string()) {
      return refuse(options.path, "it was created in mode \"" + store->mode_.to_string() +
                                      "\" but the configuration asks for \"" + options.mode->to_string() + "\"");
    }
  }
  TRONIDX_TRY(store->load_state());
  TRONIDX_TRY(store->load_tokens());
  TRONIDX_TRY(store->load_watches());
  return store;
}

Status Store::load_state() {
  auto& db = *rocks_->db;
  auto get = [&](std::string_view key, std::string& out) -> Result<bool> {
    auto s = db.Get(rocksdb::ReadOptions(), rocks_->meta, std::string(key), &out);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return rocks_error(s, "reading meta " + std::string(key));
    return true;
  };
  State st;
  std::string v;
  TRONIDX_ASSIGN(bool has_base, get(schema::meta::kBase, v));
  if (has_base) {
    TRONIDX_ASSIGN(auto base, schema::decode_tip(v));
    st.base = ChainPoint{base.first, base.second};
    TRONIDX_ASSIGN(bool has_tip, get(schema::meta::kTip, v));
    if (!has_tip) return make_error(Errc::kDataLoss, "database corruption: base without tip");
    TRONIDX_ASSIGN(auto tip, schema::decode_tip(v));
    st.tip = ChainPoint{tip.first, tip.second};
  }
  auto read_u = [&](std::string_view key, uint64_t& out, size_t width) -> Status {
    TRONIDX_ASSIGN(bool present, get(key, v));
    if (!present) return ok_status();
    if (v.size() != width) return make_error(Errc::kDataLoss, "database corruption: meta " + std::string(key));
    const auto* p = reinterpret_cast<const uint8_t*>(v.data());  // NOLINT
    out = width == 4 ? schema::get_be32(p) : schema::get_be64(p);
    return ok_status();
  };
  TRONIDX_TRY(read_u(schema::meta::kSolidified, st.solidified, 4));
  TRONIDX_TRY(read_u(schema::meta::kNextSeq, st.next_seq, 8));
  TRONIDX_TRY(read_u(schema::meta::kJournalFirst, st.journal_first, 8));
  std::lock_guard lock(state_mu_);
  state_ = st;
  highest_tip_ = st.tip.block_num;
  return ok_status();
}

Status Store::load_tokens() {
  std::unique_ptr<rocksdb::Iterator> it(rocks_->db->NewIterator(rocksdb::ReadOptions(), rocks_->tokens));
  for (it->Seek("r"); it->Valid() && it->key().starts_with("r"); it->Next()) {
    if (it->key().size() != 5 || it->value().size() != chain::Address::kSize) {
      return make_error(Errc::kDataLoss, "database corruption: token dictionary entry");
    }
    const uint32_t ref = schema::get_be32(reinterpret_cast<const uint8_t*>(it->key().data()) + 1);  // NOLINT
    std::array<uint8_t, 21> raw{};
    std::copy(it->value().data(), it->value().data() + 21, raw.begin());
    tokens_->add(chain::Address::from_raw(raw), ref);
  }
  if (!it->status().ok()) return rocks_error(it->status(), "loading tokens");
  return ok_status();
}

Status Store::load_watches() {
  TRONIDX_ASSIGN(auto snap, snapshot());
  TRONIDX_ASSIGN(auto all, snap->watches(true));
  for (const auto& w : all) {
    watches_.add(w.address, w.added_seq);
    if (w.removed_seq != 0) watches_.remove(w.address, w.removed_seq);
  }
  return ok_status();
}

Store::State Store::state() const {
  std::lock_guard lock(state_mu_);
  return state_;
}

Status Store::set_base(const ChainPoint& base) {
  if (read_only_) return make_error(Errc::kFailedPrecondition, "database opened read-only");
  if (state().base) return make_error(Errc::kFailedPrecondition, "the database already has a base block");
  TRONIDX_TRY(schema::check_position_limits(decode::Position{base.block_num, 0, 0}));
  rocksdb::WriteBatch b;
  const std::string tip = schema::encode_tip(base.block_num, base.id);
  b.Put(rocks_->meta, std::string(schema::meta::kBase), tip);
  b.Put(rocks_->meta, std::string(schema::meta::kTip), tip);
  std::string sol;
  schema::put_be32(sol, static_cast<uint32_t>(base.block_num));
  b.Put(rocks_->meta, std::string(schema::meta::kSolidified), sol);
  rocksdb::WriteOptions wo;
  wo.sync = sync_writes_;
  auto s = rocks_->db->Write(wo, &b);
  wrote();
  if (!s.ok()) return rocks_error(s, "writing base");
  std::lock_guard lock(state_mu_);
  state_.base = base;
  state_.tip = base;
  highest_tip_ = std::max(highest_tip_, base.block_num);
  state_.solidified = base.block_num;
  return ok_status();
}

WriteTxn Store::begin() {
  WriteTxn txn(*this);
  std::lock_guard lock(spare_mu_);
  if (spare_batch_) txn.batch_ = std::move(spare_batch_);
  if (spare_index_) txn.index_writes_ = std::move(spare_index_);
  return txn;
}

void Store::recycle(WriteTxn& txn) {
  txn.batch_->Clear();  // keeps its buffer
  std::lock_guard lock(spare_mu_);
  spare_batch_ = std::move(txn.batch_);
  if (txn.index_writes_->size() == 0) spare_index_ = std::move(txn.index_writes_);  // drained: keeps its vectors
}

Result<CommitResult> Store::commit(WriteTxn&& txn) {
  if (read_only_) return make_error(Errc::kFailedPrecondition, "database opened read-only");
  CommitResult result;
  if (txn.empty()) return result;
  auto& b = *txn.batch_;
  // RocksDB counts every key comparison in a thread-local perf context unless told not to; nothing here
  // reads those counters, and the memtable inserts of a commit are mostly comparisons.
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  // (A transaction with only job state still commits the unchanged tip/solidified/next_seq below.)
  std::string v;
  b.Put(rocks_->meta, std::string(schema::meta::kTip), schema::encode_tip(txn.tip_.block_num, txn.tip_.id));
  schema::put_be32(v, static_cast<uint32_t>(txn.solidified_));
  b.Put(rocks_->meta, std::string(schema::meta::kSolidified), v);
  v.clear();
  schema::put_be64(v, txn.next_seq_);
  b.Put(rocks_->meta, std::string(schema::meta::kNextSeq), v);
  // New tokens must be resolvable before any reader can see a transfer that refers to them (readers take
  // snapshots concurrently); taken out again if the write fails.
  for (const auto& [token, ref] : txn.new_tokens_) tokens_->add(token, ref);
  auto& index = *txn.index_writes_;
  // A large transaction (a catch-up commit) goes in as table files (ingest.h); others, and one with writes
  // a table file cannot hold, as a WriteBatch.
  Result<bool> written = false;
  if (ingester_ && ingest_min_writes_ > 0 && b.Count() + index.size() >= ingest_min_writes_) {
    // (Deferring compaction only changes when RocksDB compacts, never what is stored: a failure to switch
    // it is logged, not a failed commit.)
    if (auto d = deferral_->before_commit(); !d.ok()) spdlog::warn("store: {}", d.error().message);
    uint64_t next_seq = 0, highest_tip = 0;
    {
      std::lock_guard lock(state_mu_);
      next_seq = state_.next_seq;
      highest_tip = highest_tip_;
    }
    written = ingester_->commit(b, index, unseen_keys(*rocks_, next_seq, highest_tip));
    if (written.ok() && *written) {
      if (auto d = deferral_->after_commit(); !d.ok()) spdlog::warn("store: {}", d.error().message);
    }
    if (written.ok() && *written && recompress_every_commits_ > 0 &&
        ingester_->commits_since_take() >= recompress_every_commits_) {
      recompress_ingested();
    }
  }
  if (written.ok() && !*written) {
    index.emit_into(b);
    rocksdb::WriteOptions wo;
    wo.sync = sync_writes_;
    auto s = rocks_->db->Write(wo, &b);
    if (!s.ok()) written = rocks_error(s, "commit");
  }
  if (!written.ok()) {
    wrote();
    for (const auto& [token, ref] : txn.new_tokens_) tokens_->remove(token, ref);
    recycle(txn);
    return written.error();
  }

  for (const auto& r : txn.records_) {
    if (r.type != RecordType::kWatch) continue;
    if (r.watch_on) {
      watches_.add(r.address, r.seq);
    } else {
      watches_.remove(r.address, r.seq);
    }
  }
  {
    std::lock_guard lock(state_mu_);
    state_.tip = txn.tip_;
    highest_tip_ = std::max(highest_tip_, txn.tip_.block_num);
    state_.solidified = txn.solidified_;
    state_.next_seq = txn.next_seq_;
  }
  wrote();  // after the in-memory state: a snapshot cached from here on sees both
  result.records = std::move(txn.records_);
  txn.records_.clear();
  recycle(txn);
  return result;
}

Result<std::shared_ptr<const Snapshot>> Store::snapshot() const {
  // Readers do not use RocksDB's perf counters either (see commit()).
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  uint64_t writes = 0;
  {
    std::lock_guard lock(latest_mu_);
    if (latest_) return latest_;
    writes = writes_;
  }
  std::shared_ptr<Snapshot> snap(new Snapshot(*this, rocks_->db->GetSnapshot()));
  TRONIDX_TRY(snap->load_meta());
  std::shared_ptr<const Snapshot> out(std::move(snap));
  std::lock_guard lock(latest_mu_);
  if (writes_ == writes) latest_ = out;
  return out;
}

void Store::wrote() {
  std::lock_guard lock(latest_mu_);
  ++writes_;
  latest_.reset();
}

Status Store::prune_journal(uint64_t keep_from_seq) {
  if (read_only_) return make_error(Errc::kFailedPrecondition, "database opened read-only");
  const State st = state();
  keep_from_seq = std::min(keep_from_seq, st.next_seq);
  if (keep_from_seq <= st.journal_first) return ok_status();
  TRONIDX_ASSIGN(auto snap, snapshot());
  rocksdb::WriteBatch b;
  // Reverted block versions whose REVERT record is pruned are no longer referenced by any record.
  for (uint64_t seq = st.journal_first; seq < keep_from_seq; seq += 1024) {
    TRONIDX_ASSIGN(auto recs, snap->journal(seq, std::min<uint64_t>(1024, keep_from_seq - seq)));
    for (const auto& r : recs) {
      if (r.type != RecordType::kRevert) continue;
      b.Delete(rocks_->blocks, schema::block_key(r.block.block_num, r.block.apply_seq));
      const std::string lo = schema::orphan_prefix(r.block.apply_seq);
      const std::string hi = schema::orphan_prefix(r.block.apply_seq + 1);
      b.DeleteRange(rocks_->orphans, lo, hi);
    }
  }
  b.DeleteRange(rocks_->journal, schema::journal_key(st.journal_first), schema::journal_key(keep_from_seq));
  std::string v;
  schema::put_be64(v, keep_from_seq);
  b.Put(rocks_->meta, std::string(schema::meta::kJournalFirst), v);
  rocksdb::WriteOptions wo;
  wo.sync = sync_writes_;
  auto s = rocks_->db->Write(wo, &b);
  if (!s.ok()) {
    wrote();
    return rocks_error(s, "pruning the journal");
  }
  {
    std::lock_guard lock(state_mu_);
    state_.journal_first = keep_from_seq;
  }
  wrote();
  return ok_status();
}

Status Store::new_instance_id() {
  if (read_only_) return make_error(Errc::kFailedPrecondition, "database opened read-only");
  const auto id = random_instance_id();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto s = rocks_->db->Put(wo, rocks_->meta, std::string(schema::meta::kInstanceId),
                           std::string(reinterpret_cast<const char*>(id.data()), id.size()));  // NOLINT
  wrote();
  if (!s.ok()) return rocks_error(s, "writing the instance id");
  instance_id_ = id;
  return ok_status();
}

void Store::recompress_ingested() {
  if (!ingester_) return;
  for (auto& r : ingester_->take_ingested_ranges()) recompressor_->enqueue(r.family, std::move(r.lo), std::move(r.hi));
}

void Store::catch_up_ended() {
  if (!ingester_) return;
  if (auto d = deferral_->end_catch_up(); !d.ok()) spdlog::warn("store: {}", d.error().message);
  recompress_ingested();
}

uint64_t Store::wait_recompressed() { return recompressor_ ? recompressor_->wait_idle().done : 0; }

uint64_t Store::ingest_stalls() const { return ingester_ ? ingester_->stalls() : 0; }

uint64_t Store::compactions_running() const {
  uint64_t v = 0;
  return rocks_->db->GetIntProperty("rocksdb.num-running-compactions", &v) ? v : 0;
}

Status Store::pause_compactions(bool paused) {
  for (auto* h : rocks_->handles) {
    auto s = rocks_->db->SetOptions(h, {{"disable_auto_compactions", paused ? "true" : "false"}});
    if (!s.ok()) return rocks_error(s, "setting disable_auto_compactions");
  }
  return ok_status();
}

Status Store::wait_for_compactions(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto busy = [&] {
    if (compactions_running() > 0) return true;
    uint64_t v = 0;
    if (rocks_->db->GetIntProperty("rocksdb.num-running-flushes", &v) && v > 0) return true;
    for (auto* h : rocks_->handles) {
      if (rocks_->db->GetIntProperty(h, "rocksdb.compaction-pending", &v) && v > 0) return true;
      if (rocks_->db->GetIntProperty(h, "rocksdb.mem-table-flush-pending", &v) && v > 0) return true;
    }
    return false;
  };
  while (busy()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::kDeadlineExceeded, "compactions still pending after " + std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ok_status();
}

Result<std::vector<CfStats>> Store::cf_stats() const {
  std::vector<CfStats> out;
  for (auto* h : rocks_->handles) {
    CfStats st;
    st.name = h->GetName();
    uint64_t v = 0;
    if (rocks_->db->GetIntProperty(h, "rocksdb.live-sst-files-size", &v)) st.live_bytes = v;
    if (rocks_->db->GetIntProperty(h, "rocksdb.cur-size-all-mem-tables", &v)) st.memtable_bytes = v;
    if (rocks_->db->GetIntProperty(h, "rocksdb.estimate-num-keys", &v)) st.estimated_keys = v;
    st.l0_files = l0_files(*rocks_->db, h);
    out.push_back(std::move(st));
  }
  return out;
}

Status Store::flush_indexes(uint64_t min_entries) {
  if (read_only_) return ok_status();
  rocksdb::FlushOptions fo;
  fo.wait = false;
  fo.allow_write_stall = true;
  for (auto* cf : {rocks_->by_address, rocks_->by_token, rocks_->by_txid}) {
    uint64_t entries = 0;
    if (!rocks_->db->GetIntProperty(cf, "rocksdb.num-entries-active-mem-table", &entries)) continue;
    if (entries == 0 || entries <= min_entries) continue;
    auto s = rocks_->db->Flush(fo, cf);
    // TryAgain: writes are stopped behind flushes already under way; this memtable is flushed by RocksDB
    // or by the next call, so nothing is lost by not waiting here.
    if (s.IsTryAgain()) continue;
    if (!s.ok()) return rocks_error(s, "flushing " + cf->GetName());
  }
  return ok_status();
}

Status Store::compact() {
  if (read_only_) return make_error(Errc::kFailedPrecondition, "database opened read-only");
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* h : rocks_->handles) {
    auto s = rocks_->db->CompactRange(o, h, nullptr, nullptr);
    if (!s.ok()) return rocks_error(s, "compacting " + h->GetName());
  }
  return ok_status();
}

}  // namespace tronidx::store
