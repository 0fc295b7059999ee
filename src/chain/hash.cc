#include "tronidx/chain/hash.h"

#include <crypto++/keccak.h>
#include <openssl/sha.h>

#include <cstdlib>

#include "tronidx/chain/hex.h"

namespace tronidx::chain {

bool Hash32::is_zero() const noexcept {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

// OpenSSL 3's EVP interface dispatches through its provider layer on every init/update/final, which
// costs more than hashing an address checksum's 21 and 32 bytes (two per base58 address); the one-shot SHA256()
// also fetches the algorithm under a global lock. The low-level SHA256_* functions (deprecated in
// OpenSSL 3, still supported) hash directly with the same assembly, with no allocation.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
Hash32 sha256(std::span<const uint8_t> data) noexcept {
  Hash32 h;
  SHA256_CTX ctx;
  if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, data.data(), data.size()) != 1 ||
      SHA256_Final(h.bytes.data(), &ctx) != 1) {
    std::abort();  // a broken crypto library is not a recoverable condition
  }
  return h;
}
#pragma GCC diagnostic pop

Hash32 sha256(std::string_view data) noexcept { return sha256(as_bytes(data)); }

Hash32 keccak256(std::span<const uint8_t> data) noexcept {
  Hash32 h;
  CryptoPP::Keccak_256 k;
  k.Update(data.data(), data.size());
  k.Final(h.bytes.data());
  return h;
}

Hash32 keccak256(std::string_view data) noexcept { return keccak256(as_bytes(data)); }

const Hash32& transfer_event_topic() noexcept {
  static const Hash32 topic = keccak256(std::string_view("Transfer(address,address,uint256)"));
  return topic;
}

std::array<uint8_t, 4> function_selector(std::string_view signature) noexcept {
  const Hash32 h = keccak256(signature);
  return {h.bytes[0], h.bytes[1], h.bytes[2], h.bytes[3]};
}

}  // namespace tronidx::chain
