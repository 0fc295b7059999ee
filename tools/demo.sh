#!/usr/bin/env bash
# The main job, live: builds (Release) if needed, starts tron-sim (the bundled java-tron simulator)
# producing a mainnet-shaped chain in real time, and shows what arrives.
#   bash tools/demo.sh [--seconds N]    (default: run until Ctrl-C)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/deps.sh
tronidx_install_deps
tronidx_ccache_env

seconds=0
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: bash tools/demo.sh [--seconds N]" >&2; exit 2 ;;
  esac
done

build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRONIDX_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" -j2 tron-sim

run=(./"$build"/tools/tron-sim/tron-sim --profile mainnet --block-interval-ms 3000 --hot-addresses 3)
if ((seconds > 0)); then
  timeout --signal=INT "$seconds" "${run[@]}" || [[ $? == 124 ]]
else
  exec "${run[@]}"
fi
