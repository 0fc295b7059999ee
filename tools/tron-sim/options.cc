#include "options.h"

#include <cmath>

namespace tronidx::sim {

const char* profile_name(Profile profile) noexcept {
  switch (profile) {
    case Profile::kMainnet:
      return "mainnet";
    case Profile::kSmall:
      return "small";
    case Profile::kTiny:
      return "tiny";
  }
  return "unknown";
}

Result<Profile> parse_profile(std::string_view name, std::string_view field) {
  for (Profile p : {Profile::kMainnet, Profile::kSmall, Profile::kTiny}) {
    if (name == profile_name(p)) return p;
  }
  return make_error(Errc::kInvalidArgument,
                    std::string(field) + ": unknown profile '" + std::string(name) + "' (mainnet, small, tiny)");
}

std::string field_name(std::string_view proto_name, FieldStyle style, std::string_view prefix) {
  if (style == FieldStyle::kProto) return std::string(prefix) + std::string(proto_name);
  std::string flag = "--";
  for (char c : proto_name) flag.push_back(c == '_' ? '-' : c);
  return flag;
}

Error invalid_field(std::string_view proto_name, FieldStyle style, const std::string& what, std::string_view prefix) {
  return make_error(Errc::kInvalidArgument, field_name(proto_name, style, prefix) + ": " + what);
}

Status validate_gen(const GenConfig& c, FieldStyle style) {
  if (c.txs_per_block && (!std::isfinite(*c.txs_per_block) || *c.txs_per_block < 0 || *c.txs_per_block > 5000)) {
    return invalid_field("txs_per_block", style, "must be within [0, 5000]");
  }
  if (c.accounts < 2 || c.accounts > 100'000'000)
    return invalid_field("accounts", style, "must be within [2, 100000000]");
  if (c.hot_count < 0 || c.hot_count > 100000)
    return invalid_field("hot_addresses", style, "must be within [0, 100000]");
  if (!std::isfinite(c.hot_share) || c.hot_share < 0 || c.hot_share > 1) {
    return invalid_field("hot_share", style, "must be within [0, 1]");
  }
  if (c.start_block < 1 || c.start_block > (int64_t{1} << 40)) {
    return invalid_field("start_block", style, "must be within [1, 2^40]");
  }
  return ok_status();
}

Status validate_chain(const ChainConfig& c, FieldStyle style) {
  if (c.solid_lag < 0 || c.solid_lag > 100000) return invalid_field("solid_lag", style, "must be within [0, 100000]");
  if (!std::isfinite(c.reorg_rate) || c.reorg_rate < 0 || c.reorg_rate > 1) {
    return invalid_field("reorg_rate", style, "must be within [0, 1]");
  }
  if (c.reorg_max_depth < 1 || c.reorg_max_depth > 1000) {
    return invalid_field("reorg_max_depth", style, "must be within [1, 1000]");
  }
  return ok_status();
}

}  // namespace tronidx::sim
