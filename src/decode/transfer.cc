#include "tronidx/decode/transfer.h"

#include "tronidx/decode/decode.h"

namespace tronidx::decode {

const char* kind_name(TransferKind kind) noexcept {
  switch (kind) {
    case TransferKind::kTrx: return "TRX";
    case TransferKind::kTrc20: return "TRC20";
    case TransferKind::kTrc10: return "TRC10";
  }
  return "UNKNOWN";
}

chain::Address trx_token() noexcept { return chain::Address(); }

chain::Address trc10_token(uint64_t asset_id) noexcept {
  std::array<uint8_t, chain::Address::kSize> raw{};  // raw[0] = 0x00 marks a TRC10 id
  for (size_t i = 0; i < 8; ++i) raw[20 - i] = static_cast<uint8_t>(asset_id >> (8 * i));
  return chain::Address::from_raw(raw);
}

uint64_t trc10_asset_id(const chain::Address& token) noexcept {
  uint64_t v = 0;
  for (size_t i = 13; i < 21; ++i) v = (v << 8) | token.bytes()[i];
  return v;
}

DecodeStats& DecodeStats::operator+=(const DecodeStats& o) {
  trc20 += o.trc20;
  trx += o.trx;
  trc10 += o.trc10;
  trc721_logs += o.trc721_logs;
  malformed_logs += o.malformed_logs;
  other_logs += o.other_logs;
  failed_tx_logs += o.failed_tx_logs;
  failed_txs += o.failed_txs;
  invalid_contracts += o.invalid_contracts;
  return *this;
}

}  // namespace tronidx::decode
