#include "subscribers.h"

#include <condition_variable>
#include <thread>

namespace tronidx::bench {

class SubscriberFleet::Stream final : public grpc::ClientReadReactor<v1::Event> {
 public:
  Stream(SubscriberFleet& fleet, v1::Subscribe::Stub& stub, const v1::SubscribeRequest& req) : fleet_(fleet) {
    stub.async()->Subscribe(&ctx_, &req, this);
    StartRead(&event_);
    StartCall();
  }

  void OnReadInitialMetadataDone(bool ok) override {
    if (ok) fleet_.started_.fetch_add(1);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended; OnDone follows
    if (event_.type() != v1::Event::HEARTBEAT) {
      fleet_.events_.fetch_add(1);
      std::lock_guard lock(fleet_.mu_);
      fleet_.arrivals_.push_back(Arrival{event_.transfer().block_num(), std::chrono::steady_clock::now()});
    }
    StartRead(&event_);
  }

  void OnDone(const grpc::Status&) override {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    fleet_.live_.fetch_sub(1);
  }

  void cancel() { ctx_.TryCancel(); }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
  }

 private:
  SubscriberFleet& fleet_;
  grpc::ClientContext ctx_;
  v1::Event event_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

SubscriberFleet::SubscriberFleet(const std::string& endpoint, int channels) {
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // distinct connections
    channels_.push_back(grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args));
    stubs_.push_back(v1::Subscribe::NewStub(channels_.back()));
  }
}

SubscriberFleet::~SubscriberFleet() {
  for (auto* s : streams_) s->cancel();
  for (auto* s : streams_) {
    s->wait();
    delete s;
  }
}

void SubscriberFleet::add(const v1::SubscribeRequest& request) {
  live_.fetch_add(1);
  streams_.push_back(new Stream(*this, *stubs_[streams_.size() % stubs_.size()], request));
}

size_t SubscriberFleet::streams() const { return streams_.size(); }
size_t SubscriberFleet::open() const { return started_.load(); }

std::vector<Arrival> SubscriberFleet::arrivals() const {
  std::lock_guard lock(mu_);
  return arrivals_;
}

void SubscriberFleet::clear_arrivals() {
  std::lock_guard lock(mu_);
  arrivals_.clear();
}

}  // namespace tronidx::bench
