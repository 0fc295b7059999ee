#include "watch_service.h"

#include <algorithm>
#include <future>

#include "tronidx/store/snapshot.h"
#include "tronidx/store/write_txn.h"

namespace tronidx::api {
namespace {

constexpr size_t kMaxLabel = 256;

struct ParsedWatch {
  chain::Address address;
  std::string label;
  uint64_t start_block = 0;
};

Result<ParsedWatch> parse_watch(const v1::AddWatchRequest& req, const std::string& prefix) {
  ParsedWatch w;
  TRONIDX_ASSIGN(w.address, parse_address(req.address(), prefix + "address"));
  if (req.label().size() > kMaxLabel) {
    return make_error(Errc::kInvalidArgument, prefix + "label: longer than " + std::to_string(kMaxLabel) + " bytes");
  }
  w.label = req.label();
  w.start_block = req.start_block();
  return w;
}

}  // namespace

grpc::ServerUnaryReactor* WatchService::AddWatch(grpc::CallbackServerContext* ctx, const v1::AddWatchRequest* req,
                                                 v1::AddWatchResponse* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeAdmin)) return denied;
  auto w = parse_watch(*req, "");
  if (!w.ok()) return finish(ctx, to_grpc(w.error()));
  const ParsedWatch watch = *w;
  auto committed = submit_and_wait(ctx_.syncer, [watch](store::WriteTxn& txn) {
    return txn.watch(watch.address, watch.label, watch.start_block);
  });
  if (!committed.ok()) return finish(ctx, to_grpc(committed.error()));
  resp->set_address(watch.address.to_base58());
  resp->set_added(!committed->records.empty());
  if (resp->added() && watch.start_block > 0 && watch.start_block <= ctx_.store.state().tip.block_num) {
    auto job = ctx_.jobs.start_backfill(watch.address, watch.start_block, 0);
    if (!job.ok()) {
      return finish(ctx, to_grpc(Error{job.error().code, "the address is watched, but its backfill could not start: " +
                                                             job.error().message}));
    }
    resp->set_backfill_job_id(job->id);
  }
  return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* WatchService::AddWatches(grpc::CallbackServerContext* ctx,
                                                   const v1::AddWatchesRequest* req, v1::AddWatchesResponse* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeAdmin)) return denied;
  if (static_cast<size_t>(req->watches_size()) > ctx_.limits.max_watches_per_call) {
    return finish(ctx, invalid("watches: at most " + std::to_string(ctx_.limits.max_watches_per_call) +
                               " per call (got " + std::to_string(req->watches_size()) + ")"));
  }
  std::vector<ParsedWatch> watches;
  for (int i = 0; i < req->watches_size(); ++i) {
    const std::string prefix = "watches[" + std::to_string(i) + "].";
    auto w = parse_watch(req->watches(i), prefix);
    if (!w.ok()) return finish(ctx, to_grpc(w.error()));
    if (w->start_block != 0) return finish(ctx, invalid(prefix + "start_block: use AddWatch to backfill an address"));
    watches.push_back(std::move(*w));
  }
  auto committed = submit_and_wait(ctx_.syncer, [watches](store::WriteTxn& txn) -> Status {
    for (const auto& w : watches) TRONIDX_TRY(txn.watch(w.address, w.label, 0));
    return ok_status();
  });
  if (!committed.ok()) return finish(ctx, to_grpc(committed.error()));
  for (const auto& w : watches) {
    auto* r = resp->add_results();
    r->set_address(w.address.to_base58());
    r->set_added(std::any_of(committed->records.begin(), committed->records.end(),
                             [&](const store::JournalRecord& rec) { return rec.address == w.address && rec.watch_on; }));
  }
  return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* WatchService::RemoveWatch(grpc::CallbackServerContext* ctx,
                                                    const v1::RemoveWatchRequest* req, v1::RemoveWatchResponse* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeAdmin)) return denied;
  auto a = parse_address(req->address(), "address");
  if (!a.ok()) return finish(ctx, to_grpc(a.error()));
  const chain::Address address = *a;
  auto committed = submit_and_wait(ctx_.syncer, [address](store::WriteTxn& txn) { return txn.unwatch(address); });
  if (!committed.ok()) return finish(ctx, to_grpc(committed.error()));
  resp->set_address(address.to_base58());
  resp->set_removed(!committed->records.empty());
  return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* WatchService::ListWatches(grpc::CallbackServerContext* ctx,
                                                    const v1::ListWatchesRequest* req, v1::ListWatchesResponse* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeRead)) return denied;
  const uint32_t page_size = req->page_size() == 0 ? 1000 : req->page_size();
  if (page_size > 10000) return finish(ctx, invalid("page_size: must be between 1 and 10000"));
  std::optional<chain::Address> after;
  if (!req->page_token().empty()) {
    auto a = chain::Address::parse(req->page_token(), "page_token");
    if (!a.ok()) return finish(ctx, invalid("page_token: malformed"));
    after = *a;
  }
  auto snap = ctx_.store.snapshot();
  if (!snap.ok()) return finish(ctx, to_grpc(snap.error()));
  auto all = (*snap)->watches(false);
  if (!all.ok()) return finish(ctx, to_grpc(all.error()));
  std::sort(all->begin(), all->end(), [](const auto& a, const auto& b) { return a.address < b.address; });
  resp->set_total(all->size());
  const auto jobs = ctx_.jobs.list();
  auto it = after ? std::upper_bound(all->begin(), all->end(), *after,
                                     [](const chain::Address& a, const store::WatchInfo& w) { return a < w.address; })
                  : all->begin();
  for (; it != all->end() && resp->watches_size() < static_cast<int>(page_size); ++it) {
    auto* w = resp->add_watches();
    w->set_address(it->address.to_base58());
    w->set_address_hex(it->address.to_hex());
    w->set_label(it->label);
    w->set_start_block(it->since_block);
    for (auto j = jobs.rbegin(); j != jobs.rend(); ++j) {
      if (j->kind == sync::JobKind::kBackfill && j->address == it->address) {
        w->set_backfill_job_id(j->id);
        w->set_backfill_state(sync::job_state_name(j->state));
        w->set_backfill_progress_block(j->next_block);
        break;
      }
    }
  }
  if (it != all->end()) resp->set_next_page_token(resp->watches(resp->watches_size() - 1).address());
  return finish(ctx, grpc::Status::OK);
}

}  // namespace tronidx::api
