#pragma once
// A gRPC message allocator that keeps a unary call's request and response when the call is done and
// hands them to a later call, cleared. A cleared protobuf message keeps its sub-messages and the buffers
// of its strings, so a page of 100 transfers (~800 strings longer than std::string's inline 15 bytes, and
// 100 sub-messages) rendered into a reused response allocates nothing: it overwrites the last page's.
// (An Arena per call, used before, allocated each of those and freed them all when the call was done.)
//
// At most `max_kept` pairs are kept, and none whose response held more than `max_rows` rows: a kept
// response holds the memory of the largest page it served.

#include <grpcpp/support/message_allocator.h>

#include <cstddef>
#include <mutex>
#include <vector>

namespace tronidx::api {

// Response: a message with a repeated field `transfers` (its rows).
template <typename Request, typename Response>
class PooledMessages final : public grpc::MessageAllocator<Request, Response> {
 public:
  explicit PooledMessages(size_t max_kept = 32, int max_rows = 200) : max_kept_(max_kept), max_rows_(max_rows) {}
  // gRPC releases every pair before the server it allocated them for is destroyed (and the service that
  // owns this allocator after the server).
  ~PooledMessages() override {
    for (auto* h : free_) delete h;
  }
  PooledMessages(const PooledMessages&) = delete;
  PooledMessages& operator=(const PooledMessages&) = delete;

  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        Holder* h = free_.back();
        free_.pop_back();
        return h;
      }
    }
    return new Holder(*this);
  }

  // Pairs kept for reuse now (tests).
  size_t kept() const {
    std::lock_guard lock(mu_);
    return free_.size();
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    explicit Holder(PooledMessages& pool) : pool_(pool) {
      this->set_request(&request_);
      this->set_response(&response_);
    }
    void Release() override { pool_.give_back(this); }

    Request request_;
    Response response_;

   private:
    PooledMessages& pool_;
  };

  void give_back(Holder* h) {
    if (h->response_.transfers_size() > max_rows_) {
      delete h;
      return;
    }
    h->request_.Clear();
    h->response_.Clear();
    {
      std::lock_guard lock(mu_);
      if (free_.size() < max_kept_) {
        free_.push_back(h);
        return;
      }
    }
    delete h;
  }

  const size_t max_kept_;
  const int max_rows_;
  mutable std::mutex mu_;
  std::vector<Holder*> free_;
};

}  // namespace tronidx::api
