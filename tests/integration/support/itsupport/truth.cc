#include "itsupport/truth.h"

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace tronidx::testsupport {
namespace {

template <class F>
void for_each_line(const std::string& jsonl, F&& f) {
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) throw std::runtime_error("malformed JSONL line: " + line);
    f(j);
  }
}

Result<std::vector<TruthTransfer>> list_all(const DaemonProcess& d, v1::ListTransfersRequest req, uint64_t to_block) {
  req.set_order(v1::OLDEST_FIRST);
  req.set_page_size(1000);
  if (to_block != 0) req.set_to_block(to_block);
  std::vector<TruthTransfer> out;
  while (true) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::ListTransfersResponse resp;
    auto s = d.query().ListTransfers(&ctx, req, &resp);
    if (!s.ok()) return make_error(Errc::kUnavailable, "ListTransfers: " + s.error_message());
    for (const auto& t : resp.transfers()) out.push_back(from_proto(t));
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  return out;
}

}  // namespace

std::vector<TruthTransfer> parse_truth(const std::string& jsonl) {
  std::vector<TruthTransfer> out;
  for_each_line(jsonl, [&](const nlohmann::json& j) {
    TruthTransfer t;
    t.block_num = j.at("block_num").get<uint64_t>();
    t.tx_index = j.at("tx_index").get<uint32_t>();
    t.event_index = j.at("event_index").get<uint32_t>();
    t.block_id = j.at("block_id").get<std::string>();
    t.timestamp_ms = j.at("timestamp_ms").get<int64_t>();
    t.txid = j.at("txid").get<std::string>();
    t.kind = j.at("kind").get<std::string>();
    t.token = j.at("token").get<std::string>();
    t.from = j.at("from").get<std::string>();
    t.to = j.at("to").get<std::string>();
    t.amount = j.at("amount").get<std::string>();
    out.push_back(std::move(t));
  });
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<TruthBlock> parse_blocks(const std::string& jsonl) {
  std::vector<TruthBlock> out;
  for_each_line(jsonl, [&](const nlohmann::json& j) {
    TruthBlock b;
    b.block_num = j.at("block_num").get<uint64_t>();
    b.block_id = j.at("block_id").get<std::string>();
    b.parent_id = j.value("parent_id", std::string());
    b.timestamp_ms = j.value("timestamp_ms", int64_t{0});
    out.push_back(std::move(b));
  });
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<TruthTransfer> expected(const std::vector<TruthTransfer>& truth, uint64_t from, uint64_t to,
                                    const std::set<std::string>& addresses, const std::set<std::string>& kinds) {
  std::vector<TruthTransfer> out;
  for (const auto& t : truth) {
    if (t.block_num < from || t.block_num > to || kinds.count(t.kind) == 0) continue;
    if (!addresses.empty() && addresses.count(t.from) == 0 && addresses.count(t.to) == 0) continue;
    out.push_back(t);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<TruthTransfer>> index_address_history(const DaemonProcess& d, const std::string& address,
                                                         uint64_t to_block) {
  v1::ListTransfersRequest req;
  req.set_address(address);
  return list_all(d, req, to_block);
}

Result<std::vector<TruthTransfer>> index_token_history(const DaemonProcess& d, const std::string& token,
                                                       uint64_t to_block) {
  v1::ListTransfersRequest req;
  req.set_token(token);
  return list_all(d, req, to_block);
}

TruthTransfer from_proto(const v1::Transfer& t) {
  TruthTransfer out;
  out.block_num = t.block_num();
  out.tx_index = t.tx_index();
  out.event_index = t.event_index();
  out.block_id = t.block_id();
  out.timestamp_ms = t.timestamp_ms();
  out.txid = t.txid();
  out.kind = v1::TransferKind_Name(t.kind());
  out.token = t.token();
  out.from = t.from();
  out.to = t.to();
  out.amount = t.amount();
  return out;
}

std::string describe(const TruthTransfer& t) {
  return std::to_string(t.block_num) + "/" + std::to_string(t.tx_index) + "/" + std::to_string(t.event_index) + " " +
         t.kind + " " + t.token + " " + t.from + "->" + t.to + " " + t.amount + " tx " + t.txid.substr(0, 12) +
         " block " + t.block_id.substr(0, 20);
}

std::string diff(const std::vector<TruthTransfer>& exp, const std::vector<TruthTransfer>& act, size_t max_lines) {
  std::vector<TruthTransfer> missing, extra;
  std::set_difference(exp.begin(), exp.end(), act.begin(), act.end(), std::back_inserter(missing));
  std::set_difference(act.begin(), act.end(), exp.begin(), exp.end(), std::back_inserter(extra));
  if (missing.empty() && extra.empty()) return "";
  std::string out = std::to_string(missing.size()) + " missing, " + std::to_string(extra.size()) + " extra\n";
  size_t n = 0;
  for (const auto& t : missing) {
    if (n++ >= max_lines) break;
    out += "  missing " + describe(t) + "\n";
  }
  for (const auto& t : extra) {
    if (n++ >= max_lines) break;
    out += "  extra   " + describe(t) + "\n";
  }
  return out;
}

}  // namespace tronidx::testsupport
