#pragma once
// What tron-sim prints: a short summary line per produced block and reorg notices on stdout (the
// README demo shows these), notices and errors on stderr. --quiet silences stdout lines.
// Thread-safety: one mutex; each line is written and flushed whole.

#include <cstdint>
#include <mutex>
#include <string>

#include "producer.h"
#include "stored_block.h"

namespace tronidx::sim {

class Console {
 public:
  explicit Console(bool quiet) : quiet_(quiet) {}

  // "block 1234 id=4d2ab12c8f3e txs=312 trc20=271 trx=30 trc10=1 solid=1216"
  void block(const StoredBlock& block, uint64_t solid_num);
  // "reorg fork_at=1230 depth=3 new_length=4 reappeared=27 head=1233 (random)"
  void reorg(const ReorgOutcome& reorg);
  // A notice on stdout (suppressed by --quiet).
  void info(const std::string& line);
  // An error on stderr (never suppressed).
  void error(const std::string& line);

 private:
  void write(std::FILE* stream, const std::string& line);

  const bool quiet_;
  std::mutex mu_;
};

}  // namespace tronidx::sim
