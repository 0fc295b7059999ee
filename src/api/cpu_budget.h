#pragma once
// A CPU-time budget shared by a pool of threads: they may use at most `cores` of CPU on average (0.1 =
// a tenth of one core), with at most `burst` of unused budget saved up. Each thread charges the CPU time
// a unit of its work took (thread_cpu_time() before and after) and asks, before the next unit, how long
// it must pause to stay within the budget.
//
// The hub's backlog workers use it while the daemon catches up (hub.h): niced threads still take every
// idle moment of the cores, and the gRPC writes and the clients' decoding of what they send run at normal
// priority; a budget bounds all of it.
//
// Thread-safe. Times are passed in (steady clock), so the arithmetic is testable without sleeping.

#include <chrono>
#include <mutex>

namespace tronidx::api {

class CpuBudget {
 public:
  using Clock = std::chrono::steady_clock;
  // `cores` > 0; the budget starts with `burst` saved up at `now`.
  CpuBudget(double cores, std::chrono::nanoseconds burst, Clock::time_point now);

  // Records `cpu` of CPU time used by one of the pool's threads.
  void charge(std::chrono::nanoseconds cpu);
  // How long to pause before the next unit of work so that the pool stays within its budget (zero: go on).
  std::chrono::nanoseconds pause(Clock::time_point now);

  // The calling thread's CPU time so far.
  static std::chrono::nanoseconds thread_cpu_time();

 private:
  const double cores_;
  const std::chrono::nanoseconds burst_;
  std::mutex mu_;
  Clock::time_point last_;         // when credit_ was last brought up to date
  std::chrono::nanoseconds credit_;  // budget earned and not yet used (negative: overdrawn)
};

}  // namespace tronidx::api
