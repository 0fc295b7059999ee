#include "ingest.h"

#include <pthread.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "compaction_deferral.h"
#include "index_writes.h"
#include "rocks.h"

namespace tronidx::store {
namespace {

struct Entry {
  rocksdb::Slice key;
  rocksdb::Slice value;
  bool erase;
};

// Collects a batch's puts and deletes per family (column family id), in batch order, pointing into the batch.
class Collector : public rocksdb::WriteBatch::Handler {
 public:
  explicit Collector(std::vector<std::vector<Entry>>& by_cf) : by_cf_(by_cf) {}
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    return add(cf, Entry{key, value, false});
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return add(cf, Entry{key, rocksdb::Slice(), true});
  }
  // Every other operation keeps the Handler's default: an error status, which ends the iteration.

 private:
  rocksdb::Status add(uint32_t cf, Entry e) {
    if (cf >= by_cf_.size()) return rocksdb::Status::InvalidArgument("unknown column family");
    by_cf_[cf].push_back(e);
    return rocksdb::Status::OK();
  }
  std::vector<std::vector<Entry>>& by_cf_;
};

// Orders one family's entries by key, keeping only the last write of each key (batch order).
void sort_entries(std::vector<Entry>& entries) {
  const auto less = [](const Entry& a, const Entry& b) { return a.key.compare(b.key) < 0; };
  // The growing families arrive in key order.
  if (!std::is_sorted(entries.begin(), entries.end(), less)) std::stable_sort(entries.begin(), entries.end(), less);
  size_t out = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 < entries.size() && entries[i + 1].key == entries[i].key) continue;
    entries[out++] = entries[i];
  }
  entries.resize(out);
}

Error ingest_error(const rocksdb::Status& s, const std::string& what) {
  return rocks_error(s, "ingesting a commit: " + what);
}

// Whether `entries` (one family's, sorted) are puts only, all at or above that family's `unseen` key.
bool unseen_by_open_snapshots(const rocksdb::ColumnFamilyHandle* family, const std::vector<Entry>& entries,
                              const std::vector<Ingester::Unseen>& unseen) {
  auto u = std::find_if(unseen.begin(), unseen.end(), [&](const Ingester::Unseen& x) { return x.family == family; });
  if (u == unseen.end() || entries.empty() || entries.front().key.compare(u->from) < 0) return false;
  return std::none_of(entries.begin(), entries.end(), [](const Entry& e) { return e.erase; });
}

// One table file's building in a commit, and how much it writes (bytes, estimated).
struct Job {
  size_t weight;
  std::function<void()> run;
};
constexpr size_t kIndexEntryBytes = 24;  // an index key, as a weight (IndexWrites::kMaxKey)

// Runs `jobs` on the calling thread and one more per further core (at most one per job), heaviest first,
// each thread taking the next job when done with its last; returns when all are done. An exception of a
// job is rethrown here, once every thread has stopped.
void run_longest_first(std::vector<Job>& jobs) {
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.weight > b.weight; });
  const size_t lanes = std::min<size_t>(jobs.size(), std::max(1U, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::exception_ptr failed;
  const auto lane = [&] {
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      try {
        jobs[i].run();
      } catch (...) {
        std::lock_guard lock(mu);
        if (!failed) failed = std::current_exception();
      }
    }
  };
  std::vector<std::thread> helpers;
  for (size_t n = 1; n < lanes; ++n) {
    helpers.emplace_back([&lane] {
      pthread_setname_np(pthread_self(), "ingest-lane");
      lane();
    });
  }
  lane();
  for (auto& t : helpers) t.join();
  if (failed) std::rethrow_exception(failed);
}

constexpr auto kMaxCompactionWait = std::chrono::minutes(1);
constexpr auto kCompactionPoll = std::chrono::milliseconds(10);

}  // namespace

struct Ingester::Impl {
  Rocks* rocks = nullptr;
  std::string dir;
  uint64_t next_file = 0;
  // Per column family id: its handle and the options its table files are built with.
  struct Family {
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    rocksdb::Options options;
    bool last_level = false;  // a growing family: its files land at the last level
  };
  std::vector<Family> families;
  // The commit's batch entries per family id, pointing into the batch: kept across commits, so that their
  // vectors (hundreds of thousands of entries in a catch-up commit) are not grown afresh every time.
  std::vector<std::vector<Entry>> by_cf;
  std::vector<Ingester::Range> ingested;  // growing families only, since take_ingested_ranges()
  size_t ingested_commits = 0;            // since take_ingested_ranges()
  std::atomic<uint64_t> stalls{0};  // read by other threads (Store::ingest_stalls)
  const CompactionDeferral* deferral = nullptr;

