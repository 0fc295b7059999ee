#pragma once
// tronidx.v1.Admin: long jobs inside the daemon (start/cancel: scope "admin"; get/list: "read").

#include "service_context.h"
#include "tronidx/v1/admin.grpc.pb.h"

namespace tronidx::api {

class AdminService final : public v1::Admin::CallbackService {
 public:
  explicit AdminService(ServiceContext& ctx) : ctx_(ctx) {}

  grpc::ServerUnaryReactor* ListJobs(grpc::CallbackServerContext* ctx, const v1::ListJobsRequest* req,
                                     v1::ListJobsResponse* resp) override;
  grpc::ServerUnaryReactor* GetJob(grpc::CallbackServerContext* ctx, const v1::GetJobRequest* req,
                                   v1::Job* resp) override;
  grpc::ServerUnaryReactor* StartBackfill(grpc::CallbackServerContext* ctx, const v1::StartBackfillRequest* req,
                                          v1::Job* resp) override;
  grpc::ServerUnaryReactor* StartReindex(grpc::CallbackServerContext* ctx, const v1::StartReindexRequest* req,
                                         v1::Job* resp) override;
  grpc::ServerUnaryReactor* StartVerify(grpc::CallbackServerContext* ctx, const v1::StartVerifyRequest* req,
                                        v1::Job* resp) override;
  grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext* ctx, const v1::CancelJobRequest* req,
                                      v1::Job* resp) override;

 private:
  ServiceContext& ctx_;
};

void to_proto(const sync::JobInfo& job, v1::Job* out);

}  // namespace tronidx::api
