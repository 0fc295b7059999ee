#pragma once
// Node faults, decided per call: added latency (fixed + jitter + occasional spikes), UNAVAILABLE at a
// rate, windows of empty answers and of missing info lists, garbage answers at a rate, and periodic
// connection drops (carried out by the servers; see node_servers.h). Each fault has a scope: the
// method classes it applies to.
//
// Thread-safety: all methods may be called concurrently (one mutex; decisions are a few PRNG draws).
// Decisions come from one PRNG seeded by FaultSettings::seed, in the order calls arrive.

#include <chrono>
#include <cstdint>
#include <mutex>

#include "options.h"
#include "rng.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

// What a node call is, for scoping faults.
enum class MethodClass : uint8_t {
  kHead,   // GetNowBlock2, GetNodeInfo, getBlockReference, GetDynamicProperties
  kBlock,  // GetBlockByNum2, GetBlock, GetBlockByLimitNext2
  kInfo,   // GetTransactionInfoByBlockNum
};

// Values match tronsim.v1.Scope.
enum class Scope : uint8_t { kDefault = 0, kAll = 1, kHead = 2, kBlocks = 3, kInfos = 4, kData = 5 };

bool in_scope(Scope scope, MethodClass cls) noexcept;
const char* scope_name(Scope scope) noexcept;
Result<Scope> parse_scope(std::string_view name, std::string_view field);

// "For a while": `calls` affected calls and/or `duration_ms`, whichever ends first when both are set;
// restarting every period_ms when that is > 0. All zero = off.
struct Window {
  int64_t calls = 0;
  int64_t duration_ms = 0;
  int64_t period_ms = 0;
  bool enabled() const noexcept { return calls > 0 || duration_ms > 0; }
};

struct FaultSettings {
  int64_t latency_ms = 0;
  int64_t latency_jitter_ms = 0;
  double spike_rate = 0;
  int64_t spike_ms = 0;
  Scope latency_scope = Scope::kAll;
  double unavailable_rate = 0;
  Scope unavailable_scope = Scope::kAll;
  Window empty_answers;  // applies to kBlock calls
  Window infos_missing;  // applies to kInfo calls
  double garbage_rate = 0;
  Scope garbage_scope = Scope::kData;
  int64_t drop_interval_ms = 0;
  int64_t drop_down_ms = 1000;
  uint64_t seed = 0;  // 0: derived from the chain seed

  // Scopes left at kDefault get their documented default; drop_down_ms 0 becomes 1000.
  FaultSettings with_defaults() const;
};

// kInvalidArgument naming the field (as `style` spells it, with `prefix` for proto names).
Status validate_faults(const FaultSettings& settings, FieldStyle style, std::string_view prefix = "");

struct FaultCounters {
  uint64_t calls = 0;
  uint64_t head_calls = 0;
  uint64_t block_calls = 0;
  uint64_t info_calls = 0;
  uint64_t delayed = 0;
  uint64_t spikes = 0;
  uint64_t unavailable = 0;
  uint64_t empty_answers = 0;  // block calls answered empty by the window
  uint64_t infos_missing = 0;  // info calls answered by the window
  uint64_t garbage = 0;        // garbage answers actually served
  uint64_t drops = 0;
};

// The faults of one call. At most one of unavailable / empty / infos_missing / garbage is set, in that
// order of precedence; the delay applies whatever the answer.
struct FaultDecision {
  std::chrono::milliseconds delay{0};
  bool unavailable = false;
  bool empty = false;
  bool infos_missing = false;
  bool garbage = false;
};

class FaultInjector {
 public:
  FaultInjector(uint64_t chain_seed, const FaultSettings& initial);

  // Replaces the settings (validated by the caller); windows start now.
  void configure(const FaultSettings& settings, bool reset_counters);
  FaultSettings settings() const;
  FaultDecision decide(MethodClass cls);
  void count_garbage();
  void count_drop();
  FaultCounters counters() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct WindowState {
    Window config;
    Clock::time_point start;
    int64_t round = -1;
    int64_t calls_left = 0;
  };
  static bool consume(WindowState& w, Clock::time_point now);
  void configure_locked(const FaultSettings& settings);

  const uint64_t chain_seed_;
  mutable std::mutex mu_;
  FaultSettings settings_;
  Rng rng_;
  WindowState empty_;
  WindowState infos_;
  FaultCounters counters_;
};

}  // namespace tronidx::sim
