#!/usr/bin/env bash
# Every default benchmark in quick mode on the real /dev/kvm; results sane.
. "$(dirname "$0")/lib.sh"
need_kvm
"$KVMSCOPE" run --quick -o "$WORK/r.json" > "$WORK/out.txt" 2>&1
rc=$?
cat "$WORK/out.txt"
[ $rc -eq 0 ] || fail "kvmscope run --quick exited $rc"
grep -q '^BENCHMARK' "$WORK/out.txt" || fail "no table printed"
"$CHECK" "$WORK/r.json" --families harness,exit_user,exit_kernel,hypercall,irq,memory --perf \
	|| fail "results are not sane"
echo PASS
