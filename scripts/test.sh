#!/usr/bin/env bash
# The test command: install what is missing, build (warnings are errors),
# run every test. Tests that cannot run here say why and count as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 900 "$@"
