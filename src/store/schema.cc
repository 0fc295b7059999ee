#include "schema.h"

#include <algorithm>
#include <cstring>

#include "tronidx/chain/hex.h"

namespace tronidx::store::schema {
namespace {

Error corrupt(std::string_view what) {
  return make_error(Errc::kDataLoss, "database corruption: malformed " + std::string(what) + " value");
}

void put_addr20(std::string& out, const chain::Address& a) {
  out.append(reinterpret_cast<const char*>(a.bytes().data()) + 1, 20);  // NOLINT
}

bool get_addr20(Reader& r, chain::Address& a) {
  std::array<uint8_t, 20> raw{};
  if (!r.array(raw)) return false;
  a = chain::Address::from_evm(raw);
  return true;
}

}  // namespace

void put_be32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}

void put_be64(std::string& out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}

void put_var(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

uint32_t get_be32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

uint64_t get_be64(const uint8_t* p) noexcept {
  return (uint64_t{get_be32(p)} << 32) | get_be32(p + 4);
}

bool Reader::u8(uint8_t& v) {
  if (p_ == end_) return false;
  v = static_cast<uint8_t>(*p_++);
  return true;
}

bool Reader::be32(uint32_t& v) {
  if (end_ - p_ < 4) return false;
  v = get_be32(reinterpret_cast<const uint8_t*>(p_));  // NOLINT
  p_ += 4;
  return true;
}

bool Reader::be64(uint64_t& v) {
  if (end_ - p_ < 8) return false;
  v = get_be64(reinterpret_cast<const uint8_t*>(p_));  // NOLINT
  p_ += 8;
  return true;
}

bool Reader::var(uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ == end_) return false;
    const auto b = static_cast<uint8_t>(*p_++);
    v |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

bool Reader::bytes(size_t n, std::string_view& v) {
  if (static_cast<size_t>(end_ - p_) < n) return false;
  v = std::string_view(p_, n);
  p_ += n;
  return true;
}

Status check_position_limits(const decode::Position& pos) {
  if (pos.block_num > UINT32_MAX || pos.tx_index > UINT16_MAX || pos.event_index > UINT16_MAX) {
    return make_error(Errc::kOutOfRange, "position " + std::to_string(pos.block_num) + "/" +
                                             std::to_string(pos.tx_index) + "/" + std::to_string(pos.event_index) +
                                             " exceeds the schema's limits (block < 2^32, tx and event < 2^16)");
  }
  return ok_status();
}

void put_pos(std::string& out, const decode::Position& pos) {
  put_be32(out, static_cast<uint32_t>(pos.block_num));
  out.push_back(static_cast<char>((pos.tx_index >> 8) & 0xff));
  out.push_back(static_cast<char>(pos.tx_index & 0xff));
  out.push_back(static_cast<char>((pos.event_index >> 8) & 0xff));
  out.push_back(static_cast<char>(pos.event_index & 0xff));
}

Result<std::string> pos_key(const decode::Position& pos) {
  TRONIDX_TRY(check_position_limits(pos));
  std::string k;
  put_pos(k, pos);
  return k;
}

decode::Position get_pos(const uint8_t* p) noexcept {
  return decode::Position{get_be32(p), static_cast<uint32_t>((p[4] << 8) | p[5]),
                          static_cast<uint32_t>((p[6] << 8) | p[7])};
}

std::string block_key(uint64_t block_num, uint64_t apply_seq) {
  std::string k = block_prefix(block_num);
  put_be64(k, apply_seq);
  return k;
}

std::string block_prefix(uint64_t block_num) {
  std::string k;
  put_be32(k, static_cast<uint32_t>(block_num));
  return k;
}

std::string transfers_block_prefix(uint64_t block_num) { return block_prefix(block_num); }

std::string transfers_tx_prefix(uint64_t block_num, uint32_t tx_index) {
  std::string k = block_prefix(block_num);
  k.push_back(static_cast<char>((tx_index >> 8) & 0xff));
  k.push_back(static_cast<char>(tx_index & 0xff));
  return k;
}

std::string orphan_prefix(uint64_t apply_seq) {
  std::string k;
  put_be64(k, apply_seq);
  return k;
}

std::string by_address_prefix(const chain::Address& address, uint8_t dir) {
  std::string k(reinterpret_cast<const char*>(address.bytes().data()) + 1, kAddrPrefixSize);  // NOLINT
  k.push_back(static_cast<char>(dir));
  return k;
}

std::string by_address_key(const chain::Address& address, uint8_t dir, const decode::Position& pos) {
  std::string k = by_address_prefix(address, dir);
  put_pos(k, pos);
  return k;
}

std::string by_token_prefix(uint32_t token_ref) {
  std::string k;
  put_be32(k, token_ref);
  return k;
}

std::string by_token_key(uint32_t token_ref, const decode::Position& pos) {
  std::string k = by_token_prefix(token_ref);
  put_pos(k, pos);
  return k;
}

std::string by_txid_prefix(const chain::TxId& txid) {
  return std::string(reinterpret_cast<const char*>(txid.hash.bytes.data()), kTxidPrefixSize);  // NOLINT
}

std::string by_txid_key(const chain::TxId& txid, uint64_t block_num, uint32_t tx_index) {
  std::string k = by_txid_prefix(txid);
  put_be32(k, static_cast<uint32_t>(block_num));
  k.push_back(static_cast<char>((tx_index >> 8) & 0xff));
  k.push_back(static_cast<char>(tx_index & 0xff));
  return k;
}

std::string journal_key(uint64_t seq) {
  std::string k;
  put_be64(k, seq);
  return k;
}

std::string watch_prefix(const chain::Address& address) {
  std::string k;
  put_addr20(k, address);
  return k;
}

std::string watch_key(const chain::Address& address, uint64_t added_seq) {
  std::string k = watch_prefix(address);
  put_be64(k, added_seq);
  return k;
}

std::string token_ref_key(uint32_t ref) {
  std::string k = "r";
  put_be32(k, ref);
  return k;
}

std::string token_addr_key(const chain::Address& token) {
  std::string k = "t";
  k.append(reinterpret_cast<const char*>(token.bytes().data()), chain::Address::kSize);  // NOLINT
  return k;
}

namespace {

void be32_at(char* p, uint32_t v) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}

void pos_at(char* p, const decode::Position& pos) {
  be32_at(p, static_cast<uint32_t>(pos.block_num));
  p[4] = static_cast<char>(pos.tx_index >> 8);
  p[5] = static_cast<char>(pos.tx_index);
  p[6] = static_cast<char>(pos.event_index >> 8);
  p[7] = static_cast<char>(pos.event_index);
}

}  // namespace

