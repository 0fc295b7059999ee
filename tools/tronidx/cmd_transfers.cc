#include <iostream>

#include "commands.h"

namespace tronidx::cli {

int run_transfers(Client& client, Format format, const TransfersArgs& args) {
  v1::ListTransfersRequest req;
  req.set_address(args.address);
  if (args.direction == "in") {
    req.set_direction(v1::IN);
  } else if (args.direction == "out") {
    req.set_direction(v1::OUT);
  } else if (args.direction != "both") {
    std::cerr << "tronidx: --direction: expected both, in or out (got \"" << args.direction << "\")\n";
    return kExitUsage;
  }
  req.set_token_filter(args.token);
  req.set_from_block(args.from_block);
  req.set_to_block(args.to_block);
  req.set_from_time_ms(args.from_time_ms);
  req.set_to_time_ms(args.to_time_ms);
  req.set_min_confirmations(args.min_confirmations);
  req.set_order(args.oldest_first ? v1::OLDEST_FIRST : v1::NEWEST_FIRST);
  uint64_t printed = 0;
  std::vector<std::vector<std::string>> rows;
  if (format == Format::kCsv) {
    const auto& cols = transfer_columns();
    for (size_t i = 0; i < cols.size(); ++i) std::cout << (i ? "," : "") << cols[i];
    std::cout << "\n";
  }
  while (true) {
    const uint64_t want = args.limit == 0 ? 1000 : std::min<uint64_t>(1000, args.limit - printed);
    req.set_page_size(static_cast<uint32_t>(want));
    v1::ListTransfersResponse resp;
    auto ctx = client.context();
    auto s = client.query().ListTransfers(ctx.get(), req, &resp);
    if (!s.ok()) return fail(s, "transfers", client);
    for (const auto& t : resp.transfers()) {
      ++printed;
      if (format == Format::kJson) {
        std::cout << to_json_line(t) << "\n";
      } else if (format == Format::kCsv) {
        const auto row = transfer_row(t);
        for (size_t i = 0; i < row.size(); ++i) std::cout << (i ? "," : "") << csv_escape(row[i]);
        std::cout << "\n";
      } else {
        const bool in = t.to() == args.address || t.to_hex() == args.address;
        rows.push_back({std::to_string(t.block_num()), format_time_ms(t.timestamp_ms()), in ? "IN" : "OUT",
                        format_amount(t), in ? t.from() : t.to(), t.txid().substr(0, 16) + "…",
                        std::to_string(t.confirmations()), t.final() ? "final" : "pending"});
      }
    }
    if (resp.next_page_token().empty() || (args.limit != 0 && printed >= args.limit)) break;
    req.set_page_token(resp.next_page_token());
  }
  if (format == Format::kHuman) {
    print_table(std::cout, {"BLOCK", "TIME", "DIR", "AMOUNT", "COUNTERPARTY", "TXID", "CONF", "STATUS"}, rows);
  }
  return kExitOk;
}

}  // namespace tronidx::cli
