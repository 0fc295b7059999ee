#pragma once
// Prometheus text exposition (format 0.0.4) of everything tronidxd measures. Pure: renders a snapshot
// of the values gathered by the caller.

#include <cstdint>
#include <string>
#include <vector>

#include "tronidx/node/grpc_node_client.h"
#include "tronidx/store/store.h"
#include "tronidx/sync/metrics.h"
#include "tronidx/sync/syncer.h"

namespace tronidx::daemon {

struct MetricsSnapshot {
  sync::SyncStatus status;
  const sync::SyncMetrics* sync = nullptr;
  const node::NodeMetrics* node = nullptr;  // null when the node client is not the gRPC one
  std::vector<store::CfStats> column_families;
  uint64_t journal_records = 0;
  uint64_t watched = 0;
  uint64_t subscribers = 0;
  uint64_t events_sent = 0;
  uint64_t slow_disconnects = 0;
  const metrics::Histogram* delivery_latency = nullptr;
  uint64_t jobs_running = 0;
  uint64_t ingest_stalls = 0;  // Store::ingest_stalls()
  uint64_t compactions_running = 0;  // Store::compactions_running()
  int64_t now_ms = 0;
};

std::string render_prometheus(const MetricsSnapshot& m);

}  // namespace tronidx::daemon
