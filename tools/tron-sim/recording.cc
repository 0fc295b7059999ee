#include "recording.h"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tron/api.pb.h"
#include "tronidx/chain/hex.h"
#include "truth_jsonl.h"
#include "wire.h"

namespace tronidx::sim {
namespace {

constexpr const char* kFormat = "tron-sim-recording/1";

Status write_file(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return make_error(Errc::kUnavailable, "cannot write " + tmp.string());
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return make_error(Errc::kUnavailable, "cannot rename " + tmp.string() + ": " + ec.message());
  return ok_status();
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::kNotFound, "cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Error corrupt(uint64_t index, const std::string& what) {
  return make_error(Errc::kDataLoss, "blocks.bin block record " + std::to_string(index) + ": " + what);
}

// A StoredBlock from the recorded bytes, with its id checked against its header.
Result<std::shared_ptr<StoredBlock>> block_from_record(uint64_t index, std::string_view block_bytes,
                                                       std::string_view infos_bytes) {
  protocol::BlockExtention ext;
  if (!ext.ParseFromArray(block_bytes.data(), static_cast<int>(block_bytes.size()))) {
    return corrupt(index, "not a BlockExtention");
  }
  if (!ext.has_block_header()) return corrupt(index, "no block_header");
  const auto& raw = ext.block_header().raw_data();
  if (raw.number() < 0) return corrupt(index, "negative number");
  auto block = std::make_shared<StoredBlock>();
  block->num = static_cast<uint64_t>(raw.number());
  const std::string raw_bytes = raw.SerializeAsString();
  block->id = chain::BlockId::compute(block->num, chain::as_bytes(raw_bytes));
  if (ext.blockid() != chain::as_chars(block->id.hash.bytes)) {
    return corrupt(index, "blockid does not match the id computed from the header");
  }
  if (raw.parenthash().size() != 32) return corrupt(index, "parentHash is not 32 bytes");
  TRONIDX_ASSIGN(block->parent_id, chain::BlockId::from_bytes(chain::as_bytes(raw.parenthash()), "parentHash"));
  block->timestamp_ms = raw.timestamp();
  block->tx_count = static_cast<uint32_t>(ext.transactions_size());
  auto offset = wire::block_header_offset(block_bytes);
  if (offset.ok()) {
    block->block = std::string(block_bytes);
    block->header_offset = *offset;
  } else {  // non-canonical field order: serve our canonical re-serialisation
    protocol::BlockExtention header_only;
    *header_only.mutable_block_header() = ext.block_header();
    header_only.set_blockid(ext.blockid());
    ext.clear_block_header();
    ext.clear_blockid();
    block->block = ext.SerializeAsString();
    block->header_offset = block->block.size();
    block->block += header_only.SerializeAsString();
  }
  block->infos = std::string(infos_bytes);
  return block;
}

// Ground truth by block number, checked against the recorded block ids.
Result<std::map<uint64_t, std::vector<decode::Transfer>>> load_truth(const std::string& text,
                                                                     const std::map<uint64_t, chain::BlockId>& ids) {
  std::map<uint64_t, std::vector<decode::Transfer>> out;
  size_t line_no = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    auto parsed = parse_truth_line(line);
    if (!parsed.ok()) {
      return make_error(Errc::kDataLoss,
                        "ground_truth.jsonl line " + std::to_string(line_no) + ": " + parsed.error().message);
    }
    const uint64_t num = parsed->transfer.position.block_num;
    auto it = ids.find(num);
    if (it == ids.end() || it->second != parsed->block_id) {
      return make_error(Errc::kDataLoss, "ground_truth.jsonl line " + std::to_string(line_no) + ": block " +
                                             std::to_string(num) + " is not in blocks.bin with that id");
    }
    out[num].push_back(parsed->transfer);
  }
  return out;
}

}  // namespace

Status write_recording(const Chain& chain, const std::filesystem::path& dir, const RecordingInfo& info) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(Errc::kUnavailable, "cannot create " + dir.string() + ": " + ec.message());
  const Chain::Tips tips = chain.tips();
  if (!tips.head) return make_error(Errc::kFailedPrecondition, "the chain is empty");
  const std::vector<BlockPtr> blocks = chain.range(0, tips.head->num + 1);
  std::string bin;
  std::string truth;
  for (const auto& b : blocks) {
    wire::append_delimited(bin, b->block);
    wire::append_delimited(bin, b->infos);
    if (info.ground_truth) append_truth_lines(truth, *b);
  }
  TRONIDX_TRY(write_file(dir / "blocks.bin", bin));
  if (info.ground_truth) TRONIDX_TRY(write_file(dir / "ground_truth.jsonl", truth));
  nlohmann::json manifest = {
      {"format", kFormat},
      {"first_block", blocks.front()->num},
      {"last_block", blocks.back()->num},
      {"blocks", blocks.size()},
      {"genesis_id", tips.genesis ? tips.genesis->id.to_hex() : ""},
      {"head_id", tips.head->id.to_hex()},
      {"seed", info.seed},
      {"profile", info.profile},
      {"ground_truth", info.ground_truth},
  };
  return write_file(dir / "manifest.json", manifest.dump(2) + "\n");
}

Result<LoadedRecording> load_recording(const std::filesystem::path& dir, Chain& chain) {
  TRONIDX_ASSIGN(const std::string bin, read_file(dir / "blocks.bin"));
  std::vector<std::shared_ptr<StoredBlock>> blocks;
  std::map<uint64_t, chain::BlockId> ids;
  size_t pos = 0;
  for (uint64_t index = 0;; ++index) {
    auto block_bytes = wire::read_delimited(bin, pos);
    if (!block_bytes.ok()) return corrupt(index, block_bytes.error().message);
    if (!*block_bytes) break;
    auto infos_bytes = wire::read_delimited(bin, pos);
    if (!infos_bytes.ok()) return corrupt(index, infos_bytes.error().message);
    if (!*infos_bytes) return corrupt(index, "missing its TransactionInfoList record");
    TRONIDX_ASSIGN(auto block, block_from_record(index, **block_bytes, **infos_bytes));
    ids[block->num] = block->id;
    blocks.push_back(std::move(block));
  }
  if (blocks.empty()) return make_error(Errc::kDataLoss, (dir / "blocks.bin").string() + " holds no blocks");

  LoadedRecording loaded;
  auto truth_text = read_file(dir / "ground_truth.jsonl");
  if (truth_text.ok()) {
    TRONIDX_ASSIGN(auto truth, load_truth(*truth_text, ids));
    for (auto& b : blocks) {
      auto it = truth.find(b->num);
      if (it != truth.end()) b->transfers = std::move(it->second);
    }
    loaded.ground_truth = true;
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    Status appended = chain.append(std::move(blocks[i]));
    if (!appended.ok()) return corrupt(i, appended.error().message);
  }
  loaded.blocks = blocks.size();
  return loaded;
}

}  // namespace tronidx::sim
