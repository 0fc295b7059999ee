#include "tronidx/sync/verify.h"

#include <map>

namespace tronidx::sync {
namespace {

std::string pos_text(const decode::Position& p) {
  return std::to_string(p.block_num) + "/" + std::to_string(p.tx_index) + "/" + std::to_string(p.event_index);
}

std::string transfer_text(const decode::Transfer& t) {
  return std::string(decode::kind_name(t.kind)) + " " + t.token.to_hex() + " " + t.from.to_base58() + "->" +
         t.to.to_base58() + " " + t.amount.to_decimal() + " tx " + t.txid.to_hex();
}

bool same(const decode::Transfer& a, const decode::Transfer& b) {
  return a.kind == b.kind && a.token == b.token && a.from == b.from && a.to == b.to && a.amount == b.amount &&
         a.txid == b.txid;
}

}  // namespace

Result<std::vector<std::string>> compare_block(const store::Store& store, const store::Snapshot& snap,
                                               const decode::BlockHeader& header,
                                               const std::vector<decode::Transfer>& node_transfers) {
  std::vector<std::string> out;
  const uint64_t n = header.block_num;
  TRONIDX_ASSIGN(auto block, snap.block(n));
  if (!block) {
    out.push_back("block " + std::to_string(n) + ": not in the index");
    return out;
  }
  if (block->id != header.id) {
    out.push_back("block " + std::to_string(n) + ": the index has id " + block->id.to_hex() + ", the node has " +
                  header.id.to_hex());
    return out;
  }
  TRONIDX_ASSIGN(auto indexed, snap.block_transfers(*block, snap.next_seq()));
  std::map<decode::Position, const decode::Transfer*> node;
  for (const auto& t : node_transfers) node.emplace(t.position, &t);
  std::map<decode::Position, bool> seen;
  for (const auto& it : indexed) {
    const auto& t = it.transfer;
    seen[t.position] = true;
    auto found = node.find(t.position);
    if (found == node.end()) {
      out.push_back("block " + std::to_string(n) + ": the index has a transfer at " + pos_text(t.position) +
                    " that the node does not: " + transfer_text(t));
    } else if (!same(t, *found->second)) {
      out.push_back("block " + std::to_string(n) + ": transfer at " + pos_text(t.position) + " differs: index " +
                    transfer_text(t) + " / node " + transfer_text(*found->second));
    }
  }
  const bool all_mode = store.mode().kind == store::ModeConfig::Kind::kAll;
  for (const auto& t : node_transfers) {
    if (seen.count(t.position) != 0) continue;
    const bool required = all_mode ? store.mode().indexes_token(t.token)
                                   : store.watches().watched_at(t.from, block->apply_seq) ||
                                         store.watches().watched_at(t.to, block->apply_seq);
    if (required) {
      out.push_back("block " + std::to_string(n) + ": the index is missing the transfer at " + pos_text(t.position) +
                    ": " + transfer_text(t));
    }
  }
  return out;
}

}  // namespace tronidx::sync
