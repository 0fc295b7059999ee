// The simulated chain is real in format: ids, parent links, txids, txTrieRoot, infos 1:1 with
// transactions, the same blocks whichever method serves them, and Transfer logs that agree with the
// ground-truth dump (decoded here independently, by DESIGN.md §4).
#include <gtest/gtest.h>

#include <set>

#include "sim_test_util.h"
#include "testsupport/sim_process.h"
#include "tron/contract.pb.h"

namespace tronidx::simtest {
namespace {

using testsupport::SimProcess;

constexpr int64_t kPrebuild = 60;

class ChainFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim =
        SimProcess::start(std::vector<std::string>{"--profile", "small", "--seed", "7", "--block-interval-ms", "0",
                                                   "--prebuild", std::to_string(kPrebuild), "--solid-lag", "5"});
    ASSERT_TRUE(sim.ok()) << sim.error().message;
    sim_ = std::move(*sim);
    node_ = std::make_unique<Node>(*sim_);
  }

  // Every simulator must shut down cleanly on SIGTERM (exit 0; under ASan also: no leak reports).
  void TearDown() override {
    if (!sim_) return;
    const auto exit = sim_->stop(std::chrono::seconds(20));
    EXPECT_TRUE(exit.success()) << exit.describe() << "\n" << sim_->stderr_text();
  }

  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<Node> node_;
};

TEST_F(ChainFormatTest, IdsLinksAndRootsAreJavaTronsAcrossEveryBlockMethod) {
  ASSERT_EQ(node_->head_num(), kPrebuild);
  const std::vector<FetchedBlock> chain = node_->fetch(0, kPrebuild);
  ASSERT_EQ(chain.size(), static_cast<size_t>(kPrebuild + 1));
  for (size_t i = 0; i < chain.size(); ++i) {
    const auto& b = chain[i].block;
    SCOPED_TRACE("block " + std::to_string(i));
    EXPECT_EQ(b.block_header().raw_data().number(), static_cast<int64_t>(i));
    EXPECT_EQ(check_block(b), "");
    if (i > 0) {
      EXPECT_EQ(b.block_header().raw_data().parenthash(), chain[i - 1].block.blockid());
      EXPECT_EQ(b.block_header().raw_data().timestamp() - chain[i - 1].block.block_header().raw_data().timestamp(),
                3000);
      EXPECT_GE(b.block_header().raw_data().version(), 28);
    }

    // The same block from GetBlockByNum2 and GetBlock (by number and by id): byte-identical.
    protocol::BlockExtention by_num, by_id, by_num_req, header_only;
    ASSERT_TRUE(node_->block_by_num(static_cast<int64_t>(i), by_num).ok());
    ASSERT_TRUE(node_->get_block(std::to_string(i), true, by_num_req).ok());
    ASSERT_TRUE(node_->get_block(hex(b.blockid()), true, by_id).ok());
    ASSERT_TRUE(node_->get_block(hex(b.blockid()), false, header_only).ok());
    EXPECT_EQ(by_num.SerializeAsString(), b.SerializeAsString());
    EXPECT_EQ(by_num_req.SerializeAsString(), b.SerializeAsString());
    EXPECT_EQ(by_id.SerializeAsString(), b.SerializeAsString());
    EXPECT_EQ(header_only.transactions_size(), 0);
    EXPECT_EQ(header_only.blockid(), b.blockid());
    EXPECT_EQ(header_only.block_header().SerializeAsString(), b.block_header().SerializeAsString());
  }
  // The head from GetNowBlock2 and GetBlock("") is the last block.
  protocol::BlockExtention now, latest;
  ASSERT_TRUE(node_->now_block(now).ok());
  ASSERT_TRUE(node_->get_block("", true, latest).ok());
  EXPECT_EQ(now.SerializeAsString(), chain.back().block.SerializeAsString());
  EXPECT_EQ(latest.SerializeAsString(), chain.back().block.SerializeAsString());
}

TEST_F(ChainFormatTest, InfosMatchTransactionsOneToOneInOrder) {
  const std::vector<FetchedBlock> chain = node_->fetch(0, kPrebuild);
  ASSERT_EQ(chain.size(), static_cast<size_t>(kPrebuild + 1));
  std::set<std::string> txids;
  for (const auto& f : chain) {
    EXPECT_EQ(check_infos(f), "");
    for (const auto& te : f.block.transactions()) EXPECT_TRUE(txids.insert(te.txid()).second) << "duplicate txid";
  }
  EXPECT_GT(chain[0].block.transactions_size(), 0) << "genesis carries allocations";
}

