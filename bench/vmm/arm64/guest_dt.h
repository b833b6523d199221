/* SPDX-License-Identifier: MIT */
/*
 * guest_dt.h - the arm64 micro-guest's flattened device tree (libfdt).
 *
 * Native KVM: a minimal virt-like tree (memory, cpus, psci, timer, and the
 * in-kernel vGICv3 when gicv3 is set). KVM-on-Gunyah: the same, plus what
 * Gunyah's resource manager (RM) reads from the guest DT when the VMM hands
 * it over with KVM_SET_DTB_ADDRESS: a /gunyah-vm-config node, and one
 * doorbell vdevice per irqfd (KVM_IRQFD gsi N binds the doorbell labelled N).
 * The exact node format and its sources are documented in guest_dt.c.
 *
 * Portable C (no arch intrinsics): builds and is unit-tested on any host.
 */
#ifndef KS_GUEST_DT_H
#define KS_GUEST_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KS_ARM64_DT_MAX_BELLS 64
#define KS_ARM64_DT_MAX_CPUS  512
#define KS_ARM64_DT_MAX_SPI   987          /* SPI INTID 32 + 987 = 1019 */
#define KS_ARM64_DT_MAX_BOOTARGS 2048      /* arm64 COMMAND_LINE_SIZE */
#define KS_ARM64_DT_INTC_PHANDLE 1
#define KS_ARM64_GUNYAH_MIN_IPA 0x40000000ull /* guest RAM at or above 1 GiB */

/* GIC interrupt-specifier cells (include/dt-bindings/interrupt-controller). */
#define KS_DT_GIC_SPI 0
#define KS_DT_GIC_PPI 1
#define KS_DT_IRQ_TYPE_EDGE_RISING 1
#define KS_DT_IRQ_TYPE_LEVEL_HIGH  4
#define KS_DT_IRQ_TYPE_LEVEL_LOW   8

struct ks_arm64_dt_bell { uint32_t label; uint32_t spi; };  /* Gunyah doorbell: irqfd gsi `label` raises SPI `spi` */
struct ks_arm64_dt_params {
	uint64_t mem_base, mem_size;
	int ncpus;
	bool gicv3;                     /* native KVM: describe the vGICv3 */
	uint64_t gicd_base, gicd_size, gicr_base, gicr_size;
	bool psci;                      /* psci node with method "hvc" */
	const struct ks_arm64_dt_bell *bells; int nbells;   /* KVM-on-Gunyah */
	const char *bootargs;           /* /chosen bootargs, may be NULL */
	/*
	 * KVM-on-Gunyah: add /gunyah-vm-config and name the memory node plain
	 * "memory" (Gunyah's RM rejects any other device_type="memory" node).
	 * Implied when nbells > 0; set it for a Gunyah guest without doorbells.
	 */
	bool gunyah;
};

/* Returns the DTB size (>0), or -1 with err naming the libfdt error / the bad field. */
int ks_arm64_build_dtb(void *buf, size_t len, const struct ks_arm64_dt_params *p, char *err, size_t errlen);

#endif /* KS_GUEST_DT_H */
