#pragma once
// Runs closures at given times on one thread ("sim-delay"): how injected latency is added without
// blocking gRPC's callback threads (the answer is ready; only its Finish is deferred).
//
// Thread-safety: schedule() from any thread. stop() runs every pending closure at once, in deadline
// order, then joins; closures scheduled after stop() run immediately on the caller's thread, so a
// deferred gRPC call is always finished (a server cannot shut down with a call left unfinished).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace tronidx::sim {

class DelayQueue {
 public:
  using Clock = std::chrono::steady_clock;

  DelayQueue();
  ~DelayQueue();
  DelayQueue(const DelayQueue&) = delete;
  DelayQueue& operator=(const DelayQueue&) = delete;

  void schedule(Clock::time_point when, std::function<void()> fn);
  void stop();

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::pair<Clock::time_point, uint64_t>, std::function<void()>> pending_;  // guarded by mu_
  uint64_t seq_ = 0;       // guarded by mu_; keeps equal deadlines in submission order
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace tronidx::sim
