#include "faults.h"

#include <cmath>
#include <string>

namespace tronidx::sim {
namespace {

constexpr int64_t kMaxMs = 600'000;
constexpr int64_t kDefaultDropDownMs = 1000;

Status check_ms(int64_t v, std::string_view name, FieldStyle style, std::string_view prefix) {
  if (v < 0 || v > kMaxMs) return invalid_field(name, style, "must be within [0, 600000] ms", prefix);
  return ok_status();
}

Status check_rate(double v, std::string_view name, FieldStyle style, std::string_view prefix) {
  if (!std::isfinite(v) || v < 0 || v > 1) return invalid_field(name, style, "must be within [0, 1]", prefix);
  return ok_status();
}

// A window's sub-field: flags spell it "--empty-answers-ms", protos "faults.empty_answers.duration_ms".
std::string window_field(std::string_view base, std::string_view flag_leaf, std::string_view proto_leaf,
                         FieldStyle style) {
  return style == FieldStyle::kFlag ? std::string(base) + "_" + std::string(flag_leaf)
                                    : std::string(base) + "." + std::string(proto_leaf);
}

Status check_window(const Window& w, std::string_view base, FieldStyle style, std::string_view prefix) {
  const std::string calls = window_field(base, "calls", "calls", style);
  const std::string ms = window_field(base, "ms", "duration_ms", style);
  const std::string period = window_field(base, "period_ms", "period_ms", style);
  if (w.calls < 0) return invalid_field(calls, style, "must be >= 0", prefix);
  TRONIDX_TRY(check_ms(w.duration_ms, ms, style, prefix));
  if (w.period_ms < 0 || w.period_ms > 86'400'000)
    return invalid_field(period, style, "must be within [0, 1 day]", prefix);
  if (w.period_ms > 0 && !w.enabled()) return invalid_field(period, style, "needs a call count or a duration", prefix);
  if (w.period_ms > 0 && w.duration_ms > w.period_ms)
    return invalid_field(ms, style, "must not exceed the period", prefix);
  return ok_status();
}

}  // namespace

bool in_scope(Scope scope, MethodClass cls) noexcept {
  switch (scope) {
    case Scope::kDefault:
    case Scope::kAll:
      return true;
    case Scope::kHead:
      return cls == MethodClass::kHead;
    case Scope::kBlocks:
      return cls == MethodClass::kBlock;
    case Scope::kInfos:
      return cls == MethodClass::kInfo;
    case Scope::kData:
      return cls != MethodClass::kHead;
  }
  return false;
}

const char* scope_name(Scope scope) noexcept {
  switch (scope) {
    case Scope::kDefault:
      return "default";
    case Scope::kAll:
      return "all";
    case Scope::kHead:
      return "head";
    case Scope::kBlocks:
      return "blocks";
    case Scope::kInfos:
      return "infos";
    case Scope::kData:
      return "data";
  }
  return "unknown";
}

Result<Scope> parse_scope(std::string_view name, std::string_view field) {
  for (Scope s : {Scope::kAll, Scope::kHead, Scope::kBlocks, Scope::kInfos, Scope::kData}) {
    if (name == scope_name(s)) return s;
  }
  return make_error(Errc::kInvalidArgument, std::string(field) + ": unknown scope '" + std::string(name) +
                                                "' (all, head, blocks, infos, data)");
}

FaultSettings FaultSettings::with_defaults() const {
  FaultSettings s = *this;
  if (s.latency_scope == Scope::kDefault) s.latency_scope = Scope::kAll;
  if (s.unavailable_scope == Scope::kDefault) s.unavailable_scope = Scope::kAll;
  if (s.garbage_scope == Scope::kDefault) s.garbage_scope = Scope::kData;
  if (s.drop_down_ms == 0) s.drop_down_ms = kDefaultDropDownMs;
  return s;
}

Status validate_faults(const FaultSettings& s, FieldStyle style, std::string_view prefix) {
  TRONIDX_TRY(check_ms(s.latency_ms, "latency_ms", style, prefix));
  TRONIDX_TRY(check_ms(s.latency_jitter_ms, "latency_jitter_ms", style, prefix));
  TRONIDX_TRY(check_rate(s.spike_rate, "spike_rate", style, prefix));
  TRONIDX_TRY(check_ms(s.spike_ms, "spike_ms", style, prefix));
  TRONIDX_TRY(check_rate(s.unavailable_rate, "unavailable_rate", style, prefix));
  TRONIDX_TRY(check_window(s.empty_answers, "empty_answers", style, prefix));
  TRONIDX_TRY(check_window(s.infos_missing, "infos_missing", style, prefix));
  TRONIDX_TRY(check_rate(s.garbage_rate, "garbage_rate", style, prefix));
  if (s.drop_interval_ms < 0 || s.drop_interval_ms > 86'400'000) {
    return invalid_field("drop_interval_ms", style, "must be within [0, 1 day]", prefix);
  }
  TRONIDX_TRY(check_ms(s.drop_down_ms, "drop_down_ms", style, prefix));
  if (s.drop_interval_ms > 0 && s.drop_interval_ms <= s.drop_down_ms) {
    return invalid_field("drop_interval_ms", style, "must be longer than drop_down_ms", prefix);
  }
  for (Scope scope : {s.latency_scope, s.unavailable_scope, s.garbage_scope}) {
    if (static_cast<uint8_t>(scope) > static_cast<uint8_t>(Scope::kData))
      return invalid_field("scope", style, "unknown scope", prefix);
  }
  return ok_status();
}

FaultInjector::FaultInjector(uint64_t chain_seed, const FaultSettings& initial)
    : chain_seed_(chain_seed), rng_(chain_seed, Stream::kFaults) {
  configure_locked(initial);
}

void FaultInjector::configure(const FaultSettings& settings, bool reset_counters) {
  std::lock_guard lock(mu_);
  configure_locked(settings);
  if (reset_counters) counters_ = FaultCounters{};
}

void FaultInjector::configure_locked(const FaultSettings& settings) {
  settings_ = settings.with_defaults();
  if (settings_.seed == 0) settings_.seed = mix64(chain_seed_ ^ static_cast<uint64_t>(Stream::kFaults));
  rng_ = Rng(settings_.seed, Stream::kFaults);
  const auto now = Clock::now();
  empty_ = WindowState{settings_.empty_answers, now};
  infos_ = WindowState{settings_.infos_missing, now};
}

FaultSettings FaultInjector::settings() const {
  std::lock_guard lock(mu_);
  return settings_;
}

bool FaultInjector::consume(WindowState& w, Clock::time_point now) {
  if (!w.config.enabled()) return false;
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - w.start).count();
  const int64_t round = w.config.period_ms > 0 ? elapsed_ms / w.config.period_ms : 0;
  if (round != w.round) {
    w.round = round;
    w.calls_left = w.config.calls;
  }
  const int64_t in_round_ms = elapsed_ms - round * w.config.period_ms;
  if (w.config.duration_ms > 0 && in_round_ms >= w.config.duration_ms) return false;
  if (w.config.calls > 0) {
    if (w.calls_left <= 0) return false;
    --w.calls_left;
  }
  return true;
}

