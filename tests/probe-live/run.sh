#!/usr/bin/env bash
# Live mode against a running VMM in the x86 QEMU testbed: live_probe (the
# testbed's one program) runs `kvmscope-static run pio_out_user` and, next to
# it, `kvmscope-static probe uexits|exits -p VMM -d 10` with each backend;
# check.py then judges the reports and the tracefs state on the host.
#   KVMSCOPE_STATIC=... LIVE_PROBE=... tests/probe-live/run.sh [--out DIR]
# Exit: 0 PASS, 1 FAIL, 77 SKIP (no qemu/kernel/python3, nothing could run).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
KVMSCOPE_STATIC=${KVMSCOPE_STATIC:-$TOP/build/bench/kvmscope-static}
LIVE_PROBE=${LIVE_PROBE:-$TOP/build/tests/probe-live/live_probe}
OUT=""
TMPOUT=""
[ "${1:-}" = --out ] && OUT=$2
[ -n "$OUT" ] || { OUT=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-probe-live.XXXXXX"); TMPOUT=$OUT; }
mkdir -p "$OUT"
for f in "$KVMSCOPE_STATIC" "$LIVE_PROBE"; do
	[ -x "$f" ] || { echo "SKIP: $f not built"; exit 77; }
done
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the reports"; exit 77; }
# the VMM and the probes travel over the 9p share (the initramfs holds only live_probe)
cp "$KVMSCOPE_STATIC" "$OUT/kvmscope-static"
# --samples 6000: ~7 s of exits under TCG with two probes attached, inside
# the probes' 10 s, so the counts can be checked exactly
"$HERE/../qemu-x86/testbed.sh" --smp 2 --out "$OUT" -- "$LIVE_PROBE" --samples 6000 \
	--duration 10 bpf tracefs >"$OUT/console.txt" 2>&1
rc=$?
grep -a -E '^(live_probe|testbed: program|kvmscope-init: program|SKIP)' "$OUT/console.txt" || true
case $rc in
0|1) ;;   # 1: a child failed; check.py says which
77) echo "SKIP: the testbed cannot run here"; exit 77 ;;
*) echo "FAIL: live_probe in the testbed exited $rc (see $OUT/console.txt)"; exit 1 ;;
esac
python3 "$HERE/check.py" "$OUT" bpf tracefs
rc=$?
[ "$rc" -eq 1 ] && echo "(reports and console kept in $OUT)"
[ "$rc" -eq 1 ] || [ -z "$TMPOUT" ] || rm -rf "$TMPOUT"
exit "$rc"
