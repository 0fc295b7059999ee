#include "hub.h"

#include <spdlog/spdlog.h>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <unordered_set>

#include "derive.h"

namespace tronidx::api {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::nanoseconds kBudgetSlice = std::chrono::milliseconds(5);  // a budgeted pump's CPU slice

bool idle_locked_state(const std::deque<Delivery>& queue, bool in_flight, bool scheduled) {
  return queue.empty() && !in_flight && !scheduled;
}

}  // namespace

// ---- Subscription ---------------------------------------------------------------------------------

Subscription::Subscription(Hub& hub, Filter filter, uint32_t depth, Cursor start, Transport* transport)
    : hub_(hub),
      filter_(std::move(filter)),
      depth_(depth),
      transport_(transport),
      pos_(start),
      sent_(start),
      last_send_(SteadyClock::now()) {}

void Subscription::send_next_locked(std::unique_lock<std::mutex>& lock) {
  if (in_flight_ || queue_.empty() || transport_ == nullptr) return;
  Delivery d = std::move(queue_.front());
  queue_.pop_front();
  in_flight_ = true;
  in_flight_cursor_ = d.heartbeat ? d.cursor : d.event.cursor;
  (d.heartbeat ? hub_.heartbeats_sent : hub_.events_sent).add();
  if (!d.heartbeat && d.committed != std::chrono::steady_clock::time_point{}) {
    hub_.delivery_latency.observe(std::chrono::duration<double>(SteadyClock::now() - d.committed).count());
  }
  Transport* t = transport_;
  // The transport stays alive while a send is in flight (finish() is never called then).
  lock.unlock();
  t->send(d);
  lock.lock();
}

void Subscription::finish_locked(std::unique_lock<std::mutex>& lock, Status status) {
  (void)lock;
  if (transport_ == nullptr || finishing_) return;
  finishing_ = true;
  finish_status_ = std::move(status);
  queue_.clear();
  if (!in_flight_) {
    Transport* t = transport_;
    transport_ = nullptr;
    t->finish(finish_status_);
  }
}

void Subscription::on_sent(bool ok) {
  std::unique_lock lock(mu_);
  in_flight_ = false;
  last_send_ = SteadyClock::now();
  if (transport_ == nullptr) return;
  if (finishing_) {
    Transport* t = transport_;
    transport_ = nullptr;
    t->finish(finish_status_);
    return;
  }
  if (!ok) {
    finish_locked(lock, make_error(Errc::kCancelled, "the stream broke"));
    return;
  }
  sent_ = std::max(sent_, in_flight_cursor_);
  if (!queue_.empty()) {
    // A live subscription sends its next event right here; a backlog one from a backlog worker, so that
    // encoding its events runs at the backlog's priority, not on this gRPC thread's.
    if (!hub_.backlog(pos_.seq)) {
      send_next_locked(lock);
    } else if (!scheduled_) {
      scheduled_ = true;
      lock.unlock();
      hub_.enqueue(shared_from_this());
    }  // else: the pump queued or running sends it (it re-checks before it stops)
    return;
  }
  const bool behind = pos_.seq < hub_.end_.load() || pos_.ordinal != Cursor::kAfterRecord;
  if (behind && !scheduled_) {
    scheduled_ = true;
    lock.unlock();
    hub_.enqueue(shared_from_this());
  }
}

void Subscription::close() {
  std::lock_guard lock(mu_);
  transport_ = nullptr;
  queue_.clear();
}

