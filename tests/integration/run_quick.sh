#!/usr/bin/env bash
# Every default benchmark in quick mode on the real /dev/kvm; results sane.
. "$(dirname "$0")/lib.sh"
need_kvm
"$KVMSCOPE" run --quick -o "$WORK/r.json" > "$WORK/out.txt" 2>&1
rc=$?
cat "$WORK/out.txt"
[ $rc -eq 0 ] || fail "kvmscope run --quick exited $rc"
grep -q '^BENCHMARK' "$WORK/out.txt" || fail "no table printed"
# the two-vCPU and two-VM benchmarks must run wherever `list` says they can
req=()
for b in $("$KVMSCOPE" list --json | python3 -c 'import json, sys
for b in json.load(sys.stdin)["benchmarks"]:
    if b["name"] in ("ipi", "vm_switch") and b["available"]:
        print(b["name"], b["name"] + "_rtt")'); do
	req+=(--require "$b")
done
"$CHECK" "$WORK/r.json" --families harness,exit_user,exit_kernel,hypercall,irq,memory --perf \
	"${req[@]}" || fail "results are not sane"
echo "required: ${req[*]:-none}"
echo PASS
