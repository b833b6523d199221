/* SPDX-License-Identifier: MIT */
/*
 * x86_64 guest physical memory layout, shared by the host VMM and the guest.
 *
 * Everything below 4 GiB is identity mapped with 2 MiB pages whose entries
 * all carry the U/S bit: PVM only runs a guest natively when every present
 * paging entry at every level has U/S set (see shared/docs/backends.md).
 * Holes in that map (no memslot behind them) are where MMIO exits happen.
 */
#ifndef KS_LAYOUT_X86_64_H
#define KS_LAYOUT_X86_64_H

#define KS_GDT_GPA        0x1000ULL
#define KS_IDT_GPA        0x2000ULL
#define KS_TSS_GPA        0x3000ULL
#define KS_MAILBOX_GPA    0x5000ULL
/* PVM virtual interrupt flag pages, one per vCPU: vCPU n's at KS_VIF_GPA + n * 4 KiB */
#define KS_VIF_GPA        0x6000ULL
#define KS_PML4_GPA       0x8000ULL
#define KS_PDPT_GPA       0x9000ULL
#define KS_PD_GPA         0xA000ULL   /* 4 PDs: 0xA000..0xDFFF, 0-4 GiB */
#define KS_IMAGE_GPA      0x100000ULL /* guest image, at most 1 MiB */
#define KS_IMAGE_MAX      0x100000ULL
/*
 * One stack per vCPU below KS_STACK_TOP, vCPU n's top at KS_STACK_TOP - n *
 * KS_STACK_SIZE: the guest finds its vCPU index from its stack pointer.
 */
#define KS_STACK_TOP      0x300000ULL
#define KS_STACK_SIZE     0x80000ULL
#define KS_MAX_VCPUS      2           /* stacks and VIF pages laid out for this many */
#define KS_SAMPLES_GPA    0x400000ULL
#define KS_MAIN_SLOT_SIZE 0x2000000ULL /* slot 0: 32 MiB from GPA 0 */
#define KS_SAMPLES_CAP    ((KS_MAIN_SLOT_SIZE - KS_SAMPLES_GPA) / 8)

#define KS_REGION_GPA     0x40000000ULL /* lent regions: 1 GiB .. 2 GiB */
#define KS_REGION_MAX     0x40000000ULL

#define KS_MMIO_USER_GPA   0xC0000000ULL /* no memslot: exit to the VMM */
#define KS_MMIO_KERNEL_GPA 0xC0001000ULL /* ioeventfd: handled in kernel */
#define KS_LAPIC_GPA       0xFEE00000ULL
#define KS_UNCACHED_FROM   0xC0000000ULL /* PCD|PWT on the map above this */

#define KS_UCALL_PORT      0x7E0
#define KS_PIO_USER_PORT   0x7E4
#define KS_PIO_KERNEL_PORT 0x7E8
#define KS_PIO_PIC_MASTER_IMR 0x21      /* in-kernel PIC register (irqchip) */

#define KS_MSR_APIC_BASE   0x1B

#define KS_SEL_CODE 0x08
#define KS_SEL_DATA 0x10
#define KS_SEL_TSS  0x18

#define KS_IRQ_VECTOR 0x40
#define KS_IPI_VECTOR 0x41            /* the virtual IPI benchmark's fixed vector */

/* PVM: the hypercall instruction and the numbers kvmscope uses. */
#define KS_PVM_HC_SET_VIF_GPA 0x100c
#define KS_PVM_HC_NOP_PROBE   0x10ff  /* undefined: returns -ENOSYS (-38) */
/* KVM (VMX/SVM): an undefined KVM_HC_* number returns -KVM_ENOSYS (-1000). */
#define KS_KVM_HC_NOP_PROBE   0xffff

#endif
