#include "cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace tronidx::sim {
namespace {

constexpr int kUsageError = 2;

struct RawFlags {
  std::string profile = "mainnet";
  double txs_per_block = -1;
  std::vector<std::string> hot_addresses;
  std::string latency_scope = "all";
  std::string unavailable_scope = "all";
  std::string garbage_scope = "data";
};

void add_generation_flags(CLI::App& app, SimConfig& c, RawFlags& raw) {
  const std::string g = "Generation";
  app.add_option("--seed", c.gen.seed, "Chain seed: same seed, same chain")->group(g)->capture_default_str();
  app.add_option("--profile", raw.profile, "Load profile: mainnet (~300 tx/block), small (~20), tiny (~3)")
      ->group(g)
      ->capture_default_str();
  app.add_option("--txs-per-block", raw.txs_per_block, "Override the profile's mean transactions per block")->group(g);
  app.add_option("--accounts", c.gen.accounts, "Size of the account population")->group(g)->capture_default_str();
  app.add_option("--hot-addresses", c.gen.hot_count, "Number of hot addresses derived from the seed")
      ->group(g)
      ->capture_default_str();
  app.add_option("--hot-address", raw.hot_addresses, "An explicit hot address (base58 or hex; repeatable)")->group(g);
  app.add_option("--hot-share", c.gen.hot_share, "Share of transfers sent to a hot address")
      ->group(g)
      ->capture_default_str();
  app.add_option("--start-block", c.gen.start_block, "Number of the first block after genesis")
      ->group(g)
      ->capture_default_str();
  const std::string ch = "Chain";
  app.add_option("--solid-lag", c.chain.solid_lag, "Solidified = head - lag")->group(ch)->capture_default_str();
  app.add_option("--reorg-rate", c.chain.reorg_rate, "Probability of a random reorg after each produced block")
      ->group(ch)
      ->capture_default_str();
  app.add_option("--reorg-max-depth", c.chain.reorg_max_depth, "Maximum depth of random reorgs")
      ->group(ch)
      ->capture_default_str();
}

void add_serving_flags(CLI::App& app, SimConfig& c) {
  const std::string s = "Serving";
  app.add_option("--listen", c.serve.listen, "Full-node port (Wallet + Database)")->group(s)->capture_default_str();
  app.add_option("--solidity-listen", c.serve.solidity_listen, "Solidity port (WalletSolidity + Database)")
      ->group(s)
      ->capture_default_str();
  app.add_option("--control-listen", c.serve.control_listen, "Control port (tronsim.v1.Control)")
      ->group(s)
      ->capture_default_str();
  app.add_option("--ports-file", c.serve.ports_file, "Write the bound endpoints as JSON here once serving")->group(s);
  app.add_option("--block-interval-ms", c.serve.block_interval_ms, "Block production interval; 0 = only on Advance")
      ->group(s)
      ->capture_default_str();
  app.add_option("--prebuild", c.serve.prebuild, "Blocks generated at start-up and served from memory")
      ->group(s)
      ->capture_default_str();
  app.add_option("--gen-threads", c.serve.gen_threads, "Threads generating the pre-built chain (0 = all cores)")
      ->group(s)
      ->capture_default_str();
  app.add_option("--replay", c.serve.replay_dir, "Serve a recording (tron-sim record) instead of generating")->group(s);
  app.add_flag("--quiet", c.serve.quiet, "No per-block summary lines on stdout")->group(s);
}

void add_fault_flags(CLI::App& app, FaultSettings& f, RawFlags& raw) {
  const std::string g = "Faults";
  app.add_option("--latency-ms", f.latency_ms, "Latency added to every call")->group(g);
  app.add_option("--latency-jitter-ms", f.latency_jitter_ms, "Plus a uniform delay in [0, jitter]")->group(g);
  app.add_option("--spike-rate", f.spike_rate, "Probability of a latency spike")->group(g);
  app.add_option("--spike-ms", f.spike_ms, "Length of a latency spike")->group(g);
  app.add_option("--latency-scope", raw.latency_scope, "all|head|blocks|infos|data")->group(g)->capture_default_str();
  app.add_option("--unavailable-rate", f.unavailable_rate, "Share of calls failing with UNAVAILABLE")->group(g);
  app.add_option("--unavailable-scope", raw.unavailable_scope, "all|head|blocks|infos|data")
      ->group(g)
      ->capture_default_str();
  app.add_option("--empty-answers-calls", f.empty_answers.calls, "Block calls answered empty (window)")->group(g);
  app.add_option("--empty-answers-ms", f.empty_answers.duration_ms, "Empty-answer window length")->group(g);
  app.add_option("--empty-answers-period-ms", f.empty_answers.period_ms, "Repeat the empty-answer window")->group(g);
  app.add_option("--infos-missing-calls", f.infos_missing.calls, "Info calls answered with empty lists (window)")
      ->group(g);
  app.add_option("--infos-missing-ms", f.infos_missing.duration_ms, "Infos-missing window length")->group(g);
  app.add_option("--infos-missing-period-ms", f.infos_missing.period_ms, "Repeat the infos-missing window")->group(g);
  app.add_option("--garbage-rate", f.garbage_rate, "Share of answers replaced by garbage")->group(g);
  app.add_option("--garbage-scope", raw.garbage_scope, "all|head|blocks|infos|data")->group(g)->capture_default_str();
  app.add_option("--drop-interval-ms", f.drop_interval_ms, "Drop all node connections periodically")->group(g);
  app.add_option("--drop-down-ms", f.drop_down_ms, "How long ports stay closed per drop")
      ->group(g)
      ->capture_default_str();
  app.add_option("--fault-seed", f.seed, "Seed of the fault decisions (0 = from --seed)")->group(g);
}

// Turns the string flags into typed values. kInvalidArgument naming the flag.
Status finish_flags(const CLI::App& app, SimConfig& c, const RawFlags& raw) {
  TRONIDX_ASSIGN(c.gen.profile, parse_profile(raw.profile, "--profile"));
  if (app.count("--txs-per-block") > 0) c.gen.txs_per_block = raw.txs_per_block;
  for (const auto& text : raw.hot_addresses) {
    TRONIDX_ASSIGN(const chain::Address a, chain::Address::parse(text, "--hot-address"));
    c.gen.hot_explicit.push_back(a);
  }
  TRONIDX_ASSIGN(c.faults.latency_scope, parse_scope(raw.latency_scope, "--latency-scope"));
  TRONIDX_ASSIGN(c.faults.unavailable_scope, parse_scope(raw.unavailable_scope, "--unavailable-scope"));
  TRONIDX_ASSIGN(c.faults.garbage_scope, parse_scope(raw.garbage_scope, "--garbage-scope"));
  return validate_sim_config(c);
}

Command usage_error(const std::string& message) {
  std::cerr << "tron-sim: " << message << "\nRun with --help for more information.\n";
  Command cmd;
  cmd.kind = CommandKind::kExit;
  cmd.exit_code = kUsageError;
  return cmd;
}

}  // namespace

