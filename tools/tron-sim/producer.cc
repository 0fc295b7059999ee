#include "producer.h"

#include <algorithm>
#include <cstdio>

#include "thread_name.h"

namespace tronidx::sim {
namespace {

// Below this many blocks, or with random reorgs on, blocks are produced one by one.
constexpr uint64_t kParallelMinBlocks = 8;

// Generates the bodies of blocks first..first+count-1 on `salt` with `threads` threads. Each body
// depends only on its number and salt, so the result is identical for every thread count.
std::vector<BlockBody> generate_bodies(const BlockFactory& factory, uint64_t first, uint64_t count, uint64_t salt,
                                       unsigned threads) {
  std::vector<BlockBody> bodies(count);
  std::atomic<uint64_t> next{0};
  auto work = [&](unsigned worker) {
    set_thread_name("sim-gen-" + std::to_string(worker));
    for (uint64_t i = next++; i < count; i = next++) bodies[i] = factory.make_body(first + i, salt);
  };
  const unsigned n = static_cast<unsigned>(std::min<uint64_t>(std::max(1u, threads), count));
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < n; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  set_thread_name("sim-main");
  return bodies;
}

}  // namespace

Producer::Producer(std::shared_ptr<const BlockFactory> factory, Chain& chain, const ChainConfig& config, uint64_t seed,
                   ProducerHooks hooks)
    : factory_(std::move(factory)), chain_(chain), config_(config), seed_(seed), hooks_(std::move(hooks)) {}

Producer::~Producer() { stop(); }

Status Producer::build_initial(uint64_t count, unsigned threads) {
  std::lock_guard lock(mu_);
  TRONIDX_TRY(chain_.append(factory_->seal(factory_->make_genesis_body(), factory_->genesis_parent())));
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  return produce_parallel_locked(count, threads, false);
}

Result<BlockPtr> Producer::advance(uint64_t count) {
  std::lock_guard lock(mu_);
  const bool random_reorgs = config_.reorg_rate > 0;
  if (!random_reorgs && count >= kParallelMinBlocks) {
    TRONIDX_TRY(produce_parallel_locked(count, std::max(1u, std::thread::hardware_concurrency()), true));
  } else {
    for (uint64_t i = 0; i < count; ++i) {
      TRONIDX_TRY(produce_one_locked(true));
      if (random_reorgs) TRONIDX_TRY(maybe_random_reorg_locked());
    }
  }
  return chain_.tips().head;
}

std::pair<uint64_t, chain::BlockId> Producer::next_slot_locked() const {
  const Chain::Tips tips = chain_.tips();
  if (tips.head->num == 0 && factory_->start_block() > 1) {
    const uint64_t first = factory_->start_block();
    return {first, factory_->pruned_block_id(first - 1)};
  }
  return {tips.head->num + 1, tips.head->id};
}

Status Producer::produce_one_locked(bool with_hooks) {
  const auto [num, parent] = next_slot_locked();
  BlockPtr block = factory_->seal(factory_->make_body(num, salt_), parent);
  TRONIDX_TRY(chain_.append(block));
  ++produced_;
  ++stats_.blocks_produced;
  if (with_hooks && hooks_.on_block) hooks_.on_block(block, chain_.tips().solid->num);
  return ok_status();
}

Status Producer::produce_parallel_locked(uint64_t count, unsigned threads, bool with_hooks) {
  constexpr uint64_t kBatch = 512;  // bounds the memory held by unsealed bodies
  while (count > 0) {
    const uint64_t n = std::min(count, kBatch);
    auto [num, parent] = next_slot_locked();
    std::vector<BlockBody> bodies = generate_bodies(*factory_, num, n, salt_, threads);
    for (auto& body : bodies) {
      BlockPtr block = factory_->seal(std::move(body), parent);
      parent = block->id;
      TRONIDX_TRY(chain_.append(block));
      ++produced_;
      ++stats_.blocks_produced;
      if (with_hooks && hooks_.on_block) hooks_.on_block(block, chain_.tips().solid->num);
    }
    count -= n;
  }
  return ok_status();
}

void Producer::start_timer(std::chrono::milliseconds interval) {
  {
    std::lock_guard lock(timer_mu_);
    stopping_ = false;
  }
  timer_ = std::thread([this, interval] { timer_loop(interval); });
}

void Producer::stop() {
  {
    std::lock_guard lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void Producer::timer_loop(std::chrono::milliseconds interval) {
  set_thread_name("sim-producer");
  auto next = std::chrono::steady_clock::now() + interval;
  std::unique_lock lock(timer_mu_);
  while (!timer_cv_.wait_until(lock, next, [this] { return stopping_; })) {
    lock.unlock();
    if (!paused_) {
      auto produced = advance(1);
      if (!produced.ok())
        std::fprintf(stderr, "tron-sim: block production failed: %s\n", produced.error().message.c_str());
    }
    lock.lock();
    const auto now = std::chrono::steady_clock::now();
    next += interval;
    if (next < now) next = now + interval;  // fell behind (e.g. a long Advance): do not burst
  }
}

ProducerStats Producer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace tronidx::sim
