#!/usr/bin/env bash
# Cross-build a static arm64 kvmscope into build-aarch64/ (the aarch64-static preset).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps-arm64.sh
cmake --preset aarch64-static >/dev/null
cmake --build --preset aarch64-static -j"$(nproc)"
file build-aarch64/bench/kvmscope
