#include "tronidx/chain/hash.h"

#include <crypto++/keccak.h>
#include <openssl/evp.h>

#include <cstdlib>

#include "tronidx/chain/hex.h"

namespace tronidx::chain {

bool Hash32::is_zero() const noexcept {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

namespace {

// OpenSSL 3's one-shot SHA256() fetches the algorithm (under a global lock) on every call; fetch it
// once and keep one digest context per thread instead.
const EVP_MD* sha256_md() noexcept {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Hash32 sha256(std::span<const uint8_t> data) noexcept {
  thread_local DigestContext dc;
  Hash32 h;
  unsigned int len = 0;
  if (sha256_md() == nullptr || dc.ctx == nullptr || EVP_DigestInit_ex(dc.ctx, sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(dc.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(dc.ctx, h.bytes.data(), &len) != 1 || len != h.bytes.size()) {
    std::abort();  // a broken crypto library is not a recoverable condition
  }
  return h;
}

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
