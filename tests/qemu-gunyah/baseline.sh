#!/usr/bin/env bash
# baseline.sh [vhe|nvhe]: the same kernel on the same QEMU machine line as the
# Gunyah testbed, without Gunyah (testbed.sh --no-gunyah): KVM at EL2, shown
# by tests/qemu-arm64/kvm_smoke.c (VM, MMIO exits, PSCI off, vGICv3).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
mode=${1:-vhe}
CC=${KVMSCOPE_AARCH64_CC:-aarch64-linux-gnu-gcc}
command -v "$CC" >/dev/null || { echo "SKIP: $CC not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-gunyah-baseline.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$CC" -static -O2 -o "$work/kvm_smoke" "$HERE/../qemu-arm64/kvm_smoke.c" 2>"$work/cc.err" ||
	{ cat "$work/cc.err"; echo "SKIP: $CC cannot build a static program (libc6-dev-arm64-cross?)"; exit 77; }
bash "$HERE/testbed.sh" --no-gunyah --mode "$mode" --timeout 600 --out "$work/out" -- \
	"$work/kvm_smoke" -n 100 -o smoke.json > "$work/console.txt" 2>&1
rc=$?
grep -av 'kvmscope-init: module .*: loaded' "$work/console.txt"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: kvm_smoke (no Gunyah, $mode) exited $rc"; exit 1; }
grep -aq "kvmscope-init: kvm mode: $mode" "$work/console.txt" || { echo "FAIL: KVM did not come up in $mode mode at EL2"; exit 1; }
grep -aq 'CPU: All CPU(s) started at EL2' "$work/console.txt" || { echo "FAIL: the kernel was not entered at EL2"; exit 1; }
echo PASS