  // A family whose files land at L0 and whose L0 holds as many files as its slowdown trigger, if any.
  const Family* l0_backlog() const {
    for (const auto& f : families) {
      if (f.handle == nullptr || f.last_level || (deferral != nullptr && deferral->deferred(f.handle))) continue;
      if (l0_files(*rocks->db, f.handle) >= static_cast<uint64_t>(f.options.level0_slowdown_writes_trigger)) return &f;
    }
    return nullptr;
  }

  // Waits (bounded: a compaction that cannot run must not hang the writer) while l0_backlog().
  void wait_for_compaction() {
    const Family* behind = l0_backlog();
    if (behind == nullptr) return;
    ++stalls;
    const std::string name = behind->handle->GetName();
    const auto start = std::chrono::steady_clock::now();
    while (behind != nullptr && std::chrono::steady_clock::now() - start < kMaxCompactionWait) {
      std::this_thread::sleep_for(kCompactionPoll);
      behind = l0_backlog();
    }
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (behind != nullptr) {
      spdlog::warn("store: compaction of {} is behind (L0 still at its slowdown trigger after {} ms): ingesting anyway",
                   behind->handle->GetName(), waited.count());
    } else if (waited >= std::chrono::seconds(1)) {
      spdlog::warn("store: a commit waited {} ms for the compaction of {} (L0 at its slowdown trigger)", waited.count(),
                   name);
    }
  }

  // One family's table file in a commit. Each is built by one job of the commit (see commit()), which
  // opens it at the family's first key. A family gets a job only when it has writes, and of several writes of
  // a key the last is kept, so every job writes at least one key and every file is opened.
  struct File {
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    const rocksdb::Options* options = nullptr;
    const rocksdb::EnvOptions* env_options = nullptr;
    std::string path;
    std::unique_ptr<rocksdb::SstFileWriter> writer;  // while the file is built
    rocksdb::Status status;
    bool opened = false;

    void write(const rocksdb::Slice& key, const rocksdb::Slice& value, bool erase) {
      if (!status.ok()) return;
      if (!opened) {
        opened = true;
        writer = std::make_unique<rocksdb::SstFileWriter>(*env_options, *options, handle,
                                                          /*invalidate_page_cache=*/false);
        status = writer->Open(path);
        if (!status.ok()) return;
      }
      status = erase ? writer->Delete(key) : writer->Put(key, value);
    }
    void finish() {
      if (writer && status.ok()) status = writer->Finish();
      writer.reset();
    }
  };
  // How the files are written: as RocksDB writes its own (the database's options), so that with its
  // bytes_per_sync their pages go to disk while they are built rather than all in the sync that ends them.
  rocksdb::EnvOptions env_options;
  std::vector<File> files;  // this commit's, one per family written; removed unless ingested (moved into the database)

  File& add_file(rocksdb::ColumnFamilyHandle* family) {
    const Family& fam = families.at(family->GetID());
    File f;
    f.handle = family;
    f.options = &fam.options;
    f.env_options = &env_options;
    f.path = dir + "/" + std::to_string(next_file++) + "-" + family->GetName() + ".sst";
    return files.emplace_back(std::move(f));
  }

  void remove_files() {
    std::error_code ec;
    for (auto& f : files) {
      f.writer.reset();
      if (f.opened) std::filesystem::remove(f.path, ec);
    }
    files.clear();
  }
};

Ingester::Ingester(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ingester::~Ingester() = default;

Result<std::unique_ptr<Ingester>> Ingester::open(Rocks& rocks, std::string dir, const CompactionDeferral* deferral) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::remove_all(dir, ec);  // files of a commit that did not complete
  if (ec) return make_error(Errc::kInternal, "removing " + dir + ": " + ec.message());
  fs::create_directories(dir, ec);
  if (ec) return make_error(Errc::kInternal, "creating " + dir + ": " + ec.message());
  auto impl = std::make_unique<Impl>();
  impl->rocks = &rocks;
  impl->dir = std::move(dir);
  impl->deferral = deferral;
  const rocksdb::DBOptions db_options = rocks.db->GetDBOptions();
  impl->env_options = rocksdb::EnvOptions(db_options);
  for (auto* h : rocks.handles) {
    const uint32_t id = h->GetID();
    if (impl->families.size() <= id) impl->families.resize(id + 1);
    rocksdb::Options o(db_options, rocks.db->GetOptions(h));
    // Every family's files are written uncompressed. The growing families' land at the last level, and the
    // store has them rewritten with that level's compression in the background every few dozen commits and when the
    // catch-up ends, or at the next open if it did not end (recompress.h): compressing them here (LZ4 until the
    // eleventh session) cost the writer thread ~9 % of its time for files that live a few minutes
    // (docs/performance.md). The others land at L0, which flushes write uncompressed too (rocks.cc), to be
    // compacted later.
    const auto growing = rocks.growing();
    const bool last_level = std::find(growing.begin(), growing.end(), h) != growing.end();
    o.compression = rocksdb::kNoCompression;
    o.bottommost_compression = rocksdb::kDisableCompressionOption;
    o.compression_per_level.clear();
    impl->families[id] = Impl::Family{h, std::move(o), last_level};
  }
  return std::unique_ptr<Ingester>(new Ingester(std::move(impl)));
}

