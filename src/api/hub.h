#pragma once
// The subscription hub: turns durable commits into events for every open subscription.
//
// Every subscription is a journal reader with a cursor. It derives its events record by record
// (derive.h), from the in-memory ring of recent records or, when behind, from the journal on disk, and
// hands them to its Transport one at a time. A slow subscriber therefore only falls behind: it never
// stalls ingestion (on_commit does a bounded amount of work) or other subscribers; beyond max_lag_records
// it is closed with kResourceExhausted and can resume from its cursor.
//
// Fan-out is by address: a subscription waiting at the end of the journal is woken only if a new record
// involves one of its addresses (or it filters by token / everything watched); the others just advance.
//
// Priority: live subscriptions (within live_window_records of the journal's end while the daemon follows
// the chain head) are pumped by the live workers at normal CPU priority; the others (replaying a backlog,
// or any subscription while the daemon catches up: its events are of old, final blocks) by the backlog
// workers, whose threads run at nice +backlog_nice. So on a busy machine the order is: live deliveries,
// then ingestion, then backlog replay. A lagging subscriber makes neither the index nor the live
// subscribers late; it catches up with the CPU left over. Routing a commit (finding whom it wakes) runs on
// the live workers while the daemon follows, and on the backlog workers while it catches up, when every
// subscription it could wake is a backlog one anyway. While catching up, the backlog workers' routing and
// pumping are also held to a CPU budget (backlog_catch_up_cores): a nice level yields only when another thread is
// runnable, and the gRPC writes and the clients' decoding of what the pumps send run at normal priority.
//
// Threading: on_commit runs on the writer thread; derivation runs on the hub's worker threads; Transport
// callbacks (on_sent) come from gRPC threads. Lock order: Hub::mu_ before Subscription::mu_.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "block_source.h"
#include "cpu_budget.h"
#include "tronidx/common/metrics.h"
#include "events.h"
#include "tronidx/store/store.h"
#include "tronidx/sync/syncer.h"

namespace tronidx::api {

struct HubOptions {
  size_t workers = 2;                     // live workers (normal priority)
  size_t backlog_workers = 2;             // backlog workers (nice +backlog_nice)
  int backlog_nice = 10;                  // 0: same priority as everything else
  // While the daemon catches up, the backlog workers' pumping uses at most this much CPU on average
  // (cores: 0.1 = a tenth of one core; 0 = no limit). Routing commits is not limited (a lagging route
  // would wake every subscriber later).
  double backlog_catch_up_cores = 0.1;
  uint64_t live_window_records = 100;     // a subscription further behind the end is a backlog one
  uint64_t max_lag_records = 2'000'000;   // a subscription further behind the journal end is closed
  size_t replay_batch = 256;              // records read from disk at a time
  size_t max_queued_events = 4096;        // derived, not yet written, per subscription
  std::chrono::milliseconds heartbeat_interval{5000};
  // Recent records kept in memory for live subscribers (behind them, subscriptions read the journal on
  // disk): at most this many records, holding at most this many transfers (~170 bytes each).
  size_t ring_records = 100'000;
  size_t ring_transfers = 200'000;
  size_t cache_transfers = 200'000;       // recent blocks' transfers kept for event derivation
};

// One unit handed to a transport: an event, or a heartbeat carrying the stream's position.
struct Delivery {
  bool heartbeat = false;
  std::chrono::steady_clock::time_point committed{};  // commit time of the event's record (live only)
  Event event;           // when !heartbeat
  Cursor cursor;         // heartbeat: the position (all events up to it were delivered)
  uint64_t head = 0;     // heartbeat: current tip and solidified
  uint64_t solidified = 0;
};

// Where a subscription's deliveries go (the gRPC stream). send() must not block; the transport reports
// completion through Subscription::on_sent. finish() ends the stream (called at most once, never while a
// send is in flight).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(const Delivery& d) = 0;
  virtual void finish(const Status& status) = 0;
};

class Hub;

class Subscription : public std::enable_shared_from_this<Subscription> {
 public:
  Subscription(Hub& hub, Filter filter, uint32_t depth, Cursor start, Transport* transport);

  const Filter& filter() const { return filter_; }
  uint32_t depth() const { return depth_; }
  // The transport finished a send (ok=false: the client is gone).
  void on_sent(bool ok);
  // The stream is over (client cancelled or finished): stop using the transport.
  void close();

 private:
  friend class Hub;
  // Worker thread: derive and send. With a `cpu_deadline` it stops once its thread's CPU time
  // (CpuBudget::thread_cpu_time()) reaches it (between two records), and is queued again if it has more to do.
  void pump(std::optional<std::chrono::nanoseconds> cpu_deadline = std::nullopt);
  void send_next_locked(std::unique_lock<std::mutex>& lock);
  void finish_locked(std::unique_lock<std::mutex>& lock, Status status);

