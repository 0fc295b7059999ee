// CpuBudget (src/api/cpu_budget.h): the arithmetic of the backlog workers' CPU budget, with explicit
// times (no sleeping, no timing).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "cpu_budget.h"

namespace tronidx::api {
namespace {

using namespace std::chrono_literals;
using Clock = CpuBudget::Clock;

TEST(CpuBudget, WithinTheSavedUpBurstThereIsNoPause) {
  const auto t0 = Clock::now();
  CpuBudget b(0.1, 10ms, t0);
  b.charge(4ms);
  EXPECT_EQ(b.pause(t0), 0ns);
  b.charge(6ms);  // exactly the burst
  EXPECT_EQ(b.pause(t0), 0ns);
}

TEST(CpuBudget, AnOverdraftIsPaidBackAtTheBudgetRate) {
  const auto t0 = Clock::now();
  CpuBudget b(0.1, 10ms, t0);
  b.charge(30ms);  // 20 ms over: a tenth of a core earns that back in 200 ms
  EXPECT_EQ(b.pause(t0), 200ms);
  EXPECT_EQ(b.pause(t0 + 150ms), 50ms);
  EXPECT_EQ(b.pause(t0 + 200ms), 0ns);
}

TEST(CpuBudget, IdleTimeSavesUpNoMoreThanTheBurst) {
  const auto t0 = Clock::now();
  CpuBudget b(0.5, 20ms, t0);
  b.charge(20ms);
  EXPECT_EQ(b.pause(t0 + 10s), 0ns);  // ten idle seconds earn 5 s, capped at 20 ms
  b.charge(30ms);                      // 10 ms over the saved-up 20 ms
  EXPECT_EQ(b.pause(t0 + 10s), 20ms);  // at half a core
}

TEST(CpuBudget, MoreThanOneCoreEarnsFaster) {
  const auto t0 = Clock::now();
  CpuBudget b(2.0, 0ns, t0);
  b.charge(100ms);
  EXPECT_EQ(b.pause(t0), 50ms);
  EXPECT_EQ(b.pause(t0 + 50ms), 0ns);
}

TEST(CpuBudget, ChargesFromManyThreadsAddUp) {
  const auto t0 = Clock::now();
  CpuBudget b(1.0, 0ns, t0);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 1000; ++k) b.charge(1us);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(b.pause(t0), 8ms);
}

TEST(CpuBudget, ThreadCpuTimeCountsOnlyWorkDone) {
  const auto before = CpuBudget::thread_cpu_time();
  std::this_thread::sleep_for(20ms);  // sleeping uses no CPU
  const auto slept = CpuBudget::thread_cpu_time() - before;
  volatile uint64_t x = 0;
  const auto busy_from = CpuBudget::thread_cpu_time();
  while (CpuBudget::thread_cpu_time() - busy_from < 5ms) x = x + 1;
  EXPECT_LT(slept, 5ms);
  EXPECT_GE(CpuBudget::thread_cpu_time() - before, 5ms);
}

}  // namespace
}  // namespace tronidx::api
