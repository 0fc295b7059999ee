#include "tx_factory.h"

#include <array>
#include <string>

#include "tron/contract.pb.h"
#include "tronidx/chain/hash.h"
#include "tronidx/chain/hex.h"

namespace tronidx::sim {
namespace {

using protocol::Transaction;
using protocol::TransactionInfo;
using Ret = protocol::Transaction_Result;
using ContractType = protocol::Transaction_Contract;

constexpr size_t kSignatureSize = 65;

// Event topics and selectors, computed once.
struct Abi {
  std::string transfer_topic = as_string(chain::transfer_event_topic());
  std::string approval_topic = as_string(chain::keccak256(std::string_view("Approval(address,address,uint256)")));
  std::string sync_topic = as_string(chain::keccak256(std::string_view("Sync(uint112,uint112)")));
  std::string swap_topic =
      as_string(chain::keccak256(std::string_view("Swap(address,uint256,uint256,uint256,uint256,address)")));
  std::string transfer_sel = selector("transfer(address,uint256)");
  std::string approve_sel = selector("approve(address,uint256)");
  std::string transfer_from_sel = selector("transferFrom(address,address,uint256)");
  std::string swap_sel = selector("swapExactTokensForTokens(uint256,uint256,address[],address,uint256)");

  static std::string as_string(const chain::Hash32& h) { return std::string(chain::as_chars(h.bytes)); }
  static std::string selector(std::string_view signature) {
    const auto s = chain::function_selector(signature);
    return std::string(chain::as_chars(s));
  }
};

const Abi& abi() {
  static const Abi instance;
  return instance;
}

std::string bytes_of(const chain::Address& a) { return std::string(chain::as_chars(a.bytes())); }
std::string evm_of(const chain::Address& a) { return std::string(chain::as_chars(a.evm())); }
std::string word_of(const chain::Address& a) { return std::string(12, '\0') + evm_of(a); }
std::string word_of(const chain::Amount& v) { return std::string(chain::as_chars(v.to_be_bytes())); }

std::string random_bytes(Rng& rng, size_t n) {
  std::string out(n, '\0');
  rng.fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), n));  // NOLINT
  return out;
}

// Amount in the token's base units: mostly realistic values; 18-decimal tokens sometimes carry values
// far above 2^64.
chain::Amount token_amount(const Trc20Token& token, Rng& rng) {
  if (token.decimals <= 6) {
    uint64_t v = rng.log_uniform(1e4, 1e12);  // 0.01 .. 1,000,000 tokens (6 decimals)
    if (rng.chance(0.5)) v -= v % 1'000'000;  // whole amounts are common
    return chain::Amount(v == 0 ? 1'000'000 : v);
  }
  if (rng.chance(0.6)) return chain::Amount(rng.log_uniform(1e12, 1.8e19));
  std::array<uint8_t, 12> raw{};
  rng.fill(raw);
  raw[0] |= 0x01;  // 12 significant bytes: >= 2^88
  return chain::Amount::from_be_bytes(raw).value();
}

