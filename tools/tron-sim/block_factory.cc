#include "block_factory.h"

#include <google/protobuf/arena.h>

#include <utility>

#include "merkle.h"
#include "rng.h"
#include "tron/api.pb.h"
#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"
#include "tx_factory.h"

namespace tronidx::sim {
namespace {

constexpr uint32_t kGenesisTxs = 4;
constexpr size_t kSignatureSize = 65;
constexpr uint64_t kSignatureStream = 0x5167;

// Registers a transaction already placed in `te` (and `info`, when given) at position `index`: txid,
// merkle leaf, the TransactionExtention result, the info's id, and the positions of its transfers.
void place(protocol::TransactionExtention& te, protocol::TransactionInfo* info, uint64_t num, uint32_t index,
           std::vector<decode::Transfer> transfers, BlockBody& body, std::vector<chain::Hash32>& leaves) {
  const std::string raw = te.transaction().raw_data().SerializeAsString();
  const chain::TxId txid = chain::TxId::compute(chain::as_bytes(raw));
  const std::string id(chain::as_chars(txid.hash.bytes));
  te.set_txid(id);
  te.mutable_result()->set_result(true);  // code SUCCESS: java-tron's block answers never report execution here
  if (info != nullptr) info->set_id(id);
  leaves.push_back(chain::sha256(te.transaction().SerializeAsString()));
  for (auto& t : transfers) {
    t.position.block_num = num;
    t.position.tx_index = index;
    t.txid = txid;
    body.transfers.push_back(t);
  }
}

}  // namespace

TransferCounts count_transfers(const StoredBlock& block) noexcept {
  TransferCounts c;
  for (const auto& t : block.transfers) {
    switch (t.kind) {
      case decode::TransferKind::kTrc20:
        ++c.trc20;
        break;
      case decode::TransferKind::kTrx:
        ++c.trx;
        break;
      case decode::TransferKind::kTrc10:
        ++c.trc10;
        break;
    }
  }
  return c;
}

BlockFactory::BlockFactory(const GenConfig& config, std::shared_ptr<const Population> population)
    : seed_(config.seed),
      start_block_(static_cast<uint64_t>(config.start_block)),
      mix_(profile_mix(config.profile, config.txs_per_block)),
      population_(std::move(population)) {}

int64_t BlockFactory::timestamp_of(uint64_t num) const noexcept {
  return kFirstBlockTimestampMs + (static_cast<int64_t>(num) - static_cast<int64_t>(start_block_)) * kBlockIntervalMs;
}

BlockBody BlockFactory::make_body(uint64_t num, uint64_t salt, std::vector<CarriedTx> carried) const {
  Rng rng(seed_, Stream::kBlock, num, salt);
  BlockBody body;
  body.num = num;
  body.salt = salt;
  body.timestamp_ms = timestamp_of(num);
  const uint32_t fresh = pick_tx_count(mix_, rng);

  // Slots: -1 = a fresh transaction, i >= 0 = carried[i]; carried ones land at random positions.
  std::vector<int64_t> slots(fresh, -1);
  for (size_t i = 0; i < carried.size(); ++i) slots.push_back(static_cast<int64_t>(i));
  for (size_t i = slots.size(); i > 1; --i) std::swap(slots[i - 1], slots[rng.below(i)]);

  google::protobuf::Arena arena;
  auto* ext = google::protobuf::Arena::CreateMessage<protocol::BlockExtention>(&arena);
  auto* infos = google::protobuf::Arena::CreateMessage<protocol::TransactionInfoList>(&arena);
  ext->mutable_transactions()->Reserve(static_cast<int>(slots.size()));
  infos->mutable_transactioninfo()->Reserve(static_cast<int>(slots.size()));
  std::vector<chain::Hash32> leaves;
  leaves.reserve(slots.size());
  const TxSlot slot{num, body.timestamp_ms};
  for (size_t i = 0; i < slots.size(); ++i) {
    auto* te = ext->add_transactions();
    auto* info = infos->add_transactioninfo();
    std::vector<decode::Transfer> transfers;
    if (slots[i] < 0) {
      build_tx(pick_kind(mix_, rng), *population_, slot, rng, *te->mutable_transaction(), *info, transfers);
    } else {
      CarriedTx& c = carried[static_cast<size_t>(slots[i])];
      // Our own bytes: parsing cannot fail; an empty message would only make the txid differ.
      (void)te->mutable_transaction()->ParseFromString(c.tx);
      (void)info->ParseFromString(c.info);
      info->set_blocknumber(static_cast<int64_t>(num));
      info->set_blocktimestamp(body.timestamp_ms);
      transfers = std::move(c.transfers);
    }
    place(*te, info, num, static_cast<uint32_t>(i), std::move(transfers), body, leaves);
  }
  body.tx_count = static_cast<uint32_t>(slots.size());
  body.tx_trie_root = merkle_root(std::move(leaves));
  body.txs = ext->SerializeAsString();
  body.infos = infos->SerializeAsString();
  return body;
}

BlockBody BlockFactory::make_genesis_body() const {
  Rng rng(seed_, Stream::kGenesis);
  BlockBody body;
  body.num = 0;
  body.timestamp_ms = timestamp_of(0);
  google::protobuf::Arena arena;
  auto* ext = google::protobuf::Arena::CreateMessage<protocol::BlockExtention>(&arena);
  std::vector<chain::Hash32> leaves;
  for (uint32_t i = 0; i < kGenesisTxs; ++i) {
    auto* te = ext->add_transactions();
    std::vector<decode::Transfer> transfers;
    build_genesis_tx(*population_, i, body.timestamp_ms, rng, *te->mutable_transaction(), transfers);
    place(*te, nullptr, 0, i, std::move(transfers), body, leaves);
  }
  body.tx_count = kGenesisTxs;
  body.tx_trie_root = merkle_root(std::move(leaves));
  body.txs = ext->SerializeAsString();
  return body;  // infos stay empty: java-tron keeps no TransactionInfo for genesis transactions
}

chain::BlockId BlockFactory::genesis_parent() const {
  std::string label = "tron-sim/genesis-parent/" + std::to_string(seed_);
  return chain::BlockId{chain::sha256(label)};
}

chain::BlockId BlockFactory::pruned_block_id(uint64_t num) const {
  const std::string label = "tron-sim/pruned/" + std::to_string(seed_) + "/" + std::to_string(num);
  return chain::BlockId::compute(num, chain::as_bytes(label));
}

BlockPtr BlockFactory::seal(BlockBody body, const chain::BlockId& parent, uint64_t witness_shift) const {
  protocol::BlockExtention tail;
  auto* header = tail.mutable_block_header();
  auto* raw = header->mutable_raw_data();
  raw->set_timestamp(body.timestamp_ms);
  raw->set_txtrieroot(std::string(chain::as_chars(body.tx_trie_root.bytes)));
  raw->set_parenthash(std::string(chain::as_chars(parent.hash.bytes)));
  raw->set_number(static_cast<int64_t>(body.num));
  raw->set_witness_address(
      std::string(chain::as_chars(population_->witness(body.num, body.salt + witness_shift).bytes())));
  raw->set_version(kBlockVersion);
  const std::string raw_bytes = raw->SerializeAsString();
  const chain::BlockId id = chain::BlockId::compute(body.num, chain::as_bytes(raw_bytes));

  Rng rng(seed_, Stream::kBlock, body.num, body.salt ^ (kSignatureStream + witness_shift));
  std::string signature(kSignatureSize, '\0');
  rng.fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(signature.data()), signature.size()));  // NOLINT
  header->set_witness_signature(std::move(signature));
  tail.set_blockid(std::string(chain::as_chars(id.hash.bytes)));

  auto block = std::make_shared<StoredBlock>();
  block->num = body.num;
  block->id = id;
  block->parent_id = parent;
  block->timestamp_ms = body.timestamp_ms;
  block->tx_count = body.tx_count;
  block->salt = body.salt;
  block->header_offset = body.txs.size();
  block->block = std::move(body.txs);
  block->block += tail.SerializeAsString();
  block->infos = std::move(body.infos);
  block->transfers = std::move(body.transfers);
  return block;
}

Result<std::vector<CarriedTx>> BlockFactory::unpack(const StoredBlock& block) {
  protocol::BlockExtention ext;
  protocol::TransactionInfoList infos;
  if (!ext.ParseFromString(std::string(block.txs_part())) || !infos.ParseFromString(block.infos)) {
    return make_error(Errc::kDataLoss, "block " + std::to_string(block.num) + ": stored bytes do not parse");
  }
  std::vector<CarriedTx> out(static_cast<size_t>(ext.transactions_size()));
  for (int i = 0; i < ext.transactions_size(); ++i) {
    CarriedTx& c = out[static_cast<size_t>(i)];
    c.tx = ext.transactions(i).transaction().SerializeAsString();
    if (i < infos.transactioninfo_size()) c.info = infos.transactioninfo(i).SerializeAsString();
  }
  for (const auto& t : block.transfers) {
    if (t.position.tx_index < out.size()) out[t.position.tx_index].transfers.push_back(t);
  }
  return out;
}

}  // namespace tronidx::sim
