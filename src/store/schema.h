#pragma once
// The on-disk layout of a tronidx database: every column family, key and value, in one place.
//
// Bump kSchemaVersion whenever anything below changes meaning; Store::open refuses other versions.
//
// Conventions
//   BE32/BE64  big-endian fixed-width unsigned integers (so byte order = numeric order in keys)
//   VAR        LEB128 varint (values only, never keys)
//   addr20     the 20-byte account part of a TRON address (the constant 0x41 prefix is not stored)
//   pos8       a transfer position: BE32 block_num | BE16 tx_index | BE16 event_index.
//              Limits: block_num < 2^32 (≈400 years of 3 s blocks), tx_index and event_index < 2^16.
//              A block beyond them is refused (sync halts with a clear error) rather than stored wrong.
//   seq        a journal sequence number (1, 2, 3, … with no holes)
//
// Column families
//
//   meta        name (ASCII) -> value
//     "schema_version" -> BE32
//     "instance_id"    -> 16 random bytes chosen at creation; part of every subscription cursor, so a
//                         cursor from another database (restored backup, rebuilt index) is refused
//     "genesis_id"     -> 32 bytes: the network's block 0 id (a database never mixes chains)
//     "mode"           -> ASCII indexing mode, e.g. "watched", "all:*", "all:<token hex41>,<...>"
//     "base"           -> BE32 num | 32 id: the block below the first indexed one (never reverted)
//     "tip"            -> BE32 num | 32 id: the last applied block
//     "solidified"     -> BE32: min(node's solidified number, tip) as last journalled
//     "journal_first"  -> BE64: oldest retained journal seq (records below were pruned)
//     "next_seq"       -> BE64: seq of the next journal record
//
//   blocks      BE32 block_num | BE64 apply_seq -> block value
//     Every version of a height ever applied: the canonical one has revert_seq = 0; reverted ones are kept
//     (with their transfers in `orphans`) while the journal still references them.
//     block value = 32 id | 32 parent_id | VAR timestamp_ms | VAR tx_count | VAR transfer_count |
//                   VAR revert_seq (0 = canonical)
//
//   transfers   pos8 -> transfer value        (transfers of canonical blocks)
//     transfer value = u8 kind | u8 flags | VAR token_ref | addr20 from | addr20 to |
//                      u8 amount_len | amount (minimal big-endian) | 32 txid | [VAR backfill_seq]
//     kind: 1 TRX, 2 TRC20, 3 TRC10.  token_ref: 0 for TRX, else an id from `tokens`.
//     flags bit 0 (kFlagBackfilled): inserted by a BACKFILL record (watched mode) rather than by its
//     block's APPLY; backfill_seq is then present.
//
//   orphans     BE64 apply_seq | pos8 -> transfer value   (transfers of reverted block versions)
//
//   by_address  addr20[0..8) | u8 dir | pos8 -> (empty), or for the busiest addresses the transfer's value
//               (the transfers family's bytes, written in the same commit; rows never change once
//               written): a page of their history needs no lookup per row (hot_addresses.h)
//     dir: 0 = outgoing (address is `from`), 1 = incoming (`to`). A self-transfer has both entries.
//     Only 8 bytes of the address are in the key: readers confirm every hit against the transfer value.
//     In `watched` mode only the watched side(s) of a transfer are indexed.
//
//   by_token    BE32 token_ref | pos8 -> (empty)      (token_ref 0 = TRX)
//     Chain-order history of a token; in `watched` mode only its transfers touching watched addresses.
//
//   by_txid     txid[0..8) | BE32 block_num | BE16 tx_index -> (empty)
//     One entry per transaction that produced an indexed transfer; readers confirm the txid.
//
//   journal     BE64 seq -> journal record (see JournalRecord in include/tronidx/store/journal.h)
//     u8 type | BE32 tip_after | BE32 solidified_after (the state right after the record), then:
//       APPLY    : BE32 num | 32 id | 32 parent | VAR timestamp_ms | VAR tx_count | VAR transfer_count
//                  (the transfers are the block version (num, apply_seq = this seq): in `transfers` while
//                  canonical, in `orphans` after a revert; backfilled ones are excluded)
//       REVERT   : BE32 num | 32 id | 32 parent | VAR timestamp_ms | VAR tx_count | VAR transfer_count |
//                  BE64 apply_seq
//                  (transfers: `orphans` under apply_seq, backfilled ones included)
//       SOLIDIFY : BE32 new solidified number | BE32 previous solidified number
//       BACKFILL : addr20 | VAR count | count × (pos8 | 32 block_id | VAR timestamp_ms | VAR value_len | transfer
//       value) WATCH    : addr20 | u8 on
//
//   watches     addr20 | BE64 added_seq -> VAR removed_seq (0 = still watched) | VAR since_block |
//               VAR label_len | label
//     Every watch interval ever, so the watched set as of any journal seq can be rebuilt.
//
//   tokens      'r' | BE32 ref -> 21-byte token ;  't' | 21-byte token -> BE32 ref
//     Append-only dictionary of token contracts (TRC20) and TRC10 ids (decode::trc10_token form).
//
//   jobs        BE64 job_id -> job state (backfill/reindex/verify progress; encoded by sync/jobs)

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tronidx/chain/address.h"
#include "tronidx/chain/ids.h"
#include "tronidx/chain/result.h"
#include "tronidx/decode/transfer.h"

