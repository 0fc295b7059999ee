#include "index_writes.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace tronidx::store {

void IndexWrites::add(rocksdb::ColumnFamilyHandle* family, std::string_view key, bool erase) {
  // The schema's index keys are fixed and short; a longer one is a programming error, not input.
  if (key.size() > kMaxKey) throw std::logic_error("IndexWrites: index key longer than kMaxKey");
  Op op{family, static_cast<uint32_t>(ops_.size()), static_cast<uint8_t>(key.size()), erase, {}};
  std::memcpy(op.key.data(), key.data(), key.size());
  ops_.push_back(op);
}

void IndexWrites::emit_into(rocksdb::WriteBatch& batch) {
  std::sort(ops_.begin(), ops_.end(), [](const Op& a, const Op& b) {
    if (a.family != b.family) return a.family < b.family;
    const int c = std::memcmp(a.key.data(), b.key.data(), std::min(a.size, b.size));
    if (c != 0) return c < 0;
    if (a.size != b.size) return a.size < b.size;
    return a.order < b.order;
  });
  for (const Op& op : ops_) {
    const rocksdb::Slice key(op.key.data(), op.size);
    if (op.erase) {
      batch.Delete(op.family, key);
    } else {
      batch.Put(op.family, key, rocksdb::Slice());
    }
  }
  ops_.clear();
}

}  // namespace tronidx::store