Result<bool> Ingester::commit(const rocksdb::WriteBatch& batch, IndexWrites& index, const std::vector<Unseen>& unseen) {
  Impl& im = *impl_;
  auto& by_cf = im.by_cf;
  by_cf.resize(im.families.size());
  for (auto& entries : by_cf) entries.clear();
  Collector collect(by_cf);
  if (!const_cast<rocksdb::WriteBatch&>(batch).Iterate(&collect).ok()) {  // NOLINT: Iterate does not modify
    return false;
  }
  im.wait_for_compaction();
  struct Cleanup {
    Impl& im;
    ~Cleanup() { im.remove_files(); }
  } cleanup{im};

  // Each family's file is built by a job of its own (sorting its writes, writing and syncing the file), and
  // the jobs run on as many threads as there are cores: a catch-up's writer thread was its bottleneck,
  // busy ~75 % of the time with these files while the cores were idle ~25 % (docs/performance.md,
  // fifteenth session). Distinct families' writes are independent until IngestExternalFiles below.
  im.files.clear();
  im.files.reserve(index.families() + by_cf.size());
  std::vector<Job> jobs;
  for (size_t i = 0; i < index.families(); ++i) {
    if (index.queued(i) == 0) continue;
    Impl::File& f = im.add_file(index.family(i));
    jobs.push_back(
        {index.queued(i) * kIndexEntryBytes + index.value_bytes(i), [&index, &f, i] {
           index.drain_family(
               i, [&f](rocksdb::ColumnFamilyHandle*, std::string_view key, std::string_view value, bool erase) {
                 f.write(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()), erase);
               });
           f.finish();
         }});
  }
  for (size_t id = 0; id < by_cf.size(); ++id) {
    auto& entries = by_cf[id];
    if (entries.empty()) continue;
    if (im.families[id].handle == nullptr) return make_error(Errc::kInternal, "a write to an unknown column family");
    Impl::File& f = im.add_file(im.families[id].handle);
    size_t bytes = 0;
    for (const Entry& e : entries) bytes += e.key.size() + e.value.size();
    jobs.push_back({bytes, [&entries, &f] {
                      sort_entries(entries);
                      for (const Entry& e : entries) f.write(e.key, e.value, e.erase);
                      f.finish();
                    }});
  }
  run_longest_first(jobs);
  for (const auto& f : im.files) {
    if (!f.status.ok()) return ingest_error(f.status, "writing " + f.path);
  }

  // One file per family; a family written both through the batch and IndexWrites would need its two
  // files merged, which the schema never asks for (index families are only written through IndexWrites).
  // The files are in a fixed order (IndexWrites' families, then by family id), whichever job finished first.
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const auto& f : im.files) {
    auto it = std::find_if(args.begin(), args.end(), [&](const auto& a) { return a.column_family == f.handle; });
    if (it != args.end()) return make_error(Errc::kInternal, "two table files for family " + f.handle->GetName());
    rocksdb::IngestExternalFileArg a;
    a.column_family = f.handle;
    a.external_files = {f.path};
    a.options.move_files = true;
    a.options.snapshot_consistency = !unseen_by_open_snapshots(f.handle, by_cf[f.handle->GetID()], unseen);
    a.options.allow_global_seqno = true;
    a.options.allow_blocking_flush = true;
    a.options.write_global_seqno = false;
    a.options.verify_checksums_before_ingest = false;
    args.push_back(std::move(a));
  }
  auto s = im.rocks->db->IngestExternalFiles(args);
  if (!s.ok()) return ingest_error(s, "IngestExternalFiles");
  ++im.ingested_commits;
  for (size_t id = 0; id < by_cf.size(); ++id) {
    const auto& entries = by_cf[id];
    if (entries.empty() || !im.families[id].last_level) continue;
    auto r = std::find_if(im.ingested.begin(), im.ingested.end(),
                          [&](const Range& x) { return x.family == im.families[id].handle; });
    if (r == im.ingested.end()) {
      im.ingested.push_back(Range{im.families[id].handle, entries.front().key.ToString(), entries.back().key.ToString()});
    } else {
      r->lo = std::min(r->lo, entries.front().key.ToString());
      r->hi = std::max(r->hi, entries.back().key.ToString());
    }
  }
  return true;
}

size_t Ingester::commits_since_take() const { return impl_->ingested_commits; }
uint64_t Ingester::stalls() const { return impl_->stalls.load(); }

std::vector<Ingester::Range> Ingester::take_ingested_ranges() {
  impl_->ingested_commits = 0;
  return std::exchange(impl_->ingested, {});
}

}  // namespace tronidx::store
