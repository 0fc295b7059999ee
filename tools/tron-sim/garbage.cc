#include "garbage.h"

#include "tron/api.pb.h"
#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"
#include "wire.h"

namespace tronidx::sim {
namespace {

constexpr uint64_t kInfoSearchSpan = 64;

// This block with parentHash replaced by another value and the id recomputed over the damaged header.
Answer broken_parent(const BlockPtr& block, bool detail) {
  protocol::BlockExtention tail;
  (void)tail.ParseFromString(std::string(block->header_part()));  // our own bytes
  auto* raw = tail.mutable_block_header()->mutable_raw_data();
  const chain::Hash32 bogus = chain::sha256("tron-sim/garbage/" + block->parent_id.to_hex());
  std::string parent(chain::as_chars(bogus.bytes));
  parent.replace(0, 8, std::string(chain::as_chars(block->parent_id.hash.bytes)).substr(0, 8));  // keep the number
  raw->set_parenthash(parent);
  const std::string raw_bytes = raw->SerializeAsString();
  const chain::BlockId id = chain::BlockId::compute(block->num, chain::as_bytes(raw_bytes));
  tail.set_blockid(std::string(chain::as_chars(id.hash.bytes)));
  Answer out;
  if (detail) out.push_back(piece_of(block, block->txs_part()));
  out.push_back(piece_of(tail.SerializeAsString()));
  return out;
}

}  // namespace

Answer garbage_block(const Chain& chain, const BlockPtr& block, bool detail, uint64_t variant) {
  if (variant % 2 == 0) {
    BlockPtr other = chain.at(block->num + 1);
    if (!other && block->num > 0) other = chain.at(block->num - 1);
    if (other) return {piece_of(other, detail ? std::string_view(other->block) : other->header_part())};
  }
  return broken_parent(block, detail);
}

Answer frame_block_list(const std::vector<BlockPtr>& blocks, size_t replace_index, const Answer& replacement) {
  // All keys/lengths in one string; pieces point into it.
  auto prefixes = std::make_shared<std::string>();
  std::vector<std::pair<size_t, size_t>> spans;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const size_t len = i == replace_index ? answer_size(replacement) : blocks[i]->block.size();
    const size_t start = prefixes->size();
    wire::append_len_prefix(*prefixes, 1, len);
    spans.emplace_back(start, prefixes->size() - start);
  }
  Answer out;
  out.reserve(blocks.size() * 2 + replacement.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    out.push_back(Piece{std::string_view(*prefixes).substr(spans[i].first, spans[i].second), prefixes});
    if (i == replace_index) {
      out.insert(out.end(), replacement.begin(), replacement.end());
    } else {
      out.push_back(piece_of(blocks[i], blocks[i]->block));
    }
  }
  return out;
}

std::optional<Answer> garbage_range(const Chain& chain, const std::vector<BlockPtr>& blocks, uint64_t variant) {
  if (blocks.empty()) return std::nullopt;
  const size_t index = (variant / 2) % blocks.size();
  return frame_block_list(blocks, index, garbage_block(chain, blocks[index], true, variant));
}

std::optional<Answer> garbage_infos(const Chain& chain, const BlockPtr& block) {
  for (uint64_t d = 1; d <= kInfoSearchSpan; ++d) {
    for (BlockPtr other : {chain.at(block->num + d), block->num >= d ? chain.at(block->num - d) : nullptr}) {
      if (other && !other->infos.empty()) return Answer{piece_of(other, other->infos)};
    }
  }
  protocol::TransactionInfoList list;
  if (!list.ParseFromString(block->infos) || list.transactioninfo_size() == 0) return std::nullopt;
  list.mutable_transactioninfo()->RemoveLast();
  return Answer{piece_of(list.SerializeAsString())};
}

}  // namespace tronidx::sim
