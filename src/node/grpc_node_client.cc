#include "tronidx/node/grpc_node_client.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <span>
#include <string>

#include "tron/api.grpc.pb.h"
#include "wire.h"

namespace tronidx::node {
namespace {

enum Method : size_t { kGetNowBlock2, kGetDynamicProperties, kGetBlock, kGetBlockByLimitNext2, kGetInfos };

Error from_grpc(const grpc::Status& s, const char* method, const std::string& endpoint) {
  const std::string msg = std::string(method) + " on " + endpoint + ": " + s.error_message();
  switch (s.error_code()) {
    case grpc::StatusCode::DEADLINE_EXCEEDED: return make_error(Errc::kDeadlineExceeded, msg);
    case grpc::StatusCode::INVALID_ARGUMENT: return make_error(Errc::kInvalidArgument, msg);
    case grpc::StatusCode::UNIMPLEMENTED:
      return make_error(Errc::kFailedPrecondition, msg + " (the node does not implement this method)");
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return make_error(Errc::kFailedPrecondition, msg + " (check the node API key)");
    default:
      // UNAVAILABLE, RESOURCE_EXHAUSTED (java-tron rate limits), INTERNAL, UNKNOWN, ABORTED, CANCELLED...:
      // a node in trouble; try again, maybe on another endpoint.
      return make_error(Errc::kUnavailable, msg);
  }
}

class GrpcNodeClient final : public NodeClient {
 public:
  explicit GrpcNodeClient(const NodeOptions& options) : opts_(options) {
    for (const auto& ep : options.endpoints) {
      grpc::ChannelArguments args;
      args.SetMaxReceiveMessageSize(options.max_receive_bytes);
      args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);  // retries are ours, with backoff and failover
      auto creds = ep.tls ? grpc::SslCredentials(grpc::SslCredentialsOptions()) : grpc::InsecureChannelCredentials();
      Conn c;
      c.address = ep.address;
      c.channel = grpc::CreateCustomChannel(ep.address, creds, args);
      c.wallet = protocol::Wallet::NewStub(c.channel);
      c.database = protocol::Database::NewStub(c.channel);
      c.generic = std::make_unique<grpc::GenericStub>(c.channel);
      conns_.push_back(std::move(c));
    }
  }

  const NodeMetrics& metrics() const { return metrics_; }

  Result<decode::BlockHeader> head() override {
    if (!get_block_unimplemented_.load(std::memory_order_relaxed)) {
      auto r = call<decode::BlockHeader>(kGetBlock, [&](Conn& c, grpc::ClientContext& ctx) -> Result<decode::BlockHeader> {
        protocol::BlockReq req;  // empty id_or_num: the head block, header only
        std::span<const uint8_t> bytes;
        auto s = raw_call(c, ctx, "/protocol.Wallet/GetBlock", req, bytes);
        if (!s.ok()) return from_grpc(s, "GetBlock", c.address);
        return wire::parse_head(bytes);
      });
      if (!unimplemented(r)) return r;
    }
    return call<decode::BlockHeader>(kGetNowBlock2, [&](Conn& c, grpc::ClientContext& ctx) -> Result<decode::BlockHeader> {
      protocol::EmptyMessage req;
      std::span<const uint8_t> bytes;
      auto s = raw_call(c, ctx, "/protocol.Wallet/GetNowBlock2", req, bytes);
      if (!s.ok()) return from_grpc(s, "GetNowBlock2", c.address);
      return wire::parse_head(bytes);
    });
  }

  Result<uint64_t> solidified() override {
    return call<uint64_t>(kGetDynamicProperties, [&](Conn& c, grpc::ClientContext& ctx) -> Result<uint64_t> {
      protocol::EmptyMessage req;
      protocol::DynamicProperties resp;
      auto s = c.database->GetDynamicProperties(&ctx, req, &resp);
      if (!s.ok()) return from_grpc(s, "GetDynamicProperties", c.address);
      if (resp.last_solidity_block_num() < 0) {
        return make_error(Errc::kUnavailable, "invalid answer from node: negative solidified number");
      }
      return static_cast<uint64_t>(resp.last_solidity_block_num());
    });
  }

  Result<decode::BlockHeader> header(uint64_t block_num) override {
    if (!get_block_unimplemented_.load(std::memory_order_relaxed)) {
      auto r = call<decode::BlockHeader>(kGetBlock, [&](Conn& c, grpc::ClientContext& ctx) -> Result<decode::BlockHeader> {
        protocol::BlockReq req;
        req.set_id_or_num(std::to_string(block_num));
        req.set_detail(false);
        std::span<const uint8_t> bytes;
        auto s = raw_call(c, ctx, "/protocol.Wallet/GetBlock", req, bytes);
        if (!s.ok()) return from_grpc(s, "GetBlock", c.address);
        TRONIDX_ASSIGN(auto b, wire::parse_block(bytes, block_num, false, false));
        return b.header;
      });
      if (!unimplemented(r)) return r;
    }
    TRONIDX_ASSIGN(auto range, block_range(block_num, block_num + 1));
    return range.front().header;
  }

