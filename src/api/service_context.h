#pragma once
// What every API service needs: the index, the writer, jobs, the hub, token metadata, auth and limits.

#include <cstdint>
#include <string>

#include "auth.h"
#include "convert.h"
#include "hub.h"
#include "tronidx/store/store.h"
#include "tronidx/sync/jobs.h"
#include "tronidx/sync/syncer.h"

namespace tronidx::api {

struct Limits {
  uint32_t max_page_size = 1000;
  size_t max_filter_addresses = 10000;
  size_t max_filter_tokens = 100;
  uint32_t max_min_confirmations = 1000;
  size_t max_watches_per_call = 10000;
};

struct ServiceContext {
  store::Store& store;
  sync::Syncer& syncer;
  sync::JobManager& jobs;
  Hub& hub;
  TokenBook tokens;
  Authorizer auth;
  StreamLimiter streams;
  Limits limits;
  uint32_t confirmations_default = 19;
  std::string version;
};

// Unary handler prologue: authorizes and, on failure, finishes the reactor. Returns null when denied.
inline grpc::ServerUnaryReactor* deny_or_null(grpc::CallbackServerContext* ctx, const ServiceContext& sc,
                                              Scope scope) {
  std::string key;
  grpc::Status s = sc.auth.authorize(*ctx, scope, &key);
  if (s.ok()) return nullptr;
  auto* r = ctx->DefaultReactor();
  r->Finish(s);
  return r;
}

inline grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* ctx, const grpc::Status& s) {
  auto* r = ctx->DefaultReactor();
  r->Finish(s);
  return r;
}

inline grpc::Status invalid(const std::string& msg) { return {grpc::StatusCode::INVALID_ARGUMENT, msg}; }

// Runs a write on the writer thread and waits for its commit, at most `timeout` (UNAVAILABLE after it:
// the indexer is starting or stuck behind an unreachable node; the operation may still happen, and every
// write the API makes is idempotent, so retrying is safe).
inline Result<store::CommitResult> submit_and_wait(sync::Syncer& syncer, sync::Syncer::WriteOp op,
                                                   std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto fut = syncer.submit(std::move(op));
  if (fut.wait_for(timeout) != std::future_status::ready) {
    return make_error(Errc::kUnavailable, "the indexer did not apply the change in time (starting, or the node is "
                                          "unreachable); retry");
  }
  return fut.get();
}

}  // namespace tronidx::api