void Subscription::pump(std::optional<std::chrono::nanoseconds> cpu_deadline) {
  const auto slice_used = [&] { return cpu_deadline && CpuBudget::thread_cpu_time() >= *cpu_deadline; };
  bool yielded = false;
  while (!yielded) {
    const Hub::View v = hub_.view();
    Cursor pos;
    {
      std::unique_lock lock(mu_);
      if (transport_ == nullptr || finishing_) break;
      send_next_locked(lock);  // (a backlog subscription's sends start here)
      if (transport_ == nullptr || finishing_) break;
      if (queue_.size() >= hub_.opts_.max_queued_events) break;  // on_sent reschedules when drained
      pos = pos_;
      if (pos.seq >= v.end && pos.ordinal == Cursor::kAfterRecord) break;  // at the end: idle
      if (v.end > pos.seq && v.end - pos.seq > max_lag_) {
        hub_.slow_disconnects.add();
        finish_locked(lock, make_error(Errc::kResourceExhausted,
                                       "subscriber too slow: " + std::to_string(v.end - pos.seq) +
                                           " journal records behind; reconnect with your last cursor"));
        break;
      }
    }
    const uint64_t after_seq = pos.ordinal == Cursor::kAfterRecord ? pos.seq : pos.seq - 1;
    auto records = hub_.records_after(v, after_seq, hub_.opts_.replay_batch);
    std::vector<Event> events;
    Status status = ok_status();
    if (!records.ok()) {
      status = std::move(records).error();
    } else {
      BlockSource source(v.snapshot, &hub_.cache_);
      for (const auto& rec : *records) {
        status = derive_events(*rec, filter_, depth_, source, hub_.store_.watches(), pos, events);
        if (!status.ok()) break;
        pos = Cursor{rec->seq, Cursor::kAfterRecord};
        if (events.size() >= hub_.opts_.max_queued_events) break;
        if (slice_used()) {
          yielded = true;  // (the records after pos are read again next time)
          break;
        }
      }
    }
    // Commit times (for the delivery-latency histogram), looked up once per record and before taking this
    // subscription's lock (the hub's lock comes first).
    std::vector<Delivery> deliveries(events.size());
    uint64_t looked_up = 0;
    std::chrono::steady_clock::time_point committed{};
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].cursor.seq != looked_up) {
        looked_up = events[i].cursor.seq;
        committed = hub_.committed_at(looked_up);
      }
      deliveries[i].committed = committed;
      deliveries[i].event = std::move(events[i]);
    }
    std::unique_lock lock(mu_);
    if (!status.ok()) {
      spdlog::warn("subscription closed: {}", status.error().message);
      finish_locked(lock, std::move(status));
      break;
    }
    for (auto& d : deliveries) queue_.push_back(std::move(d));
    pos_ = pos;
    if (events.empty() && queue_.empty() && !in_flight_) sent_ = pos_;  // nothing owed up to here
    send_next_locked(lock);
  }
  std::unique_lock lock(mu_);
  scheduled_ = false;
  const bool behind = pos_.seq < hub_.end_.load() || pos_.ordinal != Cursor::kAfterRecord;
  const bool unsent = !in_flight_ && !queue_.empty();  // a backlog send that on_sent left to the pump
  if (transport_ != nullptr && !finishing_ &&
      ((behind && queue_.size() < hub_.opts_.max_queued_events) || unsent)) {
    scheduled_ = true;
    lock.unlock();
    hub_.enqueue(shared_from_this());
  }
}

// ---- Hub ------------------------------------------------------------------------------------------

Hub::Hub(store::Store& store, HubOptions options)
    : store_(store), opts_(std::move(options)), cache_(opts_.cache_transfers) {
  if (opts_.backlog_catch_up_cores > 0) {
    // An idle pool saves up at most 100 ms' worth of its budget (10 ms of CPU at a tenth of a core): it
    // cannot bank a long burst for later.
    catch_up_budget_ = std::make_unique<CpuBudget>(
        opts_.backlog_catch_up_cores,
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::milliseconds(100) * opts_.backlog_catch_up_cores),
        SteadyClock::now());
  }
  auto snap = store_.snapshot();
  if (snap.ok()) view_.snapshot = *snap;
  const auto st = store_.state();
  view_.end = st.next_seq - 1;
  view_.first = st.journal_first;
  end_ = view_.end;
  routed_to_ = view_.end;
  for (size_t i = 0; i < std::max<size_t>(1, opts_.workers); ++i) {
    threads_.emplace_back([this, i] {
      pthread_setname_np(pthread_self(), ("hub-" + std::to_string(i)).c_str());
      worker(Pool::kLive, /*heartbeat_owner=*/i == 0);
    });
  }
  for (size_t i = 0; i < std::max<size_t>(1, opts_.backlog_workers); ++i) {
    threads_.emplace_back([this, i] {
      pthread_setname_np(pthread_self(), ("hub-backlog-" + std::to_string(i)).c_str());
      // Per-thread on Linux: only this thread gets the lower priority. Raising one's own nice needs no
      // privilege; if it fails the backlog simply runs at normal priority.
      if (opts_.backlog_nice > 0 && setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), opts_.backlog_nice) != 0) {
        spdlog::warn("hub: cannot lower the backlog workers' priority: {}", std::strerror(errno));
      }
      worker(Pool::kBacklog, /*heartbeat_owner=*/false);
    });
  }
}

