// jemalloc's built-in options for tronidxd, read before main(); MALLOC_CONF in the environment overrides
// them (docs/operations.md).
//
// narenas:2 — jemalloc's default is four arenas per CPU, each keeping the pages its threads freed for
// reuse. The daemon's large short-lived allocations (a group commit's batch and index writes, decoded
// blocks, memtable arenas) are made by different threads, so pages freed in one arena were not reused by
// the next allocation in another: with two arenas the peak RSS of a catch-up (B7) measured 407-425 MB
// against 455-528 MB with the default on a 2-CPU machine, at the same CPU per block and query rate
// (docs/performance.md, fourth session). Allocations mostly come from per-thread caches, so two arenas do not contend.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's.
const char* malloc_conf = "narenas:2";
}
