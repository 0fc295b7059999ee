#pragma once
// Test-side names for the database invariant checker (the checker itself is production code:
// include/tronidx/store/check.h, used by `tronidx db check`).

#include <string>
#include <vector>

#include "tronidx/store/check.h"

namespace tronidx::store::testing {

// check_invariants(const Store&) is store::check_invariants itself (found by argument-dependent lookup).

// Opens `path` read-only and checks it; a database that cannot be opened is one violation.
inline std::vector<std::string> check_invariants(const std::string& path) {
  auto r = store::check_database(path);
  if (!r.ok()) return {"cannot open " + path + " read-only: " + r.error().message};
  return std::move(*r);
}

}  // namespace tronidx::store::testing
