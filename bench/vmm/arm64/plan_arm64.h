/* SPDX-License-Identifier: MIT */
/*
 * How kvmscope drives an arm64 backend: one decision table, so the
 * KVM-on-Gunyah differences live in one place and are unit-tested on any
 * host. Portable C: no arm64 headers.
 */
#ifndef KS_PLAN_ARM64_H
#define KS_PLAN_ARM64_H

#include <stdbool.h>
#include <stdint.h>

struct ks_arm64_plan {
	bool gunyah;
	bool set_dtb_address;     /* KVM_SET_DTB_ADDRESS before the first run (API 13) */
	uint64_t dtb_declared;    /* bytes declared: the whole window (Gunyah edits in place) */
	bool in_kernel_irqchip;   /* create the vGICv3 device */
	bool describe_gic;        /* an interrupt-controller node in the guest DT */
	bool route_gsi;           /* KVM_SET_GSI_ROUTING; else GSIs are doorbell labels */
	int nbells;               /* doorbell nodes for the irqfd GSIs */
	int max_vcpus;            /* 0: no limit */
	bool ioeventfd;           /* wired up (not merely advertised) */
	bool set_boot_regs;       /* PSTATE/x0 via ONE_REG; Gunyah honours only the PC */
	const char *why;          /* the backend's reason for what it lacks */
};

/* api_version: KVM_GET_API_VERSION; gunyah: what backend detection decided. */
void ks_arm64_plan_for(int api_version, bool gunyah, uint64_t dtb_window,
		       struct ks_arm64_plan *p);

#endif
