#pragma once
// Minimal protobuf wire-format helpers for the byte-level work the simulator does without messages:
// framing cached BlockExtention bytes into a BlockListExtention answer, locating the header part of a
// serialised BlockExtention, and length-delimited record files. Pure functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tronidx/chain/result.h"

namespace tronidx::sim::wire {

// Appends the key and length of a length-delimited field (wire type 2): what precedes `len` payload
// bytes of field `field` in a serialised message.
void append_len_prefix(std::string& out, uint32_t field, uint64_t len);

void append_varint(std::string& out, uint64_t v);

// Reads a varint at `pos` (advanced past it); std::nullopt if truncated or longer than 10 bytes.
std::optional<uint64_t> read_varint(std::string_view in, size_t& pos);

// In a serialised BlockExtention, the offset where the fields after `transactions` (block_header = 2,
// blockid = 3) begin: bytes [offset, end) are then exactly the detail=false answer.
// kInvalidArgument when the bytes are not a well-formed message, or when a transactions field follows
// a header field (non-canonical order: the caller must re-serialise).
Result<size_t> block_header_offset(std::string_view block_extention);

// Length-delimited records (protobuf's writeDelimitedTo / parseDelimitedFrom framing: a varint length
// then the bytes).
void append_delimited(std::string& out, std::string_view record);
// Reads the record at `pos` (advanced past it). std::nullopt at a clean end of input; kDataLoss when the
// input ends inside a record.
Result<std::optional<std::string_view>> read_delimited(std::string_view in, size_t& pos);

}  // namespace tronidx::sim::wire
