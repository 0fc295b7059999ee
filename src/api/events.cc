#include "events.h"

#include <algorithm>

#include "tronidx/chain/hash.h"

namespace tronidx::api {
namespace {

void sort_unique(std::vector<chain::Address>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_be(const std::string& in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + static_cast<size_t>(i)]);
  return v;
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kCursorPrefix = "c1.";

}  // namespace

const char* event_type_name(EventType type) noexcept {
  switch (type) {
    case EventType::kAdded: return "ADDED";
    case EventType::kConfirmed: return "CONFIRMED";
    case EventType::kFinalized: return "FINALIZED";
    case EventType::kReverted: return "REVERTED";
  }
  return "UNKNOWN";
}

Filter::Filter(std::vector<chain::Address> addresses, std::vector<chain::Address> tokens)
    : addresses_(std::move(addresses)), tokens_(std::move(tokens)) {
  sort_unique(addresses_);
  sort_unique(tokens_);
}

bool Filter::has_address(const chain::Address& a) const noexcept {
  return std::binary_search(addresses_.begin(), addresses_.end(), a);
}

bool Filter::has_token(const chain::Address& t) const noexcept {
  return std::binary_search(tokens_.begin(), tokens_.end(), t);
}

bool Filter::matches(const decode::Transfer& t, uint64_t seq, const store::WatchSet& watches) const {
  if (everything_watched()) return watches.watched_at(t.from, seq) || watches.watched_at(t.to, seq);
  if (!tokens_.empty() && !has_token(t.token)) return false;
  return addresses_.empty() || has_address(t.from) || has_address(t.to);
}

uint64_t Filter::binding(uint32_t depth) const {
  std::string material = "tronidx-subscription-v1|";
  for (const auto& a : addresses_) material.append(reinterpret_cast<const char*>(a.bytes().data()), 21);  // NOLINT
  material += "|";
  for (const auto& t : tokens_) material.append(reinterpret_cast<const char*>(t.bytes().data()), 21);  // NOLINT
  material += "|";
  put_be(material, depth, 4);
  const chain::Hash32 h = chain::sha256(material);
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | h.bytes[i];
  return v;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kB64[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kB64[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const char* p = std::find(kB64, kB64 + 64, c);
    if (p == kB64 + 64) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical tail
  return out;
}

std::string encode_cursor(const std::array<uint8_t, 16>& instance_id, const Cursor& c, uint64_t binding) {
  std::string raw(reinterpret_cast<const char*>(instance_id.data()), instance_id.size());  // NOLINT
  put_be(raw, c.seq, 8);
  put_be(raw, c.ordinal, 4);
  put_be(raw, binding, 8);
  return std::string(kCursorPrefix) + base64url_encode(raw);
}

Result<Cursor> decode_cursor(std::string_view text, const std::array<uint8_t, 16>& instance_id, uint64_t binding,
                             std::string_view field) {
  auto bad = [&](const std::string& why) {
    return make_error(Errc::kInvalidArgument, std::string(field) + ": " + why);
  };
  if (text.substr(0, kCursorPrefix.size()) != kCursorPrefix) return bad("not a tronidx cursor");
  auto raw = base64url_decode(text.substr(kCursorPrefix.size()));
  if (!raw || raw->size() != 36) return bad("malformed cursor");
  if (!std::equal(instance_id.begin(), instance_id.end(), raw->begin(), raw->begin() + 16,
                  [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); })) {
    return bad("the cursor belongs to another database (restored or rebuilt index?)");
  }
  Cursor c{get_be(*raw, 16, 8), static_cast<uint32_t>(get_be(*raw, 24, 4))};
  if (get_be(*raw, 28, 8) != binding) {
    return bad("the cursor was issued for another filter or min_confirmations; resume with the same ones");
  }
  return c;
}

}  // namespace tronidx::api