  Result<std::vector<decode::RawBlock>> block_range(uint64_t from, uint64_t to) override {
    if (to <= from || to - from > 100) {
      return make_error(Errc::kInvalidArgument, "block_range: [from, to) must hold 1 to 100 blocks");
    }
    using Out = std::vector<decode::RawBlock>;
    return call<Out>(kGetBlockByLimitNext2, [&](Conn& c, grpc::ClientContext& ctx) -> Result<Out> {
      protocol::BlockLimit req;
      req.set_startnum(static_cast<int64_t>(from));
      req.set_endnum(static_cast<int64_t>(to));
      std::span<const uint8_t> bytes;
      auto s = raw_call(c, ctx, "/protocol.Wallet/GetBlockByLimitNext2", req, bytes);
      if (!s.ok()) return from_grpc(s, "GetBlockByLimitNext2", c.address);
      metrics_.bytes_received.add(bytes.size());
      TRONIDX_ASSIGN(auto out, wire::parse_block_list(bytes, from, opts_.verify_txids));
      if (static_cast<uint64_t>(out.size()) != to - from) {
        return make_error(Errc::kUnavailable, "node returned " + std::to_string(out.size()) + " of the " +
                                                  std::to_string(to - from) + " blocks from " + std::to_string(from) +
                                                  " (not synced that far?)");
      }
      return out;
    });
  }

  Result<std::vector<decode::RawTxInfo>> tx_infos(uint64_t block_num, size_t tx_count) override {
    using Out = std::vector<decode::RawTxInfo>;
    return call<Out>(kGetInfos, [&](Conn& c, grpc::ClientContext& ctx) -> Result<Out> {
      protocol::NumberMessage req;
      req.set_num(static_cast<int64_t>(block_num));
      std::span<const uint8_t> bytes;
      auto s = raw_call(c, ctx, "/protocol.Wallet/GetTransactionInfoByBlockNum", req, bytes);
      if (!s.ok()) return from_grpc(s, "GetTransactionInfoByBlockNum", c.address);
      metrics_.bytes_received.add(bytes.size());
      TRONIDX_ASSIGN(auto infos, wire::parse_infos(bytes, block_num));
      if (tx_count > 0 && infos.empty()) {
        return make_error(Errc::kUnavailable, "node has no transaction infos for block " + std::to_string(block_num) +
                                                  " (not ready, or transaction history is off on the node)");
      }
      return infos;
    });
  }

  // Nodes built before Aug 2022 lack GetBlock: remember it and use the older methods from then on.
  template <class T>
  bool unimplemented(const Result<T>& r) {
    if (r.ok() || r.error().code != Errc::kFailedPrecondition ||
        r.error().message.find("does not implement") == std::string::npos) {
      return false;
    }
    get_block_unimplemented_.store(true, std::memory_order_relaxed);
    return true;
  }

  void cancel() override {
    {
      std::lock_guard lock(sleep_mu_);
      cancelled_ = true;
    }
    sleep_cv_.notify_all();
  }

 private:
  struct Conn {
    std::string address;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<protocol::Wallet::Stub> wallet;
    std::unique_ptr<protocol::Database::Stub> database;
    std::unique_ptr<grpc::GenericStub> generic;  // block and info calls: answers parsed from raw bytes
  };

  // A unary call whose answer is kept as raw bytes (parsed by node/wire.h without protobuf objects), in
  // `out`: valid until this thread's next raw_call. It completes on a queue of its own that this thread
  // polls: gRPC 1.51's callback API would run the completion on its callback threads, which sleep 100 ms
  // after a second without events (tronidx/common/callback_keepawake.h); a head poll once a second then
  // waited for them every other time.
  static grpc::Status raw_call(Conn& c, grpc::ClientContext& ctx, const char* method,
                               const google::protobuf::Message& request, std::span<const uint8_t>& out) {
    const std::string req = request.SerializeAsString();
    grpc::Slice slice(req);
    grpc::ByteBuffer request_buf(&slice, 1);
    grpc::ByteBuffer response_buf;
    grpc::CompletionQueue cq;
    grpc::Status s;
    auto rpc = c.generic->PrepareUnaryCall(&ctx, method, request_buf, &cq);
    rpc->StartCall();
    rpc->Finish(&response_buf, &s, &cq);
    void* tag = nullptr;
    bool ok = false;
    const bool got = cq.Next(&tag, &ok);  // the call's only event; it always comes (deadline set)
    cq.Shutdown();
    for (void* t = nullptr; cq.Next(&t, &ok);) {
    }
    if (!got) return {grpc::StatusCode::INTERNAL, "the call's completion queue shut down"};
    if (!s.ok()) return s;
    std::vector<grpc::Slice> slices;
    if (!response_buf.Dump(&slices).ok()) return {grpc::StatusCode::INTERNAL, "cannot read the answer"};
    // Each thread copies its answers into one buffer, kept for its next call. A catch-up's 100-block answers
    // are ~10 MB: jemalloc serves a new buffer that large from its oversize arena (8 MiB and up) and hands
    // its pages back to the kernel when it is freed, so every answer was copied into fresh pages, whose
    // faults were most of tronidxd's (docs/performance.md, fifteenth session). The price is resident
    // memory: up to kKeptBufferBytes per fetch worker; a larger answer is read into a buffer that the
    // thread's next smaller one frees.
    thread_local std::string buffer;
    const size_t length = response_buf.Length();
    if (buffer.capacity() > kKeptBufferBytes && length <= kKeptBufferBytes) std::string().swap(buffer);
    buffer.clear();
    buffer.reserve(length);
    for (const auto& sl : slices) buffer.append(reinterpret_cast<const char*>(sl.begin()), sl.size());  // NOLINT
    out = {reinterpret_cast<const uint8_t*>(buffer.data()), buffer.size()};  // NOLINT
    return s;
  }
  static constexpr size_t kKeptBufferBytes = size_t{16} << 20;

