/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "plan_arm64.h"

#define KS_API_GUNYAH 13

void ks_arm64_plan_for(bool front_gunyah, int api_version, bool gunyah, uint64_t dtb_window,
		       struct ks_arm64_plan *p)
{
	/* API 13 exists only on the Gunyah port: it decides even if detection didn't */
	bool g = front_gunyah || gunyah || api_version == KS_API_GUNYAH;

	memset(p, 0, sizeof(*p));
	p->gunyah = g;
	p->front_gunyah = front_gunyah;
	p->set_dtb = front_gunyah || api_version == KS_API_GUNYAH;
	p->dtb_declared = dtb_window;
	p->in_kernel_irqchip = !g;
	/*
	 * Gunyah's resource manager requires an interrupt controller node that
	 * gunyah-vm-config/interrupts names ("Interrupt controller phandle is
	 * invalid" otherwise) and uses the reg it is given: so the guest gets a
	 * GICv3 at kvmscope's addresses everywhere, emulated by KVM's vGIC or
	 * by Gunyah itself.
	 */
	p->describe_gic = true;
	p->gic_in_hypervisor = g;
	p->route_gsi = !g;
	p->nbells = g ? 1 : 0;
	p->shared_vdevice = front_gunyah;
	/* secondary vCPUs start only by the guest's PSCI CPU_ON under Gunyah */
	p->max_vcpus = g ? 1 : 0;
	/* the port advertises ioeventfd without wiring it up; Gunyah's driver
	 * completes a matching write itself */
	p->ioeventfd = !g || front_gunyah;
	p->vcpu_regs = !front_gunyah;
	p->set_boot_regs = !g;
	p->entry_at_base = front_gunyah;
	p->memory_at_start = front_gunyah;
	/*
	 * Gunyah's vGIC asserts on an EOI of an INTID it has no state for:
	 * kvmscope's eoi_spurious (ICC_EOIR1_EL1 <- 1023, which the GICv3
	 * architecture says to ignore) stopped the open-source hypervisor in
	 * tests/qemu-gunyah: "Assert failed in vgic_icc_irq_deactivate at
	 * hyp/vm/vgic/src/deliver.c:3971: dstate != NULL". The port runs
	 * Qualcomm's build of the same code: assumed the same (unverified).
	 */
	p->spurious_eoi_fatal = g;
	/*
	 * Through /dev/gunyah a guest halted in WFI now and then missed a
	 * doorbell: irqfd_halted in tests/qemu-gunyah stopped at a wake-up that
	 * never came (waiting 1 or 10 s) in 7 of 14 runs, whatever the bell's mode
	 * (edge: 1 of 200 arrived; the driver's LEVEL mode) or the SPI's
	 * trigger; a spinning guest lost none. Where the wake-up goes (the
	 * hypervisor's vcpu_run wake-up, the driver, QEMU's TCG) is not known.
	 */
	p->halt_wakeup_lost = front_gunyah;
	if (front_gunyah)
		p->why = "Gunyah via /dev/gunyah: it emulates the GIC and answers HVCs itself, "
			 "runs one vCPU, and its open-source RM takes memory only before the start";
	else if (g)
		p->why = "KVM-on-Gunyah: Gunyah owns the vGIC, runs one vCPU and answers HVCs itself";
	else
		p->why = "";
}

void ks_arm64_plan_limits(const struct ks_arm64_plan *p, struct ks_backend_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->max_vcpus = p->max_vcpus;
	l->no_irqchip = !p->in_kernel_irqchip;
	l->gic_in_hypervisor = p->gic_in_hypervisor;
	l->no_ioeventfd = !p->ioeventfd;
	l->irqfd_is_doorbell = !p->route_gsi;
	l->memory_at_start = p->memory_at_start;
	l->no_spurious_eoi = p->spurious_eoi_fatal;
	l->halt_wakeup_lost = p->halt_wakeup_lost;
	snprintf(l->why, sizeof(l->why), "%s", p->why);
}
