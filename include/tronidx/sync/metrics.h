#pragma once
// What the writer counts (rendered by daemon/ as Prometheus metrics).

#include "tronidx/common/metrics.h"

namespace tronidx::sync {

struct SyncMetrics {
  metrics::Counter blocks_applied;
  metrics::Counter blocks_reverted;
  metrics::Counter transfers_indexed;    // kept by the mode's filter
  metrics::Counter transfers_decoded;    // all transfers seen
  metrics::Counter reorgs;
  metrics::Counter reorg_depth_total;    // sum of depths (with reorgs: mean depth)
  metrics::Gauge reorg_depth_max;
  metrics::Counter commits;
  metrics::Histogram commit_latency;     // seconds per WriteBatch commit
  metrics::Counter node_errors;          // failed node operations seen by the writer (after node/ retries)
  metrics::Counter decode_retries;       // blocks re-fetched because infos did not match
  metrics::Counter trc721_logs;
  metrics::Counter malformed_logs;
  metrics::Counter failed_txs;
  metrics::Gauge fatal_inconsistency;    // 1 once halted
  metrics::Gauge journal_records;
};

}  // namespace tronidx::sync
