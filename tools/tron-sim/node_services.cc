#include "node_services.h"

#include <grpcpp/grpcpp.h>

#include <string>

#include "tron/api.grpc.pb.h"

namespace tronidx::sim {
namespace {

// Pieces smaller than this are copied into the slice; larger ones are referenced (zero copy).
constexpr size_t kCopyBelow = 256;

void release_owner(void* holder) { delete static_cast<std::shared_ptr<const void>*>(holder); }

grpc::ByteBuffer to_byte_buffer(const Answer& answer) {
  std::vector<grpc::Slice> slices;
  slices.reserve(answer.size() + 1);
  for (const Piece& p : answer) {
    if (p.bytes.empty()) continue;
    if (p.bytes.size() < kCopyBelow) {
      slices.emplace_back(p.bytes.data(), p.bytes.size());
    } else {
      auto* holder = new std::shared_ptr<const void>(p.owner);
      slices.emplace_back(const_cast<char*>(p.bytes.data()), p.bytes.size(), &release_owner, holder);  // NOLINT
    }
  }
  if (slices.empty()) slices.emplace_back();  // the empty message: zero bytes, status OK
  return grpc::ByteBuffer(slices.data(), slices.size());
}

grpc::StatusCode to_grpc_code(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case Errc::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case Errc::kFailedPrecondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case Errc::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    default:
      return grpc::StatusCode::INTERNAL;
  }
}

template <class Message>
bool parse_request(const grpc::ByteBuffer* request, Message& out) {
  std::vector<grpc::Slice> slices;
  if (!request->Dump(&slices).ok()) return false;
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());  // NOLINT
  return out.ParseFromString(bytes);
}

using Ctx = grpc::CallbackServerContext;
using Buf = grpc::ByteBuffer;
using Reactor = grpc::ServerUnaryReactor;

// Per-call plumbing shared by every method of every node service, and the methods that the Wallet and
// WalletSolidity services share (with their view).
class Calls {
 public:
  Calls(const NodeApi& api, FaultInjector& faults, DelayQueue& delays) : api_(api), faults_(faults), delays_(delays) {}

  Reactor* now_block(Ctx* ctx, Buf* resp, View view) {
    return run(ctx, MethodClass::kHead, resp,
               [&](const FaultDecision& d) -> Result<Answer> { return api_.now_block(view, d); });
  }
  Reactor* block_by_num(Ctx* ctx, const Buf* req, Buf* resp, View view) {
    return run_with<protocol::NumberMessage>(
        ctx, MethodClass::kBlock, req, resp,
        [&](const auto& m, const auto& d) -> Result<Answer> { return api_.block_by_num(view, m.num(), d); });
  }
  Reactor* infos(Ctx* ctx, const Buf* req, Buf* resp, View view) {
    return run_with<protocol::NumberMessage>(
        ctx, MethodClass::kInfo, req, resp,
        [&](const auto& m, const auto& d) -> Result<Answer> { return api_.infos_by_num(view, m.num(), d); });
  }
  Reactor* block_range(Ctx* ctx, const Buf* req, Buf* resp) {
    return run_with<protocol::BlockLimit>(
        ctx, MethodClass::kBlock, req, resp,
        [&](const auto& m, const auto& d) -> Result<Answer> { return api_.block_range(m.startnum(), m.endnum(), d); });
  }
  Reactor* get_block(Ctx* ctx, const Buf* req, Buf* resp) {
    return run_with<protocol::BlockReq>(ctx, MethodClass::kBlock, req, resp, [&](const auto& m, const auto& d) {
      return api_.get_block(m.id_or_num(), m.detail(), d);
    });
  }
  // A head-class method whose answer ignores fault decisions other than latency and UNAVAILABLE.
  template <class Fn>
  Reactor* head(Ctx* ctx, Buf* resp, Fn&& answer) {
    return run(ctx, MethodClass::kHead, resp, [&](const FaultDecision&) -> Result<Answer> { return answer(api_); });
  }

 private:
  // fn(const FaultDecision&) -> Result<Answer>.
  template <class Fn>
  Reactor* run(Ctx* ctx, MethodClass cls, Buf* response, Fn&& fn) {
    const FaultDecision d = faults_.decide(cls);
    grpc::Status status;
    if (d.unavailable) {
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "tron-sim: injected fault: node unavailable");
    } else {
      Result<Answer> answer = fn(d);
      if (answer.ok()) {
        *response = to_byte_buffer(*answer);
      } else {
        status = grpc::Status(to_grpc_code(answer.error().code), answer.error().message);
      }
    }
    Reactor* reactor = ctx->DefaultReactor();
    if (d.delay.count() > 0) {
      delays_.schedule(DelayQueue::Clock::now() + d.delay, [reactor, status] { reactor->Finish(status); });
    } else {
      reactor->Finish(status);
    }
    return reactor;
  }

  // fn(const Req&, const FaultDecision&) -> Result<Answer>; a malformed request is INVALID_ARGUMENT.
  template <class Req, class Fn>
  Reactor* run_with(Ctx* ctx, MethodClass cls, const Buf* request, Buf* response, Fn&& fn) {
    Req req;
    if (!parse_request(request, req)) {
      Reactor* reactor = ctx->DefaultReactor();
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request: malformed " + Req::descriptor()->full_name()));
      return reactor;
    }
    return run(ctx, cls, response, [&](const FaultDecision& d) { return fn(req, d); });
  }

  const NodeApi& api_;
  FaultInjector& faults_;
  DelayQueue& delays_;
};

