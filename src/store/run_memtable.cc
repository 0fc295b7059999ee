#include "run_memtable.h"

#include <rocksdb/version.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>
#include <vector>

namespace tronidx::store {
namespace {

using rocksdb::MemTableRep;
using Entries = std::vector<const char*>;  // length-prefixed memtable entries (RocksDB's arena owns them)

// A memtable entry's internal key: varint32 length, then user key | fixed64 (sequence << 8 | type).
std::string_view internal_key(const char* entry) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(entry);
  uint32_t len = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    const uint32_t byte = *p++;
    len |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  return {reinterpret_cast<const char*>(p), len};
}

// Orders entries exactly as RocksDB's memtable comparator does over a bytewise user comparator (the
// factory's contract): user key ascending (memcmp, then length), then the trailer descending (newer
// sequence first). Inlined where the generic comparator costs two virtual calls per comparison: the
// flush's merge and the run detection of every insert compare ~n log k and n times.
bool entry_less(const char* a, const char* b) noexcept {
  const std::string_view ka = internal_key(a);
  const std::string_view kb = internal_key(b);
  const std::string_view ua = ka.substr(0, ka.size() - 8);
  const std::string_view ub = kb.substr(0, kb.size() - 8);
  const int c = ua.compare(ub);
  if (c != 0) return c < 0;
  uint64_t ta;
  uint64_t tb;
  std::memcpy(&ta, ka.data() + ua.size(), 8);  // fixed64 is little-endian, as on every host we build for
  std::memcpy(&tb, kb.data() + ub.size(), 8);
  static_assert(std::endian::native == std::endian::little);
  return ta > tb;
}

// Merges the sorted runs of `v` (run i spans [bounds[i], bounds[i+1])) into one sorted sequence:
// pairwise passes between two buffers, n comparisons per pass, ceil(log2 runs) passes.
void merge_runs(Entries& v, std::vector<size_t> bounds) {
  if (bounds.size() <= 2) return;
  const auto less = [](const char* a, const char* b) { return entry_less(a, b); };
  Entries scratch(v.size());
  Entries* src = &v;
  Entries* dst = &scratch;
  while (bounds.size() > 2) {
    std::vector<size_t> next{0};
    size_t i = 0;
    for (; i + 2 < bounds.size(); i += 2) {
      std::merge(src->begin() + bounds[i], src->begin() + bounds[i + 1], src->begin() + bounds[i + 1],
                 src->begin() + bounds[i + 2], dst->begin() + bounds[i], less);
      next.push_back(bounds[i + 2]);
    }
    if (i + 1 < bounds.size()) {  // an odd run out: carried over as it is
      std::copy(src->begin() + bounds[i], src->begin() + bounds[i + 1], dst->begin() + bounds[i]);
      next.push_back(bounds[i + 1]);
    }
    bounds = std::move(next);
    std::swap(src, dst);
  }
  if (src != &v) v.swap(*src);
}

class IteratorPool;

// The first base of a pooled iterator, so that it is destroyed last: when its destructor hands the slot
// back, nothing of the iterator is touched any more (no vtable pointer either: it is not polymorphic).
class SlotReleaser {
 public:
  SlotReleaser(IteratorPool* pool, void* slot) : pool_(pool), slot_(slot) {}
  SlotReleaser(const SlotReleaser&) = delete;
  SlotReleaser& operator=(const SlotReleaser&) = delete;
  ~SlotReleaser();

 private:
  IteratorPool* pool_;  // nullptr: a heap iterator (RocksDB deletes it)
  void* slot_;
};

class SortedIterator final : private SlotReleaser, public MemTableRep::Iterator {
 public:
  SortedIterator(std::shared_ptr<const Entries> entries, const MemTableRep::KeyComparator& cmp,
                 IteratorPool* pool = nullptr, void* slot = nullptr)
      : SlotReleaser(pool, slot), entries_(std::move(entries)), cmp_(cmp), pos_(entries_->size()) {}

  bool Valid() const override { return pos_ < entries_->size(); }
  const char* key() const override { return (*entries_)[pos_]; }
  void Next() override { ++pos_; }
  void Prev() override { pos_ = pos_ == 0 ? entries_->size() : pos_ - 1; }

  // First entry >= target (memtable_key, when given, is the same target length-prefixed).
  void Seek(const rocksdb::Slice& internal_key, const char* memtable_key) override {
    auto it = std::partition_point(entries_->begin(), entries_->end(),
                                   [&](const char* e) { return compare(e, internal_key, memtable_key) < 0; });
    pos_ = static_cast<size_t>(it - entries_->begin());
  }
  // Last entry <= target.
  void SeekForPrev(const rocksdb::Slice& internal_key, const char* memtable_key) override {
    auto it = std::partition_point(entries_->begin(), entries_->end(),
                                   [&](const char* e) { return compare(e, internal_key, memtable_key) <= 0; });
    const auto n = static_cast<size_t>(it - entries_->begin());
    pos_ = n == 0 ? entries_->size() : n - 1;
  }
  void SeekToFirst() override { pos_ = 0; }
  void SeekToLast() override { pos_ = entries_->empty() ? 0 : entries_->size() - 1; }

 private:
  int compare(const char* entry, const rocksdb::Slice& internal_key, const char* memtable_key) const {
    return memtable_key != nullptr ? cmp_(entry, memtable_key) : cmp_(entry, internal_key);
  }

