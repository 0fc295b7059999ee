#include "control_service.h"

#include <grpcpp/grpcpp.h>

#include "tronsim/v1/control.grpc.pb.h"
#include "truth_jsonl.h"

namespace tronidx::sim {
namespace {

namespace v1 = tronsim::v1;

constexpr int64_t kMaxAdvance = 100000;
constexpr size_t kChunkBytes = 1 << 20;

grpc::Status invalid(const std::string& what) { return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, what); }

grpc::Status to_grpc(const Error& e) {
  switch (e.code) {
    case Errc::kInvalidArgument:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, e.message);
    case Errc::kFailedPrecondition:
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, e.message);
    case Errc::kUnavailable:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, e.message);
    default:
      return grpc::Status(grpc::StatusCode::INTERNAL, e.message);
  }
}

void to_proto(const Window& w, v1::Window& out) {
  out.set_calls(w.calls);
  out.set_duration_ms(w.duration_ms);
  out.set_period_ms(w.period_ms);
}

Window from_proto(const v1::Window& w) { return Window{w.calls(), w.duration_ms(), w.period_ms()}; }

void to_proto(const FaultSettings& s, v1::FaultConfig& out) {
  out.set_latency_ms(s.latency_ms);
  out.set_latency_jitter_ms(s.latency_jitter_ms);
  out.set_spike_rate(s.spike_rate);
  out.set_spike_ms(s.spike_ms);
  out.set_latency_scope(static_cast<v1::Scope>(s.latency_scope));
  out.set_unavailable_rate(s.unavailable_rate);
  out.set_unavailable_scope(static_cast<v1::Scope>(s.unavailable_scope));
  to_proto(s.empty_answers, *out.mutable_empty_answers());
  to_proto(s.infos_missing, *out.mutable_infos_missing());
  out.set_garbage_rate(s.garbage_rate);
  out.set_garbage_scope(static_cast<v1::Scope>(s.garbage_scope));
  out.set_drop_interval_ms(s.drop_interval_ms);
  out.set_drop_down_ms(s.drop_down_ms);
  out.set_seed(s.seed);
}

Result<Scope> scope_from_proto(v1::Scope scope, const std::string& field) {
  if (scope < v1::SCOPE_UNSPECIFIED || scope > v1::SCOPE_DATA) {
    return make_error(Errc::kInvalidArgument, field + ": unknown scope " + std::to_string(scope));
  }
  return static_cast<Scope>(scope);
}

Result<FaultSettings> from_proto(const v1::FaultConfig& c) {
  FaultSettings s;
  s.latency_ms = c.latency_ms();
  s.latency_jitter_ms = c.latency_jitter_ms();
  s.spike_rate = c.spike_rate();
  s.spike_ms = c.spike_ms();
  TRONIDX_ASSIGN(s.latency_scope, scope_from_proto(c.latency_scope(), "faults.latency_scope"));
  s.unavailable_rate = c.unavailable_rate();
  TRONIDX_ASSIGN(s.unavailable_scope, scope_from_proto(c.unavailable_scope(), "faults.unavailable_scope"));
  s.empty_answers = from_proto(c.empty_answers());
  s.infos_missing = from_proto(c.infos_missing());
  s.garbage_rate = c.garbage_rate();
  TRONIDX_ASSIGN(s.garbage_scope, scope_from_proto(c.garbage_scope(), "faults.garbage_scope"));
  s.drop_interval_ms = c.drop_interval_ms();
  s.drop_down_ms = c.drop_down_ms();
  s.seed = c.seed();
  TRONIDX_TRY(validate_faults(s.with_defaults(), FieldStyle::kProto, "faults."));
  return s;
}

void to_proto(const ReorgOutcome& r, v1::ReorgInfo& out) {
  out.set_fork_at(static_cast<int64_t>(r.fork_at));
  out.set_depth(static_cast<int64_t>(r.depth));
  out.set_new_length(static_cast<int64_t>(r.new_length));
  out.set_reappeared_txs(static_cast<int64_t>(r.reappeared_txs));
  out.set_random(r.random);
}

