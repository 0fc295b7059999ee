#pragma once
// Configuration of the simulated chain (what is generated) and of its evolution (solidification,
// random reorgs). Plain values; validated by validate_*() before use. Serving, faults and the CLI have
// their own structs (simulator.h, faults.h, cli.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tronidx/chain/address.h"
#include "tronidx/chain/result.h"

namespace tronidx::sim {

enum class Profile : uint8_t {
  kMainnet,  // ~300 tx/block, mostly USDT transfers, ~2 % empty blocks
  kSmall,    // ~20 tx/block, rare shapes boosted so short chains contain every shape
  kTiny,     // ~3 tx/block, same mix as small
};

const char* profile_name(Profile profile) noexcept;
Result<Profile> parse_profile(std::string_view name, std::string_view field = "profile");

struct GenConfig {
  uint64_t seed = 1;
  Profile profile = Profile::kMainnet;
  std::optional<double> txs_per_block;       // overrides the profile's mean (0 = only empty blocks)
  int64_t accounts = 200000;                 // size of the account population
  int64_t hot_count = 10;                    // hot addresses derived from the seed
  std::vector<chain::Address> hot_explicit;  // plus these (--hot-address)
  double hot_share = 0.05;                   // share of transfers to a hot address (ignored without any)
  int64_t start_block = 1;                   // number of the first block after genesis (blocks 1..start-1 do not exist)
};

struct ChainConfig {
  int64_t solid_lag = 18;       // solidified = head - solid_lag (never moves down)
  double reorg_rate = 0.0;      // probability of a random reorg after each produced block
  int64_t reorg_max_depth = 3;  // random reorg depth is uniform in [1, max]
};

// Errors are kInvalidArgument naming the field as `style` spells it (see field_name()).
enum class FieldStyle : uint8_t { kFlag, kProto };
// "hot_share" -> "--hot-share" (kFlag) or "hot_share" (kProto), with `prefix` before proto names.
std::string field_name(std::string_view proto_name, FieldStyle style, std::string_view prefix = "");

// kInvalidArgument "<field as style spells it>: <what>".
Error invalid_field(std::string_view proto_name, FieldStyle style, const std::string& what,
                    std::string_view prefix = "");

Status validate_gen(const GenConfig& config, FieldStyle style);
Status validate_chain(const ChainConfig& config, FieldStyle style);

}  // namespace tronidx::sim
