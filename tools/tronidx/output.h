#pragma once
// Output helpers for the CLI: human tables, one-line JSON, CSV.

#include <google/protobuf/message.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "tronidx/v1/types.pb.h"

namespace tronidx::cli {

enum class Format { kHuman, kJson, kCsv };

// One protobuf message as a single JSON line (proto field names, defaults included).
std::string to_json_line(const google::protobuf::Message& m);

// Left-aligned columns separated by two spaces; the header row first.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

std::string csv_escape(const std::string& field);

// ISO-8601 UTC with milliseconds.
std::string format_time_ms(int64_t ms);

// "12.500000 USDT" when decimals are known, else "<raw> <token>".
std::string format_amount(const v1::Transfer& t);

// The transfer columns shared by `transfers` and `export` (CSV header and rows).
const std::vector<std::string>& transfer_columns();
std::vector<std::string> transfer_row(const v1::Transfer& t);

}  // namespace tronidx::cli