void to_proto(const FaultCounters& c, v1::FaultCounters& out) {
  out.set_calls(static_cast<int64_t>(c.calls));
  out.set_head_calls(static_cast<int64_t>(c.head_calls));
  out.set_block_calls(static_cast<int64_t>(c.block_calls));
  out.set_info_calls(static_cast<int64_t>(c.info_calls));
  out.set_delayed(static_cast<int64_t>(c.delayed));
  out.set_spikes(static_cast<int64_t>(c.spikes));
  out.set_unavailable(static_cast<int64_t>(c.unavailable));
  out.set_empty_answers(static_cast<int64_t>(c.empty_answers));
  out.set_infos_missing(static_cast<int64_t>(c.infos_missing));
  out.set_garbage(static_cast<int64_t>(c.garbage));
  out.set_drops(static_cast<int64_t>(c.drops));
}

class ControlService final : public v1::Control::Service {
 public:
  explicit ControlService(ControlContext ctx) : ctx_(std::move(ctx)) {}

  grpc::Status Status(grpc::ServerContext*, const v1::StatusRequest*, v1::StatusResponse* out) override {
    const Chain::Tips tips = ctx_.chain->tips();
    const Chain::Totals totals = ctx_.chain->totals();
    out->set_mode(ctx_.mode);
    out->set_head_num(static_cast<int64_t>(tips.head->num));
    out->set_head_id(tips.head->id.to_hex());
    if (tips.solid) {
      out->set_solidified_num(static_cast<int64_t>(tips.solid->num));
      out->set_solidified_id(tips.solid->id.to_hex());
    }
    if (tips.genesis) out->set_genesis_id(tips.genesis->id.to_hex());
    out->set_first_block_num(static_cast<int64_t>(tips.first_num));
    out->set_canonical_txs(static_cast<int64_t>(totals.txs));
    out->set_canonical_transfers(static_cast<int64_t>(totals.transfers));
    if (ctx_.producer) {
      const ProducerStats stats = ctx_.producer->stats();
      out->set_blocks_produced(static_cast<int64_t>(stats.blocks_produced));
      out->set_reorgs(static_cast<int64_t>(stats.reorgs));
      out->set_orphaned_blocks(static_cast<int64_t>(stats.orphaned_blocks));
      if (stats.last_reorg) to_proto(*stats.last_reorg, *out->mutable_last_reorg());
      out->set_paused(ctx_.producer->paused());
    }
    out->set_block_interval_ms(ctx_.block_interval_ms);
    out->set_seed(ctx_.seed);
    out->set_profile(ctx_.profile);
    for (const auto& h : ctx_.hot_addresses) out->add_hot_addresses(h);
    to_proto(ctx_.faults->settings(), *out->mutable_faults());
    to_proto(ctx_.faults->counters(), *out->mutable_fault_counters());
    out->set_full_node_endpoint(ctx_.servers->full_node().str());
    out->set_solidity_endpoint(ctx_.servers->solidity().str());
    out->set_control_endpoint(ctx_.control_endpoint().str());
    out->set_ground_truth_available(ctx_.ground_truth_available);
    return grpc::Status::OK;
  }

  grpc::Status Advance(grpc::ServerContext*, const v1::AdvanceRequest* req, v1::AdvanceResponse* out) override {
    if (!ctx_.producer) return replay_only("Advance");
    if (req->count() < 1 || req->count() > kMaxAdvance) {
      return invalid("count: must be within [1, " + std::to_string(kMaxAdvance) + "] (got " +
                     std::to_string(req->count()) + ")");
    }
    auto head = ctx_.producer->advance(static_cast<uint64_t>(req->count()));
    if (!head.ok()) return to_grpc(head.error());
    out->set_head_num(static_cast<int64_t>((*head)->num));
    out->set_head_id((*head)->id.to_hex());
    out->set_solidified_num(static_cast<int64_t>(ctx_.chain->tips().solid->num));
    return grpc::Status::OK;
  }

