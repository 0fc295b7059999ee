// tronidx: the operator and auditor CLI. Talks to a running tronidxd over its public API (and opens a
// stopped daemon's database for `db`). All command logic is in the files beside this one.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <tuple>

#include "commands.h"

using namespace tronidx::cli;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// An inverted range is a usage error, caught before any call: "tronidx: verify: --from 20 is after --to 10".
bool inverted(const char* cmd, const char* from_name, uint64_t from, const char* to_name, uint64_t to) {
  if (to == 0 || from <= to) return false;
  std::cerr << "tronidx: " << cmd << ": " << from_name << " " << from << " is after " << to_name << " " << to << "\n";
  return true;
}

// The first word naming no subcommand where one is expected ("tronidx frobnicate", "tronidx db frob"),
// or "". CLI11 reports those as "A subcommand is required", which does not say what was wrong.
std::string unknown_subcommand(CLI::App& app, int argc, char** argv) {
  CLI::App* current = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") return "";
    if (arg.rfind("-", 0) == 0) {
      const std::string name = arg.substr(0, arg.find('='));
      const CLI::Option* opt = current->get_option_no_throw(name);
      if (opt == nullptr) opt = app.get_option_no_throw(name);  // global options may follow a subcommand
      if (opt != nullptr && arg.find('=') == std::string::npos && opt->get_items_expected_min() > 0) ++i;
      continue;
    }
    if (current->get_subcommands([](CLI::App*) { return true; }).empty()) return "";  // a positional argument
    CLI::App* sub = nullptr;
    try {
      sub = current->get_subcommand(arg);
    } catch (const CLI::OptionNotFound&) {
      return arg;
    }
    current = sub;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tronidx — operate and audit a tronidx daemon (TRON TRC20/TRX transfer index).\n"
               "Exit codes: 0 ok, 1 failure or mismatch, 2 usage."};
  app.require_subcommand(1);
  app.fallthrough();  // global options (--json, --api, ...) may also follow the subcommand
  ClientOptions copts;
  copts.api = env_or("TRONIDX_API", copts.api);
  copts.api_key = env_or("TRONIDX_API_KEY", "");
  int timeout_s = 30;
  bool json = false;
  app.add_option("--api", copts.api, "tronidxd API address (env TRONIDX_API)")->capture_default_str();
  app.add_option("--api-key", copts.api_key, "API key (env TRONIDX_API_KEY)");
  app.add_flag("--tls", copts.tls, "use TLS (system roots unless --tls-ca)");
  app.add_option("--tls-ca", copts.tls_ca_file, "CA certificate (PEM) of the API server");
  app.add_option("--tls-cert", copts.tls_cert_file, "client certificate (PEM) for mutual TLS");
  app.add_option("--tls-key", copts.tls_key_file, "client key (PEM) for mutual TLS");
  app.add_option("--timeout", timeout_s, "seconds per call")->capture_default_str();
  app.add_flag("--json", json, "machine-readable output: one JSON object per line");

  auto* status = app.add_subcommand("status", "tip, node head, solidified, lag, mode, watched, subscribers, jobs");

  auto* watch = app.add_subcommand("watch", "manage watched addresses");
  watch->require_subcommand(1);
  WatchAddArgs wadd;
  auto* watch_add = watch->add_subcommand("add", "watch an address (with --start-block: backfill its history)");
  watch_add->add_option("address", wadd.address, "base58 or hex address")->required();
  watch_add->add_option("--label", wadd.label, "free text");
  watch_add->add_option("--start-block", wadd.start_block, "backfill from this block");
  watch_add->add_flag("--wait", wadd.wait, "wait for the backfill, showing progress");
  std::string wrm;
  auto* watch_rm = watch->add_subcommand("rm", "stop watching an address");
  watch_rm->add_option("address", wrm, "base58 or hex address")->required();
  auto* watch_ls = watch->add_subcommand("ls", "list watched addresses");
  bool watch_csv = false;
  watch_ls->add_flag("--csv", watch_csv, "CSV output");

  TransfersArgs targs;
  bool transfers_csv = false;
  auto* transfers = app.add_subcommand("transfers", "transfer history of an address");
  transfers->add_option("address", targs.address, "base58 or hex address")->required();
  transfers->add_option("--direction", targs.direction, "both | in | out")->capture_default_str();
  transfers->add_option("--token", targs.token, "only this token (contract, TRX, or TRC10 id)");
  transfers->add_option("--from-block", targs.from_block, "first block (inclusive)");
  transfers->add_option("--to-block", targs.to_block, "last block (inclusive)");
  transfers->add_option("--from-time-ms", targs.from_time_ms, "first block time, ms since epoch");
  transfers->add_option("--to-time-ms", targs.to_time_ms, "last block time, ms since epoch");
  transfers->add_option("--min-confirmations", targs.min_confirmations, "only transfers this deep");
  transfers->add_flag("--oldest-first", targs.oldest_first, "chain order instead of newest first");
  transfers->add_option("--limit", targs.limit, "rows in total (0 = all)")->capture_default_str();
  transfers->add_flag("--csv", transfers_csv, "CSV output");

  TailArgs tail_args;
  auto* tail = app.add_subcommand("tail", "live events (ADDED, CONFIRMED, FINALIZED, REVERTED), one per line");
  tail->add_option("--address", tail_args.addresses, "filter: address (repeatable)");
  tail->add_option("--token", tail_args.tokens, "filter: token (repeatable)");
  tail->add_option("--min-confirmations", tail_args.min_confirmations, "depth for CONFIRMED events");
  tail->add_option("--after", tail_args.after, "resume after this cursor");
  tail->add_option("--count", tail_args.count, "exit after this many events");
  tail->add_flag("--heartbeats", tail_args.heartbeats, "print heartbeats too");
  tail->add_flag("!--no-reconnect", tail_args.reconnect, "exit when the stream breaks instead of resuming");

  RangeArgs verify_args, reindex_args, backfill_args;
  auto range_options = [](CLI::App* cmd, RangeArgs& r, const char* what) {
    cmd->add_option("--from", r.from_block, std::string("first block to ") + what)->required();
    cmd->add_option("--to", r.to_block, "last block (default: the tip)");
    cmd->add_flag("--detach", r.detach, "start the job and return (re-attach with `tronidx jobs ID`)");
  };
  auto* verify = app.add_subcommand("verify", "re-fetch a range from the node and compare it with the index (exit 1 on any mismatch)");
  range_options(verify, verify_args, "verify");
  auto* reindex = app.add_subcommand("reindex", "re-fetch a range from the node and repair the index where it differs");
  range_options(reindex, reindex_args, "reindex");
  std::string backfill_address;
  auto* backfill = app.add_subcommand("backfill", "add an address's history over a range (watched mode)");
  backfill->add_option("address", backfill_address, "base58 or hex address")->required();
  range_options(backfill, backfill_args, "backfill");
  uint64_t job_id = 0;
  bool job_cancel = false;
  auto* jobs = app.add_subcommand("jobs", "list jobs, or follow (re-attach to) one by id");
  jobs->add_option("id", job_id, "job id to follow");
  jobs->add_flag("--cancel", job_cancel, "cancel the job");

  ExportArgs export_args;
  auto* exp = app.add_subcommand("export", "stream an address's or a token's transfers to CSV or JSONL, with a summary");
  exp->add_option("--address", export_args.address, "address to export");
  exp->add_option("--token", export_args.token, "token to export (contract, TRX or TRC10 id)");
  exp->add_option("--token-filter", export_args.token_filter, "with --address: only this token");
  exp->add_option("--from-block", export_args.from_block, "first block (inclusive)");
  exp->add_option("--to-block", export_args.to_block, "last block (inclusive; default: the tip at start)");
  exp->add_option("--from-time-ms", export_args.from_time_ms, "first block time, ms since epoch");
  exp->add_option("--to-time-ms", export_args.to_time_ms, "last block time, ms since epoch");
  exp->add_option("--format", export_args.format, "csv | jsonl")->capture_default_str();
  exp->add_option("-o,--out", export_args.out, "output file (- = stdout)")->capture_default_str();

  DbArgs db_args;
  auto* db = app.add_subcommand("db", "inspect a daemon's database directly (read-only; works on a stopped daemon)");
  db->require_subcommand(1);
  auto* db_stats = db->add_subcommand("stats", "sizes per column family, counts, tip, journal");
  db_stats->add_option("--data-dir", db_args.data_dir, "the daemon's store.data_dir")->required();
  auto* db_check = db->add_subcommand("check", "check every invariant (exit 1 on any violation)");
  db_check->add_option("--data-dir", db_args.data_dir, "the daemon's store.data_dir")->required();
  auto* db_new_instance = db->add_subcommand(
      "new-instance", "after restoring a backup: give the database a new instance id (every old cursor is refused)");
  db_new_instance->add_option("--data-dir", db_args.data_dir, "the daemon's store.data_dir (daemon stopped)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const std::string unknown = unknown_subcommand(app, argc, argv); !unknown.empty()) {
      std::cerr << "tronidx: unknown subcommand \"" << unknown << "\" (see --help)\n";
      return kExitUsage;
    }
    std::cerr << "tronidx: " << e.what() << " (see --help)\n";
    return kExitUsage;
  }
  for (const auto& [cmd, name, r] : {std::tuple{verify, "verify", &verify_args}, std::tuple{reindex, "reindex", &reindex_args},
                                      std::tuple{backfill, "backfill", &backfill_args}}) {
    if (cmd->parsed() && inverted(name, "--from", r->from_block, "--to", r->to_block)) return kExitUsage;
  }
  if (transfers->parsed() &&
      (inverted("transfers", "--from-block", targs.from_block, "--to-block", targs.to_block) ||
       inverted("transfers", "--from-time-ms", static_cast<uint64_t>(std::max<int64_t>(targs.from_time_ms, 0)),
                "--to-time-ms", static_cast<uint64_t>(std::max<int64_t>(targs.to_time_ms, 0))))) {
    return kExitUsage;
  }
  if (exp->parsed() &&
      (inverted("export", "--from-block", export_args.from_block, "--to-block", export_args.to_block) ||
       inverted("export", "--from-time-ms", static_cast<uint64_t>(std::max<int64_t>(export_args.from_time_ms, 0)),
                "--to-time-ms", static_cast<uint64_t>(std::max<int64_t>(export_args.to_time_ms, 0))))) {
    return kExitUsage;
  }
  copts.timeout = std::chrono::seconds(timeout_s);
  const Format fmt = json ? Format::kJson : Format::kHuman;
  if (db_stats->parsed()) return run_db_stats(fmt, db_args);
  if (db_check->parsed()) return run_db_check(fmt, db_args);
  if (db_new_instance->parsed()) return run_db_new_instance(db_args);
  try {
    Client client(copts);
    if (status->parsed()) return run_status(client, fmt);
    if (watch_add->parsed()) return run_watch_add(client, fmt, wadd);
    if (watch_rm->parsed()) return run_watch_rm(client, fmt, wrm);
    if (watch_ls->parsed()) return run_watch_ls(client, watch_csv ? Format::kCsv : fmt);
    if (transfers->parsed()) return run_transfers(client, transfers_csv ? Format::kCsv : fmt, targs);
    if (tail->parsed()) return run_tail(client, fmt, tail_args);
    if (verify->parsed()) return run_verify(client, fmt, verify_args);
    if (reindex->parsed()) return run_reindex(client, fmt, reindex_args);
    if (backfill->parsed()) return run_backfill(client, fmt, backfill_address, backfill_args);
    if (jobs->parsed()) return run_jobs(client, fmt, job_id, job_cancel);
    if (exp->parsed()) return run_export(client, export_args);
  } catch (const std::exception& e) {
    std::cerr << "tronidx: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitUsage;
}