Hub::~Hub() { shutdown(); }

void Hub::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  backlog_cv_.notify_all();
  for (auto& t : threads_) t.join();
  std::set<std::shared_ptr<Subscription>> subs;
  {
    std::lock_guard lock(mu_);
    subs = subs_;
  }
  for (const auto& s : subs) {
    std::unique_lock lock(s->mu_);
    s->finish_locked(lock, make_error(Errc::kUnavailable, "the server is shutting down; resume from your cursor"));
  }
}

Hub::View Hub::view() const {
  std::lock_guard lock(mu_);
  return view_;
}

size_t Hub::subscribers() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

Cursor Hub::oldest_cursor() const {
  std::lock_guard lock(mu_);
  return Cursor{view_.first - 1, Cursor::kAfterRecord};
}

Result<std::shared_ptr<Subscription>> Hub::open(Filter filter, uint32_t depth, std::optional<Cursor> after,
                                                Transport* transport) {
  const View v = view();
  Cursor start{v.end, Cursor::kAfterRecord};
  if (after) {
    if (after->seq > v.end) {
      return make_error(Errc::kInvalidArgument, "after_cursor: beyond the end of the journal (record " +
                                                    std::to_string(after->seq) + ", last is " +
                                                    std::to_string(v.end) + ")");
    }
    const bool retained = after->seq >= v.first || (after->seq + 1 == v.first && after->ordinal == Cursor::kAfterRecord);
    if (!retained) {
      return make_error(Errc::kOutOfRange, "after_cursor: older than the journal's retention (oldest retained record " +
                                               std::to_string(v.first) + ")");
    }
    start = *after;
  }
  auto sub = std::make_shared<Subscription>(*this, std::move(filter), depth, start, transport);
  sub->max_lag_ = opts_.max_lag_records + (v.end > start.seq ? v.end - start.seq : 0);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return make_error(Errc::kUnavailable, "the server is shutting down");
    subs_.insert(sub);
  }
  return sub;
}

void Hub::start(const std::shared_ptr<Subscription>& sub) {
  {
    std::lock_guard lock(sub->mu_);
    if (sub->scheduled_ || sub->transport_ == nullptr) return;
    sub->scheduled_ = true;
  }
  enqueue(sub);
}

std::chrono::steady_clock::time_point Hub::committed_at(uint64_t seq) const {
  std::lock_guard lock(mu_);
  if (ring_.empty() || seq < ring_.front().record->seq || seq > ring_.back().record->seq) return {};
  return ring_[seq - ring_.front().record->seq].committed;
}

void Hub::close(const std::shared_ptr<Subscription>& sub) {
  {
    std::lock_guard lock(mu_);
    subs_.erase(sub);
  }
  sub->close();
}

bool Hub::backlog(uint64_t at_seq) const {
  const uint64_t end = end_.load();
  return catching_up_.load() || (end > at_seq && end - at_seq > opts_.live_window_records);
}

void Hub::enqueue(std::shared_ptr<Subscription> sub) {
  uint64_t at = 0;
  {
    std::lock_guard lock(sub->mu_);
    at = sub->pos_.seq;
  }
  const bool backlog = this->backlog(at);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    (backlog ? backlog_queue_ : live_queue_).push_back(std::move(sub));
  }
  (backlog ? backlog_cv_ : cv_).notify_one();
}

