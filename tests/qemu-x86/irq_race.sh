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
exec bash "$HERE/../qemu-common/irq_race.sh" "$HERE/testbed.sh" "$KVMSCOPE_STATIC" svm qemu-irqrace
