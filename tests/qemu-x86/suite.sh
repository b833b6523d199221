#!/usr/bin/env bash
# The quick suite against a real /dev/kvm inside the x86_64 QEMU testbed
# (Debian's kernel, KVM on emulated SVM). Timings are emulated; every code
# path — VM set-up, long-mode guest, exits, irqfd, memslots, stats — is real.
# Also checked: every ok result's host perf counters (values, or the exact
# reason they are unsupported) and the LAVA lines `run --lava` prints.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${KVMSCOPE_STATIC:?}" "${CHECK_RESULTS:?}"
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-qemu-suite.XXXXXX")
trap 'rm -rf "$out"' EXIT
# --lava: outside LAVA, one <LAVA_SIGNAL_TESTCASE> line per result (checked below).
# tsc=reliable: the emulated CPUs' TSCs are one counter, but the testbed
# kernel's boot check calls them unsynchronized and marks the TSC unstable;
# KVM then re-bases a guest's TSC at every vCPU load, and two VMs' TSCs
# (vm_switch) drift apart mid-run (tests/qemu-x86/README.md).
bash "$HERE/testbed.sh" --timeout 600 --append "tsc=reliable" --out "$out" -- \
	"$KVMSCOPE_STATIC" run --quick -o results.json --lava > "$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
case $rc in
0) ;;
77) exit 77 ;;
*) echo "FAIL: kvmscope run --quick in the testbed exited $rc"; exit 1 ;;
esac
"$CHECK_RESULTS" "$out/results.json" \
	--families harness,exit_user,exit_kernel,hypercall,irq,memory \
	--require hyp_call --require irqfd --require mem_lend_16M \
	--require ipi --require ipi_rtt --require vm_switch --require vm_switch_rtt --perf || exit 1
grep -q '"name": "svm"' "$out/results.json" || { echo "FAIL: backend not detected as svm"; exit 1; }
python3 "$HERE/../lava/check_emit.py" "$out/results.json" "$out/console.txt" || exit 1
echo PASS
