#pragma once
// The gRPC channel arguments every test client uses (tron-sim, tronidxd API and admin clients).

#include <grpcpp/support/channel_arguments.h>

#include <chrono>

namespace tronidx::testsupport {

// Sets on `args`: no limit on received message size, and reconnection after 100 ms backing off to at most
// `max_backoff` (gRPC's default back-off starts at 1 s and grows to 120 s: a test would notice a restarted
// server seconds late). The connect timeout stays gRPC's default (20 s). Note that
// GRPC_ARG_MIN_RECONNECT_BACKOFF_MS is that timeout, not a back-off: set to 100 ms it cut connection
// handshakes short on a busy machine ("tcp handshaker shutdown").
void set_test_channel_args(grpc::ChannelArguments& args,
                           std::chrono::milliseconds max_backoff = std::chrono::milliseconds(1000));

}  // namespace tronidx::testsupport