FixedKey<kPosSize> pos_fixed(const decode::Position& pos) {
  FixedKey<kPosSize> k;
  pos_at(k.data, pos);
  return k;
}

FixedKey<kByAddressPrefix + kPosSize> by_address_fixed(const chain::Address& address, uint8_t dir,
                                                        const decode::Position& pos) {
  FixedKey<kByAddressPrefix + kPosSize> k;
  std::memcpy(k.data, address.bytes().data() + 1, kAddrPrefixSize);
  k.data[kAddrPrefixSize] = static_cast<char>(dir);
  pos_at(k.data + kByAddressPrefix, pos);
  return k;
}

FixedKey<4 + kPosSize> by_token_fixed(uint32_t token_ref, const decode::Position& pos) {
  FixedKey<4 + kPosSize> k;
  be32_at(k.data, token_ref);
  pos_at(k.data + 4, pos);
  return k;
}

FixedKey<kTxidPrefixSize + 6> by_txid_fixed(const chain::TxId& txid, uint64_t block_num, uint32_t tx_index) {
  FixedKey<kTxidPrefixSize + 6> k;
  std::memcpy(k.data, txid.hash.bytes.data(), kTxidPrefixSize);
  be32_at(k.data + kTxidPrefixSize, static_cast<uint32_t>(block_num));
  k.data[kTxidPrefixSize + 4] = static_cast<char>(tx_index >> 8);
  k.data[kTxidPrefixSize + 5] = static_cast<char>(tx_index);
  return k;
}

