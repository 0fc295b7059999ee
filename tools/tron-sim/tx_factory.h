#pragma once
// Builds one simulated transaction of a given kind: the protocol::Transaction as java-tron serves it
// inside a block, its protocol::TransactionInfo (receipt and logs) and the ground truth — the transfers
// the transaction makes, recorded from the values put into it, never by decoding it back.
//
// Stateless free functions; thread-safe as long as each thread passes its own Rng and messages.

#include <cstdint>
#include <vector>

#include "population.h"
#include "profile.h"
#include "rng.h"
#include "tron/api.pb.h"
#include "tronidx/decode/transfer.h"

namespace tronidx::sim {

struct TxSlot {
  uint64_t block_num = 0;
  int64_t block_timestamp_ms = 0;
};

// Fills `tx` (raw_data, signature, ret) and `info` (everything but `id`), and appends the ground-truth
// transfers with kind, token, from, to, amount and event_index set. The caller sets txid, info.id and
// the positions (block_num, tx_index) once the transaction has its place.
void build_tx(TxKind kind, const Population& population, const TxSlot& slot, Rng& rng, protocol::Transaction& tx,
              protocol::TransactionInfo& info, std::vector<decode::Transfer>& transfers);

// A genesis allocation: a TransferContract without `ret` (genesis transactions are not executed and
// have no TransactionInfo on java-tron). Appends its TRX ground-truth transfer.
void build_genesis_tx(const Population& population, uint64_t index, int64_t timestamp_ms, Rng& rng,
                      protocol::Transaction& tx, std::vector<decode::Transfer>& transfers);

}  // namespace tronidx::sim
