#pragma once
// The `tronidx` subcommands. Each returns the process exit code: 0 ok, 1 failure or mismatch, 2 usage
// (including INVALID_ARGUMENT answers: bad address, inverted range, ...). Errors go to stderr as one line.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client.h"
#include "output.h"

namespace tronidx::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Exit code for a failed call: 2 for INVALID_ARGUMENT/OUT_OF_RANGE (the user's input), else 1. Prints it.
int fail(const grpc::Status& s, const std::string& what, const Client& client);

int run_status(Client& client, Format format);

struct WatchAddArgs {
  std::string address;
  std::string label;
  uint64_t start_block = 0;
  bool wait = false;  // wait for the backfill job, with progress
};
int run_watch_add(Client& client, Format format, const WatchAddArgs& args);
int run_watch_rm(Client& client, Format format, const std::string& address);
int run_watch_ls(Client& client, Format format);

struct TransfersArgs {
  std::string address;
  std::string direction = "both";  // both | in | out
  std::string token;
  uint64_t from_block = 0;
  uint64_t to_block = 0;
  int64_t from_time_ms = 0;
  int64_t to_time_ms = 0;
  uint64_t min_confirmations = 0;
  bool oldest_first = false;
  uint64_t limit = 100;            // rows in total (0 = all)
};
int run_transfers(Client& client, Format format, const TransfersArgs& args);

struct TailArgs {
  std::vector<std::string> addresses;
  std::vector<std::string> tokens;
  uint32_t min_confirmations = 0;
  std::string after;
  uint64_t count = 0;              // stop after this many events (0 = never)
  bool heartbeats = false;         // print heartbeats too
  bool reconnect = true;           // resume from the last cursor after a disconnect
};
int run_tail(Client& client, Format format, const TailArgs& args);

}  // namespace tronidx::cli
