#pragma once
// Deliberate damage to a COPY of a stopped daemon's database, written straight into RocksDB with the
// layout of src/store/schema.h: what verify, reindex and `db check` must detect or repair.

#include <cstdint>
#include <filesystem>
#include <string>

#include "tronidx/chain/result.h"

namespace tronidx::clitest {

// Copies a (stopped) daemon's data dir recursively to `to` (which must not exist).
Status copy_data_dir(const std::filesystem::path& from, const std::filesystem::path& to);

struct CorruptedTransfer {
  uint64_t block_num = 0;
  uint32_t tx_index = 0;
  uint32_t event_index = 0;
  std::string txid;        // hex
  std::string old_amount;  // decimal
  std::string new_amount;
};

// Changes the amount (+1) of the first transfer in `transfers` with block_num in [from, to] whose from or
// to is `address` (base58; empty = any). Nothing else changes, so the indexes stay consistent and only
// a comparison with the node can notice.
Result<CorruptedTransfer> corrupt_transfer_amount(const std::filesystem::path& data_dir, uint64_t from, uint64_t to,
                                                  const std::string& address);

// Deletes the first `by_address` entry of a transfer in block >= from_block; returns the transfer's
// position as "block/tx/event".
Result<std::string> delete_by_address_entry(const std::filesystem::path& data_dir, uint64_t from_block);

}  // namespace tronidx::clitest
