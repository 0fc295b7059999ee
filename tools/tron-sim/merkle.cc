#include "merkle.h"

#include <cstring>

namespace tronidx::sim {

chain::Hash32 merkle_root(std::vector<chain::Hash32> level) {
  if (level.empty()) return chain::Hash32{};
  while (level.size() > 1) {
    size_t out = 0;
    for (size_t i = 0; i < level.size(); i += 2) {
      if (i + 1 == level.size()) {
        level[out++] = level[i];
        break;
      }
      uint8_t pair[64];
      std::memcpy(pair, level[i].bytes.data(), 32);
      std::memcpy(pair + 32, level[i + 1].bytes.data(), 32);
      level[out++] = chain::sha256(std::span<const uint8_t>(pair, sizeof pair));
    }
    level.resize(out);
  }
  return level.front();
}

}  // namespace tronidx::sim
