#include "tronidx/daemon/metrics_text.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace tronidx::daemon {
namespace {

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += " ";
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += " ";
    out_ += type;
    out_ += "\n";
  }
  void sample(const std::string& name, const std::string& labels, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    out_ += name;
    if (!labels.empty()) out_ += "{" + labels + "}";
    out_ += " ";
    out_ += buf;
    out_ += "\n";
  }
  void gauge(const char* name, const char* help, double value) {
    family(name, "gauge", help);
    sample(name, "", value);
  }
  void counter(const char* name, const char* help, uint64_t value) {
    family(name, "counter", help);
    sample(name, "", static_cast<double>(value));
  }
  void histogram_samples(const std::string& name, const std::string& labels, const metrics::Histogram& h) {
    const std::string sep = labels.empty() ? "" : ",";
    // One read of the buckets, so that the +Inf bucket and _count agree even while observations land.
    constexpr size_t kBuckets = metrics::Histogram::kBounds.size() + 1;
    std::array<uint64_t, kBuckets> cumulative{};
    for (size_t i = 0; i < kBuckets; ++i) cumulative[i] = h.cumulative(i);
    for (size_t i = 1; i < kBuckets; ++i) cumulative[i] = std::max(cumulative[i], cumulative[i - 1]);
    for (size_t i = 0; i < metrics::Histogram::kBounds.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", metrics::Histogram::kBounds[i]);
      sample(name + "_bucket", labels + sep + "le=\"" + le + "\"", static_cast<double>(cumulative[i]));
    }
    sample(name + "_bucket", labels + sep + "le=\"+Inf\"", static_cast<double>(cumulative.back()));
    sample(name + "_sum", labels, h.sum_seconds());
    sample(name + "_count", labels, static_cast<double>(cumulative.back()));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string render_prometheus(const MetricsSnapshot& m) {
  Writer w;
  const auto& st = m.status;
  const uint64_t tip = st.tip.block_num;
  w.gauge("tronidx_tip_block", "Last indexed block number.", static_cast<double>(tip));
  w.gauge("tronidx_node_head_block", "The node's head block number.", static_cast<double>(st.node_head));
  w.gauge("tronidx_solidified_block", "Indexed solidified (final) block number.", static_cast<double>(st.solidified));
  w.gauge("tronidx_node_solidified_block", "The node's solidified block number.",
          static_cast<double>(st.node_solidified));
  w.gauge("tronidx_lag_blocks", "Node head minus indexed tip.",
          static_cast<double>(st.node_head > tip ? st.node_head - tip : 0));
  const double lag_s = st.tip_timestamp_ms > 0 && st.node_head_timestamp_ms > st.tip_timestamp_ms
                           ? static_cast<double>(st.node_head_timestamp_ms - st.tip_timestamp_ms) / 1000.0
                           : 0.0;
  w.gauge("tronidx_lag_seconds", "Timestamp of the node's head minus that of the indexed tip.", lag_s);
  w.gauge("tronidx_tip_age_seconds", "Seconds since the indexed tip block was produced.",
          st.tip_timestamp_ms > 0 ? static_cast<double>(m.now_ms - st.tip_timestamp_ms) / 1000.0 : 0.0);
  w.family("tronidx_phase", "gauge", "1 for the indexer's current phase.");
  for (auto p : {sync::SyncPhase::kStarting, sync::SyncPhase::kCatchingUp, sync::SyncPhase::kFollowing,
                 sync::SyncPhase::kHalted, sync::SyncPhase::kStopped}) {
    w.sample("tronidx_phase", std::string("phase=\"") + sync::phase_name(p) + "\"", st.phase == p ? 1 : 0);
  }
  if (m.sync != nullptr) {
    const auto& s = *m.sync;
    w.gauge("tronidx_fatal_inconsistency", "1 when indexing halted because the node rewrote final history.",
            static_cast<double>(s.fatal_inconsistency.value()));
    w.counter("tronidx_blocks_applied_total", "Blocks applied to the index.", s.blocks_applied.value());
    w.counter("tronidx_blocks_reverted_total", "Blocks reverted by reorgs.", s.blocks_reverted.value());
    w.counter("tronidx_transfers_indexed_total", "Transfers written to the index (after the mode's filter).",
              s.transfers_indexed.value());
    w.counter("tronidx_transfers_decoded_total", "Transfers decoded from blocks (before the filter).",
              s.transfers_decoded.value());
    w.counter("tronidx_reorgs_total", "Chain reorganisations handled.", s.reorgs.value());
    w.counter("tronidx_reorg_depth_blocks_total", "Sum of the depths of all reorgs.", s.reorg_depth_total.value());
    w.gauge("tronidx_reorg_depth_max", "Deepest reorg seen since start.", static_cast<double>(s.reorg_depth_max.value()));
    w.counter("tronidx_commits_total", "Atomic index commits.", s.commits.value());
    w.family("tronidx_commit_seconds", "histogram", "Latency of index commits (WriteBatch + WAL).");
    w.histogram_samples("tronidx_commit_seconds", "", s.commit_latency);
    w.counter("tronidx_node_operation_errors_total", "Node operations that failed after node-client retries.",
              s.node_errors.value());
    w.counter("tronidx_decode_retries_total", "Blocks re-fetched because their infos did not match.",
              s.decode_retries.value());
    w.counter("tronidx_trc721_logs_total", "4-topic Transfer logs (TRC721) skipped.", s.trc721_logs.value());
    w.counter("tronidx_malformed_logs_total", "Transfer-topic logs of another shape skipped.", s.malformed_logs.value());
    w.counter("tronidx_failed_transactions_total", "Failed transactions seen.", s.failed_txs.value());
  }
  if (m.node != nullptr) {
    const auto& n = *m.node;
    auto per_method = [&](const char* name, const char* help, const metrics::Counter* c) {
      w.family(name, "counter", help);
      for (size_t i = 0; i < node::NodeMetrics::kMethods; ++i) {
        w.sample(name, std::string("method=\"") + node::NodeMetrics::kMethodNames[i] + "\"",
                 static_cast<double>(c[i].value()));
      }
    };
    per_method("tronidx_node_calls_total", "gRPC calls to the node (attempts).", n.calls);
    per_method("tronidx_node_errors_total", "Failed node call attempts (errors, empty or invalid answers).", n.errors);
    per_method("tronidx_node_invalid_answers_total", "Node answers rejected by validation.", n.invalid);
    w.family("tronidx_node_call_seconds", "histogram", "Node call latency.");
    for (size_t i = 0; i < node::NodeMetrics::kMethods; ++i) {
      w.histogram_samples("tronidx_node_call_seconds",
                          std::string("method=\"") + node::NodeMetrics::kMethodNames[i] + "\"", n.latency[i]);
    }
    w.counter("tronidx_node_retries_total", "Node calls retried after a backoff.", n.retries.value());
    w.counter("tronidx_node_failovers_total", "Switches to another node endpoint.", n.failovers.value());
    w.counter("tronidx_node_received_bytes_total", "Protobuf bytes received from the node.", n.bytes_received.value());
  }
  w.gauge("tronidx_watched_addresses", "Addresses watched now.", static_cast<double>(m.watched));
  w.gauge("tronidx_subscribers", "Open Subscribe streams.", static_cast<double>(m.subscribers));
  w.counter("tronidx_events_sent_total", "Subscription events sent (heartbeats excluded).", m.events_sent);
  w.counter("tronidx_subscribers_disconnected_slow_total", "Streams closed for lagging beyond the limit.",
            m.slow_disconnects);
  if (m.delivery_latency != nullptr) {
    w.family("tronidx_event_delivery_seconds", "histogram",
             "From the commit of a journal record to its live events being handed to their streams.");
    w.histogram_samples("tronidx_event_delivery_seconds", "", *m.delivery_latency);
  }
  w.gauge("tronidx_journal_records", "Journal records retained for subscriber resume.",
          static_cast<double>(m.journal_records));
  w.gauge("tronidx_jobs_running", "Background jobs running (backfill, reindex, verify).",
          static_cast<double>(m.jobs_running));
  w.counter("tronidx_rocksdb_ingest_stalls_total",
            "Catch-up commits that waited for compaction first (a column family's L0 at its slowdown trigger).",
            m.ingest_stalls);
  w.family("tronidx_rocksdb_live_bytes", "gauge", "SST bytes per column family.");
  for (const auto& cf : m.column_families) {
    w.sample("tronidx_rocksdb_live_bytes", "cf=\"" + cf.name + "\"", static_cast<double>(cf.live_bytes));
  }
  w.family("tronidx_rocksdb_memtable_bytes", "gauge", "Memtable bytes per column family.");
  for (const auto& cf : m.column_families) {
    w.sample("tronidx_rocksdb_memtable_bytes", "cf=\"" + cf.name + "\"", static_cast<double>(cf.memtable_bytes));
  }
  w.family("tronidx_rocksdb_estimated_keys", "gauge", "Estimated keys per column family.");
  for (const auto& cf : m.column_families) {
    w.sample("tronidx_rocksdb_estimated_keys", "cf=\"" + cf.name + "\"", static_cast<double>(cf.estimated_keys));
  }
  w.gauge("tronidx_rocksdb_compactions_running", "RocksDB compactions running now (all column families).",
          static_cast<double>(m.compactions_running));
  w.family("tronidx_rocksdb_l0_files", "gauge",
           "Table files at level 0 per column family (compaction takes them at 4, commits wait at 20; during a "
           "catch-up the index families hold up to store.catch_up_l0_files).");
  for (const auto& cf : m.column_families) {
    w.sample("tronidx_rocksdb_l0_files", "cf=\"" + cf.name + "\"", static_cast<double>(cf.l0_files));
  }
  return w.take();
}

}  // namespace tronidx::daemon
