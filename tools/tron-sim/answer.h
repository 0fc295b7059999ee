#pragma once
// An answer of a node call as bytes, before it becomes a gRPC ByteBuffer: a sequence of pieces whose
// concatenation is the serialised response message. Pieces point into immutable storage (a StoredBlock,
// or a string made for this answer) kept alive by `owner`, so cached block bytes are sent without a copy.
// An empty Answer is the empty message (java-tron's answer for unknown blocks).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stored_block.h"

namespace tronidx::sim {

struct Piece {
  std::string_view bytes;
  std::shared_ptr<const void> owner;
};

using Answer = std::vector<Piece>;

inline Piece piece_of(std::string bytes) {
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  return Piece{*owned, owned};
}

inline Piece piece_of(const BlockPtr& block, std::string_view bytes) { return Piece{bytes, block}; }

inline size_t answer_size(const Answer& a) {
  size_t n = 0;
  for (const auto& p : a) n += p.bytes.size();
  return n;
}

// The answer bytes in one string (tests, recording).
inline std::string flatten(const Answer& a) {
  std::string out;
  out.reserve(answer_size(a));
  for (const auto& p : a) out.append(p.bytes);
  return out;
}

}  // namespace tronidx::sim
