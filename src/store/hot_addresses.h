// The addresses whose by_address entries carry their transfer's row (schema.h, by_address): the busiest
// ones, as far as a storage budget allows.
//
// Why: a page of an address's history reads its index entries, then each row from the transfers family,
// where a busy address's rows lie among everyone else's: ~100 lookups over a dozen data blocks that mostly
// miss the block cache. With the row in the entry, a page reads a few consecutive blocks of the index
// (B5's 1M-transfer address: 3,955 -> 6,636 pages/s, docs/performance.md). Each carried row costs ~61
// bytes on disk, so only the busiest addresses get it: each address's share of the index entries is
// estimated from every 16th transfer written (the Space-Saving top-k count, decayed so that it follows the
// chain), and the addresses with at least `min_share` of them are taken, densest first, while their rows'
// estimated cost stays within `budget_bytes` per transfer written.
//
// Which entries carry a row changes nothing else: readers take the row from the entry when it is there,
// from the transfers family when not (rows never change once written), and `tronidx verify` checks each
// carried row against its transfer. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "tronidx/chain/address.h"

namespace tronidx::store {

class HotAddresses {
 public:
  struct Options {
    double budget_bytes = 8;  // per transfer written; 0 = no entry carries a row
    double min_share = 0.01;  // of the index's entries, for an address to be considered
  };
  // Disk bytes one carried row adds to its entry (measured on B5's database, ZSTD-compressed by_address).
  static constexpr double kRowBytes = 61;

  explicit HotAddresses(Options options);

  // Counts one written transfer (a sample of them) and says whether its from / to entries carry the row.
  struct Carry {
    bool from = false;
    bool to = false;
  };
  Carry note(const chain::Address& from, const chain::Address& to);

  // The addresses whose entries currently carry their rows (for tests).
  std::vector<chain::Address> hot() const;

 private:
  static constexpr size_t kTracked = 64;        // Space-Saving counters
  static constexpr uint64_t kSampleEvery = 16;  // transfers
  static constexpr uint64_t kRecomputeEvery = 1024;  // samples
  static constexpr uint64_t kDecayAt = uint64_t{1} << 20;  // samples: then every count is halved

  struct Counter {
    chain::Address address;
    uint64_t count = 0;
    uint64_t error = 0;  // the count it inherited on replacing another address (an over-estimate by up to this)
  };
  void sample(const chain::Address& a);
  void recompute();
  bool is_hot(const chain::Address& a) const;

  const Options options_;
  mutable std::mutex mu_;
  uint64_t transfers_ = 0;
  uint64_t samples_ = 0;  // endpoints counted since the last decay (halved with the counts)
  uint64_t since_recompute_ = 0;
  std::vector<Counter> counters_;  // scanned: 64 addresses compare faster than a hash map's allocations
  std::vector<chain::Address> hot_;
};

}  // namespace tronidx::store
