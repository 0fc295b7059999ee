#pragma once
// Keeps gRPC's callback-API threads awake, so that callbacks never wait 100 ms for one of them.
//
// Why (gRPC 1.51 on Linux, where no poller runs in the background): every callback-API handler and
// completion of a process runs on gRPC's "nexting_thread"s, which wait at most 1 s for an event and,
// when that wait times out, sleep 100 ms before waiting again (CallbackAlternativeCQ in
// src/cpp/common/completion_queue_cc.cc). After a second without traffic they time out together, and a
// request arriving then waits up to 100 ms for a handler. Measured with tronidxd following tron-sim
// (one head poll a second, `tronidx_node_call_seconds`): 46 of 73 calls took 50–150 ms instead of < 1 ms.
//
// CallbackKeepAwake makes a callback call every `period` (default 50 ms) that fails at once (its deadline
// has passed, on a channel to nowhere): its completion is an event for those threads, so they never
// reach the 1 s timeout. The cost is a few microseconds of CPU per call.
//
// Create one per process that serves or calls with the callback API, and keep it while it does.

#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace tronidx::common {

class CallbackKeepAwake {
 public:
  explicit CallbackKeepAwake(std::chrono::milliseconds period = std::chrono::milliseconds(50));
  ~CallbackKeepAwake();  // stops the calls and waits for the last one to complete
  CallbackKeepAwake(const CallbackKeepAwake&) = delete;
  CallbackKeepAwake& operator=(const CallbackKeepAwake&) = delete;

 private:
  void run();

  const std::chrono::milliseconds period_;
  std::unique_ptr<grpc::GenericStub> stub_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  int in_flight_ = 0;      // guarded by mu_
  std::thread thread_;
};

}  // namespace tronidx::common