Result<std::vector<std::shared_ptr<const store::JournalRecord>>> Hub::records_after(const View& v, uint64_t after_seq,
                                                                                   size_t max) {
  std::vector<std::shared_ptr<const store::JournalRecord>> out;
  {
    std::lock_guard lock(mu_);
    if (!ring_.empty() && ring_.front().record->seq <= after_seq + 1) {
      for (size_t i = after_seq + 1 - ring_.front().record->seq; i < ring_.size() && out.size() < max; ++i) {
        if (ring_[i].record->seq > v.end) break;
        out.push_back(ring_[i].record);
      }
      return out;
    }
  }
  TRONIDX_ASSIGN(auto recs, v.snapshot->journal(after_seq + 1, max));
  if (!recs.empty() && recs.front().seq != after_seq + 1) {
    return make_error(Errc::kOutOfRange, "the journal records after " + std::to_string(after_seq) +
                                             " were pruned (subscriber too far behind the retention)");
  }
  for (auto& r : recs) out.push_back(std::make_shared<const store::JournalRecord>(std::move(r)));
  return out;
}

void Hub::on_commit(const std::shared_ptr<const store::CommitResult>& result, const sync::SyncStatus& status) {
  catching_up_ = status.phase == sync::SyncPhase::kCatchingUp;
  if (result->records.empty()) return;
  // The ring and the cache share the commit's records (aliasing pointers): nothing is copied.
  for (const auto& rec : result->records) {
    if (rec.type == store::RecordType::kApply) {
      cache_.put(rec.block.block_num, rec.seq, TransferList(result, &rec.transfers));
    } else if (rec.type == store::RecordType::kBackfill) {
      for (const auto& t : rec.transfers) cache_.evict_block(t.transfer.position.block_num);
    }
  }
  // Published after the cache maintenance above, so no reader pairs this snapshot with a stale entry.
  auto snap = store_.snapshot();
  if (!snap.ok()) {
    spdlog::error("hub: cannot take a snapshot: {}", snap.error().message);
    return;
  }
  const auto st = store_.state();
  {
    std::lock_guard lock(mu_);
    const auto now = SteadyClock::now();
    for (const auto& rec : result->records) {
      ring_.push_back(RingEntry{std::shared_ptr<const store::JournalRecord>(result, &rec), now});
      ring_transfers_ += rec.transfers.size();
    }
    while (ring_.size() > 1 && (ring_.size() > opts_.ring_records || ring_transfers_ > opts_.ring_transfers)) {
      ring_transfers_ -= ring_.front().record->transfers.size();
      ring_.pop_front();
    }
    view_.snapshot = *snap;
    view_.end = result->records.back().seq;
    view_.first = st.journal_first;
    end_ = view_.end;
    if (subs_.empty()) {
      routed_to_ = view_.end;  // nobody to wake; new subscriptions start from here or replay the journal
    } else {
      route_pending_ = true;
    }
  }
  (routing_pool() == Pool::kLive ? cv_ : backlog_cv_).notify_one();
}