  Hub& hub_;
  const Filter filter_;
  const uint32_t depth_;
  std::mutex mu_;
  Transport* transport_;             // null once closed
  Cursor pos_;                       // every event up to here is derived (queued or sent)
  Cursor sent_;                      // every event up to here was delivered (acknowledged by the transport)
  Cursor in_flight_cursor_;
  // How far behind the journal's end it may fall (records): max_lag_records beyond how far behind it
  // started, so that a stream resumed from an old cursor can catch up (set by Hub::open).
  uint64_t max_lag_ = 0;
  std::deque<Delivery> queue_;
  bool in_flight_ = false;
  bool scheduled_ = false;           // in the hub's run queue or being pumped
  bool finishing_ = false;
  Status finish_status_;
  std::chrono::steady_clock::time_point last_send_;
};

class Hub final : public sync::CommitListener {
 public:
  Hub(store::Store& store, HubOptions options);
  ~Hub() override;
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Opens a subscription starting after `after` (nullopt: at the current end of the journal).
  // kOutOfRange when `after` is older than the journal's retention (the message names the oldest valid
  // position); kInvalidArgument when it is beyond the end. Nothing is sent before start().
  Result<std::shared_ptr<Subscription>> open(Filter filter, uint32_t depth, std::optional<Cursor> after,
                                             Transport* transport);
  void start(const std::shared_ptr<Subscription>& sub);
  void close(const std::shared_ptr<Subscription>& sub);

  size_t subscribers() const;
  // The oldest cursor a subscription may resume from.
  Cursor oldest_cursor() const;

  // sync::CommitListener (writer thread).
  void on_commit(const std::shared_ptr<const store::CommitResult>& result, const sync::SyncStatus& status) override;

  // Stops the workers and finishes every stream with kUnavailable.
  void shutdown();

  metrics::Counter events_sent;        // events handed to transports (not heartbeats)
  metrics::Counter heartbeats_sent;
  metrics::Counter slow_disconnects;   // closed for exceeding max_lag_records
  metrics::Histogram delivery_latency; // commit of a record -> its event handed to the stream (live events)

 private:
  friend class Subscription;
  struct View {
    std::shared_ptr<const store::Snapshot> snapshot;
    uint64_t end = 0;    // last committed seq
    uint64_t first = 1;  // oldest retained seq
  };
  View view() const;
  // Records (seq > after_seq) up to `max`, from the ring or the journal on disk.
  Result<std::vector<std::shared_ptr<const store::JournalRecord>>> records_after(const View& v, uint64_t after_seq,
                                                                                size_t max);
  enum class Pool { kLive, kBacklog };
  void worker(Pool pool, bool heartbeat_owner);
  void route(uint64_t from_seq, uint64_t to_seq);  // wake subscriptions involved in records [from, to]
  void heartbeats();
  void enqueue(std::shared_ptr<Subscription> sub);  // sub->scheduled_ already set by the caller
  bool backlog(uint64_t at_seq) const;               // whether a subscription at at_seq is a backlog one

  store::Store& store_;
  const HubOptions opts_;
  BlockCache cache_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  View view_;
  struct RingEntry {
    std::shared_ptr<const store::JournalRecord> record;
    std::chrono::steady_clock::time_point committed;
  };
  std::deque<RingEntry> ring_;  // consecutive seqs ending at view_.end
  size_t ring_transfers_ = 0;   // transfers held by ring_
  // Commit time of a record still in the ring (steady_clock epoch when it is not).
  std::chrono::steady_clock::time_point committed_at(uint64_t seq) const;
  std::atomic<uint64_t> end_{0};  // == view_.end, readable without mu_
  std::atomic<bool> catching_up_{false};  // the syncer's phase at the last commit
  uint64_t routed_to_ = 0;         // records up to here have been routed
  bool route_pending_ = false;     // records after routed_to_ await routing by routing_pool()
  // The pool that routes commits: backlog while catching up, else live.
  Pool routing_pool() const { return catching_up_.load() ? Pool::kBacklog : Pool::kLive; }
  std::set<std::shared_ptr<Subscription>> subs_;
  std::deque<std::shared_ptr<Subscription>> live_queue_, backlog_queue_;
  std::condition_variable backlog_cv_;  // backlog workers wait here, live workers on cv_
  std::unique_ptr<CpuBudget> catch_up_budget_;  // the backlog pumps' while catching up; null: no limit
  std::vector<std::thread> threads_;
};

}  // namespace tronidx::api
