#include "itsupport/event_stream.h"

#include "itsupport/grpc_client.h"

namespace tronidx::testsupport {

EventStream::EventStream(const std::string& endpoint, v1::SubscribeRequest request, Options options)
    : request_(std::move(request)) {
  if (options.channel) {
    channel_ = options.channel;
  } else {
    grpc::ChannelArguments args;
    if (options.small_window) {
      args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
      args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 8192);
    }
    channel_ = make_channel(endpoint, nullptr, &args);
  }
  stub_ = v1::Subscribe::NewStub(channel_);
  if (!options.api_key.empty()) ctx_.AddMetadata("authorization", "Bearer " + options.api_key);
  thread_ = std::thread([this] { run(); });
}

EventStream::EventStream(const DaemonProcess& d, v1::SubscribeRequest request)
    : EventStream(d.api_endpoint(), std::move(request), [&] {
        Options o;
        o.channel = d.channel();
        return o;
      }()) {}

EventStream::~EventStream() { cancel(); }

void EventStream::cancel() {
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    paused_ = false;
  }
  cv_.notify_all();
  ctx_.TryCancel();
  if (thread_.joinable()) thread_.join();
}

void EventStream::pause_reading(bool paused) {
  {
    std::lock_guard lock(mu_);
    paused_ = paused;
  }
  cv_.notify_all();
}

void EventStream::run() {
  auto reader = stub_->Subscribe(&ctx_, request_);
  v1::Event e;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !paused_ || cancelled_; });
    }
    if (!reader->Read(&e)) break;
    std::lock_guard lock(mu_);
    if (e.type() == v1::Event::HEARTBEAT) ++heartbeats_;
    received_.push_back(Received{e, std::chrono::steady_clock::now()});
    cv_.notify_all();
  }
  grpc::Status s = reader->Finish();
  std::lock_guard lock(mu_);
  status_ = s;
  ended_ = true;
  cv_.notify_all();
}

std::vector<Received> EventStream::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

std::vector<v1::Event> EventStream::events() const {
  std::lock_guard lock(mu_);
  std::vector<v1::Event> out;
  for (const auto& r : received_) {
    if (r.event.type() != v1::Event::HEARTBEAT) out.push_back(r.event);
  }
  return out;
}

size_t EventStream::heartbeats() const {
  std::lock_guard lock(mu_);
  return heartbeats_;
}

size_t EventStream::size() const {
  std::lock_guard lock(mu_);
  return received_.size();
}

std::string EventStream::last_cursor() const {
  std::lock_guard lock(mu_);
  return received_.empty() ? std::string() : received_.back().event.cursor();
}

bool EventStream::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

grpc::Status EventStream::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

bool EventStream::wait_for(const std::function<bool(const std::vector<Received>&)>& pred,
                           std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  const bool ok = cv_.wait_for(lock, timeout, [&] { return pred(received_) || ended_; });
  return ok && pred(received_);
}

bool EventStream::wait_for_events(const std::function<bool(const std::vector<v1::Event>&)>& pred,
                                  std::chrono::milliseconds timeout) const {
  return wait_for(
      [&](const std::vector<Received>& received) {
        std::vector<v1::Event> events;
        for (const auto& r : received) {
          if (r.event.type() != v1::Event::HEARTBEAT) events.push_back(r.event);
        }
        return pred(events);
      },
      timeout);
}

bool EventStream::wait_heartbeat(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  const size_t seen = heartbeats_;
  return cv_.wait_for(lock, timeout, [&] { return heartbeats_ > seen || ended_; }) && heartbeats_ > seen;
}

bool EventStream::wait_ended(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return ended_; });
}

TruthTransfer event_transfer(const v1::Event& e) { return from_proto(e.transfer()); }

}  // namespace tronidx::testsupport
