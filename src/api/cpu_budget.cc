#include "cpu_budget.h"

#include <time.h>

#include <algorithm>

namespace tronidx::api {

CpuBudget::CpuBudget(double cores, std::chrono::nanoseconds burst, Clock::time_point now)
    : cores_(cores), burst_(burst), last_(now), credit_(burst) {}

void CpuBudget::charge(std::chrono::nanoseconds cpu) {
  std::lock_guard lock(mu_);
  credit_ -= cpu;
}

std::chrono::nanoseconds CpuBudget::pause(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (now > last_) {
    const auto earned = std::chrono::round<std::chrono::nanoseconds>((now - last_) * cores_);
    credit_ = std::min(burst_, credit_ + earned);
    last_ = now;
  }
  if (credit_ >= std::chrono::nanoseconds::zero()) return std::chrono::nanoseconds::zero();
  // The time it takes to earn the overdraft back.
  return std::chrono::round<std::chrono::nanoseconds>(-credit_ / cores_);
}

std::chrono::nanoseconds CpuBudget::thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace tronidx::api
