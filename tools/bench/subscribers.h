#pragma once
// A fleet of Subscribe streams for benchmarks: thousands of concurrent subscriptions on a few channels
// (gRPC callback client API), each recording when its events arrive.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tronidx/v1/subscribe.grpc.pb.h"

namespace tronidx::bench {

struct Arrival {
  uint64_t block_num = 0;
  std::chrono::steady_clock::time_point at;
};

class SubscriberFleet {
 public:
  // `channels` connections shared by all streams.
  SubscriberFleet(const std::string& endpoint, int channels);
  ~SubscriberFleet();  // cancels every stream and waits for them to end

  // Opens one stream (live, from the journal's end) with this filter.
  void add(const v1::SubscribeRequest& request);
  size_t streams() const;
  size_t open() const;  // streams whose first message (or metadata) arrived
  uint64_t events() const { return events_.load(); }
  // Arrivals of non-heartbeat events so far (copy).
  std::vector<Arrival> arrivals() const;
  void clear_arrivals();

 private:
  class Stream;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::Subscribe::Stub>> stubs_;
  std::vector<Stream*> streams_;
  mutable std::mutex mu_;
  std::vector<Arrival> arrivals_;
  std::atomic<uint64_t> events_{0};
  std::atomic<size_t> started_{0};
  std::atomic<size_t> live_{0};
};

}  // namespace tronidx::bench