using WalletBase =
    protocol::Wallet::WithRawCallbackMethod_GetNowBlock2<protocol::Wallet::WithRawCallbackMethod_GetBlockByNum2<
        protocol::Wallet::WithRawCallbackMethod_GetBlockByLimitNext2<protocol::Wallet::WithRawCallbackMethod_GetBlock<
            protocol::Wallet::WithRawCallbackMethod_GetTransactionInfoByBlockNum<
                protocol::Wallet::WithRawCallbackMethod_GetNodeInfo<protocol::Wallet::Service>>>>>>;

class WalletService final : public WalletBase {
 public:
  explicit WalletService(Calls calls) : calls_(calls) {}
  Reactor* GetNowBlock2(Ctx* ctx, const Buf*, Buf* resp) override { return calls_.now_block(ctx, resp, View::kFull); }
  Reactor* GetBlockByNum2(Ctx* ctx, const Buf* req, Buf* resp) override {
    return calls_.block_by_num(ctx, req, resp, View::kFull);
  }
  Reactor* GetBlockByLimitNext2(Ctx* ctx, const Buf* req, Buf* resp) override {
    return calls_.block_range(ctx, req, resp);
  }
  Reactor* GetBlock(Ctx* ctx, const Buf* req, Buf* resp) override { return calls_.get_block(ctx, req, resp); }
  Reactor* GetTransactionInfoByBlockNum(Ctx* ctx, const Buf* req, Buf* resp) override {
    return calls_.infos(ctx, req, resp, View::kFull);
  }
  Reactor* GetNodeInfo(Ctx* ctx, const Buf*, Buf* resp) override {
    return calls_.head(ctx, resp, [](const NodeApi& api) { return api.node_info(); });
  }

 private:
  Calls calls_;
};

using SolidityBase = protocol::WalletSolidity::WithRawCallbackMethod_GetNowBlock2<
    protocol::WalletSolidity::WithRawCallbackMethod_GetBlockByNum2<
        protocol::WalletSolidity::WithRawCallbackMethod_GetTransactionInfoByBlockNum<
            protocol::WalletSolidity::Service>>>;

class WalletSolidityService final : public SolidityBase {
 public:
  explicit WalletSolidityService(Calls calls) : calls_(calls) {}
  Reactor* GetNowBlock2(Ctx* ctx, const Buf*, Buf* resp) override { return calls_.now_block(ctx, resp, View::kSolid); }
  Reactor* GetBlockByNum2(Ctx* ctx, const Buf* req, Buf* resp) override {
    return calls_.block_by_num(ctx, req, resp, View::kSolid);
  }
  Reactor* GetTransactionInfoByBlockNum(Ctx* ctx, const Buf* req, Buf* resp) override {
    return calls_.infos(ctx, req, resp, View::kSolid);
  }

 private:
  Calls calls_;
};

using DatabaseBase = protocol::Database::WithRawCallbackMethod_getBlockReference<
    protocol::Database::WithRawCallbackMethod_GetDynamicProperties<protocol::Database::Service>>;

// Served on both ports; on the solidity port it sees the solidified view (as java-tron's does).
class DatabaseService final : public DatabaseBase {
 public:
  DatabaseService(Calls calls, View view) : calls_(calls), view_(view) {}
  Reactor* getBlockReference(Ctx* ctx, const Buf*, Buf* resp) override {
    return calls_.head(ctx, resp, [this](const NodeApi& api) { return api.block_reference(view_); });
  }
  Reactor* GetDynamicProperties(Ctx* ctx, const Buf*, Buf* resp) override {
    return calls_.head(ctx, resp, [](const NodeApi& api) { return api.dynamic_properties(); });
  }

 private:
  Calls calls_;
  View view_;
};

}  // namespace

std::vector<std::unique_ptr<grpc::Service>> make_node_services(NodePort port, const NodeApi& api, FaultInjector& faults,
                                                               DelayQueue& delays) {
  const Calls calls(api, faults, delays);
  std::vector<std::unique_ptr<grpc::Service>> out;
  if (port == NodePort::kFullNode) {
    out.push_back(std::make_unique<WalletService>(calls));
    out.push_back(std::make_unique<DatabaseService>(calls, View::kFull));
  } else {
    out.push_back(std::make_unique<WalletSolidityService>(calls));
    out.push_back(std::make_unique<DatabaseService>(calls, View::kSolid));
  }
  return out;
}

}  // namespace tronidx::sim