  std::shared_ptr<const Entries> entries_;
  const MemTableRep::KeyComparator& cmp_;
  size_t pos_;  // == size: not valid
};

// Memory for the iterators RocksDB places "in an arena": it then runs their destructor but never frees
// them, and a memtable cannot allocate from its own arena once it is read-only (its memory use must not
// grow), so slots are recycled here. The pool lives until its memtable and its last iterator are gone
// (RocksDB may destroy an iterator after the memtable it read).
class IteratorPool {
 public:
  void* acquire() {
    std::lock_guard lock(mu_);
    ++live_;
    if (free_.empty()) return slots_.emplace_back(std::make_unique<Slot>())->bytes;
    void* slot = free_.back();
    free_.pop_back();
    return slot;
  }
  // An iterator's last step. Deletes the pool when it was its last user.
  void release(void* slot) {
    bool last = false;
    {
      std::lock_guard lock(mu_);
      free_.push_back(slot);
      last = --live_ == 0 && orphaned_;
    }
    if (last) delete this;
  }
  // The memtable is gone. Deletes the pool when no iterator is live.
  void orphan() {
    bool last = false;
    {
      std::lock_guard lock(mu_);
      orphaned_ = true;
      last = live_ == 0;
    }
    if (last) delete this;
  }

 private:
  struct Slot {
    alignas(SortedIterator) std::byte bytes[sizeof(SortedIterator)];
  };
  std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<void*> free_;
  size_t live_ = 0;
  bool orphaned_ = false;
};

SlotReleaser::~SlotReleaser() {
  if (pool_ != nullptr) pool_->release(slot_);
}

// While this thread is in SortedRunsRep::Get: where the iterator RocksDB's Get asks for is kept.
thread_local std::unique_ptr<MemTableRep::Iterator>* get_owner = nullptr;

class SortedRunsRep final : public MemTableRep {
 public:
  SortedRunsRep(const KeyComparator& cmp, rocksdb::Allocator* allocator)
      : MemTableRep(allocator), cmp_(cmp), pool_(new IteratorPool) {}
  SortedRunsRep(const SortedRunsRep&) = delete;
  SortedRunsRep& operator=(const SortedRunsRep&) = delete;
  ~SortedRunsRep() override { pool_->orphan(); }

  void Insert(rocksdb::KeyHandle handle) override {
    const auto* entry = static_cast<const char*>(handle);
    std::lock_guard lock(mu_);
    if (!entries_.empty() && !entry_less(entries_.back(), entry)) run_starts_.push_back(entries_.size());
    entries_.push_back(entry);
    size_.store(entries_.size() + run_starts_.size(), std::memory_order_relaxed);
  }

  bool Contains(const char* key) const override {
    const auto sorted = this->sorted();
    auto it = std::partition_point(sorted->begin(), sorted->end(), [&](const char* e) { return cmp_(e, key) < 0; });
    return it != sorted->end() && cmp_(*it, key) == 0;
  }

  void MarkReadOnly() override {
    std::lock_guard lock(mu_);
    read_only_ = true;
  }

  size_t ApproximateMemoryUsage() override {
    return sizeof(*this) + size_.load(std::memory_order_relaxed) * sizeof(const char*);
  }

  // RocksDB's default Get (reused here: it knows the LookupKey, whose definition is not public) asks for
  // an iterator and never deletes it; this one owns that iterator and deletes it when Get returns. That
  // ownership is not documented: the build is pinned to the RocksDB it was checked against.
  static_assert(ROCKSDB_MAJOR == 7 && ROCKSDB_MINOR == 8,
                "re-check that MemTableRep::Get does not delete its iterator (store_memtable_test under ASan), "
                "then widen this check");
  void Get(const rocksdb::LookupKey& k, void* callback_args, bool (*callback)(void* arg, const char* entry)) override {
    std::unique_ptr<Iterator> owned;
    std::unique_ptr<Iterator>* const outer = get_owner;
    get_owner = &owned;
    MemTableRep::Get(k, callback_args, callback);
    get_owner = outer;
  }

  Iterator* GetIterator(rocksdb::Arena* arena) override {
    auto entries = sorted();
    if (arena == nullptr) {
      auto* it = new SortedIterator(std::move(entries), cmp_);
      if (get_owner != nullptr) get_owner->reset(it);  // in Get: deleted when it returns
      return it;
    }
    void* slot = pool_->acquire();
    return new (slot) SortedIterator(std::move(entries), cmp_, pool_, slot);
  }

 private:
  // The entries in order: merged once and kept when the memtable is read-only, else a merged copy.
  std::shared_ptr<const Entries> sorted() const {
    std::unique_lock lock(mu_);
    if (merged_) return merged_;
    std::vector<size_t> bounds{0};
    bounds.insert(bounds.end(), run_starts_.begin(), run_starts_.end());
    bounds.push_back(entries_.size());
    if (read_only_) {
      merge_runs(entries_, std::move(bounds));
      run_starts_.clear();
      merged_ = std::make_shared<const Entries>(std::move(entries_));
      entries_.clear();
      return merged_;
    }
    Entries copy = entries_;
    lock.unlock();
    merge_runs(copy, std::move(bounds));
    return std::make_shared<const Entries>(std::move(copy));
  }

  const KeyComparator& cmp_;
  mutable std::mutex mu_;
  mutable Entries entries_;                 // in insertion order (until merged)
  mutable std::vector<size_t> run_starts_;  // where each run after the first begins
  bool read_only_ = false;
  mutable std::shared_ptr<const Entries> merged_;  // set once read-only and read
  std::atomic<size_t> size_{0};                    // entries + run starts, for ApproximateMemoryUsage
  IteratorPool* pool_;                             // deletes itself (orphan())
};

}  // namespace

rocksdb::MemTableRep* SortedRunsRepFactory::CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator& compare,
                                                              rocksdb::Allocator* allocator,
                                                              const rocksdb::SliceTransform* /*transform*/,
                                                              rocksdb::Logger* /*logger*/) {
  return new SortedRunsRep(compare, allocator);
}

}  // namespace tronidx::store
