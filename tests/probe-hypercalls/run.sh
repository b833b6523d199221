#!/usr/bin/env bash
# The hypercalls probe in the x86 QEMU testbed (KVM on emulated SVM, Debian 6.1):
# for each backend (bpf, tracefs) run
#   kvmscope-static run --quick hyp_call --probes --probe-backend B
# and check with check.py that the probe's count for kvmscope's no-op
# hypercall (0xffff) equals the vCPU's hypercalls stat over the benchmark.
#   KVMSCOPE_STATIC=build/bench/kvmscope-static tests/probe-hypercalls/run.sh [--out DIR]
# Exit: 0 PASS, 1 FAIL, 77 SKIP (no qemu/kernel/python3, or no backend here).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
KVMSCOPE_STATIC=${KVMSCOPE_STATIC:-$TOP/build/bench/kvmscope-static}
OUT=""
[ "${1:-}" = --out ] && OUT=$2
TMPOUT=""
[ -n "$OUT" ] || { OUT=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-probe-hypercalls.XXXXXX"); TMPOUT=$OUT; }
mkdir -p "$OUT"
[ -x "$KVMSCOPE_STATIC" ] || { echo "SKIP: $KVMSCOPE_STATIC not built"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the results"; exit 77; }
# the VMM travels over the 9p share (the initramfs holds only the program)
cp "$KVMSCOPE_STATIC" "$OUT/kvmscope-static"
for be in bpf tracefs; do
	rm -f "$OUT/r-$be.json"
	"$TOP/tests/qemu-x86/testbed.sh" --smp 2 --out "$OUT" -- "$KVMSCOPE_STATIC" run --quick \
		hyp_call --probes --probe-backend "$be" -o "r-$be.json" \
		>"$OUT/console-$be.txt" 2>&1
	rc=$?
	grep -a -v 'kvmscope-init: module' "$OUT/console-$be.txt" | grep -a -E \
		'^(BENCHMARK|hyp_call|kvmscope run|testbed: program)' || true
	case $rc in
	0) ;;
	77) echo "SKIP: the testbed cannot run here"; exit 77 ;;
	*) echo "FAIL: kvmscope-static in the testbed exited $rc (--probe-backend $be; see $OUT/console-$be.txt)"
	   exit 1 ;;
	esac
done
python3 "$HERE/check.py" "$OUT/r-bpf.json" "$OUT/r-tracefs.json"
rc=$?
# keep the consoles and results of a failure to look at
[ "$rc" -ne 0 ] || [ -z "$TMPOUT" ] || rm -rf "$TMPOUT"
[ "$rc" -eq 0 ] || echo "(results and consoles kept in $OUT)"
exit "$rc"
