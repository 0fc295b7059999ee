#include "wire.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

namespace tronidx::node::wire {
namespace {

using Bytes = std::span<const uint8_t>;

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5 };

// A forward-only reader over one message's bytes. Every method returns false on malformed input.
class Reader {
 public:
  explicit Reader(Bytes b) : p_(b.data()), end_(b.data() + b.size()) {}
  bool done() const { return p_ == end_; }

  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      const uint8_t b = *p_++;
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  // Next field: false at the end or on malformed input (`ok_` tells which).
  bool next(uint32_t& field, uint32_t& type) {
    if (p_ == end_) return false;
    uint64_t tag = 0;
    if (!varint(tag) || (tag >> 3) == 0 || (tag >> 3) > UINT32_MAX) return fail();
    field = static_cast<uint32_t>(tag >> 3);
    type = static_cast<uint32_t>(tag & 7);
    return true;
  }
  bool bytes(Bytes& out) {
    uint64_t len = 0;
    if (!varint(len) || len > static_cast<uint64_t>(end_ - p_)) return fail();
    out = Bytes(p_, static_cast<size_t>(len));
    p_ += len;
    return true;
  }
  bool skip(uint32_t type) {
    switch (type) {
      case kVarint: {
        uint64_t v = 0;
        return varint(v) || fail();
      }
      case kFixed64: return advance(8);
      case kFixed32: return advance(4);
      case kLength: {
        Bytes b;
        return bytes(b);
      }
      default: return fail();  // groups are not used by java-tron
    }
  }
  bool ok() const { return ok_; }

