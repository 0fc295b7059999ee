#include <iostream>
#include <thread>

#include "commands.h"
#include "progress.h"

namespace tronidx::cli {

int run_watch_add(Client& client, Format format, const WatchAddArgs& args) {
  v1::AddWatchRequest req;
  req.set_address(args.address);
  req.set_label(args.label);
  req.set_start_block(args.start_block);
  v1::AddWatchResponse resp;
  auto ctx = client.context();
  auto s = client.watch().AddWatch(ctx.get(), req, &resp);
  if (!s.ok()) return fail(s, "watch add", client);
  if (format == Format::kJson) {
    std::cout << to_json_line(resp) << "\n";
  } else {
    std::cout << resp.address() << (resp.added() ? " is now watched" : " was already watched");
    if (resp.backfill_job_id() != 0) std::cout << "; backfill job " << resp.backfill_job_id();
    std::cout << "\n";
  }
  if (!args.wait || resp.backfill_job_id() == 0) return kExitOk;
  return wait_for_job(client, resp.backfill_job_id(), format);
}

int run_watch_rm(Client& client, Format format, const std::string& address) {
  v1::RemoveWatchRequest req;
  req.set_address(address);
  v1::RemoveWatchResponse resp;
  auto ctx = client.context();
  auto s = client.watch().RemoveWatch(ctx.get(), req, &resp);
  if (!s.ok()) return fail(s, "watch rm", client);
  if (format == Format::kJson) {
    std::cout << to_json_line(resp) << "\n";
  } else {
    std::cout << resp.address() << (resp.removed() ? " is no longer watched" : " was not watched") << "\n";
  }
  return kExitOk;
}

int run_watch_ls(Client& client, Format format) {
  std::vector<std::vector<std::string>> rows;
  std::string token;
  do {
    v1::ListWatchesRequest req;
    req.set_page_token(token);
    v1::ListWatchesResponse resp;
    auto ctx = client.context();
    auto s = client.watch().ListWatches(ctx.get(), req, &resp);
    if (!s.ok()) return fail(s, "watch ls", client);
    for (const auto& w : resp.watches()) {
      if (format == Format::kJson) {
        std::cout << to_json_line(w) << "\n";
      } else if (format == Format::kCsv) {
        std::cout << csv_escape(w.address()) << "," << csv_escape(w.label()) << "," << w.start_block() << ","
                  << w.backfill_state() << "\n";
      } else {
        rows.push_back({w.address(), w.label(), w.start_block() ? std::to_string(w.start_block()) : "-",
                        w.backfill_state().empty() ? "-" : w.backfill_state()});
      }
    }
    token = resp.next_page_token();
  } while (!token.empty());
  if (format == Format::kHuman) print_table(std::cout, {"ADDRESS", "LABEL", "START", "BACKFILL"}, rows);
  return kExitOk;
}

}  // namespace tronidx::cli
