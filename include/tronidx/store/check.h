#pragma once
// The database's structural invariants, checked from its raw column families and through the read API:
// what `tronidx db check` runs, and what the tests assert after every scenario and after every kill -9
// (a database must always be exactly a committed prefix).
//
// Checked:
//   identity/meta   schema version, genesis, mode, instance id as the Store reports them; the in-memory
//                   State equals the meta values on disk; base <= solidified <= tip.
//   chain           tip == the last canonical block (or the base); every height in (base, tip] has
//                   exactly one canonical version (revert_seq 0), none outside; they connect by parent
//                   id from the base; every version's apply_seq/revert_seq lies in the journal's range
//                   (revert_seq > apply_seq); reverted versions whose REVERT record was pruned are gone.
//   transfers       every transfer lies in a canonical block and decodes; its token ref is known; for
//                   each canonical block the non-backfilled transfers number transfer_count, and
//                   backfilled ones carry a backfill_seq after the block's apply_seq.
//   indexes         transfers <=> by_token / by_txid entries both ways; every by_address entry points at
//                   a transfer whose from (out) / to (in) has the key's prefix, and one that carries a row
//                   carries exactly that transfer's; every transfer has at least one by_address entry (both
//                   in `all` mode).
//   orphans         each belongs to a retained reverted version at the same height, and per version the
//                   non-backfilled orphans number its transfer_count.
//   journal         keys exactly [journal_first, next_seq); Snapshot::journal returns them in order;
//                   replaying APPLY/REVERT from the chain as of journal_first reproduces the canonical
//                   chain (ids and apply_seqs); SOLIDIFY records chain up (previous == last, never
//                   above the tip of that moment) to the stored solidified number; every record's
//                   tip_after/solidified_after match the replay; WATCH records match the watches family;
//                   BACKFILL transfers touch their address.
//   watches         per address, intervals ordered and disjoint with at most one open (the last); the
//                   Store's WatchSet agrees with them.
//   tokens          the dictionary is a bijection.
//   reads           Snapshot::block_transfers of every canonical block equals its raw transfers.

#include <string>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/store/store.h"

namespace tronidx::store {

// One line per violation; empty means consistent. No write may run during the call (the checker reads
// through a second read-only instance as well as through `store`).
std::vector<std::string> check_invariants(const Store& store);

// Opens the database at `path` read-only (works beside an idle writer, or after a crash) and checks it.
// An error only when it cannot be opened at all.
Result<std::vector<std::string>> check_database(const std::string& path);

}  // namespace tronidx::store