 private:
  bool advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return fail();
    p_ += n;
    return true;
  }
  bool fail() {
    ok_ = false;
    return false;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

// What a field callback did with the value: consumed it, wants it skipped (unknown or unused), or found
// it malformed.
enum class Act { kOk, kSkip, kBad };
Act ok_if(bool consumed) { return consumed ? Act::kOk : Act::kBad; }

// Iterates the fields of `msg`, calling f(field, type, reader) for each. Returns false on malformed input.
template <class F>
bool for_fields(Bytes msg, F&& f) {
  Reader r(msg);
  uint32_t field = 0, type = 0;
  while (r.next(field, type)) {
    const Act a = f(field, type, r);
    if (a == Act::kBad) return false;
    if (a == Act::kSkip && !r.skip(type)) return false;
    if (!r.ok()) return false;
  }
  return r.ok();
}

Error invalid(uint64_t num, const std::string& what) {
  return make_error(Errc::kUnavailable, "invalid answer from node for block " + std::to_string(num) + ": " + what);
}

Error malformed(uint64_t num, const char* what) { return invalid(num, std::string("malformed ") + what); }

template <size_t N>
bool copy_exact(Bytes b, std::array<uint8_t, N>& out) {
  if (b.size() != N) return false;
  std::copy(b.begin(), b.end(), out.begin());
  return true;
}

struct HeaderFields {
  bool present = false;
  Bytes raw;        // BlockHeader.raw_data, as received
  int64_t number = 0;
  int64_t timestamp = 0;
  Bytes parent;
  Bytes blockid;    // BlockExtention.blockid
};

bool parse_header_raw(Bytes raw, HeaderFields& h) {
  return for_fields(raw, [&](uint32_t f, uint32_t t, Reader& r) {
    uint64_t v = 0;
    if (f == 1 && t == kVarint) return ok_if(r.varint(v) && ((h.timestamp = static_cast<int64_t>(v)), true));
    if (f == 3 && t == kLength) return ok_if(r.bytes(h.parent));
    if (f == 7 && t == kVarint) return ok_if(r.varint(v) && ((h.number = static_cast<int64_t>(v)), true));
    return Act::kSkip;
  });
}

// The header of a BlockExtention; `txs` receives the TransactionExtention byte ranges when not null.
bool parse_block_fields(Bytes bytes, HeaderFields& h, std::vector<Bytes>* txs) {
  return for_fields(bytes, [&](uint32_t f, uint32_t t, Reader& r) {
    if (t != kLength) return Act::kSkip;
    Bytes b;
    if (f == 1) {
      if (!r.bytes(b)) return Act::kBad;
      if (txs != nullptr) txs->push_back(b);
      return Act::kOk;
    }
    if (f == 2) {
      if (!r.bytes(b)) return Act::kBad;
      h.present = true;
      return ok_if(for_fields(b, [&](uint32_t hf, uint32_t ht, Reader& hr) {
        if (hf != 1 || ht != kLength) return Act::kSkip;
        return ok_if(hr.bytes(h.raw) && parse_header_raw(h.raw, h));
      }));
    }
    if (f == 3) return ok_if(r.bytes(h.blockid));
    return Act::kSkip;
  });
}

// Validated header: present, number as expected, id of 32 bytes = BE64(number) ‖ sha256(raw)[8..], and a
// parent naming block number - 1.
Result<decode::BlockHeader> check_header(const HeaderFields& h, uint64_t expected, bool check_expected) {
  if (!h.present) {
    return make_error(Errc::kUnavailable, "node has no block " + std::to_string(expected) + " (empty answer)");
  }
  if (h.number < 0) return invalid(expected, "negative block number");
  const auto num = static_cast<uint64_t>(h.number);
  if (check_expected && num != expected) return invalid(expected, "the node answered block " + std::to_string(num));
  decode::BlockHeader out;
  out.block_num = num;
  if (!copy_exact(h.blockid, out.id.hash.bytes)) return invalid(num, "block id is not 32 bytes");
  if (out.id.block_num() != num) return invalid(num, "block id does not start with its number");
  if (chain::BlockId::compute(num, h.raw) != out.id) return invalid(num, "block id does not match the header's hash");
  if (num > 0) {
    if (!copy_exact(h.parent, out.parent_id.hash.bytes)) return invalid(num, "parentHash is not 32 bytes");
    if (out.parent_id.block_num() != num - 1) return invalid(num, "parentHash does not name block num-1");
  }
  out.timestamp_ms = h.timestamp;
  return out;
}

Result<chain::Address> address_field(Bytes b, uint64_t num, const char* field) {
  auto a = chain::Address::from_bytes(b, field);
  if (!a.ok()) return invalid(num, a.error().message);
  return a;
}

// Transaction.Contract -> type, and for TRX/TRC10 transfers their parameters.
Status parse_contract(Bytes contract, decode::RawTx& tx, uint64_t num) {
  Bytes type_url, value;
  uint64_t type = 0;
  bool has_type = false;
  const bool ok = for_fields(contract, [&](uint32_t f, uint32_t t, Reader& r) {
    if (f == 1 && t == kVarint) return ok_if(r.varint(type) && ((has_type = true), true));
    if (f == 2 && t == kLength) {
      Bytes any;
      if (!r.bytes(any)) return Act::kBad;
      return ok_if(for_fields(any, [&](uint32_t af, uint32_t at, Reader& ar) {
        if (at != kLength) return Act::kSkip;
        if (af == 1) return ok_if(ar.bytes(type_url));
        if (af == 2) return ok_if(ar.bytes(value));
        return Act::kSkip;
      }));
    }
    return Act::kSkip;
  });
  if (!ok) return malformed(num, "contract");
  tx.contract_type = has_type ? static_cast<int32_t>(type) : 0;
  const bool trx = tx.contract_type == decode::kTransferContract;
  const bool trc10 = tx.contract_type == decode::kTransferAssetContract;
  if (!trx && !trc10) return ok_status();
  const std::string_view url(reinterpret_cast<const char*>(type_url.data()), type_url.size());  // NOLINT
  const std::string_view want = trx ? "type.googleapis.com/protocol.TransferContract"
                                    : "type.googleapis.com/protocol.TransferAssetContract";
  if (url != want) return invalid(num, "contract parameter of tx " + tx.txid.to_hex() + " is not " + std::string(want));
  Bytes owner, to, asset;
  uint64_t amount = 0;
  const uint32_t owner_f = trx ? 1 : 2, to_f = trx ? 2 : 3, amount_f = trx ? 3 : 4;
  const bool pok = for_fields(value, [&](uint32_t f, uint32_t t, Reader& r) {
    if (t == kLength && f == owner_f) return ok_if(r.bytes(owner));
    if (t == kLength && f == to_f) return ok_if(r.bytes(to));
    if (t == kLength && trc10 && f == 1) return ok_if(r.bytes(asset));
    if (t == kVarint && f == amount_f) return ok_if(r.varint(amount));
    return Act::kSkip;
  });
  if (!pok) return malformed(num, trx ? "TransferContract" : "TransferAssetContract");
  TRONIDX_ASSIGN(tx.owner, address_field(owner, num, "owner_address"));
  TRONIDX_ASSIGN(tx.to, address_field(to, num, "to_address"));
  tx.amount = static_cast<int64_t>(amount);
  if (trc10) tx.asset_name.assign(reinterpret_cast<const char*>(asset.data()), asset.size());  // NOLINT
  return ok_status();
}

Result<decode::RawTx> parse_tx(Bytes ext, uint64_t num, bool verify_txids) {
  decode::RawTx tx;
  Bytes txid, transaction;
  const bool ok = for_fields(ext, [&](uint32_t f, uint32_t t, Reader& r) {
    if (t != kLength) return Act::kSkip;
    if (f == 1) return ok_if(r.bytes(transaction));
    if (f == 2) return ok_if(r.bytes(txid));
    return Act::kSkip;
  });
  if (!ok) return malformed(num, "transaction");
  if (!copy_exact(txid, tx.txid.hash.bytes)) return invalid(num, "txid is not 32 bytes");
  Bytes raw, contract;
  bool has_contract = false;
  const bool tok = for_fields(transaction, [&](uint32_t f, uint32_t t, Reader& r) {
    if (f == 1 && t == kLength) return ok_if(r.bytes(raw));
    if (f == 5 && t == kLength && tx.contract_ret == decode::kContractRetAbsent) {  // ret(0)
      Bytes ret;
      if (!r.bytes(ret)) return Act::kBad;
      tx.contract_ret = decode::kContractRetDefault;  // proto3 omits DEFAULT (0) on the wire
      return ok_if(for_fields(ret, [&](uint32_t rf, uint32_t rt, Reader& rr) {
        uint64_t v = 0;
        if (rf == 3 && rt == kVarint) return ok_if(rr.varint(v) && ((tx.contract_ret = static_cast<int32_t>(v)), true));
        return Act::kSkip;
      }));
    }
    return Act::kSkip;
  });
  if (!tok) return malformed(num, "transaction");
  if (verify_txids && chain::TxId::compute(raw) != tx.txid) {
    return invalid(num, "txid " + tx.txid.to_hex() + " is not sha256(raw_data)");
  }
  const bool rok = for_fields(raw, [&](uint32_t f, uint32_t t, Reader& r) {
    if (f == 11 && t == kLength && !has_contract) return ok_if(r.bytes(contract) && ((has_contract = true), true));
    return Act::kSkip;
  });
  if (!rok) return malformed(num, "raw_data");
  if (!has_contract) return invalid(num, "tx " + tx.txid.to_hex() + " has no contract");
  TRONIDX_TRY(parse_contract(contract, tx, num));
  return tx;
}

Result<decode::RawBlock> parse_one(Bytes bytes, uint64_t expected, bool with_transactions, bool verify_txids,
                                   bool check_expected) {
  HeaderFields h;
  std::vector<Bytes> txs;
  if (!parse_block_fields(bytes, h, with_transactions ? &txs : nullptr)) return malformed(expected, "block");
  decode::RawBlock out;
  TRONIDX_ASSIGN(out.header, check_header(h, expected, check_expected));
  out.txs.reserve(txs.size());
  for (Bytes t : txs) {
    TRONIDX_ASSIGN(auto tx, parse_tx(t, out.header.block_num, verify_txids));
    out.txs.push_back(std::move(tx));
  }
  return out;
}

}  // namespace

Result<std::vector<decode::RawBlock>> parse_block_list(Bytes bytes, uint64_t from, bool verify_txids) {
  std::vector<Bytes> blocks;
  const bool ok = for_fields(bytes, [&](uint32_t f, uint32_t t, Reader& r) {
    if (f != 1 || t != kLength) return Act::kSkip;
    Bytes b;
    return ok_if(r.bytes(b) && (blocks.push_back(b), true));
  });
  if (!ok) return malformed(from, "block list");
  std::vector<decode::RawBlock> out;
  out.reserve(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    TRONIDX_ASSIGN(auto b, parse_one(blocks[i], from + i, true, verify_txids, true));
    if (!out.empty() && b.header.parent_id != out.back().header.id) {
      return invalid(b.header.block_num, "it does not connect to the previous block of the range");
    }
    out.push_back(std::move(b));
  }
  return out;
}

Result<decode::RawBlock> parse_block(Bytes bytes, uint64_t expected, bool with_transactions, bool verify_txids) {
  return parse_one(bytes, expected, with_transactions, verify_txids, true);
}

Result<decode::BlockHeader> parse_head(Bytes bytes) {
  TRONIDX_ASSIGN(auto b, parse_one(bytes, 0, false, false, false));
  return b.header;
}

Result<std::vector<decode::RawTxInfo>> parse_infos(Bytes bytes, uint64_t block_num) {
  std::vector<decode::RawTxInfo> out;
  std::string error;  // a specific reason, when there is one
  auto parse_log = [&](Bytes b, decode::RawTxInfo& ri) -> Act {
    decode::RawLog log;
    Bytes address, data;
    bool topics_ok = true;
    const bool lok = for_fields(b, [&](uint32_t lf, uint32_t lt, Reader& lr) {
      if (lt != kLength) return Act::kSkip;
      if (lf == 1) return ok_if(lr.bytes(address));
      if (lf == 3) return ok_if(lr.bytes(data));
      if (lf == 2) {
        Bytes topic;
        if (!lr.bytes(topic)) return Act::kBad;
        if (topic.size() != 32) topics_ok = false;
        if (log.topic_count < 3 && topic.size() == 32) {
          std::copy(topic.begin(), topic.end(), log.topics[log.topic_count].bytes.begin());
        }
        ++log.topic_count;
        return Act::kOk;
      }
      return Act::kSkip;
    });
    if (!lok) return Act::kBad;
    if (!topics_ok) {
      error = "log topic is not 32 bytes in tx " + ri.txid.to_hex();
      return Act::kBad;
    }
    if (address.size() == 21 && address[0] == 0x41) address = address.subspan(1);
    if (address.size() != 20) {
      error = "log address of " + std::to_string(address.size()) + " bytes in tx " + ri.txid.to_hex();
      return Act::kBad;
    }
    std::copy(address.begin(), address.end(), log.address.begin());
    log.data_size = static_cast<uint32_t>(data.size());
    if (data.size() == 32) std::copy(data.begin(), data.end(), log.data.begin());
    ri.logs.push_back(log);
    return Act::kOk;
  };
  const bool ok = for_fields(bytes, [&](uint32_t f, uint32_t t, Reader& r) {
    if (f != 1 || t != kLength) return Act::kSkip;
    Bytes info;
    if (!r.bytes(info)) return Act::kBad;
    decode::RawTxInfo ri;
    ri.result_ok = true;  // proto3 omits result = SUCESS (0) on the wire
    bool id_ok = false;
    const bool iok = for_fields(info, [&](uint32_t inf, uint32_t it, Reader& ir) {
      uint64_t v = 0;
      Bytes b;
      if (inf == 1 && it == kLength) return ok_if(ir.bytes(b) && ((id_ok = copy_exact(b, ri.txid.hash.bytes)), true));
      if (inf == 3 && it == kVarint) return ok_if(ir.varint(v) && ((ri.block_num = static_cast<int64_t>(v)), true));
      if (inf == 9 && it == kVarint) return ok_if(ir.varint(v) && ((ri.result_ok = v == 0), true));
      if (inf == 7 && it == kLength) {
        if (!ir.bytes(b)) return Act::kBad;
        return ok_if(for_fields(b, [&](uint32_t rf, uint32_t rt, Reader& rr) {
          uint64_t rv = 0;
          if (rf == 7 && rt == kVarint) return ok_if(rr.varint(rv) && ((ri.receipt_result = static_cast<int32_t>(rv)), true));
          return Act::kSkip;
        }));
      }
      if (inf == 8 && it == kLength) {
        if (!ir.bytes(b)) return Act::kBad;
        return parse_log(b, ri);
      }
      return Act::kSkip;
    });
    if (!iok) return Act::kBad;
    if (!id_ok) {
      error = "info id is not 32 bytes";
      return Act::kBad;
    }
    out.push_back(std::move(ri));
    return Act::kOk;
  });
  if (!ok) return error.empty() ? malformed(block_num, "transaction infos") : invalid(block_num, error);
  return out;
}

}  // namespace tronidx::node::wire
