#include "output.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <ctime>
#include <ostream>

namespace tronidx::cli {

std::string to_json_line(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  o.add_whitespace = false;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t i = 0; i < r.size(); ++i) {
      s += r[i];
      if (i + 1 < r.size()) s.append(width[i] - r[i].size() + 2, ' ');
    }
    out << s << "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
}

std::string csv_escape(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string format_time_ms(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

std::string format_amount(const v1::Transfer& t) {
  const std::string unit = t.token_symbol().empty() ? t.token() : t.token_symbol();
  return (t.decimals_known() ? t.amount_formatted() : t.amount()) + " " + unit;
}

const std::vector<std::string>& transfer_columns() {
  static const std::vector<std::string> cols = {
      "block_num", "block_id", "timestamp", "tx_index", "event_index", "txid", "kind", "token", "token_symbol",
      "from", "to", "amount", "amount_formatted", "confirmations", "final"};
  return cols;
}

std::vector<std::string> transfer_row(const v1::Transfer& t) {
  return {std::to_string(t.block_num()),
          t.block_id(),
          format_time_ms(t.timestamp_ms()),
          std::to_string(t.tx_index()),
          std::to_string(t.event_index()),
          t.txid(),
          v1::TransferKind_Name(t.kind()),
          t.token(),
          t.token_symbol(),
          t.from(),
          t.to(),
          t.amount(),
          t.amount_formatted(),
          std::to_string(t.confirmations()),
          t.final() ? "true" : "false"};
}

}  // namespace tronidx::cli
