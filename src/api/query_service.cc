#include "query_service.h"

#include "page_token.h"
#include "tronidx/store/snapshot.h"

namespace tronidx::api {

grpc::ServerUnaryReactor* QueryService::GetStatus(grpc::CallbackServerContext* ctx, const v1::GetStatusRequest*,
                                                  v1::GetStatusResponse* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeRead)) return denied;
  const auto st = ctx_.syncer.status();
  auto snap = ctx_.store.snapshot();
  if (!snap.ok()) return finish(ctx, to_grpc(snap.error()));
  const auto& s = **snap;
  resp->set_tip_block_num(s.tip().block_num);
  resp->set_tip_block_id(s.tip().id.to_hex());
  resp->set_tip_timestamp_ms(st.tip_timestamp_ms);
  resp->set_node_head(st.node_head);
  resp->set_solidified(s.solidified());
  resp->set_node_solidified(st.node_solidified);
  resp->set_lag_blocks(st.node_head > s.tip().block_num ? st.node_head - s.tip().block_num : 0);
  resp->set_lag_ms(st.node_head_timestamp_ms > st.tip_timestamp_ms && st.tip_timestamp_ms > 0
                       ? st.node_head_timestamp_ms - st.tip_timestamp_ms
                       : 0);
  resp->set_phase(sync::phase_name(st.phase));
  resp->set_halt_reason(st.halt_reason);
  resp->set_mode(ctx_.store.mode().to_string());
  resp->set_watched_count(ctx_.store.watches().size());
  resp->set_subscribers(static_cast<uint32_t>(ctx_.hub.subscribers()));
  resp->set_journal_first_seq(s.journal_first());
  resp->set_journal_next_seq(s.next_seq());
  resp->set_version(ctx_.version);
  resp->set_genesis_id(ctx_.store.genesis_id().to_hex());
  resp->set_base_block_num(s.base() ? s.base()->block_num : 0);
  resp->set_confirmations_default(ctx_.confirmations_default);
  resp->set_jobs_running(static_cast<uint32_t>(ctx_.jobs.running()));
  return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueryService::ListTransfers(grpc::CallbackServerContext* ctx,
                                                      const v1::ListTransfersRequest* req,
                                                      v1::ListTransfersResponse* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeRead)) return denied;
  return finish(ctx, list(*req, resp));
}

