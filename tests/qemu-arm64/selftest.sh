#!/usr/bin/env bash
# selftest.sh fault|hang: on arm64 too, a faulting guest fails the run with
# the exception class and PC, and a hung guest is stopped by the watchdog.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
what=${1:?fault or hang}
: "${KVMSCOPE_ARM64:?}"
[ -x "$KVMSCOPE_ARM64" ] || { echo "SKIP: no arm64 kvmscope at $KVMSCOPE_ARM64 (scripts/build-arm64.sh builds it)"; exit 77; }
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-arm64-selftest.XXXXXX")
trap 'rm -rf "$out"' EXIT
case $what in
fault) args=(run selftest_fault --watchdog 20 -o r.json)
       want='unexpected exception: vector 0 \(unknown instruction / UDF\) at pc 0x[0-9a-f]+' ;;
hang)  args=(run selftest_hang --watchdog 3 -o r.json)
       want='watchdog: the guest made no progress report within 3.0 s' ;;
*) echo "usage: $0 fault|hang"; exit 2 ;;
esac
bash "$HERE/testbed.sh" --timeout 300 --out "$out" -- "$KVMSCOPE_ARM64" "${args[@]}" \
	> "$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 1 ] || { echo "FAIL: expected exit 1, got $rc"; exit 1; }
grep -Eq "$want" "$out/console.txt" || { echo "FAIL: no message matching: $want"; exit 1; }
grep -q '"status": "failed"' "$out/r.json" || { echo "FAIL: results file lacks the failure"; exit 1; }
echo PASS
