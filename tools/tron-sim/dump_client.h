#pragma once
// `tron-sim dump`: fetches the ground truth (or the block list) of a running simulator over its control
// port and writes the JSONL to a file or stdout, for shell and Node.js tests.

#include <cstdint>
#include <optional>
#include <string>

namespace tronidx::sim {

struct DumpOptions {
  std::string control;         // host:port of the control port
  std::string out = "-";       // file path, "-" = stdout
  std::string what = "truth";  // "truth" (DumpGroundTruth) or "blocks" (DumpBlocks)
  int64_t from_block = 0;
  std::optional<int64_t> to_block;
  int64_t timeout_ms = 30000;
};

// Returns the process exit code: 0 on success, 1 when the call fails (message on stderr).
int run_dump(const DumpOptions& options);

}  // namespace tronidx::sim