  grpc::Status Reorg(grpc::ServerContext*, const v1::ReorgRequest* req, v1::ReorgResponse* out) override {
    if (!ctx_.producer) return replay_only("Reorg");
    ReorgSpec spec;
    if (req->point_case() == v1::ReorgRequest::kForkAt) spec.fork_at = req->fork_at();
    if (req->point_case() == v1::ReorgRequest::kDepth) spec.depth = req->depth();
    spec.new_length = req->new_length();
    spec.allow_below_solidified = req->allow_below_solidified();
    auto outcome = ctx_.producer->reorg(spec);
    if (!outcome.ok()) return to_grpc(outcome.error());
    to_proto(*outcome, *out->mutable_reorg());
    out->set_head_num(static_cast<int64_t>(outcome->new_head->num));
    out->set_head_id(outcome->new_head->id.to_hex());
    for (const auto& id : outcome->orphaned_ids) out->add_orphaned_ids(id.to_hex());
    return grpc::Status::OK;
  }

  grpc::Status SetFaults(grpc::ServerContext*, const v1::SetFaultsRequest* req, v1::SetFaultsResponse* out) override {
    auto settings = from_proto(req->faults());
    if (!settings.ok()) return to_grpc(settings.error());
    ctx_.faults->configure(*settings, req->reset_counters());
    ctx_.dropper->settings_changed();
    to_proto(ctx_.faults->settings(), *out->mutable_faults());
    return grpc::Status::OK;
  }

  grpc::Status Pause(grpc::ServerContext*, const v1::PauseRequest*, v1::PauseResponse*) override {
    if (!ctx_.producer) return replay_only("Pause");
    ctx_.producer->pause();
    return grpc::Status::OK;
  }

  grpc::Status Resume(grpc::ServerContext*, const v1::ResumeRequest*, v1::ResumeResponse*) override {
    if (!ctx_.producer) return replay_only("Resume");
    ctx_.producer->resume();
    return grpc::Status::OK;
  }

  grpc::Status DropConnections(grpc::ServerContext*, const v1::DropConnectionsRequest* req,
                               v1::DropConnectionsResponse*) override {
    if (req->down_ms() < 0 || req->down_ms() > 600'000) return invalid("down_ms: must be within [0, 600000]");
    ctx_.dropper->drop_now(std::chrono::milliseconds(req->down_ms() == 0 ? 1000 : req->down_ms()));
    return grpc::Status::OK;
  }

  grpc::Status DumpGroundTruth(grpc::ServerContext*, const v1::DumpRequest* req,
                               grpc::ServerWriter<v1::DumpChunk>* writer) override {
    if (!ctx_.ground_truth_available) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "ground truth is not available (replaying a recording without ground_truth.jsonl)");
    }
    return dump(*req, writer, [](std::string& out, const StoredBlock& b) { append_truth_lines(out, b); });
  }

  grpc::Status DumpBlocks(grpc::ServerContext*, const v1::DumpRequest* req,
                          grpc::ServerWriter<v1::DumpChunk>* writer) override {
    return dump(*req, writer, [](std::string& out, const StoredBlock& b) { append_block_line(out, b); });
  }

 private:
  static grpc::Status replay_only(const std::string& method) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, method + " is not available in replay mode");
  }

  template <class Render>
  grpc::Status dump(const v1::DumpRequest& req, grpc::ServerWriter<v1::DumpChunk>* writer, Render render) {
    if (req.from_block() < 0) return invalid("from_block: must be >= 0 (got " + std::to_string(req.from_block()) + ")");
    if (req.has_to_block() && req.to_block() < 0) {
      return invalid("to_block: must be >= 0 (got " + std::to_string(req.to_block()) + ")");
    }
    if (req.has_to_block() && req.to_block() < req.from_block()) return invalid("from_block: greater than to_block");
    const uint64_t head = ctx_.chain->tips().head->num;
    const uint64_t to = req.has_to_block() ? std::min(head, static_cast<uint64_t>(req.to_block())) : head;
    // One snapshot: a reorg during the dump cannot mix branches.
    const std::vector<BlockPtr> blocks = ctx_.chain->range(static_cast<uint64_t>(req.from_block()), to + 1);
    v1::DumpChunk chunk;
    for (const auto& b : blocks) {
      render(*chunk.mutable_jsonl(), *b);
      if (chunk.jsonl().size() >= kChunkBytes) {
        if (!writer->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
        chunk.clear_jsonl();
      }
    }
    if (!chunk.jsonl().empty() && !writer->Write(chunk)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
    }
    return grpc::Status::OK;
  }

  ControlContext ctx_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_control_service(ControlContext context) {
  return std::make_unique<ControlService>(std::move(context));
}

}  // namespace tronidx::sim
