/* SPDX-License-Identifier: MIT */
/*
 * arm64 guest physical (IPA) layout, shared by the host VMM and the guest.
 * One layout, one image, for every arm64 backend kvmscope drives:
 *
 *   native KVM          anything goes;
 *   KVM-on-Gunyah port  guest RAM at or above IPA 1 GiB (backends.md);
 *   Gunyah (/dev/gunyah and its open-source resource manager, the RM):
 *     - the RM reserves IPA 0..1 GiB of every VM for devices and puts the
 *       pages it allocates itself (the VM info area, a vGIC without reg) at
 *       the lowest free IPA above that: RAM at 1 GiB fails at VM_START
 *       ("memparcel: Failed to alloc contig range 11"), so RAM is at 2 GiB;
 *     - only an unmapped IPA in that low 1 GiB exits to the VMM (VMMIO): an
 *       access to 0xC0000000 gets a synchronous external abort instead, so
 *       the MMIO windows are in the low 1 GiB, beside the GIC;
 *     - the vCPU enters at the memory base (the image parcel's first byte)
 *       at EL1, MMU off, x0 = the DT: the image starts with a branch to its
 *       entry (ks_image_header.boot);
 *     - the host may not map memory it lends, so the mailbox and the sample
 *       array have a slot of their own, shared (GUNYAH_MEM_FORCE_SHARE: a
 *       labelled parcel the guest DT's "shm" vdevice places), while the
 *       main slot and the lent regions are lent;
 *     - the RM keeps every page of a parcel in a heap of a few hundred KiB
 *       (platform=qemu): two VMs holding ~36 MiB of 4 KiB pages exhausted
 *       it, so the VMM's own slots are small (2 MiB each).
 * (tests/qemu-gunyah/README.md has the RM's rules and messages.)
 *
 * The guest enables its MMU with host-built tables (4 KiB granule, 39-bit
 * VA, 1 GiB blocks): Device memory below 1 GiB, Normal write-back for
 * 1..3 GiB (RAM, the shared slot, the lent regions), because with the MMU
 * off every access is Device-nGnRnE and memory benchmarks would measure
 * that instead.
 */
#ifndef KS_LAYOUT_ARM64_H
#define KS_LAYOUT_ARM64_H

#define KS_RAM_GPA        0x80000000ULL /* main slot: the Gunyah image parcel */
#define KS_MAIN_SLOT_SIZE 0x200000ULL   /* 2 MiB (the RM rounds the base up to 2 MiB) */
#define KS_IMAGE_GPA      0x80000000ULL /* guest image, at most 1 MiB; guest.ld links it here */
#define KS_IMAGE_MAX      0x100000ULL
#define KS_ENTRY_OFFSET   0x100ULL      /* _start, after the image header (guest.ld) */
#define KS_DTB_GPA        0x80100000ULL /* guest device tree: the window the RM may edit */
#define KS_DTB_MAX        0x10000ULL
#define KS_PGTABLE_GPA    0x80110000ULL /* level-1 table: 512 x 1 GiB */
#define KS_STACK_TOP      0x80200000ULL /* per-vCPU stacks of 64 KiB below */
#define KS_STACK_SIZE     0x10000ULL

/* The shared slot: the mailbox page, then the sample array. */
#define KS_SHARED_GPA     0x88000000ULL
#define KS_SHARED_SIZE    0x200000ULL   /* 2 MiB: 261632 samples */
#define KS_MAILBOX_GPA    KS_SHARED_GPA
#define KS_SAMPLES_GPA    (KS_SHARED_GPA + 0x1000ULL)
#define KS_SAMPLES_CAP    ((KS_SHARED_GPA + KS_SHARED_SIZE - KS_SAMPLES_GPA) / 8)
#define KS_SHARED_LABEL   ((KS_SHARED_GPA >> 12) & 0xffffffffULL) /* its parcel's label */

#define KS_REGION_GPA     0xA0000000ULL /* lent regions: 2.5 GiB .. 3 GiB */
#define KS_REGION_MAX     0x20000000ULL
#define KS_REGION_LABEL   ((KS_REGION_GPA >> 12) & 0xffffffffULL)

#define KS_GICD_GPA        0x08000000ULL /* GICv3 distributor, 64 KiB */
#define KS_GICD_SIZE       0x10000ULL
#define KS_GICR_GPA        0x080A0000ULL /* redistributors, 128 KiB per vCPU */
#define KS_GICR_STRIDE     0x20000ULL
#define KS_MAX_VCPUS       8

/* MMIO windows: unmapped IPAs in the low 1 GiB (see above). */
#define KS_MMIO_USER_GPA   0x10000000ULL /* no memory: exit to the VMM */
#define KS_MMIO_KERNEL_GPA 0x10001000ULL /* ioeventfd: handled in the kernel */
#define KS_UCALL_GPA       0x10002000ULL /* the ucall doorbell (MMIO write) */

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
