#pragma once
// Recordings: a chain written as files, served again with --replay (fixtures of generated chains, or of
// real blocks fetched from a node and written in the same format).
//
// Layout of a recording directory:
//   blocks.bin          for each block in ascending number order, two length-delimited records
//                       (varint length + bytes, protobuf's writeDelimitedTo framing): the serialised
//                       protocol.BlockExtention (detail=true), then the serialised
//                       protocol.TransactionInfoList (zero bytes for blocks without infos).
//   ground_truth.jsonl  optional sidecar: the ground truth of those blocks (truth_jsonl.h format).
//   manifest.json       {"format":"tron-sim-recording/1","first_block","last_block","blocks",
//                        "genesis_id","head_id","seed","profile","ground_truth":bool}
// Blocks must be contiguous except for a gap after block 0 (--start-block), each parentHash equal to
// the previous block's id, each blockid equal to the id computed from its header.

#include <cstdint>
#include <filesystem>
#include <string>

#include "chain.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

struct RecordingInfo {
  uint64_t seed = 0;
  std::string profile;
  bool ground_truth = true;
};

// Writes every canonical block of `chain` to `dir` (created if missing; existing files replaced).
Status write_recording(const Chain& chain, const std::filesystem::path& dir, const RecordingInfo& info);

struct LoadedRecording {
  uint64_t blocks = 0;
  bool ground_truth = false;  // the sidecar was present and attached
};

// Appends the recorded blocks to an empty `chain`. kNotFound for a missing blocks.bin, kDataLoss naming
// the record for anything malformed or inconsistent.
Result<LoadedRecording> load_recording(const std::filesystem::path& dir, Chain& chain);

}  // namespace tronidx::sim