Command parse_command_line(int argc, const char* const* argv) {
  Command cmd;
  RawFlags raw;
  CLI::App app{"tron-sim: a java-tron node simulator (protocol.Wallet, WalletSolidity, Database over gRPC)",
               "tron-sim"};
  app.fallthrough();
  add_generation_flags(app, cmd.sim, raw);
  add_serving_flags(app, cmd.sim);
  add_fault_flags(app, cmd.sim.faults, raw);

  CLI::App* record = app.add_subcommand("record", "Write genesis + N generated blocks as a recording and exit");
  record->add_option("--out", cmd.record_dir, "Output directory")->required();
  record->add_option("--blocks", cmd.record_blocks, "Blocks after genesis")->capture_default_str();

  CLI::App* dump = app.add_subcommand("dump", "Print the ground truth (or blocks) of a running tron-sim as JSONL");
  dump->add_option("--control", cmd.dump.control, "Control endpoint host:port")->required();
  dump->add_option("--out", cmd.dump.out, "Output file ('-' = stdout)")->capture_default_str();
  dump->add_option("--what", cmd.dump.what, "truth or blocks")
      ->check(CLI::IsMember({"truth", "blocks"}))
      ->capture_default_str();
  dump->add_option("--from", cmd.dump.from_block, "First block (inclusive)")->capture_default_str();
  int64_t to_block = 0;
  CLI::Option* to_option = dump->add_option("--to", to_block, "Last block (inclusive; default: head)");
  dump->add_option("--timeout-ms", cmd.dump.timeout_ms, "Deadline of the call")->capture_default_str();
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help
      app.exit(e);
      Command done;
      done.kind = CommandKind::kExit;
      return done;
    }
    return usage_error(e.what());
  }
  if (dump->parsed()) {
    cmd.kind = CommandKind::kDump;
    if (to_option->count() > 0) cmd.dump.to_block = to_block;
    if (cmd.dump.from_block < 0) return usage_error("--from: must be >= 0");
    if (cmd.dump.to_block && *cmd.dump.to_block < cmd.dump.from_block) return usage_error("--to: must be >= --from");
    return cmd;
  }
  const Status finished = finish_flags(app, cmd.sim, raw);
  if (!finished.ok()) return usage_error(finished.error().message);
  cmd.kind = record->parsed() ? CommandKind::kRecord : CommandKind::kServe;
  return cmd;
}

int run_command_line(int argc, const char* const* argv) {
  const Command cmd = parse_command_line(argc, argv);
  switch (cmd.kind) {
    case CommandKind::kExit:
      return cmd.exit_code;
    case CommandKind::kServe:
      return run_serve(cmd.sim);
    case CommandKind::kRecord:
      return run_record(cmd.sim, cmd.record_dir, cmd.record_blocks);
    case CommandKind::kDump:
      return run_dump(cmd.dump);
  }
  return 1;
}

}  // namespace tronidx::sim
