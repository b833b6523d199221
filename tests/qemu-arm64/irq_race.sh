#!/usr/bin/env bash
# irqfd and irqfd_halted with the irq_race test hook inside the arm64 testbed
# (KVM at EL2, VHE, vGICv3): the guest lingers, every other interrupt, with
# interrupts masked after it published "armed" until its SPI shows pending
# (ICC_HPPIR1_EL1); then "msr daifclr; isb" (spinning) or WFI, which wakes
# on a pending interrupt even masked (halted), must take it. WFI has no
# enabled window to linger in: the checker requires that the guest never
# claims one.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${KVMSCOPE_ARM64:?}"
[ -x "$KVMSCOPE_ARM64" ] || { echo "SKIP: no arm64 kvmscope at $KVMSCOPE_ARM64 (scripts/build-arm64.sh builds it)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the results"; exit 77; }
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-arm64-irqrace.XXXXXX")
trap 'rm -rf "$out"' EXIT
bash "$HERE/testbed.sh" --timeout 600 --out "$out" --append "KVMSCOPE_FAULT=irq_race:2" -- \
	"$KVMSCOPE_ARM64" run irqfd irqfd_halted --quick --samples 400 -o r.json \
	> "$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
[ $rc -eq 77 ] && exit 77
[ -f "$out/r.json" ] || { echo "FAIL: no results (testbed exit $rc)"; exit 1; }
python3 "$HERE/../integration/check_irq_race.py" "$out/r.json" || exit 1
[ $rc -eq 0 ] || { echo "FAIL: kvmscope run exited $rc"; exit 1; }
grep -q '"name": "kvm-vhe"' "$out/r.json" || { echo "FAIL: backend not detected as kvm-vhe"; exit 1; }
echo PASS
