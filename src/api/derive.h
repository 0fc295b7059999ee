#pragma once
// The events one journal record produces for one subscription (docs/subscriptions.md §Events): the single
// definition used for live delivery and for replay from a cursor alike.

#include <cstdint>
#include <vector>

#include "block_source.h"
#include "events.h"
#include "tronidx/store/journal.h"
#include "tronidx/store/watch_set.h"

namespace tronidx::api {

// Appends to `out` the events of `rec` for (filter, depth) whose cursor is after `after`, numbering them
// (rec.seq, 0..k-1). `rec.transfers` may be empty for kApply/kRevert read back from the journal: they are
// then read through `source` (whose snapshot must include rec). Errors are database errors.
Status derive_events(const store::JournalRecord& rec, const Filter& filter, uint32_t depth, BlockSource& source,
                     const store::WatchSet& watches, const Cursor& after, std::vector<Event>& out);

}  // namespace tronidx::api
