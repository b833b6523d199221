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
sigint) args=(run -o r.json)   # the full suite, Ctrl-C'd by /init after 8 s
       append=kvmscope.sigint_after=8
       want='results: r.json \(incomplete\)' ;;
*) echo "usage: $0 fault|hang|sigint"; exit 2 ;;
esac
bash "$HERE/testbed.sh" --timeout 300 --out "$out" ${append:+--append "$append"} -- \
	"$KVMSCOPE_STATIC" "${args[@]}" \
	> "$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
[ $rc -eq 77 ] && exit 77
if [ "$what" = sigint ]; then
	# interrupted: exit 130, what was measured kept, marked incomplete, no temp file
	[ $rc -eq 130 ] || { echo "FAIL: expected exit 130 after SIGINT, got $rc"; exit 1; }
	grep -Eq "$want" "$out/console.txt" || { echo "FAIL: no message matching: $want"; exit 1; }
	grep -q '"complete": false' "$out/r.json" || { echo "FAIL: results not marked incomplete"; exit 1; }
	grep -q '"status": "ok"' "$out/r.json" || { echo "FAIL: nothing measured was kept"; exit 1; }
	"${CHECK_RESULTS:?}" "$out/r.json" --incomplete-ok >/dev/null || { echo "FAIL: results not sane"; exit 1; }
	ls -a "$out" | grep -q '\.tmp\.' && { echo "FAIL: a temporary file was left behind"; exit 1; }
	echo PASS
	exit 0
fi
[ $rc -eq 1 ] || { echo "FAIL: expected exit 1, got $rc"; exit 1; }
grep -Eq "$want" "$out/console.txt" || { echo "FAIL: no message matching: $want"; exit 1; }
grep -q '"status": "failed"' "$out/r.json" || { echo "FAIL: results file lacks the failure"; exit 1; }
echo PASS