std::string encode_block(const BlockValue& v) {
  std::string out;
  out.reserve(80);
  out.append(reinterpret_cast<const char*>(v.id.hash.bytes.data()), 32);         // NOLINT
  out.append(reinterpret_cast<const char*>(v.parent_id.hash.bytes.data()), 32);  // NOLINT
  put_var(out, static_cast<uint64_t>(v.timestamp_ms));
  put_var(out, v.tx_count);
  put_var(out, v.transfer_count);
  put_var(out, v.revert_seq);
  return out;
}

Result<BlockValue> decode_block(std::string_view data) {
  Reader r(data);
  BlockValue v;
  uint64_t ts = 0, txs = 0, transfers = 0;
  if (!r.array(v.id.hash.bytes) || !r.array(v.parent_id.hash.bytes) || !r.var(ts) || !r.var(txs) ||
      !r.var(transfers) || !r.var(v.revert_seq) || !r.done()) {
    return corrupt("block");
  }
  v.timestamp_ms = static_cast<int64_t>(ts);
  v.tx_count = static_cast<uint32_t>(txs);
  v.transfer_count = static_cast<uint32_t>(transfers);
  return v;
}

std::string encode_transfer(const TransferValue& v) {
  std::string out;
  encode_transfer_into(v, out);
  return out;
}

void encode_transfer_into(const TransferValue& v, std::string& out) {
  out.clear();
  out.reserve(96);
  out.push_back(static_cast<char>(v.kind));
  out.push_back(static_cast<char>(v.flags));
  put_var(out, v.token_ref);
  put_addr20(out, v.from);
  put_addr20(out, v.to);
  const std::string amount = v.amount.to_compact_bytes();
  out.push_back(static_cast<char>(amount.size()));
  out += amount;
  out.append(reinterpret_cast<const char*>(v.txid.hash.bytes.data()), 32);  // NOLINT
  if ((v.flags & kFlagBackfilled) != 0) put_var(out, v.backfill_seq);
}

Result<TransferValue> decode_transfer(std::string_view data) {
  Reader r(data);
  TransferValue v;
  uint8_t kind = 0, amount_len = 0;
  uint64_t token_ref = 0;
  std::string_view amount;
  if (!r.u8(kind) || kind < 1 || kind > 3 || !r.u8(v.flags) || !r.var(token_ref) || !get_addr20(r, v.from) ||
      !get_addr20(r, v.to) || !r.u8(amount_len) || amount_len > 32 || !r.bytes(amount_len, amount) ||
      !r.array(v.txid.hash.bytes)) {
    return corrupt("transfer");
  }
  if ((v.flags & kFlagBackfilled) != 0 && !r.var(v.backfill_seq)) return corrupt("transfer");
  if (!r.done()) return corrupt("transfer");
  v.kind = static_cast<decode::TransferKind>(kind);
  v.token_ref = static_cast<uint32_t>(token_ref);
  auto a = chain::Amount::from_be_bytes(chain::as_bytes(amount));
  if (!a.ok()) return corrupt("transfer");
  v.amount = *a;
  return v;
}

std::string encode_tip(uint64_t block_num, const chain::BlockId& id) {
  std::string out;
  put_be32(out, static_cast<uint32_t>(block_num));
  out.append(reinterpret_cast<const char*>(id.hash.bytes.data()), 32);  // NOLINT
  return out;
}

Result<std::pair<uint64_t, chain::BlockId>> decode_tip(std::string_view data) {
  Reader r(data);
  uint32_t num = 0;
  chain::BlockId id;
  if (!r.be32(num) || !r.array(id.hash.bytes) || !r.done()) return corrupt("tip");
  return std::pair<uint64_t, chain::BlockId>{num, id};
}

}  // namespace tronidx::store::schema
