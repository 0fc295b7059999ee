#include "delay_queue.h"

#include <vector>

#include "thread_name.h"

namespace tronidx::sim {

DelayQueue::DelayQueue() : thread_([this] { run(); }) {}

DelayQueue::~DelayQueue() { stop(); }

void DelayQueue::schedule(Clock::time_point when, std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      pending_.emplace(std::make_pair(when, seq_++), std::move(fn));
      cv_.notify_one();
      return;
    }
  }
  fn();
}

void DelayQueue::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void DelayQueue::run() {
  set_thread_name("sim-delay");
  std::unique_lock lock(mu_);
  for (;;) {
    if (pending_.empty()) {
      if (stopping_) return;
      cv_.wait(lock);
      continue;
    }
    auto first = pending_.begin();
    if (!stopping_ && first->first.first > Clock::now()) {
      cv_.wait_until(lock, first->first.first);
      continue;
    }
    std::function<void()> fn = std::move(first->second);
    pending_.erase(first);
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace tronidx::sim
