/* SPDX-License-Identifier: MIT */
/*
 * guest_dt.h - the arm64 micro-guest's flattened device tree (libfdt).
 *
 * Native KVM: a minimal virt-like tree (memory, cpus, psci, timer, and the
 * in-kernel vGICv3 when gicv3 is set). Gunyah (the KVM-on-Gunyah port's
 * KVM_SET_DTB_ADDRESS, or /dev/gunyah's VM_SET_DTB_CONFIG): what Gunyah's
 * resource manager (RM) reads and accepts: a /gunyah-vm-config node, a
 * GICv3 it names, no memory node, one doorbell vdevice per irqfd (irqfd
 * gsi N rings the doorbell labelled N) and one "shm" vdevice per memory
 * parcel placed at a fixed address. The exact node format, its sources and
 * the RM's rules (with its messages) are documented in guest_dt.c.
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
#define KS_ARM64_DT_MAX_SHMS  8
#define KS_ARM64_GUNYAH_MIN_IPA 0x40000000ull /* the RM's device range ends here */

/* GIC interrupt-specifier cells (include/dt-bindings/interrupt-controller). */
#define KS_DT_GIC_SPI 0
#define KS_DT_GIC_PPI 1
#define KS_DT_IRQ_TYPE_EDGE_RISING 1
#define KS_DT_IRQ_TYPE_LEVEL_HIGH  4
#define KS_DT_IRQ_TYPE_LEVEL_LOW   8

struct ks_arm64_dt_bell { uint32_t label; uint32_t spi; };  /* Gunyah doorbell: irqfd gsi `label` raises SPI `spi` */
/* Gunyah: a memory parcel labelled `label` mapped at `base` ("shm" vdevice);
 * `optional`: the VM may start without it. */
struct ks_arm64_dt_shm { uint32_t label; uint64_t base; bool optional; };
struct ks_arm64_dt_params {
	uint64_t mem_base, mem_size;
	int ncpus;
	bool gicv3;                     /* native KVM: describe the vGICv3 */
	uint64_t gicd_base, gicd_size, gicr_base, gicr_size;
	bool psci;                      /* psci node with method "hvc" */
	const struct ks_arm64_dt_bell *bells; int nbells;   /* Gunyah doorbells */
	const struct ks_arm64_dt_shm *shms; int nshms;      /* Gunyah shm vdevices */
	const char *bootargs;           /* /chosen bootargs, may be NULL */
	/*
	 * Gunyah (either front): add /gunyah-vm-config and leave the memory
	 * node out (the RM rejects one and writes its own). Needs gicv3 (the RM
	 * wants the interrupt controller it is told about). Implied when
	 * nbells or nshms > 0; set it for a Gunyah guest without vdevices.
	 */
	bool gunyah;
};

/* Returns the DTB size (>0), or -1 with err naming the libfdt error / the bad field. */
int ks_arm64_build_dtb(void *buf, size_t len, const struct ks_arm64_dt_params *p, char *err, size_t errlen);

#endif /* KS_GUEST_DT_H */
