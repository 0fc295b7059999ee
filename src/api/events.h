#pragma once
// Subscription events, filters and cursors (docs/subscriptions.md). Pure types; no gRPC.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/result.h"
#include "tronidx/store/types.h"
#include "tronidx/store/watch_set.h"

namespace tronidx::api {

enum class EventType : uint8_t { kAdded = 1, kConfirmed = 2, kFinalized = 3, kReverted = 4 };
const char* event_type_name(EventType type) noexcept;

// A position in a subscription's event stream: after event `ordinal` of journal record `seq`.
// ordinal kAfterRecord means "after every event of record seq".
struct Cursor {
  static constexpr uint32_t kAfterRecord = 0xffffffffu;
  uint64_t seq = 0;
  uint32_t ordinal = 0;
  auto operator<=>(const Cursor&) const = default;
};

struct Event {
  EventType type = EventType::kAdded;
  store::IndexedTransfer transfer;
  uint64_t confirmations = 0;
  uint64_t head = 0;        // tip after the record
  uint64_t solidified = 0;  // solidified number after the record
  Cursor cursor;
};

// What a subscription matches (SubscribeRequest in proto/tronidx/v1/subscribe.proto):
// (addresses empty or from/to in addresses) and (tokens empty or token in tokens); both empty = every
// transfer touching an address watched at that point of the journal.
class Filter {
 public:
  Filter() = default;
  Filter(std::vector<chain::Address> addresses, std::vector<chain::Address> tokens);

  bool everything_watched() const noexcept { return addresses_.empty() && tokens_.empty(); }
  const std::vector<chain::Address>& addresses() const noexcept { return addresses_; }  // sorted, unique
  const std::vector<chain::Address>& tokens() const noexcept { return tokens_; }        // sorted, unique
  bool has_address(const chain::Address& a) const noexcept;
  bool has_token(const chain::Address& t) const noexcept;

  // Does `t` match as of journal record `seq` (the watched set matters only for everything_watched()).
  bool matches(const decode::Transfer& t, uint64_t seq, const store::WatchSet& watches) const;

  // 8 bytes binding a cursor to this filter and a depth.
  uint64_t binding(uint32_t depth) const;

 private:
  std::vector<chain::Address> addresses_;
  std::vector<chain::Address> tokens_;
};

// Opaque cursor strings: "c1." + base64url(instance_id | seq | ordinal | binding).
std::string encode_cursor(const std::array<uint8_t, 16>& instance_id, const Cursor& c, uint64_t binding);
// kInvalidArgument naming `field` when malformed, from another database, or bound to another filter/depth.
Result<Cursor> decode_cursor(std::string_view text, const std::array<uint8_t, 16>& instance_id, uint64_t binding,
                             std::string_view field);

// URL-safe base64 without padding (cursors and page tokens).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace tronidx::api
