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

// Encodes `rec` (its type-specific fields, and tip_after/solidified_after). For kBackfill, `values[i]` is
// the stored value of rec.transfers[i]; other types ignore `values`.
std::string encode_record(const JournalRecord& rec, const std::vector<schema::TransferValue>& values = {});

// Any record; BACKFILL transfers are resolved through `tokens`. kDataLoss if malformed.
Result<JournalRecord> decode_record(uint64_t seq, std::string_view data, const TokenDict& tokens);

}  // namespace tronidx::store
