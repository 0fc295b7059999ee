#include "db_surgery.h"

#include <rocksdb/db.h>

#include <memory>
#include <system_error>
#include <vector>

#include "schema.h"

namespace tronidx::clitest {
namespace {

// The database with every column family, opened for writing (no daemon may run on it).
struct RawDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::vector<std::string> names;
  ~RawDb() {
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    if (db) (void)db->Close();
  }
  rocksdb::ColumnFamilyHandle* cf(const std::string& name) const {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return handles[i];
    }
    return nullptr;
  }
};

Result<std::unique_ptr<RawDb>> open_raw(const std::filesystem::path& path) {
  auto raw = std::make_unique<RawDb>();
  auto s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path.string(), &raw->names);
  if (!s.ok()) return make_error(Errc::kInternal, "ListColumnFamilies: " + s.ToString());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : raw->names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* db = nullptr;
  s = rocksdb::DB::Open(rocksdb::DBOptions(), path.string(), cfs, &raw->handles, &db);
  if (!s.ok()) return make_error(Errc::kInternal, "open " + path.string() + ": " + s.ToString());
  raw->db.reset(db);
  return raw;
}

rocksdb::WriteOptions synced() {
  rocksdb::WriteOptions o;
  o.sync = true;
  return o;
}

}  // namespace

Status copy_data_dir(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive, ec);
  if (ec) return make_error(Errc::kInternal, "copy " + from.string() + " -> " + to.string() + ": " + ec.message());
  return ok_status();
}

Result<CorruptedTransfer> corrupt_transfer_amount(const std::filesystem::path& data_dir, uint64_t from, uint64_t to,
                                                  const std::string& address) {
  TRONIDX_ASSIGN(auto raw, open_raw(data_dir));
  auto* cf = raw->cf(store::schema::kCfTransfers);
  if (cf == nullptr) return make_error(Errc::kNotFound, "no transfers column family");
  std::unique_ptr<rocksdb::Iterator> it(raw->db->NewIterator(rocksdb::ReadOptions(), cf));
  for (it->Seek(store::schema::transfers_block_prefix(from)); it->Valid(); it->Next()) {
    const auto key = it->key();
    if (key.size() != store::schema::kPosSize) return make_error(Errc::kInternal, "bad transfers key size");
    const auto pos = store::schema::get_pos(reinterpret_cast<const uint8_t*>(key.data()));
    if (pos.block_num > to) break;
    auto v = store::schema::decode_transfer(std::string_view(it->value().data(), it->value().size()));
    if (!v.ok()) return make_error(Errc::kInternal, "undecodable transfer: " + v.error().message);
    if (!address.empty() && v->from.to_base58() != address && v->to.to_base58() != address) continue;
    CorruptedTransfer c;
    c.block_num = pos.block_num;
    c.tx_index = pos.tx_index;
    c.event_index = pos.event_index;
    c.txid = v->txid.to_hex();
    c.old_amount = v->amount.to_decimal();
    auto bumped = v->amount.checked_add(chain::Amount(1));
    if (!bumped) continue;
    v->amount = *bumped;
    c.new_amount = v->amount.to_decimal();
    auto s = raw->db->Put(synced(), cf, key, store::schema::encode_transfer(*v));
    if (!s.ok()) return make_error(Errc::kInternal, "put: " + s.ToString());
    return c;
  }
  return make_error(Errc::kNotFound, "no transfer of " + address + " in blocks " + std::to_string(from) + ".." +
                                         std::to_string(to));
}

Result<std::string> delete_by_address_entry(const std::filesystem::path& data_dir, uint64_t from_block) {
  TRONIDX_ASSIGN(auto raw, open_raw(data_dir));
  auto* cf = raw->cf(store::schema::kCfByAddress);
  if (cf == nullptr) return make_error(Errc::kNotFound, "no by_address column family");
  std::unique_ptr<rocksdb::Iterator> it(raw->db->NewIterator(rocksdb::ReadOptions(), cf));
  constexpr size_t kKeySize = store::schema::kByAddressPrefix + store::schema::kPosSize;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const auto key = it->key();
    if (key.size() != kKeySize) return make_error(Errc::kInternal, "bad by_address key size");
    const auto pos =
        store::schema::get_pos(reinterpret_cast<const uint8_t*>(key.data()) + store::schema::kByAddressPrefix);
    if (pos.block_num < from_block) continue;
    auto s = raw->db->Delete(synced(), cf, key);
    if (!s.ok()) return make_error(Errc::kInternal, "delete: " + s.ToString());
    return std::to_string(pos.block_num) + "/" + std::to_string(pos.tx_index) + "/" + std::to_string(pos.event_index);
  }
  return make_error(Errc::kNotFound, "no by_address entry at or above block " + std::to_string(from_block));
}

}  // namespace tronidx::clitest
