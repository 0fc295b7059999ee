#include "compaction_deferral.h"

#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <string>

#include "rocks.h"

namespace tronidx::store {

CompactionDeferral::CompactionDeferral(rocksdb::DB& db, std::vector<rocksdb::ColumnFamilyHandle*> families,
                                       uint64_t max_l0_files)
    : db_(db), max_l0_files_(max_l0_files) {
  for (auto* h : families) families_.push_back(Family{h});
}

Status CompactionDeferral::set_auto_compaction(rocksdb::ColumnFamilyHandle* family, bool on) {
  auto s = db_.SetOptions(family, {{"disable_auto_compactions", on ? "false" : "true"}});
  if (!s.ok()) return rocks_error(s, "setting disable_auto_compactions of " + family->GetName());
  return ok_status();
}

Status CompactionDeferral::before_commit() {
  if (max_l0_files_ == 0) return ok_status();
  for (auto& f : families_) {
    if (f.state != State::kNormal) continue;
    TRONIDX_TRY(set_auto_compaction(f.handle, false));
    f.state = State::kDeferred;
  }
  return ok_status();
}

Status CompactionDeferral::after_commit() {
  for (auto& f : families_) {
    if (f.state != State::kDeferred) continue;
    const uint64_t files = l0_files(db_, f.handle);
    if (files < max_l0_files_) continue;
    TRONIDX_TRY(set_auto_compaction(f.handle, true));
    f.state = State::kFull;
    spdlog::info(
        "store: {} holds {} files at L0 (store.catch_up_l0_files): compacting it as usual for the rest "
        "of this catch-up",
        f.handle->GetName(), files);
  }
  return ok_status();
}

bool CompactionDeferral::deferred(const rocksdb::ColumnFamilyHandle* family) const {
  for (const auto& f : families_) {
    if (f.handle == family) return f.state == State::kDeferred;
  }
  return false;
}

Status CompactionDeferral::end_catch_up() {
  for (auto& f : families_) {
    if (f.state == State::kDeferred) TRONIDX_TRY(set_auto_compaction(f.handle, true));
    f.state = State::kNormal;
  }
  return ok_status();
}

}  // namespace tronidx::store