  // Runs `fn` with retries, backoff with jitter and endpoint failover (see RetryPolicy).
  template <class T, class Fn>
  Result<T> call(Method m, Fn&& fn) {
    auto backoff = opts_.retry.initial_backoff;
    Error last{Errc::kUnavailable, "no attempt made"};
    for (int attempt = 0; attempt < std::max(1, opts_.retry.max_attempts); ++attempt) {
      if (cancelled()) return make_error(Errc::kCancelled, "node client cancelled");
      const size_t idx = current_.load(std::memory_order_relaxed);
      Conn& conn = conns_[idx % conns_.size()];
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + opts_.call_timeout);
      if (!opts_.api_key.empty()) ctx.AddMetadata("tron-pro-api-key", opts_.api_key);
      metrics_.calls[m].add();
      const auto t0 = std::chrono::steady_clock::now();
      Result<T> r = fn(conn, ctx);
      metrics_.latency[m].observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      if (r.ok()) return r;
      metrics_.errors[m].add();
      if (r.error().message.rfind("invalid answer", 0) == 0) metrics_.invalid[m].add();
      last = std::move(r).error();
      if (!is_transient(last.code)) return last;
      if (conns_.size() > 1) {
        size_t expected = idx;
        if (current_.compare_exchange_strong(expected, idx + 1)) metrics_.failovers.add();
      }
      if (attempt + 1 < opts_.retry.max_attempts) {
        metrics_.retries.add();
        if (!sleep_for(jittered(backoff))) return make_error(Errc::kCancelled, "node client cancelled");
        backoff = std::min(opts_.retry.max_backoff,
                           std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(backoff.count()) *
                                                                          opts_.retry.multiplier)));
      }
    }
    last.message += " (gave up after " + std::to_string(opts_.retry.max_attempts) + " attempts)";
    return last;
  }

  std::chrono::milliseconds jittered(std::chrono::milliseconds d) const {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_real_distribution<double> dist(1.0 - opts_.retry.jitter, 1.0 + opts_.retry.jitter);
    return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(d.count()) * dist(rng)));
  }

  bool cancelled() {
    std::lock_guard lock(sleep_mu_);
    return cancelled_;
  }

  // False when cancelled while sleeping.
  bool sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(sleep_mu_);
    return !sleep_cv_.wait_for(lock, d, [&] { return cancelled_; });
  }

  NodeOptions opts_;
  std::vector<Conn> conns_;
  std::atomic<size_t> current_{0};
  std::atomic<bool> get_block_unimplemented_{false};
  NodeMetrics metrics_;
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  bool cancelled_ = false;
};

}  // namespace

Result<decode::RawBlock> NodeClient::block(uint64_t block_num) {
  TRONIDX_ASSIGN(auto range, block_range(block_num, block_num + 1));
  decode::RawBlock b = std::move(range.front());
  if (!b.txs.empty()) {
    TRONIDX_ASSIGN(b.infos, tx_infos(block_num, b.txs.size()));
  }
  return b;
}

Result<std::unique_ptr<NodeClient>> make_grpc_node_client(const NodeOptions& options) {
  if (options.endpoints.empty()) return make_error(Errc::kInvalidArgument, "node.endpoints: at least one is needed");
  for (const auto& ep : options.endpoints) {
    if (ep.address.empty()) return make_error(Errc::kInvalidArgument, "node.endpoints: empty address");
  }
  return std::unique_ptr<NodeClient>(new GrpcNodeClient(options));
}

const NodeMetrics* grpc_node_metrics(const NodeClient& client) {
  const auto* g = dynamic_cast<const GrpcNodeClient*>(&client);
  return g != nullptr ? &g->metrics() : nullptr;
}

}  // namespace tronidx::node
