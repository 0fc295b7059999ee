#pragma once
// ListTransfers page tokens: opaque, bound to the request's fields (other than page_size, page_token and read_mask),
// carrying the position of the last row returned. Positions are stable for history that did not change,
// so continuing "after the last position" neither skips nor repeats rows while blocks arrive or reorgs
// happen above the cursor.

#include <cstdint>
#include <string>
#include <string_view>

#include "tronidx/chain/result.h"
#include "tronidx/decode/transfer.h"
#include "tronidx/v1/query.pb.h"

namespace tronidx::api {

uint64_t request_binding(const v1::ListTransfersRequest& req);
std::string encode_page_token(uint64_t binding, const decode::Position& last);
// kInvalidArgument naming page_token when malformed or issued for another request.
Result<decode::Position> decode_page_token(std::string_view token, uint64_t binding);

}  // namespace tronidx::api
