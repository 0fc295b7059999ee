#include "token_dict.h"

#include <mutex>

namespace tronidx::store {

std::optional<uint32_t> TokenDict::ref(const chain::Address& token) const {
  std::shared_lock lock(mu_);
  auto it = refs_.find(token);
  if (it == refs_.end()) return std::nullopt;
  return it->second;
}

std::optional<chain::Address> TokenDict::token(uint32_t ref) const {
  std::shared_lock lock(mu_);
  if (ref >= tokens_.size()) return std::nullopt;
  return tokens_[ref];
}

uint32_t TokenDict::next_ref() const {
  std::shared_lock lock(mu_);
  return tokens_.empty() ? 1 : static_cast<uint32_t>(tokens_.size());
}

void TokenDict::add(const chain::Address& token, uint32_t ref) {
  std::unique_lock lock(mu_);
  if (tokens_.size() <= ref) tokens_.resize(ref + 1);
  tokens_[ref] = token;
  refs_[token] = ref;
}

void TokenDict::remove(const chain::Address& token, uint32_t ref) {
  std::unique_lock lock(mu_);
  if (auto it = refs_.find(token); it != refs_.end() && it->second == ref) refs_.erase(it);
  if (ref < tokens_.size()) tokens_[ref].reset();
  while (!tokens_.empty() && !tokens_.back()) tokens_.pop_back();
}

}  // namespace tronidx::store
