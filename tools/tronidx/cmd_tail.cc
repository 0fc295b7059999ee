#include <iostream>
#include <thread>

#include "commands.h"

namespace tronidx::cli {
namespace {

std::string describe_event(const v1::Event& e) {
  if (e.type() == v1::Event::HEARTBEAT) {
    return "HEARTBEAT  head " + std::to_string(e.head()) + " solidified " + std::to_string(e.solidified());
  }
  const auto& t = e.transfer();
  std::string type = v1::Event::Type_Name(e.type());
  type.resize(10, ' ');
  std::string state = e.type() == v1::Event::REVERTED ? "reverted" : t.final() ? "FINAL" : "not final";
  return type + " " + format_amount(t) + "  " + t.from() + " -> " + t.to() + "  block " +
         std::to_string(t.block_num()) + "  conf " + std::to_string(e.confirmations()) + "  " + state + "  tx " +
         t.txid().substr(0, 16) + "…";
}

}  // namespace

int run_tail(Client& client, Format format, const TailArgs& args) {
  std::string cursor = args.after;
  uint64_t seen = 0;
  bool connected = false;  // reconnect only streams that worked once: an unreachable daemon is an error
  auto backoff = std::chrono::milliseconds(500);
  while (true) {
    v1::SubscribeRequest req;
    for (const auto& a : args.addresses) req.add_addresses(a);
    for (const auto& t : args.tokens) req.add_tokens(t);
    req.set_min_confirmations(args.min_confirmations);
    req.set_after_cursor(cursor);
    auto ctx = client.context(false);
    auto reader = client.subscribe().Subscribe(ctx.get(), req);
    v1::Event e;
    while (reader->Read(&e)) {
      connected = true;
      backoff = std::chrono::milliseconds(500);
      cursor = e.cursor();
      if (e.type() == v1::Event::HEARTBEAT && !args.heartbeats) continue;
      if (format == Format::kJson) {
        std::cout << to_json_line(e) << std::endl;
      } else {
        std::cout << describe_event(e) << std::endl;
      }
      if (e.type() != v1::Event::HEARTBEAT && args.count != 0 && ++seen >= args.count) {
        ctx->TryCancel();
        return kExitOk;
      }
    }
    const grpc::Status s = reader->Finish();
    const bool retryable = s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED || s.ok();
    if (!args.reconnect || !retryable || !connected) return fail(s, "tail", client);
    std::cerr << "tronidx: stream ended (" << (s.ok() ? "closed" : s.error_message()) << "); resuming after "
              << (cursor.empty() ? "the current end" : cursor) << "\n";
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  }
}

}  // namespace tronidx::cli
