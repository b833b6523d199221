#!/usr/bin/env bash
# Configure and build kvmscope into ${BUILD_DIR:-build}.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKVMSCOPE_WERROR=${KVMSCOPE_WERROR:-ON} >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
