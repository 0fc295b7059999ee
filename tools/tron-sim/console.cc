#include "console.h"

#include <cstdio>

namespace tronidx::sim {

void Console::write(std::FILE* stream, const std::string& line) {
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), stream);
  std::fputc('\n', stream);
  std::fflush(stream);
}

void Console::block(const StoredBlock& b, uint64_t solid_num) {
  if (quiet_) return;
  const TransferCounts c = count_transfers(b);
  write(stdout, "block " + std::to_string(b.num) + " id=" + b.id.to_hex().substr(16, 12) + " txs=" +
                    std::to_string(b.tx_count) + " trc20=" + std::to_string(c.trc20) + " trx=" + std::to_string(c.trx) +
                    " trc10=" + std::to_string(c.trc10) + " solid=" + std::to_string(solid_num));
}

void Console::reorg(const ReorgOutcome& r) {
  if (quiet_) return;
  write(stdout, "reorg fork_at=" + std::to_string(r.fork_at) + " depth=" + std::to_string(r.depth) +
                    " new_length=" + std::to_string(r.new_length) + " reappeared=" + std::to_string(r.reappeared_txs) +
                    " head=" + std::to_string(r.new_head ? r.new_head->num : 0) +
                    (r.random ? " (random)" : " (scripted)"));
}

void Console::info(const std::string& line) {
  if (!quiet_) write(stdout, line);
}

void Console::error(const std::string& line) { write(stderr, "tron-sim: " + line); }

}  // namespace tronidx::sim
