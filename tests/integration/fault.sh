#!/usr/bin/env bash
# A guest that takes an exception fails the run naming vector and guest PC.
. "$(dirname "$0")/lib.sh"
need_kvm
start=$(date +%s)
"$KVMSCOPE" run selftest_fault --watchdog 10 -o "$WORK/r.json" > "$WORK/out.txt" 2>&1
rc=$?
cat "$WORK/out.txt"
[ $rc -eq 1 ] || fail "expected exit 1 for a faulting guest, got $rc"
grep -Eq 'unexpected exception: vector 6 \(#UD\) at pc 0x[0-9a-f]+' "$WORK/out.txt" \
	|| fail "message does not name the vector and PC"
[ $(( $(date +%s) - start )) -lt 10 ] || fail "took longer than the watchdog"
"$CHECK" "$WORK/r.json" >/dev/null 2>&1 && true   # a failed result is still valid JSON
grep -q '"status": "failed"' "$WORK/r.json" || fail "results file does not record the failure"
echo PASS
