#include <fstream>
#include <iostream>
#include <map>

#include "commands.h"
#include "progress.h"
#include "tronidx/chain/amount.h"

namespace tronidx::cli {
namespace {

struct Totals {
  chain::Amount in;
  chain::Amount out;
  bool overflow = false;
  uint64_t rows = 0;
};

void add(chain::Amount& total, const std::string& decimal, bool& overflow) {
  auto a = chain::Amount::parse_decimal(decimal);
  if (!a.ok()) {
    overflow = true;
    return;
  }
  auto sum = total.checked_add(*a);
  if (!sum) {
    overflow = true;
    return;
  }
  total = *sum;
}

}  // namespace

int run_export(Client& client, const ExportArgs& args) {
  if (args.address.empty() == args.token.empty()) {
    std::cerr << "tronidx: export: give exactly one of --address or --token\n";
    return kExitUsage;
  }
  if (args.format != "csv" && args.format != "jsonl") {
    std::cerr << "tronidx: export: --format must be csv or jsonl\n";
    return kExitUsage;
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (args.out != "-") {
    file.open(args.out, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "tronidx: export: cannot write " << args.out << "\n";
      return kExitFailure;
    }
    out = &file;
  }
  v1::ListTransfersRequest req;
  if (!args.address.empty()) {
    req.set_address(args.address);
    req.set_token_filter(args.token_filter);
  } else {
    req.set_token(args.token);
  }
  // One consistent range: up to the tip as the export starts (rows of later blocks are not mixed in).
  uint64_t tip = 0;
  {
    v1::GetStatusResponse st;
    auto ctx = client.context();
    auto s = client.query().GetStatus(ctx.get(), v1::GetStatusRequest(), &st);
    if (!s.ok()) return fail(s, "export", client);
    tip = st.tip_block_num();
  }
  req.set_from_block(args.from_block);
  req.set_to_block(args.to_block == 0 || args.to_block > tip ? tip : args.to_block);
  req.set_from_time_ms(args.from_time_ms);
  req.set_to_time_ms(args.to_time_ms);
  req.set_order(v1::OLDEST_FIRST);
  req.set_page_size(1000);
  if (args.format == "csv") {
    const auto& cols = transfer_columns();
    for (size_t i = 0; i < cols.size(); ++i) *out << (i ? "," : "") << cols[i];
    *out << "\n";
  }
  std::map<std::string, Totals> totals;  // by token
  uint64_t rows = 0;
  Progress progress("export", 0);
  while (true) {
    v1::ListTransfersResponse resp;
    auto ctx = client.context();
    auto s = client.query().ListTransfers(ctx.get(), req, &resp);
    if (!s.ok()) return fail(s, "export", client);
    for (const auto& t : resp.transfers()) {
      ++rows;
      if (args.format == "csv") {
        const auto row = transfer_row(t);
        for (size_t i = 0; i < row.size(); ++i) *out << (i ? "," : "") << csv_escape(row[i]);
        *out << "\n";
      } else {
        *out << to_json_line(t) << "\n";
      }
      const std::string token = t.token_symbol().empty() ? t.token() : t.token_symbol() + " (" + t.token() + ")";
      Totals& tot = totals[token];
      ++tot.rows;
      const bool address_mode = !args.address.empty();
      const bool incoming = address_mode && (t.to() == args.address || t.to_hex() == args.address);
      const bool outgoing = address_mode && (t.from() == args.address || t.from_hex() == args.address);
      if (!address_mode || incoming) add(tot.in, t.amount(), tot.overflow);
      if (outgoing) add(tot.out, t.amount(), tot.overflow);
    }
    progress.update(rows, std::to_string(rows) + " rows");
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  out->flush();
  if (!*out) {
    std::cerr << "tronidx: export: write failed\n";
    return kExitFailure;
  }
  std::string summary = "export: " + std::to_string(rows) + " transfers up to block " + std::to_string(req.to_block());
  for (const auto& [token, t] : totals) {
    summary += "; " + token + ": " + std::to_string(t.rows) + " rows, ";
    summary += args.address.empty() ? "volume " + t.in.to_decimal() : "in " + t.in.to_decimal() + ", out " + t.out.to_decimal();
    if (t.overflow) summary += " (overflow)";
  }
  std::cerr << summary << "\n";
  return kExitOk;
}

}  // namespace tronidx::cli
