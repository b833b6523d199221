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
exec bash "$HERE/../qemu-common/irq_race.sh" "$HERE/testbed.sh" "$KVMSCOPE_ARM64" kvm-vhe arm64-irqrace
