#pragma once
// The tron-sim command line (the only translation unit that includes CLI11):
//   tron-sim [flags]                          serve (default)
//   tron-sim record --out DIR [--blocks N] [generation flags]
//   tron-sim dump --control HOST:PORT [--out FILE] [--what truth|blocks] [--from N] [--to N]
// Generation, chain, fault and serving flags may stand before or after the subcommand name.

#include <string>

#include "dump_client.h"
#include "simulator.h"

namespace tronidx::sim {

enum class CommandKind { kServe, kRecord, kDump, kExit };

struct Command {
  CommandKind kind = CommandKind::kServe;
  SimConfig sim;
  std::string record_dir;
  int64_t record_blocks = 100;
  DumpOptions dump;
  int exit_code = 0;  // for kExit: 0 after --help, 2 after a usage error (already printed to stderr)
};

Command parse_command_line(int argc, const char* const* argv);

// Parses and runs: the whole of main().
int run_command_line(int argc, const char* const* argv);

}  // namespace tronidx::sim
