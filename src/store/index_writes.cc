#include "index_writes.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace tronidx::store {
namespace {

static_assert(IndexWrites::kMaxKey % 8 == 0);

uint64_t to_big_endian(uint64_t v) noexcept {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v);
  return v;
}

// Below this many ops a plain sort is as fast as distributing them first.
constexpr size_t kBucketMin = 4096;
constexpr int kBucketBits = 16;

}  // namespace

void IndexWrites::add(rocksdb::ColumnFamilyHandle* family, std::string_view key, std::string_view value, bool erase) {
  // The schema's index keys are fixed and short; a longer one is a programming error, not input.
  if (key.size() > kMaxKey) throw std::logic_error("IndexWrites: index key longer than kMaxKey");
  auto f = std::find_if(families_.begin(), families_.end(), [&](const Family& x) { return x.handle == family; });
  if (f == families_.end()) f = families_.insert(families_.end(), Family{family, {}, {}, {}, {}});
  char padded[kMaxKey] = {};
  std::memcpy(padded, key.data(), key.size());
  Op op{{}, static_cast<uint32_t>(f->ops.size()), static_cast<uint8_t>(key.size()), erase};
  for (size_t i = 0; i < kWords; ++i) {
    uint64_t w;
    std::memcpy(&w, padded + 8 * i, 8);
    op.words[i] = to_big_endian(w);  // so that integer order is byte order
  }
  if (!value.empty()) {
    f->value_spans.resize(f->ops.size() + 1);
    f->value_spans.back() = {static_cast<uint32_t>(f->values.size()), static_cast<uint32_t>(value.size())};
    f->values.append(value);
  }
  f->ops.push_back(op);
}

size_t IndexWrites::size() const noexcept {
  size_t n = 0;
  for (const Family& f : families_) n += f.ops.size();
  return n;
}

void IndexWrites::sort_ops(std::vector<Op>& ops, std::vector<Op>& scratch) {
  const auto op_less = [](const Op& a, const Op& b) {
    return std::tie(a.words, a.size, a.order) < std::tie(b.words, b.size, b.order);
  };
  // by_token's keys usually arrive in order already (one token, positions ascending).
  if (std::is_sorted(ops.begin(), ops.end(), op_less)) return;
  if (ops.size() < kBucketMin) {
    std::sort(ops.begin(), ops.end(), op_less);
    return;
  }
  // Distribute the ops over buckets by the 16 bits that follow what all their first words share (keeping
  // queue order), then sort each bucket that is not in order already. by_address and by_txid keys begin
  // with address or txid bytes, spread evenly: their buckets are their first 16 bits, each small. by_token
  // keys begin with a small token ref and then the position: a bucket holds one token's positions of a few
  // thousand blocks, queued in order (a comparison sort of the commit's whole by_token was ~5 % of the writer
  // thread in catch-up).
  const auto [lo, hi] =
      std::minmax_element(ops.begin(), ops.end(), [](const Op& a, const Op& b) { return a.words[0] < b.words[0]; });
  const uint64_t min_word = lo->words[0];
  const int shift = std::max(0, static_cast<int>(std::bit_width(min_word ^ hi->words[0])) - kBucketBits);
  std::vector<uint32_t> next(size_t{1} << kBucketBits, 0);
  const auto bucket = [&](const Op& op) { return static_cast<size_t>((op.words[0] >> shift) - (min_word >> shift)); };
  for (const Op& op : ops) ++next[bucket(op)];
  uint32_t start = 0;
  for (auto& n : next) start += std::exchange(n, start);  // counts -> first index of each bucket
  scratch.resize(ops.size());
  for (const Op& op : ops) scratch[next[bucket(op)]++] = op;
  // next[b] is now the end of bucket b, and the start of bucket b + 1.
  uint32_t begin = 0;
  for (const uint32_t end : next) {
    if (end - begin > 1 && !std::is_sorted(scratch.begin() + begin, scratch.begin() + end, op_less)) {
      std::sort(scratch.begin() + begin, scratch.begin() + end, op_less);
    }
    begin = end;
  }
  ops.swap(scratch);
}

void IndexWrites::drain(const OpFn& fn) {
  for (size_t i = 0; i < families_.size(); ++i) drain_family(i, fn);
}

void IndexWrites::drain_family(size_t i, const OpFn& fn) {
  Family& f = families_.at(i);
  sort_ops(f.ops, f.scratch);
  char key[kMaxKey];
  for (size_t n = 0; n < f.ops.size(); ++n) {
    const Op& op = f.ops[n];
    // Sorted by (key, order): a later write of the same key follows, and wins.
    if (n + 1 < f.ops.size() && f.ops[n + 1].words == op.words && f.ops[n + 1].size == op.size) continue;
    for (size_t w = 0; w < kWords; ++w) {
      const uint64_t word = to_big_endian(op.words[w]);
      std::memcpy(key + 8 * w, &word, 8);
    }
    std::string_view value;
    if (op.order < f.value_spans.size()) {
      const auto [at, size] = f.value_spans[op.order];
      value = std::string_view(f.values).substr(at, size);
    }
    fn(f.handle, std::string_view(key, op.size), value, op.erase);
  }
  f.ops.clear();
  f.value_spans.clear();
  f.values.clear();
}

void IndexWrites::emit_into(rocksdb::WriteBatch& batch) {
  drain([&](rocksdb::ColumnFamilyHandle* family, std::string_view key, std::string_view value, bool erase) {
    const rocksdb::Slice k(key.data(), key.size());
    if (erase) {
      batch.Delete(family, k);
    } else {
      batch.Put(family, k, rocksdb::Slice(value.data(), value.size()));
    }
  });
}

}  // namespace tronidx::store
