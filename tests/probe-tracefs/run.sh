#!/usr/bin/env bash
# Run uexits_check in the x86 QEMU testbed (KVM on emulated SVM, Debian 6.1):
# the tracefs probe backend against a real VM.
#   KVMSCOPE_STATIC=build/bench/kvmscope-static UEXITS_CHECK=.../probe_tracefs_uexits_check \
#     tests/probe-tracefs/run.sh [--out DIR]
# Exit: 0 PASS, 1 FAIL, 77 SKIP (no qemu/kernel), else the testbed's code.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
KVMSCOPE_STATIC=${KVMSCOPE_STATIC:-$TOP/build/bench/kvmscope-static}
UEXITS_CHECK=${UEXITS_CHECK:-$TOP/build/tests/probe-tracefs/probe_tracefs_uexits_check}
OUT=""
[ "${1:-}" = --out ] && OUT=$2
[ -n "$OUT" ] || OUT=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-probe-tracefs.XXXXXX")
mkdir -p "$OUT"
for f in "$KVMSCOPE_STATIC" "$UEXITS_CHECK"; do
	[ -x "$f" ] || { echo "SKIP: $f not built"; exit 77; }
done
# the VMM travels over the 9p share (the initramfs holds only the program)
cp "$KVMSCOPE_STATIC" "$OUT/kvmscope-static"
set +e
"$TOP/tests/qemu-x86/testbed.sh" --smp 2 --out "$OUT" -- "$UEXITS_CHECK" --vmm ./kvmscope-static \
	2>&1 | tee "$OUT/console.txt"
rc=${PIPESTATUS[0]}
set -e
grep -a '^UEXITS-CHECK ' "$OUT/console.txt" | tail -n1 || true
exit "$rc"
