#pragma once
// txTrieRoot as java-tron computes it (BlockCapsule.calcMerkleRoot + MerkleTree): the leaves are
// sha256 of each whole serialised Transaction (signatures and ret included), in block order; each level
// hashes adjacent pairs as sha256(left || right) and carries an odd last node up unchanged (it is not
// duplicated as in Bitcoin). One transaction: the root is its leaf. No transactions: 32 zero bytes.

#include <vector>

#include "tronidx/chain/hash.h"

namespace tronidx::sim {

// Consumes the leaves. Pure, thread-safe.
chain::Hash32 merkle_root(std::vector<chain::Hash32> leaves);

}  // namespace tronidx::sim