void Hub::route(uint64_t from_seq, uint64_t to_seq) {
  const View v = view();
  std::set<uint32_t> depths;
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    std::lock_guard lock(mu_);
    subs.assign(subs_.begin(), subs_.end());
  }
  // An open subscription with nothing queued, in flight or scheduled, short of to_seq: one that these records
  // may have to wake (s->mu_ held).
  const auto waiting_locked = [&](const Subscription& s) {
    return s.transport_ != nullptr && idle_locked_state(s.queue_, s.in_flight_, s.scheduled_) &&
           s.pos_ < Cursor{to_seq, Cursor::kAfterRecord};
  };
  // Whether an address subscription is waiting: only such a one can be woken by the records' addresses.
  // (Subscribers still busy with earlier records, as all are while a catch-up outpaces them, need no
  // routing; if one turns idle meanwhile, wake_all below wakes it to look for itself.)
  bool address_subscribers = false;
  bool waiting_address_subscriber = false;
  for (const auto& s : subs) {
    if (!s->filter().addresses().empty()) {
      depths.insert(s->depth());
      address_subscribers = true;
      std::lock_guard lock(s->mu_);
      waiting_address_subscriber = waiting_address_subscriber || waiting_locked(*s);
    }
  }
  // Every address whose transfers can produce an event in records [from, to], for any depth in use.
  std::unordered_set<chain::Address, chain::AddressHash> involved;
  bool wake_all = false;
  auto add = [&](const std::vector<store::IndexedTransfer>& ts) {
    for (const auto& t : ts) {
      involved.insert(t.transfer.from);
      involved.insert(t.transfer.to);
    }
  };
  // Blocks applied by a record of [from, to] and not reverted since, by number: their transfers are in
  // `involved` already (a later backfill's too: kBackfill records add theirs), so the block reaching a
  // depth or being solidified within the range needs no read of them. (A catch-up commit solidifies the
  // blocks it applies: this spares reading each of its transfers back.)
  std::unordered_set<uint64_t> applied_here;
  auto recs = waiting_address_subscriber ? records_after(v, from_seq - 1, static_cast<size_t>(to_seq - from_seq + 1))
                                  : Result<std::vector<std::shared_ptr<const store::JournalRecord>>>(
                                        std::vector<std::shared_ptr<const store::JournalRecord>>{});
  if (!address_subscribers) {
    // Only token / everything-watched subscriptions: they are woken whatever the records hold.
  } else if (!waiting_address_subscriber || !recs.ok() || recs->size() != to_seq - from_seq + 1) {
    wake_all = true;
  } else {
    size_t carried = 0;
    for (const auto& rec : *recs) carried += rec->transfers.size();
    involved.reserve(2 * carried);
    BlockSource source(v.snapshot, &cache_);
    for (const auto& rec : *recs) {
      if (wake_all) break;
      switch (rec->type) {
        case store::RecordType::kApply: {
          if (!rec->has_transfers) {
            wake_all = true;
            break;
          }
          add(rec->transfers);
          applied_here.insert(rec->block.block_num);
          for (uint32_t d : depths) {
            if (d == 0 || rec->block.block_num < d) continue;
            if (applied_here.count(rec->block.block_num - d + 1) != 0) continue;
            auto c = source.block_as_of(rec->block.block_num - d + 1, rec->seq + 1);
            if (!c.ok()) {
              wake_all = true;
              break;
            }
            if (!*c) continue;
            auto ts = source.transfers(**c, rec->seq + 1);
            if (!ts.ok()) {
              wake_all = true;
              break;
            }
            add(**ts);
          }
          break;
        }
        case store::RecordType::kRevert:
        case store::RecordType::kBackfill:
          if (!rec->has_transfers) wake_all = true;
          add(rec->transfers);
          if (rec->type == store::RecordType::kRevert) applied_here.erase(rec->block.block_num);
          break;
        case store::RecordType::kSolidify:
          for (uint64_t h = rec->previous_solidified + 1; h <= rec->solidified && !wake_all; ++h) {
            if (applied_here.count(h) != 0) continue;
            auto b = source.block_as_of(h, rec->seq);
            if (!b.ok()) {
              wake_all = true;
              break;
            }
            if (!*b) continue;
            auto ts = source.transfers(**b, rec->seq);
            if (!ts.ok()) {
              wake_all = true;
              break;
            }
            add(**ts);
          }
          break;
        case store::RecordType::kWatch:
          break;
      }
    }
  }
  std::vector<std::shared_ptr<Subscription>> wake;
  for (const auto& s : subs) {
    std::unique_lock lock(s->mu_);
    if (!waiting_locked(*s)) continue;
    bool involves = wake_all || s->filter_.addresses().empty() || s->pos_ < Cursor{from_seq - 1, Cursor::kAfterRecord};
    for (size_t i = 0; !involves && i < s->filter_.addresses().size(); ++i) {
      involves = involved.count(s->filter_.addresses()[i]) != 0;
    }
    if (involves) {
      s->scheduled_ = true;
      wake.push_back(s);
    } else {
      // No event of records [from, to] can match: the subscription is at the new end.
      s->pos_ = Cursor{to_seq, Cursor::kAfterRecord};
      s->sent_ = s->pos_;
    }
  }
  for (auto& s : wake) enqueue(std::move(s));
}

