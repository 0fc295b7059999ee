#include "admin_service.h"

namespace tronidx::api {

void to_proto(const sync::JobInfo& job, v1::Job* out) {
  out->set_id(job.id);
  out->set_kind(sync::job_kind_name(job.kind));
  out->set_state(sync::job_state_name(job.state));
  out->set_from_block(job.from_block);
  out->set_to_block(job.to_block);
  out->set_next_block(job.next_block);
  out->set_items(job.items);
  out->set_mismatches(job.mismatches);
  for (const auto& m : job.mismatch_details) out->add_mismatch_details(m);
  if (job.kind == sync::JobKind::kBackfill) out->set_address(job.address.to_base58());
  out->set_error(job.error);
  out->set_started_ms(job.started_ms);
  out->set_finished_ms(job.finished_ms);
}

grpc::ServerUnaryReactor* AdminService::ListJobs(grpc::CallbackServerContext* ctx, const v1::ListJobsRequest*,
                                                 v1::ListJobsResponse* resp) {
  // admin.proto: the Admin service needs "admin"; GetJob/ListJobs also accept "read".
  if (auto* denied = deny_or_null(ctx, ctx_, Scope(kScopeRead | kScopeAdmin))) return denied;
  for (const auto& j : ctx_.jobs.list()) to_proto(j, resp->add_jobs());
  return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AdminService::GetJob(grpc::CallbackServerContext* ctx, const v1::GetJobRequest* req,
                                               v1::Job* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, Scope(kScopeRead | kScopeAdmin))) return denied;
  auto job = ctx_.jobs.get(req->id());
  if (!job) return finish(ctx, {grpc::StatusCode::NOT_FOUND, "id: job " + std::to_string(req->id()) + " does not exist"});
  to_proto(*job, resp);
  return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AdminService::StartBackfill(grpc::CallbackServerContext* ctx,
                                                      const v1::StartBackfillRequest* req, v1::Job* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeAdmin)) return denied;
  auto a = parse_address(req->address(), "address");
  if (!a.ok()) return finish(ctx, to_grpc(a.error()));
  if (req->to_block() != 0 && req->from_block() > req->to_block()) {
    return finish(ctx, invalid("to_block: before from_block"));
  }
  auto job = ctx_.jobs.start_backfill(*a, req->from_block(), req->to_block());
  if (!job.ok()) return finish(ctx, to_grpc(job.error()));
  to_proto(*job, resp);
  return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AdminService::StartReindex(grpc::CallbackServerContext* ctx,
                                                     const v1::StartReindexRequest* req, v1::Job* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeAdmin)) return denied;
  if (req->to_block() != 0 && req->from_block() > req->to_block()) return finish(ctx, invalid("to_block: before from_block"));
  auto job = ctx_.jobs.start_reindex(req->from_block(), req->to_block());
  if (!job.ok()) return finish(ctx, to_grpc(job.error()));
  to_proto(*job, resp);
  return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AdminService::StartVerify(grpc::CallbackServerContext* ctx, const v1::StartVerifyRequest* req,
                                                    v1::Job* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeAdmin)) return denied;
  if (req->to_block() != 0 && req->from_block() > req->to_block()) return finish(ctx, invalid("to_block: before from_block"));
  auto job = ctx_.jobs.start_verify(req->from_block(), req->to_block());
  if (!job.ok()) return finish(ctx, to_grpc(job.error()));
  to_proto(*job, resp);
  return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* AdminService::CancelJob(grpc::CallbackServerContext* ctx, const v1::CancelJobRequest* req,
                                                  v1::Job* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeAdmin)) return denied;
  auto job = ctx_.jobs.cancel(req->id());
  if (!job.ok()) return finish(ctx, to_grpc(Error{job.error().code, "id: " + job.error().message}));
  to_proto(*job, resp);
  return finish(ctx, grpc::Status::OK);
}

}  // namespace tronidx::api
