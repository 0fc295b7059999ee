#pragma once
// Generates the blocks of the simulated chain. A block's content is a pure function of
// (seed, block number, branch salt, carried transactions), so bodies can be generated in parallel and
// in any order; sealing (header, parent link, id) is the cheap sequential step.
//
// Formats follow java-tron: block id = BE64(num) || sha256(serialised BlockHeader.raw)[8..32),
// parentHash = the parent's id, txid = sha256(serialised Transaction.raw), txTrieRoot = merkle_root
// over sha256 of each serialised Transaction, block timestamps 3000 ms apart, 27 witnesses round-robin,
// version 30, 65-byte pseudo-random signatures, one TransactionInfo per transaction in block order.
//
// Thread-safety: all methods are const and may be called concurrently.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "options.h"
#include "population.h"
#include "profile.h"
#include "stored_block.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

// A transaction moved from an orphaned block into a new branch: same bytes, hence same txid.
struct CarriedTx {
  std::string tx;    // serialised protocol.Transaction
  std::string info;  // serialised protocol.TransactionInfo (block number/timestamp rewritten when placed)
  std::vector<decode::Transfer> transfers;  // event_index kept; positions rewritten when placed
};

// Everything of a block but its header.
struct BlockBody {
  uint64_t num = 0;
  int64_t timestamp_ms = 0;
  uint64_t salt = 0;
  std::string txs;    // serialised BlockExtention holding only `transactions`
  std::string infos;  // serialised TransactionInfoList
  chain::Hash32 tx_trie_root;
  uint32_t tx_count = 0;
  std::vector<decode::Transfer> transfers;
};

class BlockFactory {
 public:
  static constexpr int64_t kBlockIntervalMs = 3000;
  static constexpr int64_t kFirstBlockTimestampMs = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
  static constexpr int32_t kBlockVersion = 30;

  BlockFactory(const GenConfig& config, std::shared_ptr<const Population> population);

  // Timestamp of block `num`: the first block after genesis (start_block) is kFirstBlockTimestampMs.
  int64_t timestamp_of(uint64_t num) const noexcept;
  const Population& population() const noexcept { return *population_; }

  // The transactions of block `num` on branch `salt`, with `carried` inserted at random positions.
  BlockBody make_body(uint64_t num, uint64_t salt, std::vector<CarriedTx> carried = {}) const;
  // Block 0: a few TRX allocations from the seed, no TransactionInfos, parent hash derived from the seed.
  BlockBody make_genesis_body() const;
  // The parent hash of genesis (a seed-derived 32-byte value).
  chain::BlockId genesis_parent() const;
  uint64_t start_block() const noexcept { return start_block_; }
  // The id of a block below --start-block, which the simulated chain does not have: the parentHash of
  // the first block after the gap. Its first 8 bytes are `num`, as in every block id.
  chain::BlockId pruned_block_id(uint64_t num) const;

  // Adds the header (witness chosen by num, salt and witness_shift) and returns the finished block.
  BlockPtr seal(BlockBody body, const chain::BlockId& parent, uint64_t witness_shift = 0) const;

  // The transactions of a block with their infos and ground truth, for carrying into a new branch.
  // kDataLoss if the stored bytes do not parse (never for generated blocks).
  static Result<std::vector<CarriedTx>> unpack(const StoredBlock& block);

 private:
  uint64_t seed_;
  uint64_t start_block_;
  ProfileMix mix_;
  std::shared_ptr<const Population> population_;
};

}  // namespace tronidx::sim
