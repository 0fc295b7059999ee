#include "dump_client.h"

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "tronsim/v1/control.grpc.pb.h"

namespace tronidx::sim {

int run_dump(const DumpOptions& options) {
  auto channel = grpc::CreateChannel(options.control, grpc::InsecureChannelCredentials());
  auto stub = tronsim::v1::Control::NewStub(channel);
  tronsim::v1::DumpRequest req;
  req.set_from_block(options.from_block);
  if (options.to_block) req.set_to_block(*options.to_block);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(options.timeout_ms));
  auto reader = options.what == "blocks" ? stub->DumpBlocks(&ctx, req) : stub->DumpGroundTruth(&ctx, req);

  std::ofstream file;
  if (options.out != "-") {
    file.open(options.out, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::fprintf(stderr, "tron-sim dump: cannot write %s\n", options.out.c_str());
      ctx.TryCancel();
      (void)reader->Finish();
      return 1;
    }
  }
  std::ostream& out = options.out == "-" ? std::cout : file;
  tronsim::v1::DumpChunk chunk;
  while (reader->Read(&chunk)) out << chunk.jsonl();
  const grpc::Status status = reader->Finish();
  out.flush();
  if (!status.ok()) {
    std::fprintf(stderr, "tron-sim dump: %s: %s\n", options.control.c_str(), status.error_message().c_str());
    return 1;
  }
  if (!out) {
    std::fprintf(stderr, "tron-sim dump: write failed\n");
    return 1;
  }
  return 0;
}

}  // namespace tronidx::sim
