#pragma once
// tronidx.v1.Watch: the watched set (add/remove: scope "admin"; list: "read"). Writes go through the
// writer thread (Syncer::submit); a past start block starts a backfill job.

#include "service_context.h"
#include "tronidx/v1/watch.grpc.pb.h"

namespace tronidx::api {

class WatchService final : public v1::Watch::CallbackService {
 public:
  explicit WatchService(ServiceContext& ctx) : ctx_(ctx) {}

  grpc::ServerUnaryReactor* AddWatch(grpc::CallbackServerContext* ctx, const v1::AddWatchRequest* req,
                                     v1::AddWatchResponse* resp) override;
  grpc::ServerUnaryReactor* AddWatches(grpc::CallbackServerContext* ctx, const v1::AddWatchesRequest* req,
                                       v1::AddWatchesResponse* resp) override;
  grpc::ServerUnaryReactor* RemoveWatch(grpc::CallbackServerContext* ctx, const v1::RemoveWatchRequest* req,
                                        v1::RemoveWatchResponse* resp) override;
  grpc::ServerUnaryReactor* ListWatches(grpc::CallbackServerContext* ctx, const v1::ListWatchesRequest* req,
                                        v1::ListWatchesResponse* resp) override;

 private:
  ServiceContext& ctx_;
};

}  // namespace tronidx::api
