#include <iostream>

#include "commands.h"
#include "tronidx/store/check.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/store.h"

namespace tronidx::cli {
namespace {

Result<std::unique_ptr<store::Store>> open_read_only(const std::string& path) {
  store::OpenOptions o;
  o.path = path;
  o.read_only = true;
  o.create_if_missing = false;
  return store::Store::open(o);
}

}  // namespace

int run_db_stats(Format format, const DbArgs& args) {
  auto st = open_read_only(args.data_dir);
  if (!st.ok()) {
    std::cerr << "tronidx: db stats: " << st.error().message << "\n";
    return kExitFailure;
  }
  auto& s = **st;
  const auto state = s.state();
  auto cfs = s.cf_stats();
  if (!cfs.ok()) {
    std::cerr << "tronidx: db stats: " << cfs.error().message << "\n";
    return kExitFailure;
  }
  uint64_t total = 0;
  for (const auto& cf : *cfs) total += cf.live_bytes;
  if (format == Format::kJson) {
    std::cout << "{\"tip\":" << state.tip.block_num << ",\"base\":" << (state.base ? state.base->block_num : 0)
              << ",\"solidified\":" << state.solidified << ",\"journal_first\":" << state.journal_first
              << ",\"next_seq\":" << state.next_seq << ",\"mode\":\"" << s.mode().to_string()
              << "\",\"watched\":" << s.watches().size() << ",\"live_bytes\":" << total << ",\"column_families\":[";
    for (size_t i = 0; i < cfs->size(); ++i) {
      const auto& cf = (*cfs)[i];
      std::cout << (i ? "," : "") << "{\"name\":\"" << cf.name << "\",\"live_bytes\":" << cf.live_bytes
                << ",\"memtable_bytes\":" << cf.memtable_bytes << ",\"estimated_keys\":" << cf.estimated_keys << "}";
    }
    std::cout << "]}\n";
    return kExitOk;
  }
  std::cout << "database   " << args.data_dir << "\n"
            << "genesis    " << s.genesis_id().to_hex() << "\n"
            << "mode       " << s.mode().to_string() << "\n"
            << "blocks     " << (state.base ? state.base->block_num + 1 : 0) << ".." << state.tip.block_num
            << " (solidified " << state.solidified << ")\n"
            << "journal    records " << state.journal_first << ".." << state.next_seq - 1 << "\n"
            << "watched    " << s.watches().size() << "\n"
            << "size       " << total << " bytes in SST files\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& cf : *cfs) {
    rows.push_back({cf.name, std::to_string(cf.live_bytes), std::to_string(cf.memtable_bytes),
                    std::to_string(cf.estimated_keys)});
  }
  print_table(std::cout, {"COLUMN FAMILY", "SST BYTES", "MEMTABLE BYTES", "~KEYS"}, rows);
  return kExitOk;
}

int run_db_check(Format format, const DbArgs& args) {
  auto violations = store::check_database(args.data_dir);
  if (!violations.ok()) {
    std::cerr << "tronidx: db check: " << violations.error().message << "\n";
    return kExitFailure;
  }
  for (const auto& v : *violations) {
    if (format == Format::kJson) {
      std::cout << "{\"violation\":\"" << v << "\"}\n";  // messages hold no quotes or backslashes
    } else {
      std::cout << "VIOLATION " << v << "\n";
    }
  }
  if (violations->empty()) {
    std::cout << (format == Format::kJson ? "{\"ok\":true}" : "ok: every invariant holds") << "\n";
    return kExitOk;
  }
  std::cerr << "tronidx: db check: " << violations->size() << " violation(s)\n";
  return kExitFailure;
}

int run_db_new_instance(const DbArgs& args) {
  store::OpenOptions o;
  o.path = args.data_dir;
  o.create_if_missing = false;
  auto st = store::Store::open(o);
  if (!st.ok()) {
    std::cerr << "tronidx: db new-instance: " << st.error().message << "\n";
    return kExitFailure;
  }
  auto s = (*st)->new_instance_id();
  if (!s.ok()) {
    std::cerr << "tronidx: db new-instance: " << s.error().message << "\n";
    return kExitFailure;
  }
  std::cout << "new instance id written: every subscription cursor issued before is now refused\n";
  return kExitOk;
}

}  // namespace tronidx::cli