void Hub::heartbeats() {
  std::vector<std::shared_ptr<Subscription>> subs;
  View v;
  {
    std::lock_guard lock(mu_);
    subs.assign(subs_.begin(), subs_.end());
    v = view_;
  }
  const auto now = SteadyClock::now();
  const uint64_t head = v.snapshot ? v.snapshot->tip().block_num : 0;
  const uint64_t solidified = v.snapshot ? v.snapshot->solidified() : 0;
  const uint64_t end = end_.load();
  std::vector<std::shared_ptr<Subscription>> to_pump;
  for (const auto& s : subs) {
    std::unique_lock lock(s->mu_);
    // A stream whose client stopped reading never comes back to pump(): give up on it here (the status
    // reaches the client once it reads what is already on the way).
    if (s->transport_ != nullptr && !s->finishing_ && s->in_flight_ && end > s->pos_.seq &&
        end - s->pos_.seq > s->max_lag_) {
      slow_disconnects.add();
      s->finish_locked(lock, make_error(Errc::kResourceExhausted,
                                        "subscriber too slow: " + std::to_string(end - s->pos_.seq) +
                                            " journal records behind; reconnect with your last cursor"));
      continue;
    }
    if (s->transport_ == nullptr || s->finishing_ || s->in_flight_ || !s->queue_.empty()) continue;
    if (now - s->last_send_ < opts_.heartbeat_interval) continue;
    Delivery d;
    d.heartbeat = true;
    d.cursor = s->sent_;
    d.head = head;
    d.solidified = solidified;
    s->queue_.push_back(std::move(d));
    if (!backlog(s->pos_.seq)) {
      s->send_next_locked(lock);
    } else if (!s->scheduled_) {  // sent at the backlog's priority, like its events
      s->scheduled_ = true;
      to_pump.push_back(s);
    }  // else: the pump queued or running sends it
  }
  for (auto& s : to_pump) enqueue(std::move(s));
}

void Hub::worker(Pool pool, bool heartbeat_owner) {
  auto next_heartbeat = SteadyClock::now() + opts_.heartbeat_interval / 2;
  auto& run_queue = pool == Pool::kLive ? live_queue_ : backlog_queue_;
  auto& cv = pool == Pool::kLive ? cv_ : backlog_cv_;
  std::unique_lock lock(mu_);
  // While the daemon catches up, the backlog workers' routing and pumping share catch_up_budget_.
  auto budget_now = [&]() -> CpuBudget* {
    return pool == Pool::kBacklog && catching_up_.load() ? catch_up_budget_.get() : nullptr;
  };
  // Whether the budget is overdrawn; then waits (at most 100 ms: a commit, a stop or the end of the
  // catch-up is seen soon) and the caller looks again at what there is to do.
  auto paused = [&](CpuBudget* budget) {
    if (budget == nullptr) return false;
    const auto pause = budget->pause(SteadyClock::now());
    if (pause <= std::chrono::nanoseconds::zero()) return false;
    cv.wait_for(lock, std::min<std::chrono::nanoseconds>(pause, std::chrono::milliseconds(100)));
    return true;
  };
  while (!stopping_) {
    if (route_pending_ && pool == routing_pool()) {
      CpuBudget* const budget = budget_now();
      if (paused(budget)) continue;
      route_pending_ = false;
      const uint64_t from = routed_to_ + 1, to = view_.end;
      routed_to_ = to;
      lock.unlock();
      const auto cpu_before = budget != nullptr ? CpuBudget::thread_cpu_time() : std::chrono::nanoseconds::zero();
      if (from <= to) route(from, to);
      if (budget != nullptr) budget->charge(CpuBudget::thread_cpu_time() - cpu_before);
      lock.lock();
      continue;
    }
    if (!run_queue.empty()) {
      CpuBudget* const budget = budget_now();
      if (paused(budget)) continue;
      auto sub = std::move(run_queue.front());
      run_queue.pop_front();
      lock.unlock();
      if (budget != nullptr) {
        // In slices, so that the budget is kept to within a slice per worker.
        const auto cpu_before = CpuBudget::thread_cpu_time();
        sub->pump(cpu_before + kBudgetSlice);
        budget->charge(CpuBudget::thread_cpu_time() - cpu_before);
      } else {
        sub->pump();
      }
      lock.lock();
      continue;
    }
    if (heartbeat_owner && SteadyClock::now() >= next_heartbeat) {
      next_heartbeat = SteadyClock::now() + opts_.heartbeat_interval / 2;
      lock.unlock();
      heartbeats();
      lock.lock();
      continue;
    }
    // Only the heartbeat owner has a deadline; the others would spin on a deadline that never moves.
    if (heartbeat_owner) {
      cv.wait_until(lock, next_heartbeat);
    } else {
      cv.wait(lock);
    }
  }
}

}  // namespace tronidx::api
