#include "node_api.h"

#include <charconv>
#include <string>

#include "garbage.h"
#include "tron/api.pb.h"
#include "tron/core.pb.h"
#include "tronidx/chain/hex.h"

namespace tronidx::sim {
namespace {

constexpr size_t kBlockIdHexSize = 64;

Error invalid(const std::string& what) { return make_error(Errc::kInvalidArgument, what); }

std::string num_and_id(const BlockPtr& block) {
  return "Num:" + std::to_string(block->num) + ",ID:" + block->id.to_hex();
}

// java-tron's Long.parseLong: an optional sign then decimal digits, within int64.
std::optional<int64_t> parse_long(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

BlockPtr NodeApi::visible(View view, int64_t num) const {
  if (num < 0) return nullptr;
  const Chain::Tips tips = chain_.tips();
  const BlockPtr& top = view == View::kFull ? tips.head : tips.solid;
  if (!top || static_cast<uint64_t>(num) > top->num) return nullptr;
  return chain_.at(static_cast<uint64_t>(num));
}

Answer NodeApi::block_answer(const BlockPtr& block, bool detail, const FaultDecision& d) const {
  if (!block || d.empty) return {};
  if (d.garbage) {
    faults_.count_garbage();
    return garbage_block(chain_, block, detail, garbage_variant_++);
  }
  return {piece_of(block, detail ? std::string_view(block->block) : block->header_part())};
}

Answer NodeApi::now_block(View view, const FaultDecision& d) const {
  const Chain::Tips tips = chain_.tips();
  return block_answer(view == View::kFull ? tips.head : tips.solid, true, d);
}

Answer NodeApi::block_by_num(View view, int64_t num, const FaultDecision& d) const {
  return block_answer(visible(view, num), true, d);
}

Answer NodeApi::block_range(int64_t start, int64_t end, const FaultDecision& d) const {
  if (d.empty) return {};
  if (!(end > 0 && end > start && end - start <= kMaxRange) || start < 0) return {};
  const std::vector<BlockPtr> blocks = chain_.range(static_cast<uint64_t>(start), static_cast<uint64_t>(end));
  if (d.garbage) {
    if (auto garbage = garbage_range(chain_, blocks, garbage_variant_++)) {
      faults_.count_garbage();
      return *std::move(garbage);
    }
  }
  return frame_block_list(blocks);
}

Result<Answer> NodeApi::get_block(std::string_view id_or_num, bool detail, const FaultDecision& d) const {
  const BlockPtr head = chain_.tips().head;
  if (id_or_num.empty()) return block_answer(head, detail, d);
  if (id_or_num.size() == kBlockIdHexSize) {
    auto id = chain::BlockId::parse_hex(id_or_num, "id_or_num");
    if (!id.ok()) return invalid("id_or_num: '" + std::string(id_or_num) + "' is not a 64-hex block id");
    const uint64_t num = id->block_num();
    if (!head || num > head->num) {
      return invalid("id_or_num: block id " + std::string(id_or_num) + " embeds number " + std::to_string(num) +
                     " > head " + std::to_string(head ? head->num : 0));
    }
    BlockPtr block = chain_.at(num);
    return block_answer(block && block->id == *id ? block : nullptr, detail, d);
  }
  const std::optional<int64_t> num = parse_long(id_or_num);
  if (!num) return invalid("id_or_num: '" + std::string(id_or_num) + "' is neither a block number nor a 64-hex id");
  if (*num < 0) return invalid("id_or_num: negative block number " + std::to_string(*num));
  return block_answer(visible(View::kFull, *num), detail, d);
}

Answer NodeApi::infos_by_num(View view, int64_t num, const FaultDecision& d) const {
  const BlockPtr block = visible(view, num);
  if (!block) return {};
  if (d.infos_missing && block->tx_count > 0) return {};
  if (d.garbage) {
    if (auto garbage = garbage_infos(chain_, block)) {
      faults_.count_garbage();
      return *std::move(garbage);
    }
  }
  if (block->infos.empty()) return {};
  return {piece_of(block, block->infos)};
}

Answer NodeApi::node_info() const {
  const Chain::Tips tips = chain_.tips();
  protocol::NodeInfo info;
  if (tips.head) info.set_block(num_and_id(tips.head));
  if (tips.solid) info.set_solidityblock(num_and_id(tips.solid));
  info.set_beginsyncnum(static_cast<int64_t>(tips.head ? tips.head->num : 0));
  return {piece_of(info.SerializeAsString())};
}

Answer NodeApi::dynamic_properties() const {
  const Chain::Tips tips = chain_.tips();
  protocol::DynamicProperties props;
  if (tips.solid) props.set_last_solidity_block_num(static_cast<int64_t>(tips.solid->num));
  return {piece_of(props.SerializeAsString())};
}

Answer NodeApi::block_reference(View view) const {
  const Chain::Tips tips = chain_.tips();
  const BlockPtr& block = view == View::kFull ? tips.head : tips.solid;
  protocol::BlockReference ref;
  if (block) {
    ref.set_block_num(static_cast<int64_t>(block->num));
    ref.set_block_hash(std::string(chain::as_chars(block->id.hash.bytes)));
  }
  return {piece_of(ref.SerializeAsString())};
}

}  // namespace tronidx::sim
