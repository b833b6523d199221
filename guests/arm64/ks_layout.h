/* SPDX-License-Identifier: MIT */
/*
 * arm64 guest physical (IPA) layout, shared by the host VMM and the guest.
 *
 * RAM starts at IPA 1 GiB: the KVM-on-Gunyah port requires guest memory at
 * or above 1 GiB, and native KVM doesn't mind. Below it are the GIC and the
 * MMIO windows (no memslot: accesses exit). The guest enables its MMU with
 * host-built tables (4 KiB granule, 39-bit VA, 1 GiB blocks): device memory
 * below 1 GiB, normal write-back memory for RAM and the lent region, because
 * with the MMU off every access is Device-nGnRnE and memory benchmarks would
 * measure that instead.
 */
#ifndef KS_LAYOUT_ARM64_H
#define KS_LAYOUT_ARM64_H

#define KS_RAM_GPA        0x40000000ULL
#define KS_IMAGE_GPA      0x40000000ULL /* guest image, at most 1 MiB */
#define KS_IMAGE_MAX      0x100000ULL
#define KS_MAILBOX_GPA    0x40100000ULL
#define KS_DTB_GPA        0x40110000ULL /* guest device tree, at most 64 KiB */
#define KS_DTB_MAX        0x10000ULL
#define KS_PGTABLE_GPA    0x40200000ULL /* level-1 table: 512 x 1 GiB */
#define KS_STACK_TOP      0x40400000ULL /* per-vCPU stacks of 64 KiB below */
#define KS_STACK_SIZE     0x10000ULL
#define KS_SAMPLES_GPA    0x40400000ULL
#define KS_MAIN_SLOT_SIZE 0x2000000ULL  /* slot 0: 32 MiB */
#define KS_SAMPLES_CAP    ((KS_RAM_GPA + KS_MAIN_SLOT_SIZE - KS_SAMPLES_GPA) / 8)

#define KS_REGION_GPA     0x80000000ULL /* lent regions: 2 GiB .. 3 GiB */
#define KS_REGION_MAX     0x40000000ULL

#define KS_GICD_GPA        0x08000000ULL /* vGICv3 distributor, 64 KiB */
#define KS_GICD_SIZE       0x10000ULL
#define KS_GICR_GPA        0x080A0000ULL /* redistributors, 128 KiB per vCPU */
#define KS_GICR_STRIDE     0x20000ULL
#define KS_MAX_VCPUS       8

/*
 * MMIO windows sit above RAM: under Gunyah the guest's address space starts
 * at the VM's base address (RAM at 1 GiB), and accesses below it may fault
 * in the guest instead of exiting to the VMM.
 */
#define KS_MMIO_USER_GPA   0xC0000000ULL /* no memslot: exit to the VMM */
#define KS_MMIO_KERNEL_GPA 0xC0001000ULL /* ioeventfd: handled in kernel */
#define KS_UCALL_GPA       0xC0002000ULL /* the ucall doorbell (MMIO write) */

#define KS_SPI_BASE        32            /* INTID of SPI 0 */
#define KS_IRQ_GSI         24
#define KS_IRQ_VECTOR      (KS_SPI_BASE + KS_IRQ_GSI)  /* INTID 56 */

/* SMCCC function IDs (fast calls). */
#define KS_SMCCC_VERSION        0x80000000U
#define KS_SMCCC_VENDOR_HYP_UID 0x8600ff01U
#define KS_PSCI_SYSTEM_OFF      0x84000008U

/* MMU set-up the guest loads (values for the host-built tables). */
#define KS_MAIR_VALUE   0x000000000000ff04ULL /* attr0 Device-nGnRE, attr1 Normal WB */
/* T0SZ=25 (39-bit VA), IRGN0/ORGN0 WB, SH0 inner, TG0 4K, EPD1, IPS 36-bit */
#define KS_TCR_VALUE    ((25ULL) | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | \
			 (1ULL << 23) | (1ULL << 32))
#define KS_SCTLR_VALUE  0x30d01805ULL /* RES1 bits | I | C | M */

#endif
