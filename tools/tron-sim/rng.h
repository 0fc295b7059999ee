#pragma once
// Deterministic pseudo-random numbers for the simulator. The chain must be a pure function of the seed
// (and of the control operations applied), on every platform and thread count, so nothing here uses
// std::*_distribution (their output is implementation-defined) or any global state.
//
// Every block, reorg decision and fault decision draws from its own stream derived from
// (seed, stream tag, a, b), so generating blocks in parallel or in another order gives the same bytes.

#include <cmath>
#include <cstdint>
#include <span>

namespace tronidx::sim {

__extension__ using Uint128 = unsigned __int128;  // GCC/Clang extension; __extension__ keeps -Wpedantic quiet

// splitmix64 step: a strong 64-bit mixer, used to derive stream seeds.
constexpr uint64_t mix64(uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Stream tags (one per use, so streams never overlap by accident).
enum class Stream : uint64_t {
  kBlock = 1,  // a block's content: (num, branch salt)
  kGenesis = 2,
  kReorg = 3,        // random reorg decisions: (produced block counter)
  kReorgBranch = 4,  // carry-over choices of a reorg: (reorg sequence number)
  kFaults = 5,       // fault decisions
  kAccount = 7,      // account addresses: (account index)
};

// xoshiro256** — fast, small state, good statistical quality. Not thread-safe: one per thread/stream.
class Rng {
 public:
  Rng(uint64_t seed, Stream stream, uint64_t a = 0, uint64_t b = 0) noexcept {
    uint64_t x = mix64(seed ^ mix64(static_cast<uint64_t>(stream) ^ mix64(a ^ mix64(b))));
    for (auto& s : s_) {
      x = mix64(x);
      s = x;
    }
  }

  uint64_t next() noexcept {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n); n == 0 returns 0. Multiply-shift (Lemire) without rejection: the bias is
  // < n / 2^64, irrelevant here, and it keeps the draw count fixed (determinism across versions).
  uint64_t below(uint64_t n) noexcept { return static_cast<uint64_t>((static_cast<Uint128>(next()) * n) >> 64); }
  // Uniform in [lo, hi] (inclusive); requires lo <= hi.
  int64_t between(int64_t lo, int64_t hi) noexcept {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, 1).
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) noexcept { return unit() < p; }
  // Log-uniform in [lo, hi] (lo >= 1): realistic spread of amounts over many orders of magnitude.
  uint64_t log_uniform(double lo, double hi) noexcept {
    return static_cast<uint64_t>(std::exp(std::log(lo) + unit() * (std::log(hi) - std::log(lo))));
  }
  void fill(std::span<uint8_t> out) noexcept {
    for (size_t i = 0; i < out.size(); i += 8) {
      uint64_t v = next();
      for (size_t j = i; j < out.size() && j < i + 8; ++j, v >>= 8) out[j] = static_cast<uint8_t>(v);
    }
  }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace tronidx::sim
