#!/usr/bin/env bash
# selftest.sh fault|hang|info: on arm64 too, a faulting guest fails the run
# with the exception class and PC, a hung guest is stopped by the watchdog,
# and `kvmscope info` names the backend (kvm-vhe) and the UID a guest saw.
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
info)  args=(info)
       want='a guest sees: +28b46fb6-2ec5-11e9-a9ca-4b564d003a74' ;;
*) echo "usage: $0 fault|hang|info"; exit 2 ;;
esac
bash "$HERE/testbed.sh" --timeout 300 --out "$out" -- "$KVMSCOPE_ARM64" "${args[@]}" \
	> "$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
[ $rc -eq 77 ] && exit 77
grep -Eq "$want" "$out/console.txt" || { echo "FAIL: no message matching: $want"; exit 1; }
if [ "$what" = info ]; then
	[ $rc -eq 0 ] || { echo "FAIL: kvmscope info exited $rc"; exit 1; }
	grep -Eq '^backend: +kvm-vhe' "$out/console.txt" || { echo "FAIL: backend not kvm-vhe"; exit 1; }
	echo PASS
	exit 0
fi
[ $rc -eq 1 ] || { echo "FAIL: expected exit 1, got $rc"; exit 1; }
grep -q '"status": "failed"' "$out/r.json" || { echo "FAIL: results file lacks the failure"; exit 1; }
echo PASS
