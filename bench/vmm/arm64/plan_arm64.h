/* SPDX-License-Identifier: MIT */
/*
 * How kvmscope drives an arm64 backend: one decision table, so the
 * differences between native KVM, the KVM-on-Gunyah port (/dev/kvm API 13)
 * and Gunyah through its own driver (/dev/gunyah) live in one place and are
 * unit-tested on any host. Portable C: no arm64 headers.
 */
#ifndef KS_PLAN_ARM64_H
#define KS_PLAN_ARM64_H

#include <stdbool.h>
#include <stdint.h>

#include "../host_facts.h"

struct ks_arm64_plan {
	bool gunyah;              /* Gunyah underneath (either front) */
	bool front_gunyah;        /* driven through /dev/gunyah */
	bool set_dtb;             /* tell the hypervisor where the DT is (API 13, /dev/gunyah) */
	uint64_t dtb_declared;    /* bytes declared: the whole window (Gunyah edits in place) */
	bool in_kernel_irqchip;   /* create the vGICv3 device */
	bool gic_in_hypervisor;   /* Gunyah emulates the GICv3 at the DT's addresses */
	bool describe_gic;        /* an interrupt-controller node with reg in the guest DT */
	bool route_gsi;           /* KVM_SET_GSI_ROUTING; else GSIs are doorbell labels */
	int nbells;               /* doorbell nodes for the irqfd GSIs */
	bool shared_vdevice;      /* an "shm" vdevice places the shared slot (/dev/gunyah) */
	int max_vcpus;            /* 0: no limit */
	bool ioeventfd;           /* wired up (not merely advertised) */
	bool vcpu_regs;           /* KVM_ARM_VCPU_INIT, ONE_REG: the PC at least */
	bool set_boot_regs;       /* PSTATE/x0 via ONE_REG; the port honours only the PC */
	bool entry_at_base;       /* the vCPU enters at the memory base (the image's first byte) */
	bool memory_at_start;     /* memory only before the VM starts (lent up front) */
	bool spurious_eoi_fatal;  /* the guest's EOI of INTID 1023 kills the hypervisor */
	bool halt_wakeup_lost;    /* a guest halted in WFI may never see a doorbell */
	const char *why;          /* the backend's reason for what it lacks */
};

/*
 * front_gunyah: the device is /dev/gunyah; api_version: KVM_GET_API_VERSION
 * (the kvm front; 0 for /dev/gunyah); gunyah: what backend detection
 * decided about the hypervisor underneath.
 */
void ks_arm64_plan_for(bool front_gunyah, int api_version, bool gunyah, uint64_t dtb_window,
		       struct ks_arm64_plan *p);

/* What benchmarks see of a plan: the backend's limits (host_facts.h). */
void ks_arm64_plan_limits(const struct ks_arm64_plan *p, struct ks_backend_limits *l);

#endif
