#!/usr/bin/env bash
# A guest that spins without exiting is stopped by the watchdog in time.
. "$(dirname "$0")/lib.sh"
need_kvm
start=$(date +%s)
timeout 60 "$KVMSCOPE" run selftest_hang --watchdog 2 -o "$WORK/r.json" > "$WORK/out.txt" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
cat "$WORK/out.txt"
[ $rc -ne 124 ] || fail "kvmscope itself hung (killed by timeout)"
[ $rc -eq 1 ] || fail "expected exit 1 for a hung guest, got $rc"
grep -q 'watchdog' "$WORK/out.txt" || fail "message does not mention the watchdog"
[ $took -le 8 ] || fail "watchdog of 2 s took ${took} s"
grep -q '"status": "failed"' "$WORK/r.json" || fail "results file does not record the failure"
echo PASS
