/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "plan_arm64.h"

#define KS_API_GUNYAH 13

void ks_arm64_plan_for(int api_version, bool gunyah, uint64_t dtb_window,
		       struct ks_arm64_plan *p)
{
	/* API 13 exists only on the Gunyah port: it decides even if detection didn't */
	bool g = gunyah || api_version == KS_API_GUNYAH;

	memset(p, 0, sizeof(*p));
	p->gunyah = g;
	p->set_dtb_address = api_version == KS_API_GUNYAH;
	p->dtb_declared = dtb_window;
	p->in_kernel_irqchip = !g;
	p->describe_gic = !g;       /* Gunyah places its own vGIC at a fixed address */
	p->route_gsi = !g;
	p->nbells = g ? 1 : 0;
	p->max_vcpus = g ? 1 : 0;   /* Gunyah does not forward PSCI CPU_ON */
	p->ioeventfd = !g;          /* advertised by the port, not wired up */
	p->set_boot_regs = !g;
	p->why = g ? "KVM-on-Gunyah: Gunyah owns the vGIC, runs one vCPU and answers HVCs itself"
		   : "";
}
