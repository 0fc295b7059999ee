#pragma once
// tronidx.v1.Subscribe (scope "subscribe"): one ServerWriteReactor per stream, fed by the Hub with one
// write outstanding at a time.

#include "service_context.h"
#include "tronidx/v1/subscribe.grpc.pb.h"

namespace tronidx::api {

class SubscribeService final : public v1::Subscribe::CallbackService {
 public:
  explicit SubscribeService(ServiceContext& ctx) : ctx_(ctx) {}

  grpc::ServerWriteReactor<v1::Event>* Subscribe(grpc::CallbackServerContext* ctx,
                                                 const v1::SubscribeRequest* req) override;

 private:
  ServiceContext& ctx_;
};

}  // namespace tronidx::api
