#include "micro_work.h"

#include <memory>

#include "block_factory.h"  // tools/tron-sim: the generator of its chains
#include "node/wire.h"     // src/node (private): the daemon's parser of java-tron's answers
#include "population.h"
#include "tronidx/chain/hex.h"
#include "tronidx/chain/usdt.h"
#include "tronidx/decode/decode.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/v1/query.pb.h"
#include "wire.h"  // tools/tron-sim: its writer of the same format

namespace tronidx::bench::micro {

namespace {

// tron-sim's generator with its defaults: seed 1, the mainnet profile, 200,000 accounts.
Result<std::unique_ptr<const sim::BlockFactory>> mainnet_factory() {
  sim::GenConfig gen;
  TRONIDX_ASSIGN(auto population, sim::Population::create(gen));
  return std::make_unique<const sim::BlockFactory>(gen, std::make_shared<const sim::Population>(std::move(population)));
}

}  // namespace

Result<WireBlock> mainnet_block(uint64_t num) {
  TRONIDX_ASSIGN(auto f, mainnet_factory());
  const auto& factory = *f;
  auto sealed = factory.seal(factory.make_body(num, 0), factory.pruned_block_id(num - 1));
  WireBlock out;
  out.num = num;
  out.tx_count = sealed->tx_count;
  // BlockListExtention { repeated BlockExtention block = 1; } holding this one block.
  sim::wire::append_len_prefix(out.block_list, 1, sealed->block.size());
  out.block_list += sealed->block;
  out.infos = sealed->infos;
  out.transfers = sealed->transfers;
  return out;
}

bool decoded_by_default(const decode::Transfer& t) {
  const decode::DecodeOptions defaults;
  switch (t.kind) {
    case decode::TransferKind::kTrx: return defaults.trx;
    case decode::TransferKind::kTrc10: return defaults.trc10;
    case decode::TransferKind::kTrc20: return true;
  }
  return false;
}

Result<DecodedBlocks> mainnet_blocks(uint64_t first, size_t count) {
  TRONIDX_ASSIGN(auto factory, mainnet_factory());
  DecodedBlocks out;
  for (uint64_t num = first; num < first + count; ++num) {
    auto body = factory->make_body(num, 0);
    decode::BlockHeader h;
    h.block_num = num;
    h.timestamp_ms = body.timestamp_ms;
    out.headers.push_back(h);
    out.tx_counts.push_back(body.tx_count);
    std::vector<decode::Transfer> ts;
    for (auto& t : body.transfers) {
      if (decoded_by_default(t)) ts.push_back(std::move(t));
    }
    out.transfer_count += ts.size();
    out.transfers.push_back(std::move(ts));
  }
  return out;
}

Status apply_as_next(store::WriteTxn& txn, const DecodedBlocks& blocks) {
  std::vector<decode::Transfer> moved;
  for (size_t i = 0; i < blocks.headers.size(); ++i) {
    decode::BlockHeader h = blocks.headers[i];
    h.block_num = txn.tip().block_num + 1;
    h.parent_id = txn.tip().id;
    h.id = chain::BlockId::compute(h.block_num, h.parent_id.hash.span());
    moved = blocks.transfers[i];
    for (auto& t : moved) t.position.block_num = h.block_num;
    TRONIDX_TRY(txn.apply_block(h, blocks.tx_counts[i], moved));
  }
  return txn.solidify(txn.tip().block_num);
}

Result<decode::RawBlock> parse_block(const WireBlock& block) {
  TRONIDX_ASSIGN(auto blocks, node::wire::parse_block_list(chain::as_bytes(block.block_list), block.num, true));
  if (blocks.size() != 1) return make_error(Errc::kInternal, "expected one block");
  TRONIDX_ASSIGN(blocks.front().infos, node::wire::parse_infos(chain::as_bytes(block.infos), block.num));
  return std::move(blocks.front());
}

Result<std::vector<store::IndexedTransfer>> read_page(const store::Store& store, const chain::Address& address,
                                                      uint64_t to_block, size_t limit) {
  TRONIDX_ASSIGN(auto snap, store.snapshot());
  store::Snapshot::HistoryQuery q;
  q.address = address;
  q.to_block = to_block;
  q.limit = limit;
  return snap->address_history(q);
}

void render_page(const std::vector<store::IndexedTransfer>& rows, uint64_t tip, uint64_t solidified,
                 const api::TokenBook& tokens, v1::ListTransfersResponse& resp, std::string& out) {
  resp.Clear();
  for (const auto& t : rows) api::to_proto(t, tip, solidified, tokens, resp.add_transfers());
  out.clear();
  resp.SerializeToString(&out);
}

api::TokenBook default_tokens() {
  // As the daemon's built-in default (src/daemon/config.cc).
  return api::TokenBook({api::TokenInfo{
      *chain::Address::parse(chain::kUsdtContract), std::string(chain::kUsdtSymbol), chain::kUsdtDecimals, {}}});
}

}  // namespace tronidx::bench::micro
