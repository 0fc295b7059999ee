// The Node.js client (tests/node/client_test.js, @grpc/grpc-js + @grpc/proto-loader, loading only
// proto/tronidx/v1/*.proto) against a live daemon: it subscribes from a cursor taken before new blocks,
// queries GetStatus, ListTransfers (pages of 7) and GetTransfers, and compares with the simulator's ground
// truth, which this test writes to a JSONL file for it. Needs tests/node/node_modules (CTest's
// api_node_deps fixture runs `npm ci --no-audit --no-fund` there when it is missing).
#include <gtest/gtest.h>

#include <fstream>

#include "api_util.h"
#include "testsupport/wait.h"

namespace tronidx::apitest {
namespace {

TEST(NodeClient, SubscribesAndQueriesFromTheProtoAlone) {
  const std::filesystem::path node_dir = std::filesystem::path(TRONIDX_TEST_DATA_DIR) / "node";
  const std::filesystem::path proto_dir = std::filesystem::path(TRONIDX_TEST_DATA_DIR).parent_path() / "proto";
  ASSERT_TRUE(std::filesystem::exists(node_dir / "node_modules" / "@grpc" / "grpc-js"))
      << "run: npm ci --no-audit --no-fund --prefix " << node_dir.string();
  TS_ASSIGN(auto sim, start_sim({"--profile", "tiny", "--txs-per-block", "6", "--block-interval-ms", "0", "--prebuild",
                                  "40", "--solid-lag", "6", "--hot-addresses", "2", "--hot-share", "0.4"}));
  ApiDaemonOptions o = daemon_options(*sim, "all");
  o.start_block = 1;
  TS_ASSIGN(auto d, ApiDaemon::start(o));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth t0, read_truth(*sim));
  const std::string address = t0.hot_addresses[0];
  // A cursor before the new blocks (a heartbeat of a live stream of the same filter).
  v1::SubscribeRequest req;
  req.add_addresses(address);
  std::string cursor;
  {
    EventStream s(d->api_endpoint(), req);
    ASSERT_TRUE(s.wait_for([](const std::vector<Received>& r) { return !r.empty(); }, 30s));
    cursor = s.received().front().event.cursor();
  }
  TS_ASSERT_OK(sim->advance(8));
  TS_ASSERT_OK(wait_synced(*d, *sim));
  TS_ASSIGN(const ChainTruth t, read_truth(*sim));
  TempDir dir("tronidx-node");
  TS_ASSIGN(const std::string jsonl, sim->dump_ground_truth());
  {
    std::ofstream out(dir.file("truth.jsonl"));
    out << jsonl;
  }
  testsupport::ChildOptions c;
  c.program = "node";
  c.args = {(node_dir / "client_test.js").string(), "--endpoint", d->api_endpoint(), "--protos", proto_dir.string(),
            "--truth", dir.file("truth.jsonl").string(), "--address", address, "--cursor", cursor,
            "--from-block", std::to_string(t0.head), "--tip", std::to_string(t.head)};
  c.stdout_path = dir.file("node.log");
  c.stderr_path = dir.file("node.err");
  TS_ASSIGN(auto child, testsupport::ChildProcess::spawn(c));
  const ExitStatus st = child.wait_or_kill(120s);
  const std::string out = testsupport::read_text_file(dir.file("node.log"));
  const std::string err = testsupport::read_text_file(dir.file("node.err"));
  std::cout << out;
  EXPECT_TRUE(st.success()) << st.describe() << "\n" << out << "\n" << err;
  EXPECT_NE(out.find("node-client: OK"), std::string::npos) << out << "\n" << err;
}

}  // namespace
}  // namespace tronidx::apitest
