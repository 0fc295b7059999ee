#include "auth.h"

namespace tronidx::api {

Authorizer::Authorizer(std::vector<ApiKey> keys, bool allow_unauthenticated)
    : allow_unauthenticated_(allow_unauthenticated) {
  for (auto& k : keys) by_hash_.emplace(k.sha256, std::move(k));
}

grpc::Status Authorizer::authorize(const grpc::CallbackServerContext& ctx, Scope needed, std::string* key_name) const {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    if (allow_unauthenticated_) {
      *key_name = "anonymous";
      return grpc::Status::OK;
    }
    return {grpc::StatusCode::UNAUTHENTICATED, "missing `authorization: Bearer <api key>` metadata"};
  }
  const std::string_view value(it->second.data(), it->second.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) != kBearer || value.size() == kBearer.size()) {
    return {grpc::StatusCode::UNAUTHENTICATED, "authorization: expected \"Bearer <api key>\""};
  }
  const auto hash = chain::sha256(value.substr(kBearer.size()));
  auto key = by_hash_.find(hash);
  if (key == by_hash_.end()) return {grpc::StatusCode::UNAUTHENTICATED, "unknown API key"};
  if ((key->second.scopes & needed) == 0) {
    std::string scope;  // the scope needed, or the alternatives ("read" or "admin")
    for (auto [bit, name] : {std::pair{kScopeRead, "read"}, {kScopeSubscribe, "subscribe"}, {kScopeAdmin, "admin"}}) {
      if ((needed & bit) != 0) scope += (scope.empty() ? "\"" : "\" or \"") + std::string(name);
    }
    return {grpc::StatusCode::PERMISSION_DENIED,
            "API key \"" + key->second.name + "\" lacks the " + scope + "\" scope"};
  }
  *key_name = key->second.name;
  return grpc::Status::OK;
}

Result<uint8_t> Authorizer::parse_scopes(const std::vector<std::string>& names, const std::string& field) {
  uint8_t scopes = 0;
  for (const auto& n : names) {
    if (n == "read") {
      scopes |= kScopeRead;
    } else if (n == "subscribe") {
      scopes |= kScopeSubscribe;
    } else if (n == "admin") {
      scopes |= kScopeAdmin;
    } else {
      return make_error(Errc::kInvalidArgument, field + ": unknown scope \"" + n + "\" (read, subscribe, admin)");
    }
  }
  if (scopes == 0) return make_error(Errc::kInvalidArgument, field + ": at least one scope is needed");
  return scopes;
}

bool StreamLimiter::acquire(const std::string& key) {
  std::lock_guard lock(mu_);
  size_t& n = open_[key];
  if (n >= max_) return false;
  ++n;
  return true;
}

void StreamLimiter::release(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = open_.find(key);
  if (it != open_.end() && it->second > 0 && --it->second == 0) open_.erase(it);
}

grpc::Status to_grpc(const Error& e) {
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  switch (e.code) {
    case Errc::kInvalidArgument: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case Errc::kNotFound: code = grpc::StatusCode::NOT_FOUND; break;
    case Errc::kAlreadyExists: code = grpc::StatusCode::ALREADY_EXISTS; break;
    case Errc::kFailedPrecondition: code = grpc::StatusCode::FAILED_PRECONDITION; break;
    case Errc::kOutOfRange: code = grpc::StatusCode::OUT_OF_RANGE; break;
    case Errc::kUnavailable: code = grpc::StatusCode::UNAVAILABLE; break;
    case Errc::kDeadlineExceeded: code = grpc::StatusCode::DEADLINE_EXCEEDED; break;
    case Errc::kResourceExhausted: code = grpc::StatusCode::RESOURCE_EXHAUSTED; break;
    case Errc::kDataLoss: code = grpc::StatusCode::DATA_LOSS; break;
    case Errc::kAborted: code = grpc::StatusCode::ABORTED; break;
    case Errc::kInternal: code = grpc::StatusCode::INTERNAL; break;
    case Errc::kCancelled: code = grpc::StatusCode::CANCELLED; break;
  }
  return {code, e.message};
}

}  // namespace tronidx::api
