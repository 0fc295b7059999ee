#include "hot_addresses.h"

#include <algorithm>
#include <bit>

namespace tronidx::store {

HotAddresses::HotAddresses(Options options) : options_(options) { counters_.reserve(kTracked); }

HotAddresses::Carry HotAddresses::note(const chain::Address& from, const chain::Address& to) {
  if (options_.budget_bytes <= 0) return {};
  std::lock_guard lock(mu_);
  if (transfers_++ % kSampleEvery == 0) {
    sample(from);
    sample(to);
    since_recompute_ += 2;
    // A fresh store decides early (after 64, 128, ... samples), then every kRecomputeEvery.
    const bool early = samples_ >= 64 && samples_ < kRecomputeEvery && std::has_single_bit(samples_);
    if (early || since_recompute_ >= kRecomputeEvery) recompute();
  }
  if (hot_.empty()) return {};
  return Carry{is_hot(from), is_hot(to)};
}

std::vector<chain::Address> HotAddresses::hot() const {
  std::lock_guard lock(mu_);
  return hot_;
}

void HotAddresses::sample(const chain::Address& a) {
  ++samples_;
  Counter* min = nullptr;
  for (Counter& c : counters_) {
    if (c.address == a) {
      ++c.count;
      return;
    }
    if (min == nullptr || c.count < min->count) min = &c;
  }
  if (counters_.size() < kTracked) {
    counters_.push_back(Counter{a, 1, 0});
    return;
  }
  // Space-Saving: the new address takes the smallest counter over, inheriting its count as its error.
  *min = Counter{a, min->count + 1, min->count};
}

void HotAddresses::recompute() {
  since_recompute_ = 0;
  if (samples_ >= kDecayAt) {
    samples_ /= 2;
    for (auto& c : counters_) {
      c.count /= 2;
      c.error /= 2;
    }
  }
  // By the guaranteed part of each count (what it counted itself, not what it inherited).
  const auto guaranteed = [](const Counter* c) { return c->count - c->error; };
  std::vector<const Counter*> by_count;
  for (const auto& c : counters_) by_count.push_back(&c);
  std::sort(by_count.begin(), by_count.end(),
            [&](const Counter* x, const Counter* y) { return guaranteed(x) > guaranteed(y); });
  hot_.clear();
  double cost = 0;  // bytes per transfer
  for (const Counter* c : by_count) {
    // As a share of the sampled entries (two per transfer).
    const double share = static_cast<double>(guaranteed(c)) / static_cast<double>(std::max<uint64_t>(samples_, 1));
    if (share < options_.min_share) break;
    const double more = 2 * share * kRowBytes;
    if (cost + more > options_.budget_bytes) continue;  // a smaller one after it may still fit
    cost += more;
    hot_.push_back(c->address);
  }
}

bool HotAddresses::is_hot(const chain::Address& a) const {
  return std::find(hot_.begin(), hot_.end(), a) != hot_.end();
}

}  // namespace tronidx::store