namespace tronidx::store::schema {

inline constexpr uint32_t kSchemaVersion = 1;

inline constexpr const char* kCfMeta = "default";
inline constexpr const char* kCfBlocks = "blocks";
inline constexpr const char* kCfTransfers = "transfers";
inline constexpr const char* kCfOrphans = "orphans";
inline constexpr const char* kCfByAddress = "by_address";
inline constexpr const char* kCfByToken = "by_token";
inline constexpr const char* kCfByTxid = "by_txid";
inline constexpr const char* kCfJournal = "journal";
inline constexpr const char* kCfWatches = "watches";
inline constexpr const char* kCfTokens = "tokens";
inline constexpr const char* kCfJobs = "jobs";

namespace meta {
inline constexpr std::string_view kSchemaVersionKey = "schema_version";
inline constexpr std::string_view kInstanceId = "instance_id";
inline constexpr std::string_view kGenesisId = "genesis_id";
inline constexpr std::string_view kMode = "mode";
inline constexpr std::string_view kBase = "base";
inline constexpr std::string_view kTip = "tip";
inline constexpr std::string_view kSolidified = "solidified";
inline constexpr std::string_view kJournalFirst = "journal_first";
inline constexpr std::string_view kNextSeq = "next_seq";
}  // namespace meta

inline constexpr uint8_t kDirOut = 0;
inline constexpr uint8_t kDirIn = 1;
inline constexpr uint8_t kFlagBackfilled = 1;

inline constexpr size_t kPosSize = 8;
inline constexpr size_t kAddrPrefixSize = 8;
inline constexpr size_t kByAddressPrefix = kAddrPrefixSize + 1;  // addr prefix | dir
inline constexpr size_t kTxidPrefixSize = 8;

// ---- integers --------------------------------------------------------------------------------------

void put_be32(std::string& out, uint32_t v);
void put_be64(std::string& out, uint64_t v);
void put_var(std::string& out, uint64_t v);
uint32_t get_be32(const uint8_t* p) noexcept;
uint64_t get_be64(const uint8_t* p) noexcept;

// Sequential reader over a value; every getter fails (returns false) instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  bool u8(uint8_t& v);
  bool be32(uint32_t& v);
  bool be64(uint64_t& v);
  bool var(uint64_t& v);
  bool bytes(size_t n, std::string_view& v);
  template <size_t N>
  bool array(std::array<uint8_t, N>& v) {
    std::string_view s;
    if (!bytes(N, s)) return false;
    std::copy(s.begin(), s.end(), v.begin());
    return true;
  }
  bool done() const noexcept { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
};

// ---- keys ------------------------------------------------------------------------------------------

// Fails (kOutOfRange) when the position exceeds the pos8 limits above.
Result<std::string> pos_key(const decode::Position& pos);
void put_pos(std::string& out, const decode::Position& pos);  // caller has checked the limits
decode::Position get_pos(const uint8_t* p) noexcept;
Status check_position_limits(const decode::Position& pos);

std::string block_key(uint64_t block_num, uint64_t apply_seq);
std::string block_prefix(uint64_t block_num);  // BE32 num
std::string transfers_block_prefix(uint64_t block_num);  // BE32 num
std::string transfers_tx_prefix(uint64_t block_num, uint32_t tx_index);  // BE32 num | BE16 tx
std::string orphan_prefix(uint64_t apply_seq);
std::string by_address_prefix(const chain::Address& address, uint8_t dir);
std::string by_address_key(const chain::Address& address, uint8_t dir, const decode::Position& pos);
std::string by_token_prefix(uint32_t token_ref);
std::string by_token_key(uint32_t token_ref, const decode::Position& pos);
std::string by_txid_prefix(const chain::TxId& txid);
std::string by_txid_key(const chain::TxId& txid, uint64_t block_num, uint32_t tx_index);
std::string journal_key(uint64_t seq);
std::string watch_prefix(const chain::Address& address);
std::string watch_key(const chain::Address& address, uint64_t added_seq);
std::string token_ref_key(uint32_t ref);
std::string token_addr_key(const chain::Address& token);

// Fixed-size keys built on the stack, for the per-transfer hot path (no allocation).
template <size_t N>
struct FixedKey {
  char data[N];
  std::string_view view() const { return {data, N}; }
};
FixedKey<kPosSize> pos_fixed(const decode::Position& pos);  // limits already checked
FixedKey<kByAddressPrefix + kPosSize> by_address_fixed(const chain::Address& address, uint8_t dir,
                                                        const decode::Position& pos);
FixedKey<4 + kPosSize> by_token_fixed(uint32_t token_ref, const decode::Position& pos);
FixedKey<kTxidPrefixSize + 6> by_txid_fixed(const chain::TxId& txid, uint64_t block_num, uint32_t tx_index);

// ---- values ----------------------------------------------------------------------------------------

struct BlockValue {
  chain::BlockId id;
  chain::BlockId parent_id;
  int64_t timestamp_ms = 0;
  uint32_t tx_count = 0;
  uint32_t transfer_count = 0;
  uint64_t revert_seq = 0;
};
std::string encode_block(const BlockValue& v);
Result<BlockValue> decode_block(std::string_view data);

// A transfer value without its position (the key holds it) and with the token as a dictionary ref.
struct TransferValue {
  decode::TransferKind kind = decode::TransferKind::kTrc20;
  uint8_t flags = 0;
  uint32_t token_ref = 0;
  chain::Address from;
  chain::Address to;
  chain::Amount amount;
  chain::TxId txid;
  uint64_t backfill_seq = 0;  // when flags & kFlagBackfilled
};
std::string encode_transfer(const TransferValue& v);
// Same, into `out` (cleared first): lets a caller reuse one buffer.
void encode_transfer_into(const TransferValue& v, std::string& out);
Result<TransferValue> decode_transfer(std::string_view data);

std::string encode_tip(uint64_t block_num, const chain::BlockId& id);
Result<std::pair<uint64_t, chain::BlockId>> decode_tip(std::string_view data);

}  // namespace tronidx::store::schema
