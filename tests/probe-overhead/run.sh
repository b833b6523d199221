#!/usr/bin/env bash
# probe_overhead with bpftrace in the x86 QEMU testbed: bpftrace (Debian's,
# with the libraries and the clang it runs at start) is staged on a 9p share
# (testbed.sh --with-bpftrace), `kvmscope-static run --quick probe_overhead
# --probe-backend bpf` measures kvmscope's BPF probes (the tracefs backend
# is left out to keep the test short) and the equivalent bpftrace one-liners,
# and check.py judges the results on the host.
#   KVMSCOPE_STATIC=build/bench/kvmscope-static tests/probe-overhead/run.sh [--out DIR]
# Exit: 0 PASS, 1 FAIL, 77 SKIP (no qemu/kernel/python3/bpftrace).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
KVMSCOPE_STATIC=${KVMSCOPE_STATIC:-$TOP/build/bench/kvmscope-static}
OUT=""
TMPOUT=""
[ "${1:-}" = --out ] && OUT=$2
[ -n "$OUT" ] || { OUT=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-probe-overhead.XXXXXX"); TMPOUT=$OUT; }
mkdir -p "$OUT"
[ -x "$KVMSCOPE_STATIC" ] || { echo "SKIP: $KVMSCOPE_STATIC not built"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the results"; exit 77; }
rm -f "$OUT/po.json"
"$HERE/../qemu-x86/testbed.sh" --smp 2 --timeout 900 --with-bpftrace --out "$OUT" -- \
	"$KVMSCOPE_STATIC" run --quick probe_overhead --probe-backend bpf -o po.json >"$OUT/console.txt" 2>&1
rc=$?
grep -a -E '^(BENCHMARK|probe_overhead|testbed: (program|staged|tools)|SKIP)' "$OUT/console.txt" || true
case $rc in
0) ;;
77) grep -a -m1 '^SKIP' "$OUT/console.txt" >/dev/null || echo "SKIP: the testbed cannot run here"
    exit 77 ;;
*) echo "FAIL: kvmscope-static in the testbed exited $rc (see $OUT/console.txt)"; exit 1 ;;
esac
python3 "$HERE/check.py" "$OUT/po.json"
rc=$?
[ "$rc" -eq 0 ] || echo "(results and console kept in $OUT)"
[ "$rc" -ne 0 ] || [ -z "$TMPOUT" ] || rm -rf "$TMPOUT"
exit "$rc"
