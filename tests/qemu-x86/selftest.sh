#!/usr/bin/env bash
# selftest.sh fault|hang: a faulting or hung guest inside the testbed must
# make `kvmscope run` fail with the right message, in time.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${KVMSCOPE_STATIC:?}"
what=${1:?fault or hang}
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-qemu-selftest.XXXXXX")
trap 'rm -rf "$out"' EXIT
case $what in
fault) args=(run selftest_fault --watchdog 20 -o r.json)
       want='unexpected exception: vector 6 \(#UD\) at pc 0x[0-9a-f]+' ;;
hang)  args=(run selftest_hang --watchdog 3 -o r.json)
       want='watchdog: the guest made no progress report within 3.0 s' ;;
*) echo "usage: $0 fault|hang"; exit 2 ;;
esac
bash "$HERE/testbed.sh" --timeout 300 --out "$out" -- "$KVMSCOPE_STATIC" "${args[@]}" \
	> "$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 1 ] || { echo "FAIL: expected exit 1, got $rc"; exit 1; }
grep -Eq "$want" "$out/console.txt" || { echo "FAIL: no message matching: $want"; exit 1; }
grep -q '"status": "failed"' "$out/r.json" || { echo "FAIL: results file lacks the failure"; exit 1; }
echo PASS
