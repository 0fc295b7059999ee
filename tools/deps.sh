#!/usr/bin/env bash
# Installs the Debian packages tronidx needs to build, test and run (idempotent: apt-get runs only when
# something is missing). Sourced by tools/demo.sh and tools/test.sh; usable alone as root.
set -euo pipefail

TRONIDX_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  librocksdb-dev libjemalloc-dev libboost-dev libboost-system-dev libspdlog-dev libssl-dev libcrypto++-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  openssl procps
)

tronidx_install_deps() {
  local missing=()
  for p in "${TRONIDX_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js + npm run the grpc-js client test. Machines that already have a Node.js (e.g. NodeSource's
  # nodejs, which bundles npm and conflicts with Debian's npm package) keep theirs.
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
  if ((${#missing[@]})); then
    echo "tronidx: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# ccache shared between checkouts at different paths (TOOLCHAIN.md).
tronidx_ccache_env() {
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  tronidx_install_deps
fi
