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
// CallbackKeepAwake makes a callback call every `period` (default 250 ms) that fails at once (its deadline
// has passed, on a channel to nowhere): its completion is an event for those threads. Any period under
// 1 s keeps one of them awake at all times: the thread that ran the last completion waits a full second
// for the next event. Cost measured: an idle tronidxd went from 1 to 2 ms of CPU per second (6 ms with a
// 50 ms period).
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
  explicit CallbackKeepAwake(std::chrono::milliseconds period = std::chrono::milliseconds(250));
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
