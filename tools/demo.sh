#!/usr/bin/env bash
# The main job, live: builds (Release) if needed, starts tron-sim (the bundled java-tron simulator)
# producing a mainnet-shaped chain in real time (3 s blocks, ~300 tx/block, occasional reorgs), starts
# tronidxd against it watching three "merchant" addresses, and subscribes to their transfers: every event
# is printed as it arrives — ADDED (in a block), CONFIRMED (3 blocks deep), FINALIZED (solidified,
# irreversible) and REVERTED (orphaned by a reorg before finality).
#   bash tools/demo.sh [--seconds N] [--block-interval-ms MS]   (default: run until Ctrl-C)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/deps.sh
tronidx_install_deps
tronidx_ccache_env

seconds=0
interval=3000
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --block-interval-ms) interval="$2"; shift 2 ;;
    *) echo "usage: bash tools/demo.sh [--seconds N] [--block-interval-ms MS]" >&2; exit 2 ;;
  esac
done

build=build/release
echo "building (Release; the first build takes a few minutes)..." >&2
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRONIDX_BUILD_TESTS=OFF -DTRONIDX_BUILD_BENCH=OFF >/dev/null
ninja -C "$build" -j2 tron-sim tronidxd tronidx >/dev/null

run=build/demo-run
rm -rf "$run"
mkdir -p "$run"
merchants=(TY3YR7T8QENosbxKXsvLYfDirqBZ1tVpEv TWAiECwwX6UsNgtNaCoQMhD7PFjQcn8Uf9 TW9hz8bV8qosn7XNjZBViJ7KV6518ur51A)

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

hot_args=()
for m in "${merchants[@]}"; do hot_args+=(--hot-address "$m"); done
"./$build/tools/tron-sim/tron-sim" --profile mainnet --block-interval-ms "$interval" --prebuild 40 \
  "${hot_args[@]}" --hot-share 0.01 --reorg-rate 0.03 --reorg-max-depth 2 \
  --listen 127.0.0.1:0 --solidity-listen 127.0.0.1:0 --control-listen 127.0.0.1:0 \
  --ports-file "$run/sim-ports.json" > >(sed -u 's/^/[node]     /') 2>"$run/tron-sim.log" &
pids+=($!)
for _ in $(seq 100); do [[ -s "$run/sim-ports.json" ]] && break; sleep 0.1; done
node=$(sed -E 's/.*"full_node":"([^"]+)".*/\1/' "$run/sim-ports.json")

{
  echo "[node]"
  echo "endpoints = [\"$node\"]"
  echo "[store]"
  echo "data_dir = \"$run/data\""
  echo "[index]"
  echo "mode = \"watched\""
  echo "[api]"
  echo "listen = \"127.0.0.1:0\""
  echo "allow_unauthenticated = true   # demo only: loopback, no API keys"
  echo "[log]"
  echo "status_interval_s = 30"
  for i in "${!merchants[@]}"; do
    echo "[[watch]]"
    echo "address = \"${merchants[$i]}\""
    echo "label = \"merchant-$((i + 1))\""
  done
} > "$run/tronidxd.toml"
"./$build/tools/tronidxd/tronidxd" -c "$run/tronidxd.toml" > "$run/tronidxd.log" 2>&1 &
pids+=($!)
api=""
for _ in $(seq 200); do
  api=$(sed -nE 's/.*API listening on .* \(port ([0-9]+).*/127.0.0.1:\1/p' "$run/tronidxd.log" | head -1)
  [[ -n "$api" ]] && break
  sleep 0.1
done
[[ -n "$api" ]] || { echo "tronidxd did not start; see $run/tronidxd.log" >&2; cat "$run/tronidxd.log" >&2; exit 1; }

cat <<BANNER
tron-sim is producing blocks at $node; tronidxd indexes them (API $api, logs in $run/).
Watching: ${merchants[*]}
Events for them follow: ADDED -> CONFIRMED (3 deep) -> FINALIZED (solidified ~18 blocks later),
REVERTED when the simulator reorganises a block before finality. Ctrl-C to stop.
BANNER
tail_cmd=("./$build/tools/tronidx/tronidx" --api "$api" tail --min-confirmations 3)
if ((seconds > 0)); then
  timeout --signal=INT "$seconds" "${tail_cmd[@]}" | sed -u 's/^/[tronidx]  /' || true
else
  "${tail_cmd[@]}" | sed -u 's/^/[tronidx]  /'
fi
