#!/usr/bin/env bash
# funcs_check inside the x86_64 QEMU testbed (KVM on emulated SVM, Debian's
# 6.1 kernel with BTF, fentry allowed): the exits and hypercalls probes'
# function plans (svm_handle_exit entry -> return) against their tracepoint
# plans, classic and raw, on one `kvmscope-static run` (equal counts).
#   FUNCS_CHECK=... KVMSCOPE_STATIC=... tests/probe-funcs/run.sh [KVMSCOPE ARGS...]
# Exit: 0 PASS, 1 FAIL, 77 SKIP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${KVMSCOPE_STATIC:?}" "${FUNCS_CHECK:?}"
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-probe-funcs.XXXXXX")
cp "$KVMSCOPE_STATIC" "$out/kvmscope-static"
bash "$HERE/../qemu-x86/testbed.sh" --timeout 600 --out "$out" -- "$FUNCS_CHECK" ./kvmscope-static "$@" \
	>"$out/console.txt" 2>&1
rc=$?
grep -a -v 'kvmscope-init: module' "$out/console.txt" | grep -a -E '^(ok|FAIL|SKIP|exits|hypercalls|[0-9]+ passed|testbed: program)' || true
case $rc in
0) echo PASS; rm -rf "$out" ;;
77) grep -a -m1 '^SKIP' "$out/console.txt" >/dev/null || echo "SKIP: the testbed cannot run here"
    rm -rf "$out"; exit 77 ;;
*) echo "FAIL: funcs_check in the testbed exited $rc (console and results kept in $out)"; exit 1 ;;
esac
