#pragma once
// Lock-free counters and latency histograms that modules expose and daemon/ renders as Prometheus
// text. Header-only; no registry: each module owns its metrics struct and hands out const references.

#include <array>
#include <atomic>
#include <cstdint>

namespace tronidx::metrics {

class Counter {
 public:
  void add(uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void set(int64_t v) noexcept { v_.store(v, std::memory_order_relaxed); }
  void add(int64_t d) noexcept { v_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Fixed buckets in seconds (Prometheus `le` bounds), 0.5 ms .. 30 s.
class Histogram {
 public:
  // (0.15 and 0.2 resolve the fan-out target: every event handed to its stream <= 200 ms after commit.)
  static constexpr std::array<double, 16> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.15,   0.2,   0.25,   0.5,   1.0,  2.5,   5.0,  30.0};
  void observe(double seconds) noexcept {
    size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  }
  // Count of observations <= kBounds[i] (cumulative), i in [0, kBounds.size()]; the last is +Inf.
  uint64_t cumulative(size_t i) const noexcept {
    uint64_t n = 0;
    for (size_t j = 0; j <= i && j < buckets_.size(); ++j) n += buckets_[j].load(std::memory_order_relaxed);
    return n;
  }
  uint64_t count() const noexcept { return cumulative(kBounds.size()); }
  double sum_seconds() const noexcept { return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6; }

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_micros_{0};
};

}  // namespace tronidx::metrics
