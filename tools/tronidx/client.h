#pragma once
// The CLI's connection to a running tronidxd: channel, credentials, API-key metadata, deadlines.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "tronidx/v1/admin.grpc.pb.h"
#include "tronidx/v1/query.grpc.pb.h"
#include "tronidx/v1/subscribe.grpc.pb.h"
#include "tronidx/v1/watch.grpc.pb.h"

namespace tronidx::cli {

struct ClientOptions {
  std::string api = "127.0.0.1:50151";   // tronidxd's API address (--api, TRONIDX_API)
  std::string api_key;                   // --api-key, TRONIDX_API_KEY
  bool tls = false;
  std::string tls_ca_file;               // server CA (PEM); system roots when empty
  std::string tls_cert_file;             // client certificate for mutual TLS
  std::string tls_key_file;
  std::chrono::seconds timeout{30};      // unary calls
};

class Client {
 public:
  // Throws std::runtime_error when a TLS file cannot be read.
  explicit Client(const ClientOptions& options);

  // A context with the API key and (for unary calls) the deadline.
  std::unique_ptr<grpc::ClientContext> context(bool with_deadline = true) const;

  v1::Query::Stub& query() { return *query_; }
  v1::Watch::Stub& watch() { return *watch_; }
  v1::Subscribe::Stub& subscribe() { return *subscribe_; }
  v1::Admin::Stub& admin() { return *admin_; }
  const std::string& address() const { return opts_.api; }

 private:
  ClientOptions opts_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Query::Stub> query_;
  std::unique_ptr<v1::Watch::Stub> watch_;
  std::unique_ptr<v1::Subscribe::Stub> subscribe_;
  std::unique_ptr<v1::Admin::Stub> admin_;
};

// "tronidx: <what>: <grpc message>" for a failed call, with a hint when the daemon is unreachable.
std::string describe(const grpc::Status& s, const std::string& what, const std::string& address);

}  // namespace tronidx::cli
