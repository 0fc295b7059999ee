#pragma once
// tronidx.v1.Query: status and history queries (scope "read"), each on one snapshot.

#include "pooled_messages.h"
#include "service_context.h"
#include "tronidx/v1/query.grpc.pb.h"

namespace tronidx::api {

class QueryService final : public v1::Query::CallbackService {
 public:
  explicit QueryService(ServiceContext& ctx) : ctx_(ctx) {
    SetMessageAllocatorFor_ListTransfers(&list_messages_);
    SetMessageAllocatorFor_GetTransfers(&get_messages_);
  }

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* ctx, const v1::GetStatusRequest* req,
                                      v1::GetStatusResponse* resp) override;
  grpc::ServerUnaryReactor* ListTransfers(grpc::CallbackServerContext* ctx, const v1::ListTransfersRequest* req,
                                          v1::ListTransfersResponse* resp) override;
  grpc::ServerUnaryReactor* GetTransfers(grpc::CallbackServerContext* ctx, const v1::GetTransfersRequest* req,
                                         v1::GetTransfersResponse* resp) override;

 private:
  grpc::Status list(const v1::ListTransfersRequest& req, v1::ListTransfersResponse* resp);
  ServiceContext& ctx_;
  PooledMessages<v1::ListTransfersRequest, v1::ListTransfersResponse> list_messages_;
  PooledMessages<v1::GetTransfersRequest, v1::GetTransfersResponse> get_messages_;
};

}  // namespace tronidx::api
