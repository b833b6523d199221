#!/usr/bin/env bash
# suite.sh MODE: the quick suite on a real /dev/kvm at EL2 inside the arm64
# QEMU testbed (Debian's arm64 kernel, KVM in MODE: vhe, nvhe, protected).
# Timings are emulated; every code path is real. Checks that every arm64
# benchmark family reports numbers, the backend is detected as kvm-MODE, and
# the guest saw KVM's vendor-hypervisor UID; every ok result carries host
# perf counters (values, or the exact reason a counter is unsupported).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
mode=${1:?vhe, nvhe or protected}
: "${KVMSCOPE_ARM64:?}" "${CHECK_RESULTS:?}"
[ -x "$KVMSCOPE_ARM64" ] || { echo "SKIP: no arm64 kvmscope at $KVMSCOPE_ARM64 (scripts/build-arm64.sh builds it)"; exit 77; }
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-arm64-suite.XXXXXX")
trap 'rm -rf "$out"' EXIT
bash "$HERE/testbed.sh" --mode "$mode" --timeout 600 --out "$out" -- \
	"$KVMSCOPE_ARM64" run --quick -o results.json > "$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
case $rc in
0) ;;
77) exit 77 ;;
*) echo "FAIL: kvmscope run --quick (arm64, $mode) exited $rc"; exit 1 ;;
esac
if [ "$mode" = protected ] && ! grep -q '"name": "kvm-protected"' "$out/results.json"; then
	# the kernel may refuse protected mode; say what it did instead
	echo "note: protected mode requested; backend detected: $(grep -o '"name": "kvm-[a-z]*"' "$out/results.json" | head -1)"
fi
"$CHECK_RESULTS" "$out/results.json" \
	--families harness,exit_user,exit_kernel,hypercall,irq,memory \
	--require hyp_call --require mmio_read_user --require mmio_write_user \
	--require mmio_read_vgic --require irqfd --require eoi --require ipi --require ipi_rtt \
	--require vm_switch --require vm_switch_rtt --require mem_lend_16M --perf || exit 1
want=kvm-$mode
grep -q "\"name\": \"$want\"" "$out/results.json" || { echo "FAIL: backend not detected as $want"; exit 1; }
grep -q '"guest_seen": "28b46fb6-2ec5-11e9-a9ca-4b564d003a74' "$out/results.json" \
	|| { echo "FAIL: the guest did not see KVM's vendor-hypervisor UID"; exit 1; }
echo PASS
