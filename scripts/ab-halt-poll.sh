#!/usr/bin/env bash
# Reproduce the published A/B result set: kvm.halt_poll_ns at its default vs 0,
# irqfd and exit benchmarks, in the x86_64 QEMU testbed (this machine has no
# /dev/kvm of its own; see results/published/*/README.md).
#
#   scripts/ab-halt-poll.sh [OUTDIR] [RUNS]
#
# RUNS boots per configuration (default 6), interleaved A B A B ... so slow
# drift on the host (other load, thermal) hits both alike.  Each boot is one
# run: a fresh VM, a fresh kernel, a fresh memory layout.  Then:
#   A/B: compare all A runs against all B runs;
#   A/A: compare the odd A runs against the even A runs (same configuration).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/published/$(date -u +%Y-%m-%d)-x86-testbed-halt-poll}
RUNS=${2:-6}
BUILD_DIR=${BUILD_DIR:-build}
BENCHES=(exit_user exit_kernel hypercall irqfd irqfd_halted)
mkdir -p "$OUT"
[ -x "$BUILD_DIR/bench/kvmscope-static" ] || scripts/build.sh

for i in $(seq 1 "$RUNS"); do
	for cfg in A B; do
		append=""
		[ $cfg = B ] && append="kvm.halt_poll_ns=0"
		f="$OUT/${cfg,,}$i.json"
		[ -s "$f" ] && continue
		tmp=$(mktemp -d)
		echo "ab-halt-poll: run $i config $cfg ${append:-(defaults)}" >&2
		rc=0
		tests/qemu-x86/testbed.sh --timeout 900 --append "$append" --out "$tmp" -- \
			"$BUILD_DIR/bench/kvmscope-static" run "${BENCHES[@]}" -o results.json \
			>"$tmp/console.log" 2>&1 || rc=$?
		# exit 1 = a benchmark failed: that is a result too (it is in the file)
		if [ ! -s "$tmp/results.json" ] || { [ $rc != 0 ] && [ $rc != 1 ]; }; then
			tail -20 "$tmp/console.log" >&2
			exit 1
		fi
		[ $rc = 1 ] && grep -h 'failed:' "$tmp/console.log" | sed "s|^|${cfg,,}$i: |" >>"$OUT/failures.txt"
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
"$K" compare -l "halt_poll_ns=200000 (default)" "$(join "${A[@]}")" \
	-l "halt_poll_ns=0" "$(join "${B[@]}")" -o "$OUT/ab" | tee "$OUT/ab.txt"
"$K" compare -l "A (odd runs)" "$(join "${AODD[@]}")" \
	-l "A (even runs)" "$(join "${AEVEN[@]}")" -o "$OUT/aa" | tee "$OUT/aa.txt"
"$K" report -l "halt_poll_ns=200000 (default)" "$(join "${A[@]}")" -o "$OUT/report-a" \
	| tee "$OUT/report-a.txt"
