#!/usr/bin/env bash
# Builds tronidx in Debug with AddressSanitizer + UndefinedBehaviorSanitizer and -Werror, then runs every
# test (unit, simulator, integration, crash, API, CLI, the Node.js client) under them with CTest.
#   bash tools/test.sh [extra ctest args, e.g. -L unit or -R Reorg]
# Environment: TRONIDX_TEST_JOBS (default 2) parallel test processes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/deps.sh
tronidx_install_deps
tronidx_ccache_env

build=build/test
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTRONIDX_SANITIZE=ON -DTRONIDX_WERROR=ON \
  -DTRONIDX_BUILD_TESTS=ON -DTRONIDX_BUILD_BENCH=OFF >/dev/null
ninja -C "$build" -j2

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$build" --output-on-failure --no-tests=error -j "${TRONIDX_TEST_JOBS:-2}" "$@"
