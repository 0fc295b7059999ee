#pragma once
// Helpers for the tron-sim tests: stubs on a SimProcess's ports, and checks written independently of
// the simulator's code (ids, merkle root, TRC20/TRX/TRC10 decoding by DESIGN.md §4), so a bug in the
// generator cannot hide behind the same bug in its verification.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "testsupport/sim_process.h"
#include "tron/api.grpc.pb.h"

namespace tronidx::simtest {

std::unique_ptr<grpc::ClientContext> deadline_ctx(std::chrono::milliseconds timeout = std::chrono::seconds(30));

struct FetchedBlock {
  protocol::BlockExtention block;
  protocol::TransactionInfoList infos;
};

class Node {
 public:
  explicit Node(const testsupport::SimProcess& sim);

  grpc::Status now_block(protocol::BlockExtention& out) const;
  grpc::Status block_by_num(int64_t num, protocol::BlockExtention& out) const;
  grpc::Status range(int64_t start, int64_t end, protocol::BlockListExtention& out) const;
  grpc::Status get_block(const std::string& id_or_num, bool detail, protocol::BlockExtention& out) const;
  grpc::Status infos(int64_t num, protocol::TransactionInfoList& out) const;
  int64_t head_num() const;  // -1 if the call fails

  // Blocks [from, to] (inclusive) fetched with GetBlockByLimitNext2, plus their infos; empty on failure.
  std::vector<FetchedBlock> fetch(int64_t from, int64_t to) const;

  std::unique_ptr<protocol::Wallet::Stub> wallet;
  std::unique_ptr<protocol::WalletSolidity::Stub> solidity;
  std::unique_ptr<protocol::Database::Stub> database;           // on the full-node port
  std::unique_ptr<protocol::Database::Stub> solidity_database;  // on the solidity port
};

std::string hex(const std::string& bytes);
// BE64(number) || sha256(serialised header raw)[8..32), in hex.
std::string expected_block_id(const protocol::BlockExtention& block);
// java-tron's merkle root over sha256 of each serialised transaction, in hex (zero hash when empty).
std::string expected_tx_trie_root(const protocol::BlockExtention& block);
// "" when the block is internally consistent (id, txids, root, result flags), else what is wrong.
std::string check_block(const protocol::BlockExtention& block);
// "" when the infos match the transactions 1:1 in order by txid with the block's number/timestamp.
std::string check_infos(const FetchedBlock& fetched);

// One transfer in the ground-truth JSONL's terms.
struct TruthRow {
  int64_t block_num = 0;
  std::string block_id;
  int64_t timestamp_ms = 0;
  int64_t tx_index = 0;
  int64_t event_index = 0;
  std::string txid, kind, token, from, to, amount;
  auto operator<=>(const TruthRow&) const = default;
};
std::ostream& operator<<(std::ostream& os, const TruthRow& row);

// The transfers of a block by DESIGN.md §4, decoded here from the wire messages.
std::vector<TruthRow> decode_transfers(const FetchedBlock& fetched);
std::vector<TruthRow> decode_transfers(const std::vector<FetchedBlock>& blocks);
std::vector<TruthRow> parse_truth_jsonl(const std::string& jsonl);

// Counts of the transaction/log shapes in blocks (to check the generator covers them).
struct Shapes {
  int empty_blocks = 0;
  int failed_txs = 0;          // ret != SUCCESS
  int failed_with_logs = 0;    // must stay 0
  int trc721_logs = 0;         // Transfer topic, 4 topics
  int malformed_logs = 0;      // Transfer topic, other shape
  int other_logs = 0;          // non-Transfer events
  int multi_transfer_txs = 0;  // >= 2 TRC20 transfers in one tx
  int nonzero_event_index = 0;
  int trx = 0;
  int trc10 = 0;
  int trc20 = 0;
  int usdt = 0;
  int huge_amounts = 0;  // > 2^64
};
Shapes shapes_of(const std::vector<FetchedBlock>& blocks);

}  // namespace tronidx::simtest
