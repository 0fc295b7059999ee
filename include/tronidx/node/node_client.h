#pragma once
// node/: the java-tron node as tronidx sees it (DESIGN.md §3). The interface speaks domain types only;
// GrpcNodeClient (grpc_node_client.h) implements it over java-tron's gRPC API.
//
// Contract of every method: an OK result has been validated (headers present, numbers as requested,
// block ids consistent with their headers and numbers, parent links inside a range, txids equal to
// sha256(raw_data), info lists present for blocks with transactions). Errors are tronidx::Errc:
//   kUnavailable / kDeadlineExceeded — transient (node down, lagging, not ready, or it served an invalid
//                                      answer): the caller retries later; nothing partial is returned.
//   kCancelled                       — cancel() was called.
// Implementations are thread-safe: the catch-up pipeline calls them from many threads at once.

#include <cstdint>
#include <vector>

#include "tronidx/chain/result.h"
#include "tronidx/decode/block.h"

namespace tronidx::node {

class NodeClient {
 public:
  virtual ~NodeClient() = default;

  // The node's head block (full-node view).
  virtual Result<decode::BlockHeader> head() = 0;
  // The node's solidified (irreversible) block number.
  virtual Result<uint64_t> solidified() = 0;
  // The header of block `block_num` (kUnavailable if the node does not have it).
  virtual Result<decode::BlockHeader> header(uint64_t block_num) = 0;
  // Blocks [from, to) — at most 100 — with their transactions, in order, each connected to the previous
  // one by parent id. Infos are NOT filled (see tx_infos). Fewer blocks than asked is kUnavailable.
  virtual Result<std::vector<decode::RawBlock>> block_range(uint64_t from, uint64_t to) = 0;
  // The TransactionInfos of block `block_num`, which has `tx_count` transactions: an empty list for a block
  // with transactions means the node is not ready (retried, then kUnavailable).
  virtual Result<std::vector<decode::RawTxInfo>> tx_infos(uint64_t block_num, size_t tx_count) = 0;

  // One complete block: block_range(n, n+1) + tx_infos.
  Result<decode::RawBlock> block(uint64_t block_num);

  // Makes pending and future calls return kCancelled promptly (shutdown). Irreversible.
  virtual void cancel() = 0;
};

}  // namespace tronidx::node
