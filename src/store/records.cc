#include "records.h"

namespace tronidx::store {
namespace {

using schema::put_be32;
using schema::put_be64;
using schema::put_var;

void put_id(std::string& out, const chain::BlockId& id) {
  out.append(reinterpret_cast<const char*>(id.hash.bytes.data()), 32);  // NOLINT
}

void put_addr20(std::string& out, const chain::Address& a) {
  out.append(reinterpret_cast<const char*>(a.bytes().data()) + 1, 20);  // NOLINT
}

void put_block_fields(std::string& out, const BlockInfo& b) {
  put_be32(out, static_cast<uint32_t>(b.block_num));
  put_id(out, b.id);
  put_id(out, b.parent_id);
  put_var(out, static_cast<uint64_t>(b.timestamp_ms));
  put_var(out, b.tx_count);
  put_var(out, b.transfer_count);
}

Error malformed(uint64_t seq) {
  return make_error(Errc::kDataLoss, "database corruption: malformed journal record " + std::to_string(seq));
}

bool read_block_fields(schema::Reader& r, BlockInfo& b) {
  uint32_t num = 0;
  uint64_t ts = 0, txs = 0, transfers = 0;
  if (!r.be32(num) || !r.array(b.id.hash.bytes) || !r.array(b.parent_id.hash.bytes) || !r.var(ts) || !r.var(txs) ||
      !r.var(transfers)) {
    return false;
  }
  b.block_num = num;
  b.timestamp_ms = static_cast<int64_t>(ts);
  b.tx_count = static_cast<uint32_t>(txs);
  b.transfer_count = static_cast<uint32_t>(transfers);
  return true;
}

bool read_addr20(schema::Reader& r, chain::Address& a) {
  std::array<uint8_t, 20> raw{};
  if (!r.array(raw)) return false;
  a = chain::Address::from_evm(raw);
  return true;
}

}  // namespace

Result<IndexedTransfer> to_indexed(const schema::TransferValue& v, const decode::Position& pos,
                                   const chain::BlockId& block_id, int64_t timestamp_ms, const TokenDict& tokens) {
  IndexedTransfer out;
  decode::Transfer& t = out.transfer;
  t.position = pos;
  t.kind = v.kind;
  if (v.kind == decode::TransferKind::kTrx) {
    t.token = decode::trx_token();
  } else {
    auto token = tokens.token(v.token_ref);
    if (!token) {
      return make_error(Errc::kDataLoss,
                        "database corruption: unknown token ref " + std::to_string(v.token_ref));
    }
    t.token = *token;
  }
  t.from = v.from;
  t.to = v.to;
  t.amount = v.amount;
  t.txid = v.txid;
  out.block_id = block_id;
  out.timestamp_ms = timestamp_ms;
  out.backfilled = (v.flags & schema::kFlagBackfilled) != 0;
  out.backfill_seq = v.backfill_seq;
  return out;
}

schema::TransferValue to_value(const decode::Transfer& t, uint32_t token_ref, uint64_t backfill_seq) {
  schema::TransferValue v;
  v.kind = t.kind;
  v.flags = backfill_seq != 0 ? schema::kFlagBackfilled : 0;
  v.token_ref = t.kind == decode::TransferKind::kTrx ? 0 : token_ref;
  v.from = t.from;
  v.to = t.to;
  v.amount = t.amount;
  v.txid = t.txid;
  v.backfill_seq = backfill_seq;
  return v;
}

std::string encode_record(const JournalRecord& rec, const std::vector<schema::TransferValue>& values) {
  std::string out(1, static_cast<char>(rec.type));
  put_be32(out, static_cast<uint32_t>(rec.tip_after));
  put_be32(out, static_cast<uint32_t>(rec.solidified_after));
  switch (rec.type) {
    case RecordType::kApply:
      put_block_fields(out, rec.block);
      break;
    case RecordType::kRevert:
      put_block_fields(out, rec.block);
      put_be64(out, rec.block.apply_seq);
      break;
    case RecordType::kSolidify:
      put_be32(out, static_cast<uint32_t>(rec.solidified));
      put_be32(out, static_cast<uint32_t>(rec.previous_solidified));
      break;
    case RecordType::kWatch:
      put_addr20(out, rec.address);
      out.push_back(rec.watch_on ? 1 : 0);
      break;
    case RecordType::kBackfill:
      put_addr20(out, rec.address);
      put_var(out, rec.transfers.size());
      for (size_t i = 0; i < rec.transfers.size(); ++i) {
        schema::put_pos(out, rec.transfers[i].transfer.position);
        put_id(out, rec.transfers[i].block_id);
        put_var(out, static_cast<uint64_t>(rec.transfers[i].timestamp_ms));
        const std::string v = schema::encode_transfer(values.at(i));
        put_var(out, v.size());
        out += v;
      }
      break;
  }
  return out;
}

Result<JournalRecord> decode_record(uint64_t seq, std::string_view data, const TokenDict& tokens) {
  schema::Reader r(data);
  JournalRecord rec;
  rec.seq = seq;
  uint8_t type = 0;
  uint32_t tip = 0, solidified = 0;
  if (!r.u8(type) || !r.be32(tip) || !r.be32(solidified)) return malformed(seq);
  rec.type = static_cast<RecordType>(type);
  rec.tip_after = tip;
  rec.solidified_after = solidified;
  switch (rec.type) {
    case RecordType::kApply:
      if (!read_block_fields(r, rec.block)) return malformed(seq);
      rec.block.apply_seq = seq;
      break;
    case RecordType::kRevert:
      if (!read_block_fields(r, rec.block) || !r.be64(rec.block.apply_seq)) return malformed(seq);
      rec.block.revert_seq = seq;
      break;
    case RecordType::kSolidify: {
      uint32_t n = 0, prev = 0;
      if (!r.be32(n) || !r.be32(prev)) return malformed(seq);
      rec.solidified = n;
      rec.previous_solidified = prev;
      break;
    }
    case RecordType::kWatch: {
      uint8_t on = 0;
      if (!read_addr20(r, rec.address) || !r.u8(on)) return malformed(seq);
      rec.watch_on = on != 0;
      break;
    }
    case RecordType::kBackfill: {
      uint64_t count = 0;
      rec.has_transfers = true;
      if (!read_addr20(r, rec.address) || !r.var(count)) return malformed(seq);
      for (uint64_t i = 0; i < count; ++i) {
        std::string_view pos_bytes, value;
        chain::BlockId block_id;
        uint64_t ts = 0, len = 0;
        if (!r.bytes(schema::kPosSize, pos_bytes) || !r.array(block_id.hash.bytes) || !r.var(ts) || !r.var(len) ||
            !r.bytes(len, value)) {
          return malformed(seq);
        }
        TRONIDX_ASSIGN(auto v, schema::decode_transfer(value));
        const auto pos = schema::get_pos(reinterpret_cast<const uint8_t*>(pos_bytes.data()));  // NOLINT
        TRONIDX_ASSIGN(auto t, to_indexed(v, pos, block_id, static_cast<int64_t>(ts), tokens));
        rec.transfers.push_back(std::move(t));
      }
      break;
    }
    default:
      return malformed(seq);
  }
  if (!r.done()) return malformed(seq);
  return rec;
}

}  // namespace tronidx::store
