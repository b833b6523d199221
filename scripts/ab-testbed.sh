#!/usr/bin/env bash
# Produce an A/B (and A/A) result set in the x86_64 QEMU testbed (for machines
# without a /dev/kvm of their own): configuration A boots with the default
# kernel command line, B with extra arguments (module parameters such as
# kvm.halt_poll_ns=0 or kvm_amd.npt=0, applied as modprobe would).
#
#   scripts/ab-testbed.sh [--b-run "ARGS"] OUTDIR RUNS "B KERNEL ARGS" -- [kvmscope run ARGS...]
#
# --b-run adds kvmscope run arguments to B only (e.g. "--probes
# --probe-backend tracefs": B runs with the kvm trace events enabled).
# RUNS boots per configuration, interleaved A B A B ... so slow drift on the
# host (other load, thermal) hits both alike; each boot is one run with a
# fresh VM, kernel and memory layout.  Existing aN/bN.json are kept (resume).
# Then:  A/B  all A runs against all B runs           -> OUTDIR/ab/, ab.txt
#        A/A  odd A runs against even A runs          -> OUTDIR/aa/, aa.txt
#        report of the A runs                         -> OUTDIR/report-a/
# A benchmark that fails in a run is a result too: it stays in that run's
# file and is listed in OUTDIR/failures.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BRUN=""
if [ "${1:-}" = --b-run ]; then BRUN=$2; shift 2; fi
[ $# -ge 4 ] && [ "$4" = -- ] || { sed -n '6,9p' "$0" | sed 's/^# //' >&2; exit 2; }
OUT=$1; RUNS=$2; BARGS=$3; shift 4
BUILD_DIR=${BUILD_DIR:-build}
mkdir -p "$OUT"
# what B changes, for labels: the kernel arguments and/or the run arguments
echo "$BARGS${BARGS:+${BRUN:+ }}${BRUN:+kvmscope run $BRUN}" >"$OUT/b-args"
[ -x "$BUILD_DIR/bench/kvmscope-static" ] || scripts/build.sh

for i in $(seq 1 "$RUNS"); do
	for cfg in a b; do
		append=""
		extra=()
		[ $cfg = b ] && append=$BARGS
		[ $cfg = b ] && [ -n "$BRUN" ] && read -r -a extra <<<"$BRUN"
		f="$OUT/$cfg$i.json"
		[ -s "$f" ] && continue
		tmp=$(mktemp -d)
		echo "ab-testbed: run $i config ${cfg^^} ${append:-(defaults)}" >&2
		rc=0
		tests/qemu-x86/testbed.sh --timeout 1500 --append "$append" --out "$tmp" -- \
			"$BUILD_DIR/bench/kvmscope-static" run "$@" "${extra[@]}" -o results.json \
			>"$tmp/console.log" 2>&1 || rc=$?
		# exit 1 = a benchmark failed: that is a result too (it is in the file)
		if [ ! -s "$tmp/results.json" ] || { [ $rc != 0 ] && [ $rc != 1 ]; }; then
			tail -20 "$tmp/console.log" >&2
			exit 1
		fi
		[ $rc = 1 ] && grep -h 'failed:' "$tmp/console.log" | sed "s|^|$cfg$i: |" >>"$OUT/failures.txt"
		mv "$tmp/results.json" "$f"
		rm -rf "$tmp"
	done
done

join() { local IFS=,; echo "$*"; }
A=(); B=(); AODD=(); AEVEN=()
for i in $(seq 1 "$RUNS"); do
	A+=("$OUT/a$i.json"); B+=("$OUT/b$i.json")
	if [ $((i % 2)) = 1 ]; then AODD+=("$OUT/a$i.json"); else AEVEN+=("$OUT/a$i.json"); fi
done
K="$BUILD_DIR/bench/kvmscope"
"$K" compare -l "A: defaults" "$(join "${A[@]}")" -l "B: $(cat "$OUT/b-args")" "$(join "${B[@]}")" \
	-o "$OUT/ab" | tee "$OUT/ab.txt"
"$K" compare -l "A (odd runs)" "$(join "${AODD[@]}")" -l "A (even runs)" "$(join "${AEVEN[@]}")" \
	-o "$OUT/aa" | tee "$OUT/aa.txt"
"$K" report -l "A: defaults" "$(join "${A[@]}")" -o "$OUT/report-a" | tee "$OUT/report-a.txt"