grpc::Status QueryService::list(const v1::ListTransfersRequest& req, v1::ListTransfersResponse* resp) {
  // Validate every field before touching the index.
  const uint32_t page_size = req.page_size() == 0 ? 100 : req.page_size();
  if (page_size > ctx_.limits.max_page_size) {
    return invalid("page_size: must be between 1 and " + std::to_string(ctx_.limits.max_page_size) + " (got " +
                   std::to_string(req.page_size()) + ")");
  }
  // proto3 keeps unknown enum values: refuse them rather than read them as a default.
  if (!v1::Direction_IsValid(req.direction())) {
    return invalid("direction: unknown value " + std::to_string(req.direction()) + " (BOTH, IN or OUT)");
  }
  if (!v1::Order_IsValid(req.order())) {
    return invalid("order: unknown value " + std::to_string(req.order()) + " (NEWEST_FIRST or OLDEST_FIRST)");
  }
  if (req.subject_case() == v1::ListTransfersRequest::SUBJECT_NOT_SET) {
    return invalid("address: either address or token is required");
  }
  if (req.to_block() != 0 && req.from_block() > req.to_block()) {
    return invalid("to_block: " + std::to_string(req.to_block()) + " is before from_block " +
                   std::to_string(req.from_block()));
  }
  if (req.to_time_ms() != 0 && req.from_time_ms() > req.to_time_ms()) {
    return invalid("to_time_ms: before from_time_ms");
  }
  if (req.from_time_ms() < 0 || req.to_time_ms() < 0) return invalid("from_time_ms: negative time");
  auto fields = TransferFields::parse(req.read_mask(), "read_mask");
  if (!fields.ok()) return to_grpc(fields.error());
  std::optional<chain::Address> address, token, token_filter;
  if (req.subject_case() == v1::ListTransfersRequest::kAddress) {
    auto a = parse_address(req.address(), "address");
    if (!a.ok()) return to_grpc(a.error());
    address = *a;
    if (!req.token_filter().empty()) {
      auto t = parse_token(req.token_filter(), "token_filter");
      if (!t.ok()) return to_grpc(t.error());
      token_filter = *t;
    }
  } else {
    auto t = parse_token(req.token(), "token");
    if (!t.ok()) return to_grpc(t.error());
    token = *t;
    if (req.direction() != v1::BOTH) return invalid("direction: only applies to an address query");
    if (!req.token_filter().empty()) return invalid("token_filter: only applies to an address query");
  }
  const uint64_t binding = request_binding(req);
  std::optional<decode::Position> after;
  if (!req.page_token().empty()) {
    auto p = decode_page_token(req.page_token(), binding);
    if (!p.ok()) return to_grpc(p.error());
    after = *p;
  }

  auto snap_r = ctx_.store.snapshot();
  if (!snap_r.ok()) return to_grpc(snap_r.error());
  const auto& snap = **snap_r;
  const uint64_t tip = snap.tip().block_num;
  resp->set_tip_block_num(tip);
  resp->set_solidified(snap.solidified());
  uint64_t from = req.from_block();
  uint64_t to = req.to_block() == 0 ? tip : std::min(req.to_block(), tip);
  if (req.min_confirmations() > 0) {
    if (req.min_confirmations() > tip) return grpc::Status::OK;
    to = std::min(to, tip - req.min_confirmations() + 1);
  }
  if (req.from_time_ms() > 0) {
    auto b = snap.first_block_at_or_after(req.from_time_ms());
    if (!b.ok()) return to_grpc(b.error());
    if (!*b) return grpc::Status::OK;
    from = std::max(from, **b);
  }
  if (req.to_time_ms() > 0) {
    auto b = snap.first_block_at_or_after(req.to_time_ms() + 1);
    if (!b.ok()) return to_grpc(b.error());
    if (*b) {
      if (**b == 0) return grpc::Status::OK;
      to = std::min(to, **b - 1);
    }
  }
  if (from > to) return grpc::Status::OK;

  Result<std::vector<store::IndexedTransfer>> rows = std::vector<store::IndexedTransfer>{};
  const bool newest_first = req.order() == v1::NEWEST_FIRST;
  if (address) {
    store::Snapshot::HistoryQuery q;
    q.address = *address;
    q.direction = req.direction() == v1::IN ? store::Direction::kIn
                  : req.direction() == v1::OUT ? store::Direction::kOut
                                               : store::Direction::kBoth;
    q.token = token_filter;
    q.from_block = from;
    q.to_block = to;
    q.newest_first = newest_first;
    q.after = after;
    q.limit = page_size + 1;
    rows = snap.address_history(q);
  } else {
    store::Snapshot::TokenQuery q;
    q.token = *token;
    q.from_block = from;
    q.to_block = to;
    q.newest_first = newest_first;
    q.after = after;
    q.limit = page_size + 1;
    rows = snap.token_history(q);
  }
  if (!rows.ok()) return to_grpc(rows.error());
  const bool more = rows->size() > page_size;
  if (more) rows->resize(page_size);
  for (const auto& t : *rows) to_proto(t, tip, snap.solidified(), ctx_.tokens, resp->add_transfers(), *fields);
  if (more) resp->set_next_page_token(encode_page_token(binding, rows->back().transfer.position));
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* QueryService::GetTransfers(grpc::CallbackServerContext* ctx,
                                                     const v1::GetTransfersRequest* req,
                                                     v1::GetTransfersResponse* resp) {
  if (auto* denied = deny_or_null(ctx, ctx_, kScopeRead)) return denied;
  auto txid = chain::TxId::parse_hex(req->txid(), "txid");
  if (!txid.ok()) return finish(ctx, to_grpc(txid.error()));
  auto fields = TransferFields::parse(req->read_mask(), "read_mask");
  if (!fields.ok()) return finish(ctx, to_grpc(fields.error()));
  auto snap = ctx_.store.snapshot();
  if (!snap.ok()) return finish(ctx, to_grpc(snap.error()));
  auto rows = (*snap)->by_txid(*txid);
  if (!rows.ok()) return finish(ctx, to_grpc(rows.error()));
  if (rows->empty()) {
    return finish(ctx, {grpc::StatusCode::NOT_FOUND, "txid: no indexed transfer in transaction " + req->txid()});
  }
  for (const auto& t : *rows) {
    to_proto(t, (*snap)->tip().block_num, (*snap)->solidified(), ctx_.tokens, resp->add_transfers(), *fields);
  }
  return finish(ctx, grpc::Status::OK);
}

}  // namespace tronidx::api
