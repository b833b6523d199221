#!/usr/bin/env bash
# Cross-build a static arm64 kvmscope into build-aarch64/ (the aarch64-static
# preset) and package it: build-aarch64/kvmscope_<version>_arm64.deb.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps-arm64.sh
cmake --preset aarch64-static >/dev/null
cmake --build --preset aarch64-static -j"$(nproc)"
cpack --preset aarch64-static >/dev/null
file build-aarch64/bench/kvmscope
ls build-aarch64/kvmscope_*_arm64.deb
