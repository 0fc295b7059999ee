#include <iostream>

#include "commands.h"

namespace tronidx::cli {

int fail(const grpc::Status& s, const std::string& what, const Client& client) {
  std::cerr << describe(s, what, client.address()) << "\n";
  return s.error_code() == grpc::StatusCode::INVALID_ARGUMENT || s.error_code() == grpc::StatusCode::OUT_OF_RANGE
             ? kExitUsage
             : kExitFailure;
}

int run_status(Client& client, Format format) {
  v1::GetStatusResponse st;
  auto ctx = client.context();
  auto s = client.query().GetStatus(ctx.get(), v1::GetStatusRequest(), &st);
  if (!s.ok()) return fail(s, "status", client);
  if (format == Format::kJson) {
    std::cout << to_json_line(st) << "\n";
    return kExitOk;
  }
  std::cout << "phase        " << st.phase() << (st.halt_reason().empty() ? "" : " — " + st.halt_reason()) << "\n"
            << "tip          " << st.tip_block_num() << " " << st.tip_block_id() << "\n"
            << "node head    " << st.node_head() << "\n"
            << "solidified   " << st.solidified() << " (node: " << st.node_solidified() << ")\n"
            << "lag          " << st.lag_blocks() << " blocks, " << st.lag_ms() / 1000.0 << " s\n"
            << "mode         " << st.mode() << "\n"
            << "watched      " << st.watched_count() << " addresses\n"
            << "subscribers  " << st.subscribers() << "\n"
            << "jobs         " << st.jobs_running() << " running\n"
            << "journal      records " << st.journal_first_seq() << ".." << st.journal_next_seq() - 1 << "\n"
            << "version      " << st.version() << " genesis " << st.genesis_id() << "\n";
  return kExitOk;
}

}  // namespace tronidx::cli
