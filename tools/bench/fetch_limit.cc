#include "fetch_limit.h"

#include <google/protobuf/arena.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tron/api.grpc.pb.h"

namespace tronidx::bench {
namespace {

constexpr const char* kRangeMethod = "/protocol.Wallet/GetBlockByLimitNext2";
constexpr const char* kInfoMethod = "/protocol.Wallet/GetTransactionInfoByBlockNum";

struct Work {
  bool is_range = true;
  int64_t start = 0;  // range start, or the block number of an info call
  int64_t end = 0;    // range end (exclusive)
  int expected = 0;   // info call: transactions in the block
};

struct Call {
  Work work;
  grpc::ClientContext ctx;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> reader;
};

grpc::ByteBuffer serialize(const google::protobuf::Message& m) {
  const std::string bytes = m.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

template <class Message>
bool parse(grpc::ByteBuffer& buffer, Message* out) {
  grpc::ProtoBufferReader reader(&buffer);
  return out->ParseFromZeroCopyStream(&reader);
}

// Async calls on one CompletionQueue drained by `threads` threads, which parse the answers and launch
// the follow-up calls. (The async API, not the callback API: gRPC 1.51's callback client can free its
// completion queue under a callback still returning when the channel goes away right after.)
class Fetcher {
 public:
  static constexpr int kThreads = 2;

  Fetcher(const FetchLimitOptions& o, std::shared_ptr<grpc::Channel> channel, int64_t end)
      : options_(o), stub_(std::move(channel)), next_start_(o.from_block), end_(end) {}

  Result<FetchLimitResult> run() {
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) threads.emplace_back([this] { drain(); });
    {
      std::unique_lock lock(mu_);
      launch_more_locked();
      done_cv_.wait(lock, [this] { return outstanding_ == 0 && (error_ || no_work_locked()); });
    }
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    cq_.Shutdown();
    for (auto& t : threads) t.join();
    if (error_) return *error_;
    return result_;
  }

 private:
  bool no_work_locked() const { return pending_infos_.empty() && next_start_ >= end_; }

  // Infos of fetched ranges first (bounded memory, as an indexer would), then the next range.
  std::optional<Work> next_work_locked() {
    if (!pending_infos_.empty()) {
      Work w = pending_infos_.front();
      pending_infos_.pop_front();
      return w;
    }
    if (next_start_ >= end_) return std::nullopt;
    Work w{true, next_start_, std::min<int64_t>(next_start_ + options_.range, end_), 0};
    next_start_ = w.end;
    return w;
  }

  void launch_more_locked() {
    while (!error_ && outstanding_ < options_.in_flight) {
      std::optional<Work> w = next_work_locked();
      if (!w) return;
      ++outstanding_;
      launch(*w);  // the async API only queues: safe under the lock
    }
  }

  void launch(const Work& w) {
    auto* call = new Call;
    call->work = w;
    call->ctx.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
    grpc::ByteBuffer request;
    if (w.is_range) {
      protocol::BlockLimit req;
      req.set_startnum(w.start);
      req.set_endnum(w.end);
      request = serialize(req);
    } else {
      protocol::NumberMessage req;
      req.set_num(w.start);
      request = serialize(req);
    }
    call->reader = stub_.PrepareUnaryCall(&call->ctx, w.is_range ? kRangeMethod : kInfoMethod, request, &cq_);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
  }

  void drain() {
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
      std::unique_ptr<Call> call(static_cast<Call*>(tag));
      finish(*call);
    }
  }

  // On a drain thread: parse outside the lock, then account and launch what follows.
  void finish(Call& call) {
    std::optional<Error> error;
    std::vector<Work> infos;
    uint64_t blocks = 0, txs = 0, info_count = 0;
    const uint64_t bytes = call.response.Length();
    if (!call.status.ok()) {
      error = make_error(Errc::kUnavailable,
                         std::string(call.work.is_range ? "GetBlockByLimitNext2 " : "GetTransactionInfoByBlockNum ") +
                             std::to_string(call.work.start) + ": " + call.status.error_message());
    } else {
      google::protobuf::Arena arena;
      if (call.work.is_range) {
        auto* list = google::protobuf::Arena::CreateMessage<protocol::BlockListExtention>(&arena);
        if (!parse(call.response, list) || list->block_size() != call.work.end - call.work.start) {
          error = make_error(Errc::kDataLoss, "range [" + std::to_string(call.work.start) + ", " +
                                                  std::to_string(call.work.end) + ") answered " +
                                                  std::to_string(list->block_size()) + " blocks");
        } else {
          for (const auto& b : list->block()) {
            ++blocks;
            txs += static_cast<uint64_t>(b.transactions_size());
            // Genesis transactions have no TransactionInfo on java-tron: never ask for them.
            const int64_t num = b.block_header().raw_data().number();
            if (options_.infos && b.transactions_size() > 0 && num > 0) {
              infos.push_back(Work{false, num, 0, b.transactions_size()});
            }
          }
        }
      } else {
        auto* list = google::protobuf::Arena::CreateMessage<protocol::TransactionInfoList>(&arena);
        if (!parse(call.response, list) || list->transactioninfo_size() != call.work.expected) {
          error = make_error(Errc::kDataLoss, "infos of block " + std::to_string(call.work.start) + ": " +
                                                  std::to_string(list->transactioninfo_size()) + " for " +
                                                  std::to_string(call.work.expected) + " transactions");
        }
        info_count = static_cast<uint64_t>(list->transactioninfo_size());
      }
    }
    std::lock_guard lock(mu_);
    --outstanding_;
    result_.bytes += bytes;
    result_.blocks += blocks;
    result_.transactions += txs;
    result_.infos += info_count;
    ++(call.work.is_range ? result_.range_calls : result_.info_calls);
    pending_infos_.insert(pending_infos_.end(), infos.begin(), infos.end());
    if (error && !error_) error_ = std::move(error);
    launch_more_locked();
    if (outstanding_ == 0) done_cv_.notify_one();
  }

