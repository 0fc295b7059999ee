#pragma once
// B5's query database: an `all`-mode database of USDT transfers built through the store API, whose
// recipients include three subject addresses holding a tenth, a hundredth and a thousandth of them. Used
// by the B5 scenario (tools/bench/queries.cc) and the query micro-benchmarks (tools/bench/micro.cc).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/ids.h"
#include "tronidx/chain/result.h"

namespace tronidx::bench {

struct QueryDb {
  uint64_t blocks = 0;
  uint64_t transfers = 0;
  std::vector<std::pair<chain::Address, uint64_t>> subjects;  // address, its transfer count; densest first
};

// The recipient of the `s`-th subject's transfers (0: a tenth of all, 1: a hundredth, 2: a thousandth).
chain::Address subject_address(int s);

// Builds the database of `total` transfers (250 per block) at `path`, compacted.
Result<QueryDb> build_query_db(const std::string& path, const chain::BlockId& genesis, uint64_t total);

// A kept database describes itself in a manifest in its directory, written once its build completed.
void write_query_db_manifest(const std::filesystem::path& dir, const QueryDb& db);
// The kept database in `dir`, if its manifest says it has `total` transfers (any size when total is 0).
std::optional<QueryDb> read_query_db_manifest(const std::filesystem::path& dir, uint64_t total = 0);

}  // namespace tronidx::bench
