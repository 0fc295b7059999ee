#pragma once
// Encoding of journal records and conversion between stored transfer values and domain transfers.
// Internal to store/; layouts in schema.h.

#include <string>
#include <string_view>
#include <vector>

#include "schema.h"
#include "token_dict.h"
#include "tronidx/store/journal.h"

namespace tronidx::store {

// Stored value -> domain transfer (the dictionary resolves the token ref).
Result<IndexedTransfer> to_indexed(const schema::TransferValue& v, const decode::Position& pos,
                                   const chain::BlockId& block_id, int64_t timestamp_ms, const TokenDict& tokens);
// Domain transfer -> stored value (token_ref resolved by the caller).
schema::TransferValue to_value(const decode::Transfer& t, uint32_t token_ref, uint64_t backfill_seq);

std::string encode_apply(const BlockInfo& block);
std::string encode_revert(const BlockInfo& block);
std::string encode_solidify(uint64_t solidified, uint64_t previous);
std::string encode_watch(const chain::Address& address, bool on);
// `values[i]` is the stored value of `transfers[i]`.
std::string encode_backfill(const chain::Address& address, const std::vector<IndexedTransfer>& transfers,
                            const std::vector<schema::TransferValue>& values);

// Any record; BACKFILL transfers are resolved through `tokens`. kDataLoss if malformed.
Result<JournalRecord> decode_record(uint64_t seq, std::string_view data, const TokenDict& tokens);

}  // namespace tronidx::store
