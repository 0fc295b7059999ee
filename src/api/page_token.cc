#include "page_token.h"

#include "events.h"
#include "tronidx/chain/hash.h"

namespace tronidx::api {
namespace {

constexpr std::string_view kPrefix = "p1.";

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_be(const std::string& in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + static_cast<size_t>(i)]);
  return v;
}

}  // namespace

uint64_t request_binding(const v1::ListTransfersRequest& req) {
  v1::ListTransfersRequest copy = req;
  copy.clear_page_size();
  copy.clear_page_token();
  copy.clear_read_mask();  // which fields of a row, not which rows
  std::string bytes;
  copy.SerializeToString(&bytes);  // deterministic enough for one server version: fields in number order
  const chain::Hash32 h = chain::sha256("tronidx-page-v1|" + bytes);
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | h.bytes[i];
  return v;
}

std::string encode_page_token(uint64_t binding, const decode::Position& last) {
  std::string raw;
  put_be(raw, binding, 8);
  put_be(raw, last.block_num, 8);
  put_be(raw, last.tx_index, 4);
  put_be(raw, last.event_index, 4);
  return std::string(kPrefix) + base64url_encode(raw);
}

Result<decode::Position> decode_page_token(std::string_view token, uint64_t binding) {
  if (token.substr(0, kPrefix.size()) != kPrefix) {
    return make_error(Errc::kInvalidArgument, "page_token: not a tronidx page token");
  }
  auto raw = base64url_decode(token.substr(kPrefix.size()));
  if (!raw || raw->size() != 24) return make_error(Errc::kInvalidArgument, "page_token: malformed");
  if (get_be(*raw, 0, 8) != binding) {
    return make_error(Errc::kInvalidArgument,
                      "page_token: issued for a request with other fields; repeat the original request");
  }
  return decode::Position{get_be(*raw, 8, 8), static_cast<uint32_t>(get_be(*raw, 16, 4)),
                          static_cast<uint32_t>(get_be(*raw, 20, 4))};
}

}  // namespace tronidx::api
