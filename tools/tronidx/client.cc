#include "client.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tronidx::cli {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Client::Client(const ClientOptions& options) : opts_(options) {
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (opts_.tls || !opts_.tls_ca_file.empty() || !opts_.tls_cert_file.empty()) {
    grpc::SslCredentialsOptions ssl;
    if (!opts_.tls_ca_file.empty()) ssl.pem_root_certs = read_file(opts_.tls_ca_file);
    if (!opts_.tls_cert_file.empty()) ssl.pem_cert_chain = read_file(opts_.tls_cert_file);
    if (!opts_.tls_key_file.empty()) ssl.pem_private_key = read_file(opts_.tls_key_file);
    creds = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  channel_ = grpc::CreateCustomChannel(opts_.api, creds, args);
  query_ = v1::Query::NewStub(channel_);
  watch_ = v1::Watch::NewStub(channel_);
  subscribe_ = v1::Subscribe::NewStub(channel_);
  admin_ = v1::Admin::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Client::context(bool with_deadline) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!opts_.api_key.empty()) ctx->AddMetadata("authorization", "Bearer " + opts_.api_key);
  if (with_deadline) ctx->set_deadline(std::chrono::system_clock::now() + opts_.timeout);
  return ctx;
}

std::string describe(const grpc::Status& s, const std::string& what, const std::string& address) {
  std::string msg = "tronidx: " + what + ": " + s.error_message();
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    msg += " (is tronidxd running and serving its API on " + address + "? see --api)";
  } else if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    msg += " (pass --api-key or set TRONIDX_API_KEY)";
  }
  return msg;
}

}  // namespace tronidx::cli