  const FetchLimitOptions options_;
  grpc::GenericStub stub_;
  grpc::CompletionQueue cq_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  int64_t next_start_;  // guarded by mu_
  const int64_t end_;
  int outstanding_ = 0;             // guarded by mu_
  std::deque<Work> pending_infos_;  // guarded by mu_
  FetchLimitResult result_;         // guarded by mu_
  std::optional<Error> error_;      // guarded by mu_
};

Result<int64_t> head_end(const FetchLimitOptions& o, const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = protocol::Wallet::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + o.call_timeout);
  protocol::BlockExtention head;
  const grpc::Status s = stub->GetNowBlock2(&ctx, protocol::EmptyMessage{}, &head);
  if (!s.ok()) return make_error(Errc::kUnavailable, "GetNowBlock2: " + s.error_message());
  if (!head.has_block_header()) return make_error(Errc::kDataLoss, "GetNowBlock2: empty answer");
  return head.block_header().raw_data().number() + 1;
}

}  // namespace

Result<FetchLimitResult> run_fetch_limit(const FetchLimitOptions& o) {
  if (o.in_flight < 1 || o.in_flight > 1024)
    return make_error(Errc::kInvalidArgument, "in_flight: must be within [1, 1024]");
  if (o.range < 1 || o.range > 100) return make_error(Errc::kInvalidArgument, "range: must be within [1, 100]");
  if (o.from_block < 0) return make_error(Errc::kInvalidArgument, "from_block: must be >= 0");
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  auto channel = grpc::CreateCustomChannel(o.endpoint, grpc::InsecureChannelCredentials(), args);
  int64_t end = o.to_block;
  if (end < 0) {
    TRONIDX_ASSIGN(end, head_end(o, channel));
  }
  if (end < o.from_block) return make_error(Errc::kInvalidArgument, "to_block: below from_block");
  Fetcher fetcher(o, channel, end);
  return fetcher.run();
}

std::string format_text(const FetchLimitOptions& o, const FetchLimitResult& r) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "fetch_limit: %llu blocks (%llu txs, %llu infos) in %.3f s: %.1f blocks/s, %.1f MB/s, %.1f calls/s "
                "(%llu range + %llu info calls, %d in flight, %.1f MB protobuf, endpoint %s)",
                static_cast<unsigned long long>(r.blocks), static_cast<unsigned long long>(r.transactions),
                static_cast<unsigned long long>(r.infos), r.seconds, r.blocks_per_s(), r.mb_per_s(), r.calls_per_s(),
                static_cast<unsigned long long>(r.range_calls), static_cast<unsigned long long>(r.info_calls),
                o.in_flight, static_cast<double>(r.bytes) / 1e6, o.endpoint.c_str());
  return buf;
}

std::string format_json(const FetchLimitOptions& o, const FetchLimitResult& r) {
  char buf[640];
  std::snprintf(buf, sizeof buf,
                "{\"bench\":\"fetch_limit\",\"endpoint\":\"%s\",\"in_flight\":%d,\"range\":%d,\"blocks\":%llu,"
                "\"transactions\":%llu,\"infos\":%llu,\"range_calls\":%llu,\"info_calls\":%llu,\"bytes\":%llu,"
                "\"seconds\":%.4f,\"blocks_per_s\":%.2f,\"mb_per_s\":%.2f,\"calls_per_s\":%.2f}",
                o.endpoint.c_str(), o.in_flight, o.range, static_cast<unsigned long long>(r.blocks),
                static_cast<unsigned long long>(r.transactions), static_cast<unsigned long long>(r.infos),
                static_cast<unsigned long long>(r.range_calls), static_cast<unsigned long long>(r.info_calls),
                static_cast<unsigned long long>(r.bytes), r.seconds, r.blocks_per_s(), r.mb_per_s(), r.calls_per_s());
  return buf;
}

}  // namespace tronidx::bench
