#!/usr/bin/env bash
# The test command: install what is missing, build natively and the static
# arm64 binary (warnings are errors), run every test: unit, integration on
# this machine's /dev/kvm, and the x86_64 and arm64 QEMU tiers. Tests that
# cannot run here say why and count as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
if ! scripts/build-arm64.sh; then
	echo "test.sh: the arm64 cross build failed; the arm64 tier will report it" >&2
	exit 1
fi
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 900 "$@"
