#pragma once
// A gRPC message allocator that puts a unary call's request and response, and every string and
// sub-message in them, on one protobuf Arena, freed at once when the call is done. For the history
// queries: a page of 100 transfers is ~1,100 strings, which otherwise cost a malloc and a free each.

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

namespace tronidx::api {

template <typename Request, typename Response>
class ArenaMessages final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder(); }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(options()) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions options() {
      google::protobuf::ArenaOptions o;
      o.start_block_size = 16 * 1024;  // a page of 100 transfers takes ~80 KB: a few blocks
      o.max_block_size = 256 * 1024;
      return o;
    }
    google::protobuf::Arena arena_;
  };
};

}  // namespace tronidx::api
