#!/usr/bin/env bash
# probe_check.sh NAME CHECK_PY [--out DIR] -- BENCH...
# A probe against a real VM in the x86 QEMU testbed (KVM on emulated SVM,
# Debian 6.1): for each backend (bpf, tracefs) run
#   kvmscope-static run --quick BENCH... --probes --probe-backend B -o r-B.json
# then CHECK_PY r-bpf.json r-tracefs.json judges the results on the host.
# Exit: 0 PASS, 1 FAIL, 77 SKIP (no qemu/kernel/python3, or no backend here).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
NAME=${1:?probe name}
CHECK=${2:?check script}
shift 2
KVMSCOPE_STATIC=${KVMSCOPE_STATIC:-$TOP/build/bench/kvmscope-static}
OUT=""
if [ "${1:-}" = --out ]; then OUT=$2; shift 2; fi
[ "${1:-}" = -- ] && shift
BENCHES=("$@")
TMPOUT=""
[ -n "$OUT" ] || { OUT=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-probe-$NAME.XXXXXX"); TMPOUT=$OUT; }
mkdir -p "$OUT"
[ -x "$KVMSCOPE_STATIC" ] || { echo "SKIP: $KVMSCOPE_STATIC not built"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the results"; exit 77; }
pattern=$(IFS='|'; echo "${BENCHES[*]}")
for be in bpf tracefs; do
	rm -f "$OUT/r-$be.json"
	"$HERE/testbed.sh" --smp 2 --out "$OUT" -- "$KVMSCOPE_STATIC" run --quick \
		"${BENCHES[@]}" --probes --probe-backend "$be" -o "r-$be.json" \
		>"$OUT/console-$be.txt" 2>&1
	rc=$?
	grep -a -v 'kvmscope-init: module' "$OUT/console-$be.txt" | grep -a -E \
		"^(BENCHMARK|$pattern|kvmscope run|testbed: program)" || true
	case $rc in
	0) ;;
	77) echo "SKIP: the testbed cannot run here"; exit 77 ;;
	*) echo "FAIL: kvmscope-static in the testbed exited $rc (--probe-backend $be; see $OUT/console-$be.txt)"
	   exit 1 ;;
	esac
done
python3 "$CHECK" "$OUT/r-bpf.json" "$OUT/r-tracefs.json"
rc=$?
# keep the consoles and results of a failure to look at
[ "$rc" -ne 0 ] || [ -z "$TMPOUT" ] || rm -rf "$TMPOUT"
[ "$rc" -eq 0 ] || echo "(results and consoles kept in $OUT)"
exit "$rc"