// The parts every transaction has: TaPoS reference, expiration, timestamp, signature.
Transaction::raw* start_raw(Transaction& tx, const TxSlot& slot, Rng& rng, int64_t fee_limit) {
  Transaction::raw* raw = tx.mutable_raw_data();
  const uint64_t ref_num = slot.block_num > 20 ? slot.block_num - 20 : 0;
  const char ref_bytes[2] = {static_cast<char>((ref_num >> 8) & 0xff), static_cast<char>(ref_num & 0xff)};
  raw->set_ref_block_bytes(std::string(ref_bytes, 2));
  raw->set_ref_block_hash(random_bytes(rng, 8));  // not checked against the chain (see README)
  const int64_t created = slot.block_timestamp_ms - rng.between(500, 6000);
  raw->set_expiration(created + 60'000);
  raw->set_timestamp(created);
  if (fee_limit > 0) raw->set_fee_limit(fee_limit);
  return raw;
}

template <class Payload>
void set_contract(Transaction::raw* raw, protocol::Transaction_Contract_ContractType type, const Payload& payload) {
  auto* c = raw->add_contract();
  c->set_type(type);
  c->mutable_parameter()->PackFrom(payload);
}

void finish_tx(Transaction& tx, Rng& rng, Ret::contractResult ret) {
  tx.add_signature(random_bytes(rng, kSignatureSize));
  tx.add_ret()->set_contractret(ret);
}

void start_info(TransactionInfo& info, const TxSlot& slot, int64_t fee) {
  if (fee > 0) info.set_fee(fee);
  info.set_blocknumber(static_cast<int64_t>(slot.block_num));
  info.set_blocktimestamp(slot.block_timestamp_ms);
}

void set_vm_receipt(TransactionInfo& info, Rng& rng, Ret::contractResult result, int64_t energy) {
  auto* r = info.mutable_receipt();
  r->set_energy_usage_total(energy);
  if (rng.chance(0.6)) {
    r->set_energy_fee(energy * 420);
  } else {
    r->set_energy_usage(energy);
  }
  r->set_net_usage(rng.between(280, 420));
  r->set_result(result);
}

void add_log(TransactionInfo& info, const chain::Address& emitter, std::initializer_list<std::string> topics,
             std::string data) {
  auto* log = info.add_log();
  log->set_address(evm_of(emitter));
  for (const auto& t : topics) log->add_topics(t);
  log->set_data(std::move(data));
}

decode::Transfer truth(decode::TransferKind kind, const chain::Address& token, const chain::Address& from,
                       const chain::Address& to, const chain::Amount& amount, uint32_t event_index) {
  decode::Transfer t;
  t.kind = kind;
  t.token = token;
  t.from = from;
  t.to = to;
  t.amount = amount;
  t.position.event_index = event_index;
  return t;
}

// Transfer(from, to, amount) as emitted by `token`.
void add_transfer_log(TransactionInfo& info, const chain::Address& token, const chain::Address& from,
                      const chain::Address& to, const chain::Amount& amount) {
  add_log(info, token, {abi().transfer_topic, word_of(from), word_of(to)}, word_of(amount));
}

void build_trc20_call(const Population& pop, const TxSlot& slot, Rng& rng, Transaction& tx, TransactionInfo& info,
                      std::vector<decode::Transfer>& transfers, bool succeed) {
  const Trc20Token& token = pop.pick_token(rng);
  const chain::Address from = pop.pick_account(rng);
  const chain::Address to = pop.pick_recipient(rng, from);
  const chain::Amount amount = token_amount(token, rng);

  protocol::TriggerSmartContract call;
  call.set_owner_address(bytes_of(from));
  call.set_contract_address(bytes_of(token.address));
  call.set_data(abi().transfer_sel + word_of(to) + word_of(amount));
  set_contract(start_raw(tx, slot, rng, 100'000'000), ContractType::TriggerSmartContract, call);

  info.set_contract_address(bytes_of(token.address));
  if (succeed) {
    finish_tx(tx, rng, Ret::SUCCESS);
    start_info(info, slot, rng.chance(0.5) ? rng.between(300'000, 14'000'000) : 0);
    info.add_contractresult(word_of(chain::Amount(1)));
    set_vm_receipt(info, rng, Ret::SUCCESS, rng.chance(0.7) ? 14'650 : 29'650);
    add_transfer_log(info, token.address, from, to, amount);
    transfers.push_back(truth(decode::TransferKind::kTrc20, token.address, from, to, amount, 0));
    return;
  }
  const bool revert = rng.chance(0.6);
  const Ret::contractResult ret = revert ? Ret::REVERT : Ret::OUT_OF_ENERGY;
  finish_tx(tx, rng, ret);
  start_info(info, slot, rng.between(100'000, 30'000'000));
  info.add_contractresult("");
  set_vm_receipt(info, rng, ret, rng.between(5'000, 100'000));
  info.set_result(TransactionInfo::FAILED);
  info.set_resmessage(revert ? "REVERT opcode executed"
                             : "Not enough energy for 'SSTORE' operation executing: curInvokeEnergyLimit[14000]");
}

void build_native_transfer(bool trc10, const Population& pop, const TxSlot& slot, Rng& rng, Transaction& tx,
                           TransactionInfo& info, std::vector<decode::Transfer>& transfers) {
  const chain::Address from = pop.pick_account(rng);
  const chain::Address to = pop.pick_recipient(rng, from);
  Transaction::raw* raw = start_raw(tx, slot, rng, 0);
  if (trc10) {
    const uint64_t asset = pop.pick_trc10(rng);
    const auto amount = static_cast<int64_t>(rng.log_uniform(1, 1e10));
    protocol::TransferAssetContract c;
    c.set_asset_name(std::to_string(asset));
    c.set_owner_address(bytes_of(from));
    c.set_to_address(bytes_of(to));
    c.set_amount(amount);
    set_contract(raw, ContractType::TransferAssetContract, c);
    transfers.push_back(truth(decode::TransferKind::kTrc10, decode::trc10_token(asset), from, to,
                              chain::Amount(static_cast<uint64_t>(amount)), 0));
  } else {
    const auto amount = static_cast<int64_t>(rng.log_uniform(1e5, 1e11));  // 0.1 .. 100,000 TRX in sun
    protocol::TransferContract c;
    c.set_owner_address(bytes_of(from));
    c.set_to_address(bytes_of(to));
    c.set_amount(amount);
    set_contract(raw, ContractType::TransferContract, c);
    transfers.push_back(truth(decode::TransferKind::kTrx, decode::trx_token(), from, to,
                              chain::Amount(static_cast<uint64_t>(amount)), 0));
  }
  finish_tx(tx, rng, Ret::SUCCESS);
  start_info(info, slot, rng.chance(0.1) ? 1'100'000 : 0);
  info.add_contractresult("");
  info.mutable_receipt()->set_net_usage(rng.between(260, 290));
}

// A non-transfer contract call whose only log is not a TRC20 Transfer (approve, NFT, odd emitter).
void build_other_event(TxKind kind, const Population& pop, const TxSlot& slot, Rng& rng, Transaction& tx,
                       TransactionInfo& info) {
  const chain::Address owner = pop.pick_account(rng);
  const chain::Address other = pop.pick_account(rng);
  protocol::TriggerSmartContract call;
  call.set_owner_address(bytes_of(owner));
  chain::Address target;
  const auto value = chain::Amount(rng.log_uniform(1e6, 1e15));
  if (kind == TxKind::kApproval) {
    const Trc20Token& token = pop.pick_token(rng);
    target = token.address;
    call.set_data(abi().approve_sel + word_of(other) + word_of(value));
    add_log(info, target, {abi().approval_topic, word_of(owner), word_of(other)}, word_of(value));
  } else if (kind == TxKind::kTrc721Transfer) {
    target = pop.nft_contract();
    const auto token_id = chain::Amount(rng.below(1'000'000));
    call.set_data(abi().transfer_from_sel + word_of(owner) + word_of(other) + word_of(token_id));
    add_log(info, target, {abi().transfer_topic, word_of(owner), word_of(other), word_of(token_id)}, "");
  } else {  // kMalformedTransfer: non-indexed Transfer(address,address,uint256), 1 topic + 96 bytes
    target = pop.odd_token();
    call.set_data(abi().transfer_sel + word_of(other) + word_of(value));
    add_log(info, target, {abi().transfer_topic}, word_of(owner) + word_of(other) + word_of(value));
  }
  call.set_contract_address(bytes_of(target));
  set_contract(start_raw(tx, slot, rng, 50'000'000), ContractType::TriggerSmartContract, call);
  finish_tx(tx, rng, Ret::SUCCESS);
  start_info(info, slot, rng.between(0, 9'000'000));
  info.add_contractresult(word_of(chain::Amount(1)));
  info.set_contract_address(bytes_of(target));
  set_vm_receipt(info, rng, Ret::SUCCESS, rng.between(20'000, 60'000));
}

// swapExactTokensForTokens: the user pays token A to the pair, receives token B; sometimes a fee in A
// goes to a collector first. Sync/Swap events of the pair sit between and after the transfers, so the
// transfers' event_index values are not simply 0, 1, 2.
void build_swap(const Population& pop, const TxSlot& slot, Rng& rng, Transaction& tx, TransactionInfo& info,
                std::vector<decode::Transfer>& transfers) {
  const chain::Address user = pop.pick_account(rng);
  const chain::Address recipient = pop.pick_recipient(rng, user);
  const Trc20Token& a = pop.pick_token(rng);
  const Trc20Token& b = pop.pick_other_token(rng, a);
  const chain::Address pair = pop.pair(a, b);
  const chain::Amount in = token_amount(a, rng);
  const chain::Amount out = token_amount(b, rng);

  protocol::TriggerSmartContract call;
  call.set_owner_address(bytes_of(user));
  call.set_contract_address(bytes_of(pop.router()));
  call.set_data(abi().swap_sel + word_of(in) + word_of(chain::Amount(1)) + word_of(chain::Amount(160)) +
                word_of(recipient) +
                word_of(chain::Amount(static_cast<uint64_t>(slot.block_timestamp_ms / 1000 + 600))));
  set_contract(start_raw(tx, slot, rng, 150'000'000), ContractType::TriggerSmartContract, call);
  finish_tx(tx, rng, Ret::SUCCESS);
  start_info(info, slot, rng.between(1'000'000, 40'000'000));
  info.add_contractresult(std::string(64, '\0'));
  info.set_contract_address(bytes_of(pop.router()));
  set_vm_receipt(info, rng, Ret::SUCCESS, rng.between(60'000, 200'000));

  auto transfer = [&](const Trc20Token& t, const chain::Address& from, const chain::Address& to,
                      const chain::Amount& v) {
    transfers.push_back(
        truth(decode::TransferKind::kTrc20, t.address, from, to, v, static_cast<uint32_t>(info.log_size())));
    add_transfer_log(info, t.address, from, to, v);
  };
  if (rng.chance(0.4)) transfer(a, user, pop.fee_collector(), chain::Amount(rng.log_uniform(1e3, 1e7)));
  transfer(a, user, pair, in);
  add_log(info, pair, {abi().sync_topic}, word_of(in) + word_of(out));
  transfer(b, pair, recipient, out);
  add_log(info, pair, {abi().swap_topic, word_of(pop.router()), word_of(recipient)},
          word_of(in) + word_of(chain::Amount()) + word_of(chain::Amount()) + word_of(out));
}

}  // namespace

void build_tx(TxKind kind, const Population& pop, const TxSlot& slot, Rng& rng, Transaction& tx, TransactionInfo& info,
              std::vector<decode::Transfer>& transfers) {
  switch (kind) {
    case TxKind::kTrc20Transfer:
      return build_trc20_call(pop, slot, rng, tx, info, transfers, true);
    case TxKind::kFailedCall:
      return build_trc20_call(pop, slot, rng, tx, info, transfers, false);
    case TxKind::kTrxTransfer:
      return build_native_transfer(false, pop, slot, rng, tx, info, transfers);
    case TxKind::kTrc10Transfer:
      return build_native_transfer(true, pop, slot, rng, tx, info, transfers);
    case TxKind::kApproval:
    case TxKind::kTrc721Transfer:
    case TxKind::kMalformedTransfer:
      return build_other_event(kind, pop, slot, rng, tx, info);
    case TxKind::kSwap:
      return build_swap(pop, slot, rng, tx, info, transfers);
    case TxKind::kCount:
      break;
  }
}

void build_genesis_tx(const Population& pop, uint64_t index, int64_t timestamp_ms, Rng& rng, Transaction& tx,
                      std::vector<decode::Transfer>& transfers) {
  const chain::Address from = pop.genesis_owner();
  const chain::Address to = pop.account(index);
  const auto amount = static_cast<int64_t>(rng.log_uniform(1e12, 1e16));
  protocol::TransferContract c;
  c.set_owner_address(bytes_of(from));
  c.set_to_address(bytes_of(to));
  c.set_amount(amount);
  Transaction::raw* raw = tx.mutable_raw_data();
  raw->set_timestamp(timestamp_ms);
  set_contract(raw, ContractType::TransferContract, c);
  transfers.push_back(truth(decode::TransferKind::kTrx, decode::trx_token(), from, to,
                            chain::Amount(static_cast<uint64_t>(amount)), 0));
}

}  // namespace tronidx::sim
