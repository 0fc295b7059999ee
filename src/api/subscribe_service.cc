#include "subscribe_service.h"

#include <spdlog/spdlog.h>

#include <atomic>

namespace tronidx::api {
namespace {

class RejectReactor final : public grpc::ServerWriteReactor<v1::Event> {
 public:
  explicit RejectReactor(const grpc::Status& s) { Finish(s); }
  void OnDone() override { delete this; }
};

v1::Event::Type to_proto(EventType t) {
  switch (t) {
    case EventType::kAdded: return v1::Event::ADDED;
    case EventType::kConfirmed: return v1::Event::CONFIRMED;
    case EventType::kFinalized: return v1::Event::FINALIZED;
    case EventType::kReverted: return v1::Event::REVERTED;
  }
  return v1::Event::TYPE_UNSPECIFIED;
}

class StreamReactor final : public grpc::ServerWriteReactor<v1::Event>, public Transport {
 public:
  StreamReactor(ServiceContext& ctx, std::string key, uint64_t binding, TransferFields fields)
      : ctx_(ctx), key_(std::move(key)), binding_(binding), fields_(fields) {}

  void attach(std::shared_ptr<Subscription> sub) { sub_ = std::move(sub); }

  // Transport (hub threads / gRPC threads; never two at once).
  void send(const Delivery& d) override {
    msg_.Clear();
    if (d.heartbeat) {
      msg_.set_type(v1::Event::HEARTBEAT);
      msg_.set_head(d.head);
      msg_.set_solidified(d.solidified);
      msg_.set_cursor(encode_cursor(ctx_.store.instance_id(), d.cursor, binding_));
    } else {
      const Event& e = d.event;
      msg_.set_type(to_proto(e.type));
      api::to_proto(e.transfer, e.head, e.solidified, ctx_.tokens, msg_.mutable_transfer(), fields_);
      if (fields_.has(v1::Transfer::kConfirmationsFieldNumber)) {
        msg_.mutable_transfer()->set_confirmations(e.confirmations);
      }
      msg_.set_confirmations(e.confirmations);
      msg_.set_head(e.head);
      msg_.set_solidified(e.solidified);
      msg_.set_cursor(encode_cursor(ctx_.store.instance_id(), e.cursor, binding_));
    }
    StartWrite(&msg_);
  }

  void finish(const Status& status) override { finish_once(status.ok() ? grpc::Status::OK : to_grpc(status.error())); }

  void finish_once(const grpc::Status& status) {
    if (!finished_.exchange(true)) Finish(status);
  }

  void OnWriteDone(bool ok) override {
    if (sub_) sub_->on_sent(ok);
  }

  void OnCancel() override {
    // The client went away: stop feeding; finish so that OnDone follows.
    if (sub_ && !cancelled_.exchange(true)) ctx_.hub.close(sub_);
    finish_once(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    if (sub_ && !cancelled_.exchange(true)) ctx_.hub.close(sub_);
    ctx_.streams.release(key_);
    delete this;
  }

 private:
  ServiceContext& ctx_;
  const std::string key_;
  const uint64_t binding_;
  const TransferFields fields_;
  std::shared_ptr<Subscription> sub_;
  v1::Event msg_;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> finished_{false};
};

}  // namespace

grpc::ServerWriteReactor<v1::Event>* SubscribeService::Subscribe(grpc::CallbackServerContext* ctx,
                                                                 const v1::SubscribeRequest* req) {
  std::string key;
  grpc::Status auth = ctx_.auth.authorize(*ctx, kScopeSubscribe, &key);
  if (!auth.ok()) return new RejectReactor(auth);
  const auto& lim = ctx_.limits;
  if (static_cast<size_t>(req->addresses_size()) > lim.max_filter_addresses) {
    return new RejectReactor(invalid("addresses: at most " + std::to_string(lim.max_filter_addresses)));
  }
  if (static_cast<size_t>(req->tokens_size()) > lim.max_filter_tokens) {
    return new RejectReactor(invalid("tokens: at most " + std::to_string(lim.max_filter_tokens)));
  }
  if (req->min_confirmations() > lim.max_min_confirmations) {
    return new RejectReactor(invalid("min_confirmations: at most " + std::to_string(lim.max_min_confirmations)));
  }
  std::vector<chain::Address> addresses, tokens;
  for (int i = 0; i < req->addresses_size(); ++i) {
    auto a = parse_address(req->addresses(i), "addresses[" + std::to_string(i) + "]");
    if (!a.ok()) return new RejectReactor(to_grpc(a.error()));
    addresses.push_back(*a);
  }
  for (int i = 0; i < req->tokens_size(); ++i) {
    auto t = parse_token(req->tokens(i), "tokens[" + std::to_string(i) + "]");
    if (!t.ok()) return new RejectReactor(to_grpc(t.error()));
    tokens.push_back(*t);
  }
  auto fields = TransferFields::parse(req->read_mask(), "read_mask");
  if (!fields.ok()) return new RejectReactor(to_grpc(fields.error()));
  Filter filter(std::move(addresses), std::move(tokens));
  const uint32_t depth = req->min_confirmations();
  const uint64_t binding = filter.binding(depth);
  std::optional<Cursor> after;
  if (!req->after_cursor().empty()) {
    auto c = decode_cursor(req->after_cursor(), ctx_.store.instance_id(), binding, "after_cursor");
    if (!c.ok()) return new RejectReactor(to_grpc(c.error()));
    after = *c;
  }
  if (!ctx_.streams.acquire(key)) {
    return new RejectReactor({grpc::StatusCode::RESOURCE_EXHAUSTED, "too many open streams for API key \"" + key + "\""});
  }
  auto* reactor = new StreamReactor(ctx_, key, binding, *fields);
  auto sub = ctx_.hub.open(std::move(filter), depth, after, reactor);
  if (!sub.ok()) {
    Error e = std::move(sub).error();
    if (e.code == Errc::kOutOfRange) {
      e.message += "; the oldest valid cursor is " + encode_cursor(ctx_.store.instance_id(), ctx_.hub.oldest_cursor(), binding);
    }
    reactor->finish(Status(std::move(e)));
    return reactor;
  }
  reactor->attach(*sub);
  ctx_.hub.start(*sub);
  return reactor;
}

}  // namespace tronidx::api
