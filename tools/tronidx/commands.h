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

struct RangeArgs {
  uint64_t from_block = 0;
  uint64_t to_block = 0;  // 0 = the tip
  bool detach = false;    // start the job and return; re-attach with `tronidx jobs ID`
};
int run_verify(Client& client, Format format, const RangeArgs& args);
int run_reindex(Client& client, Format format, const RangeArgs& args);
int run_backfill(Client& client, Format format, const std::string& address, const RangeArgs& args);
// id 0: list jobs; else re-attach to job `id` (cancel: cancel it first).
int run_jobs(Client& client, Format format, uint64_t id, bool cancel);

struct ExportArgs {
  std::string address;             // exactly one of address / token
  std::string token;
  std::string token_filter;        // with address
  uint64_t from_block = 0;
  uint64_t to_block = 0;
  int64_t from_time_ms = 0;
  int64_t to_time_ms = 0;
  std::string format = "csv";      // csv | jsonl
  std::string out = "-";           // file path, "-" = stdout
};
// Streams every matching transfer, oldest first (constant memory), then a summary line on stderr:
// rows, and per token the total received and sent by the address (token export: total volume).
int run_export(Client& client, const ExportArgs& args);

struct DbArgs {
  std::string data_dir;
};
// Offline: open the database read-only (no daemon needed; works while one runs, on its last flushed state).
int run_db_stats(Format format, const DbArgs& args);
int run_db_check(Format format, const DbArgs& args);
int run_db_new_instance(const DbArgs& args);

}  // namespace tronidx::cli