FaultDecision FaultInjector::decide(MethodClass cls) {
  std::lock_guard lock(mu_);
  FaultDecision d;
  ++counters_.calls;
  switch (cls) {
    case MethodClass::kHead:
      ++counters_.head_calls;
      break;
    case MethodClass::kBlock:
      ++counters_.block_calls;
      break;
    case MethodClass::kInfo:
      ++counters_.info_calls;
      break;
  }
  const FaultSettings& s = settings_;
  if (in_scope(s.latency_scope, cls)) {
    int64_t ms = s.latency_ms;
    if (s.latency_jitter_ms > 0) ms += rng_.between(0, s.latency_jitter_ms);
    if (s.spike_rate > 0 && rng_.chance(s.spike_rate)) {
      ms += s.spike_ms;
      ++counters_.spikes;
    }
    d.delay = std::chrono::milliseconds(ms);
    if (ms > 0) ++counters_.delayed;
  }
  const auto now = Clock::now();
  if (s.unavailable_rate > 0 && in_scope(s.unavailable_scope, cls) && rng_.chance(s.unavailable_rate)) {
    d.unavailable = true;
    ++counters_.unavailable;
  } else if (cls == MethodClass::kBlock && consume(empty_, now)) {
    d.empty = true;
    ++counters_.empty_answers;
  } else if (cls == MethodClass::kInfo && consume(infos_, now)) {
    d.infos_missing = true;
    ++counters_.infos_missing;
  } else if (s.garbage_rate > 0 && in_scope(s.garbage_scope, cls) && rng_.chance(s.garbage_rate)) {
    d.garbage = true;
  }
  return d;
}

void FaultInjector::count_garbage() {
  std::lock_guard lock(mu_);
  ++counters_.garbage;
}

void FaultInjector::count_drop() {
  std::lock_guard lock(mu_);
  ++counters_.drops;
}

FaultCounters FaultInjector::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace tronidx::sim
