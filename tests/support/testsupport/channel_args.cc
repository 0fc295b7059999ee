#include "testsupport/channel_args.h"

#include <grpc/grpc.h>

namespace tronidx::testsupport {

void set_test_channel_args(grpc::ChannelArguments& args, std::chrono::milliseconds max_backoff) {
  args.SetMaxReceiveMessageSize(-1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(max_backoff.count()));
}

}  // namespace tronidx::testsupport
