#pragma once
// A Subscribe stream read on a thread of its own, for the integration suites (api, engine).

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "itsupport/daemon_process.h"
#include "itsupport/truth.h"
#include "tronidx/v1/subscribe.grpc.pb.h"

namespace tronidx::testsupport {

struct Received {
  v1::Event event;
  std::chrono::steady_clock::time_point at;
};

// Subscribe(request) read on a thread until the stream ends or cancel()/destruction.
class EventStream {
 public:
  struct Options {
    std::string api_key;
    std::shared_ptr<grpc::Channel> channel;  // set: use it (else a new channel to the endpoint)
    bool small_window = false;               // tiny HTTP/2 receive window (BDP probing off): a paused
                                             // reader stalls the server's writes quickly
  };
  EventStream(const std::string& endpoint, v1::SubscribeRequest request, Options options);
  EventStream(const std::string& endpoint, v1::SubscribeRequest request)
      : EventStream(endpoint, std::move(request), Options{}) {}
  // On the daemon's own API channel.
  EventStream(const DaemonProcess& d, v1::SubscribeRequest request);
  ~EventStream();
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Cancels the call and joins the reader.
  void cancel();
  // Stops / restarts calling Read() (the messages pile up in the transport, then in the server).
  void pause_reading(bool paused);

  const v1::SubscribeRequest& request() const { return request_; }
  std::vector<Received> received() const;  // events and heartbeats, in arrival order
  std::vector<v1::Event> events() const;   // without heartbeats
  size_t heartbeats() const;
  size_t size() const;
  std::string last_cursor() const;         // of the last message ("" before any)
  bool ended() const;
  grpc::Status status() const;             // once ended
  // Waits until `pred(received)` holds (true) or the stream ends / `timeout` passes (false).
  bool wait_for(const std::function<bool(const std::vector<Received>&)>& pred,
                std::chrono::milliseconds timeout) const;
  // The same over the events only (heartbeats left out).
  bool wait_for_events(const std::function<bool(const std::vector<v1::Event>&)>& pred,
                       std::chrono::milliseconds timeout) const;
  bool wait_heartbeat(std::chrono::milliseconds timeout) const;  // a heartbeat after the ones seen so far
  bool wait_ended(std::chrono::milliseconds timeout) const;

 private:
  void run();
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Subscribe::Stub> stub_;
  v1::SubscribeRequest request_;
  grpc::ClientContext ctx_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<Received> received_;
  size_t heartbeats_ = 0;
  bool paused_ = false;
  bool ended_ = false;
  bool cancelled_ = false;
  grpc::Status status_;
  std::thread thread_;
};

// An event's transfer in the truth's comparable form.
TruthTransfer event_transfer(const v1::Event& e);

}  // namespace tronidx::testsupport
