#pragma once
// API keys: clients send `authorization: Bearer <key>`; the configuration holds only SHA-256(key) (hex)
// with the key's scopes. Thread-safe (immutable after construction).

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tronidx/chain/hash.h"
#include "tronidx/chain/result.h"

namespace tronidx::api {

enum Scope : uint8_t { kScopeRead = 1, kScopeSubscribe = 2, kScopeAdmin = 4 };

struct ApiKey {
  std::string name;
  chain::Hash32 sha256;
  uint8_t scopes = 0;
};

class Authorizer {
 public:
  // allow_unauthenticated: calls without a key get every scope (explicit opt-in, loopback only — the
  // server refuses it on other addresses).
  Authorizer(std::vector<ApiKey> keys, bool allow_unauthenticated);

  // OK with the caller's key name in *key_name ("anonymous" without auth), or a status ready to send:
  // UNAUTHENTICATED (no or unknown key) or PERMISSION_DENIED (the key lacks the scope). `needed` may
  // combine scopes: any one of them grants the call.
  grpc::Status authorize(const grpc::CallbackServerContext& ctx, Scope needed, std::string* key_name) const;

  // Parses "read,subscribe,admin". kInvalidArgument naming `field`.
  static Result<uint8_t> parse_scopes(const std::vector<std::string>& names, const std::string& field);

 private:
  std::map<chain::Hash32, ApiKey> by_hash_;
  bool allow_unauthenticated_;
};

// Tracks open streams per key (limit "streams per key").
class StreamLimiter {
 public:
  explicit StreamLimiter(size_t max_per_key) : max_(max_per_key) {}
  bool acquire(const std::string& key);
  void release(const std::string& key);

 private:
  std::mutex mu_;
  std::map<std::string, size_t> open_;
  size_t max_;
};

grpc::Status to_grpc(const Error& e);

}  // namespace tronidx::api
