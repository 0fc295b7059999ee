#pragma once
// Helpers shared by the store/ tests: temp dirs, deterministic ids/addresses/transfers, a small chain
// builder whose headers connect by parent id, and gtest helpers for Result/Status.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/amount.h"
#include "tronidx/chain/ids.h"
#include "tronidx/decode/block.h"
#include "tronidx/decode/transfer.h"
#include "tronidx/store/snapshot.h"
#include "tronidx/store/store.h"
#include "tronidx/store/write_txn.h"

namespace tronidx::store::testing {

// A fresh directory under /tmp (mkdtemp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Block ids that embed their number in the first 8 bytes (as java-tron's do); `fork` makes the ids of
// different branches at the same height differ.
chain::BlockId make_block_id(uint64_t block_num, uint64_t fork = 0);
chain::BlockId test_genesis();
chain::BlockId other_genesis();
chain::Address make_address(uint64_t n);
// Same first 8 account bytes as `a` (so it shares every by_address key prefix), different tail.
chain::Address prefix_twin(const chain::Address& a, uint8_t tail);
chain::TxId make_txid(uint64_t n);
// Same first 8 bytes as `t`, different tail.
chain::TxId txid_twin(const chain::TxId& t, uint8_t tail);
chain::Address usdt();
chain::Address token_b();
chain::Amount amount_u64(uint64_t v);
chain::Amount amount_dec(const std::string& decimal);  // aborts the test on a bad literal

ModeConfig watched_mode();
ModeConfig all_mode();

OpenOptions open_options(const std::string& path, const ModeConfig& mode,
                         const chain::BlockId& genesis = test_genesis());
// Opens (creating if needed) with fast non-synced writes; fails the test on error.
std::unique_ptr<Store> open_store(const std::string& path, const ModeConfig& mode);

decode::Transfer trc20(uint64_t block_num, uint32_t tx, uint32_t ev, const chain::Address& token,
                       const chain::Address& from, const chain::Address& to, const chain::Amount& amount,
                       const chain::TxId& txid);
decode::Transfer trx(uint64_t block_num, uint32_t tx, const chain::Address& from, const chain::Address& to,
                     uint64_t sun, const chain::TxId& txid);
decode::Transfer trc10(uint64_t block_num, uint32_t tx, uint64_t asset_id, const chain::Address& from,
                       const chain::Address& to, uint64_t amount, const chain::TxId& txid);

// The node's chain as tests build it: headers with ids make_block_id(num, fork) that connect by parent.
class TestChain {
 public:
  explicit TestChain(uint64_t base_num = 100, uint64_t base_fork = 0);
  ChainPoint base() const { return base_; }
  ChainPoint tip() const;
  // The header of block tip+1 on branch `fork` (not added yet).
  decode::BlockHeader next_header(uint64_t fork = 0) const;
  // Adds block tip+1 and returns its header.
  decode::BlockHeader push(uint64_t fork = 0);
  void pop();
  const std::vector<decode::BlockHeader>& blocks() const { return blocks_; }
  static int64_t timestamp_of(uint64_t block_num) { return 1'600'000'000'000 + static_cast<int64_t>(block_num) * 3000; }

 private:
  ChainPoint base_;
  std::vector<decode::BlockHeader> blocks_;
};

// Applies `header` with `transfers` in its own transaction and commits; fails the test on error.
CommitResult apply_commit(Store& store, const decode::BlockHeader& header,
                          const std::vector<decode::Transfer>& transfers, uint32_t tx_count = 0);
CommitResult revert_commit(Store& store);
CommitResult watch_commit(Store& store, const chain::Address& address, const std::string& label = "",
                          uint64_t since_block = 0);
CommitResult unwatch_commit(Store& store, const chain::Address& address);
CommitResult solidify_commit(Store& store, uint64_t block_num);
std::shared_ptr<const Snapshot> snap(const Store& store);

// All rows of address_history / token_history, walking pages of `page` rows with the `after` cursor.
std::vector<IndexedTransfer> all_pages(const Snapshot& s, Snapshot::HistoryQuery q, size_t page);
std::vector<IndexedTransfer> all_pages(const Snapshot& s, Snapshot::TokenQuery q, size_t page);
std::vector<JournalRecord> whole_journal(const Snapshot& s);

std::vector<decode::Position> positions(const std::vector<IndexedTransfer>& ts);
std::vector<decode::Transfer> plain(const std::vector<IndexedTransfer>& ts);
std::string describe(const decode::Transfer& t);
std::string describe(const IndexedTransfer& t);

// Unwraps a Result or throws (gtest reports the exception as a test failure naming `what`).
template <class T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) throw std::runtime_error(std::string(what) + ": " + errc_name(r.error().code) + ": " + r.error().message);
  return std::move(r).value();
}
void must(const Status& s, const char* what);

}  // namespace tronidx::store::testing

// Readable gtest output for the domain types.
namespace tronidx::decode {
void PrintTo(const Position& p, std::ostream* os);
void PrintTo(const Transfer& t, std::ostream* os);
}  // namespace tronidx::decode
namespace tronidx::store {
void PrintTo(const IndexedTransfer& t, std::ostream* os);
}  // namespace tronidx::store

// gtest helpers: ASSERT_OK(status_or_result) and ASSERT_OK_AND_ASSIGN(decl, result).
#define TRONIDX_STATUS_MSG(r) ((r).ok() ? std::string() : std::string(::tronidx::errc_name((r).error().code)) + ": " + (r).error().message)
#define ASSERT_OK(expr)                                    \
  do {                                                     \
    const auto& tronidx_ok_r = (expr);                     \
    ASSERT_TRUE(tronidx_ok_r.ok()) << TRONIDX_STATUS_MSG(tronidx_ok_r); \
  } while (0)
#define EXPECT_OK(expr)                                    \
  do {                                                     \
    const auto& tronidx_ok_r = (expr);                     \
    EXPECT_TRUE(tronidx_ok_r.ok()) << TRONIDX_STATUS_MSG(tronidx_ok_r); \
  } while (0)
#define TRONIDX_ASSERT_OK_AND_ASSIGN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                       \
  ASSERT_TRUE(tmp.ok()) << TRONIDX_STATUS_MSG(tmp);        \
  decl = std::move(tmp).value()
#define ASSERT_OK_AND_ASSIGN(decl, expr) \
  TRONIDX_ASSERT_OK_AND_ASSIGN_IMPL(TRONIDX_CONCAT(tronidx_aoa_, __LINE__), decl, expr)
#define EXPECT_ERRC(expr, want_errc)                                                   \
  do {                                                                            \
    const auto& tronidx_e_r = (expr);                                             \
    ASSERT_FALSE(tronidx_e_r.ok()) << "expected " << ::tronidx::errc_name(want_errc);  \
    EXPECT_EQ(tronidx_e_r.error().code, want_errc)                                     \
        << ::tronidx::errc_name(tronidx_e_r.error().code) << ": " << tronidx_e_r.error().message; \
  } while (0)
