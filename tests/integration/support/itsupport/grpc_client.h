#pragma once
// gRPC client helpers shared by the integration suites: readable statuses and test channels.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace tronidx::testsupport {

// "INVALID_ARGUMENT" etc.
std::string code_name(grpc::StatusCode code);
// INVALID_ARGUMENT "message"
std::string describe(const grpc::Status& s);

// A channel with unlimited receive size, its own connection, and short reconnect back-offs.
std::shared_ptr<grpc::Channel> make_channel(const std::string& endpoint,
                                            std::shared_ptr<grpc::ChannelCredentials> creds = nullptr,
                                            const grpc::ChannelArguments* extra = nullptr);

}  // namespace tronidx::testsupport
