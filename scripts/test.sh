#!/usr/bin/env bash
# The test command: install what is missing, build natively and the static
# arm64 binary (warnings are errors), run every test: unit, integration on
# this machine's /dev/kvm, and the x86_64 and arm64 QEMU tiers; then the
# unit, report, CLI and integration tests again under ASan + UBSan
# (scripts/test-asan.sh), and a short fuzz smoke of every parser
# (scripts/test-fuzz.sh). Tests that cannot run here say why and count as
# skipped. Arguments go to the first ctest only; KVMSCOPE_NO_ASAN=1 and
# KVMSCOPE_NO_FUZZ=1 leave out the two later stages.
set -euo pipefail
. "$(dirname "$0")/as-root.sh"   # root, or through sudo; never needs sudo as root
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
if ! scripts/build-arm64.sh; then
	echo "test.sh: the arm64 cross build failed; the arm64 tier will report it" >&2
	exit 1
fi
rc=0
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure --timeout 900 "$@") || rc=1
if [ "${KVMSCOPE_NO_ASAN:-0}" != 1 ]; then
	scripts/test-asan.sh || rc=1
fi
if [ "${KVMSCOPE_NO_FUZZ:-0}" != 1 ]; then
	scripts/test-fuzz.sh || rc=1
fi
exit $rc
