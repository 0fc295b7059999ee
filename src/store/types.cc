#include "tronidx/store/types.h"

#include <algorithm>

#include "tronidx/chain/hex.h"

#include "tronidx/store/journal.h"

namespace tronidx::store {

bool ModeConfig::indexes_token(const chain::Address& token) const noexcept {
  if (kind == Kind::kWatched || tokens.empty()) return true;
  return std::find(tokens.begin(), tokens.end(), token) != tokens.end();
}

std::string ModeConfig::to_string() const {
  if (kind == Kind::kWatched) return "watched";
  if (tokens.empty()) return "all:*";
  std::vector<std::string> hex;
  for (const auto& t : tokens) hex.push_back(t.to_hex());
  std::sort(hex.begin(), hex.end());
  std::string out = "all:";
  for (size_t i = 0; i < hex.size(); ++i) out += (i ? "," : "") + hex[i];
  return out;
}

Result<ModeConfig> ModeConfig::parse(std::string_view text) {
  ModeConfig m;
  if (text == "watched") return m;
  if (text.substr(0, 4) != "all:") {
    return make_error(Errc::kInvalidArgument, "mode: expected \"watched\" or \"all:...\", got \"" + std::string(text) + "\"");
  }
  m.kind = Kind::kAll;
  std::string_view rest = text.substr(4);
  if (rest == "*") return m;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    // The zero address stands for TRX and is not a valid parse() input in every form: accept raw hex.
    std::array<uint8_t, 21> raw{};
    auto st = chain::from_hex_exact(item, raw, "mode token");
    if (!st.ok()) return std::move(st).error();
    m.tokens.push_back(chain::Address::from_raw(raw));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  std::sort(m.tokens.begin(), m.tokens.end());
  return m;
}

const char* record_type_name(RecordType type) noexcept {
  switch (type) {
    case RecordType::kApply: return "APPLY";
    case RecordType::kRevert: return "REVERT";
    case RecordType::kSolidify: return "SOLIDIFY";
    case RecordType::kBackfill: return "BACKFILL";
    case RecordType::kWatch: return "WATCH";
  }
  return "UNKNOWN";
}

}  // namespace tronidx::store