TEST_F(ChainFormatTest, ContainsEveryTransactionShape) {
  const std::vector<FetchedBlock> chain = node_->fetch(1, kPrebuild);
  const Shapes s = shapes_of(chain);
  EXPECT_GT(s.empty_blocks, 0);
  EXPECT_GT(s.failed_txs, 0);
  EXPECT_EQ(s.failed_with_logs, 0) << "reverted calls have no logs";
  EXPECT_GT(s.trc721_logs, 0);
  EXPECT_GT(s.malformed_logs, 0);
  EXPECT_GT(s.other_logs, 0);
  EXPECT_GT(s.multi_transfer_txs, 0);
  EXPECT_GT(s.nonzero_event_index, 0);
  EXPECT_GT(s.trx, 0);
  EXPECT_GT(s.trc10, 0);
  EXPECT_GT(s.huge_amounts, 0);
  EXPECT_GT(s.usdt, s.trc20 / 2) << "USDT dominates TRC20 transfers";

  // Failed calls: ret REVERT/OUT_OF_ENERGY, info FAILED with the same receipt result and a message.
  int checked = 0;
  for (const auto& f : chain) {
    for (int i = 0; i < f.block.transactions_size(); ++i) {
      const auto& tx = f.block.transactions(i).transaction();
      if (tx.ret(0).contractret() == protocol::Transaction::Result::SUCCESS) continue;
      const auto& info = f.infos.transactioninfo(i);
      EXPECT_EQ(info.result(), protocol::TransactionInfo::FAILED);
      EXPECT_EQ(info.receipt().result(), tx.ret(0).contractret());
      EXPECT_FALSE(info.resmessage().empty());
      EXPECT_EQ(info.log_size(), 0);
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

TEST_F(ChainFormatTest, TransferLogsAgreeWithTheGroundTruthDump) {
  const std::vector<FetchedBlock> chain = node_->fetch(0, kPrebuild);
  const std::vector<TruthRow> decoded = decode_transfers(chain);
  auto dump = sim_->dump_ground_truth();
  ASSERT_TRUE(dump.ok()) << dump.error().message;
  const std::vector<TruthRow> truth = parse_truth_jsonl(*dump);
  ASSERT_GT(truth.size(), 500u);
  ASSERT_EQ(decoded.size(), truth.size());
  for (size_t i = 0; i < truth.size(); ++i) ASSERT_EQ(decoded[i], truth[i]) << "row " << i;

  // A sub-range dump is the matching slice.
  auto part = sim_->dump_ground_truth(10, 12);
  ASSERT_TRUE(part.ok());
  for (const auto& row : parse_truth_jsonl(*part)) {
    EXPECT_GE(row.block_num, 10);
    EXPECT_LE(row.block_num, 12);
  }
}

TEST_F(ChainFormatTest, TransactionPayloadsAreRealContracts) {
  const std::vector<FetchedBlock> chain = node_->fetch(1, 20);
  std::set<std::string> type_urls;
  for (const auto& f : chain) {
    for (const auto& te : f.block.transactions()) {
      const auto& c = te.transaction().raw_data().contract(0);
      type_urls.insert(c.parameter().type_url());
      EXPECT_EQ(te.transaction().signature_size(), 1);
      EXPECT_EQ(te.transaction().signature(0).size(), 65u);
      EXPECT_EQ(te.transaction().raw_data().ref_block_bytes().size(), 2u);
      EXPECT_EQ(te.transaction().raw_data().ref_block_hash().size(), 8u);
      if (c.type() == protocol::Transaction::Contract::TriggerSmartContract) {
        protocol::TriggerSmartContract call;
        ASSERT_TRUE(c.parameter().UnpackTo(&call));
        EXPECT_EQ(call.owner_address().size(), 21u);
        EXPECT_EQ(call.contract_address().size(), 21u);
        EXPECT_GE(call.data().size(), 4u);
      }
    }
  }
  EXPECT_TRUE(type_urls.count("type.googleapis.com/protocol.TriggerSmartContract"));
  EXPECT_TRUE(type_urls.count("type.googleapis.com/protocol.TransferContract"));
}

TEST_F(ChainFormatTest, NodeInfoAndDatabaseReportHeadAndSolidified) {
  protocol::NodeInfo info;
  ASSERT_TRUE(node_->wallet->GetNodeInfo(deadline_ctx().get(), protocol::EmptyMessage{}, &info).ok());
  protocol::BlockExtention head, solid;
  ASSERT_TRUE(node_->block_by_num(kPrebuild, head).ok());
  ASSERT_TRUE(node_->block_by_num(kPrebuild - 5, solid).ok());
  EXPECT_EQ(info.block(), "Num:" + std::to_string(kPrebuild) + ",ID:" + hex(head.blockid()));
  EXPECT_EQ(info.solidityblock(), "Num:" + std::to_string(kPrebuild - 5) + ",ID:" + hex(solid.blockid()));

  protocol::DynamicProperties props;
  ASSERT_TRUE(node_->database->GetDynamicProperties(deadline_ctx().get(), protocol::EmptyMessage{}, &props).ok());
  EXPECT_EQ(props.last_solidity_block_num(), kPrebuild - 5);
  protocol::BlockReference ref;
  ASSERT_TRUE(node_->database->getBlockReference(deadline_ctx().get(), protocol::EmptyMessage{}, &ref).ok());
  EXPECT_EQ(ref.block_num(), kPrebuild);
  EXPECT_EQ(ref.block_hash(), head.blockid());
}

}  // namespace
}  // namespace tronidx::simtest
