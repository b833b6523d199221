#!/usr/bin/env bash
# irqfd and irqfd_halted with the irq_race test hook inside the x86 testbed
# (KVM on emulated SVM): the guest lingers, every other interrupt, with
# interrupts masked after it published "armed" while the host fires; then
# "sti; nop" (spinning) or "sti; hlt" (halted) must take the pending
# interrupt. SVM's "sti; hlt" has no enabled window to linger in (the STI
# shadow): the checker requires that the guest never claims one.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${KVMSCOPE_STATIC:?}"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the results"; exit 77; }
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-qemu-irqrace.XXXXXX")
trap 'rm -rf "$out"' EXIT
bash "$HERE/testbed.sh" --timeout 600 --out "$out" --append "KVMSCOPE_FAULT=irq_race:2" -- \
	"$KVMSCOPE_STATIC" run irqfd irqfd_halted --quick --samples 400 -o r.json \
	> "$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
[ $rc -eq 77 ] && exit 77
[ -f "$out/r.json" ] || { echo "FAIL: no results (testbed exit $rc)"; exit 1; }
python3 "$HERE/../integration/check_irq_race.py" "$out/r.json" || exit 1
[ $rc -eq 0 ] || { echo "FAIL: kvmscope run exited $rc"; exit 1; }
grep -q '"name": "svm"' "$out/r.json" || { echo "FAIL: backend not detected as svm"; exit 1; }
echo PASS
