#!/usr/bin/env bash
# Ctrl-C in the middle of a run keeps what was measured, marked incomplete.
. "$(dirname "$0")/lib.sh"
need_kvm
"$KVMSCOPE" run -o "$WORK/r.json" > "$WORK/out.txt" 2>&1 &
pid=$!
# wait until at least one benchmark is in the file, then interrupt
for _ in $(seq 1 300); do
	grep -q '"status": "ok"' "$WORK/r.json" 2>/dev/null && break
	sleep 0.1
done
kill -INT $pid
wait $pid
rc=$?
cat "$WORK/out.txt"
[ $rc -eq 130 ] || fail "expected exit 130 after SIGINT, got $rc"
grep -q '"complete": false' "$WORK/r.json" || fail "results not marked incomplete"
"$CHECK" "$WORK/r.json" --incomplete-ok >/dev/null || fail "interrupted results are not valid"
ls -a "$WORK" | grep -q '\.tmp\.' && fail "temporary file left behind"
echo PASS
