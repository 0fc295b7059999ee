#include "tronidx/common/callback_keepawake.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <pthread.h>

namespace tronidx::common {

CallbackKeepAwake::CallbackKeepAwake(std::chrono::milliseconds period)
    : period_(period),
      stub_(std::make_unique<grpc::GenericStub>(
          grpc::CreateChannel("unix:/nonexistent/tronidx-keepawake", grpc::InsecureChannelCredentials()))),
      thread_([this] { run(); }) {}

CallbackKeepAwake::~CallbackKeepAwake() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  cv_.notify_all();
  cv_.wait(lock, [&] { return in_flight_ == 0; });
  lock.unlock();
  thread_.join();
}

void CallbackKeepAwake::run() {
  pthread_setname_np(pthread_self(), "grpc-keepawake");
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period_, [&] { return stopping_; })) {
    ++in_flight_;
    lock.unlock();
    struct Call {
      grpc::ClientContext ctx;
      grpc::Slice empty;
      grpc::ByteBuffer request{&empty, 1}, response;  // (a ByteBuffer without a slice is no message)
    };
    auto* call = new Call;
    call->ctx.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
    stub_->UnaryCall(&call->ctx, "/tronidx.KeepAwake/Nothing", grpc::StubOptions(), &call->request, &call->response,
                     [this, call](const grpc::Status&) {
                       delete call;
                       std::lock_guard done(mu_);
                       --in_flight_;
                       cv_.notify_all();
                     });
    lock.lock();
  }
}

}  // namespace tronidx::common
