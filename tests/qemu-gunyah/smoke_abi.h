/* SPDX-License-Identifier: MIT */
/*
 * smoke_abi.h: what gunyah_smoke (the VMM) and smoke_guest (the guest) agree
 * on: the guest's memory layout and the MMIO registers they talk through.
 */
#ifndef SMOKE_ABI_H
#define SMOKE_ABI_H

#define SMOKE_XSTR(x) #x
#define SMOKE_STR(x) SMOKE_XSTR(x)

/*
 * Guest memory: one binding of SMOKE_MEM_SIZE at SMOKE_BASE, which is also
 * the DT's gunyah-vm-config/memory base-address: the open-source RM maps the
 * image parcel (all of it) there and enters at its first byte.
 * Not at 1 GiB (guests/arm64/ks_layout.h's RAM): the RM reserves 0..1 GiB
 * of every VM for devices and places the pages it allocates itself (the VM
 * info area, a vGIC without reg) at the lowest free IPA, i.e. from 1 GiB up,
 * so an image parcel at 0x40000000 fails ("memparcel: Failed to alloc
 * contig range 11").
 */
#define SMOKE_BASE        0x80000000
#define SMOKE_MEM_SIZE    0x100000	/* 1 MiB: 256 pages, one MEM_LEND message */
#define SMOKE_STACK_TOP   (SMOKE_BASE + 0x70000)	/* grows down, below the DTB */
#define SMOKE_DTB         (SMOKE_BASE + 0x80000)	/* x0 at entry */
#define SMOKE_DTB_SIZE    0x10000	/* room the RM may use for its overlay */

/* MMIO windows: below RAM (the RM's default VMMIO range, 0..1 GiB) and
 * above it (where kvmscope's arm64 layout puts its user MMIO). */
#define SMOKE_MMIO        0x10000000
#define SMOKE_MMIO_HIGH   0xC0000000

/* The guest's GIC, written into the DT by the VMM. */
#define SMOKE_GICD        0x08000000
#define SMOKE_GICR        0x080A0000
#define SMOKE_DOORBELL_SPI   10		/* INTID 42 */
#define SMOKE_DOORBELL_LABEL 0x2a

/* Registers at SMOKE_MMIO + offset: w = the guest writes, r = it reads. */
#define SMOKE_HELLO        0x000	/* w: x0 at entry (the DTB address) */
#define SMOKE_READ         0x008	/* r: the VMM answers SMOKE_MAGIC */
#define SMOKE_ECHO         0x010	/* w: what the guest read */
#define SMOKE_READ32       0x018	/* r (4 bytes): SMOKE_MAGIC32 */
#define SMOKE_READ32_ECHO  0x020	/* w */
#define SMOKE_EL           0x028	/* w: CurrentEL.EL */
#define SMOKE_FREQ         0x030	/* w: CNTFRQ_EL0 */
#define SMOKE_COUNT        0x038	/* r: how many timed exits */
#define SMOKE_LOOP         0x040	/* w: one per timed exit, data = index */
#define SMOKE_LOOP_TICKS   0x048	/* w: CNTVCT ticks the timed exits took */
#define SMOKE_UID0         0x050	/* w: SMCCC vendor-hyp UID, x0..x3 */
#define SMOKE_UID1         0x058
#define SMOKE_UID2         0x060
#define SMOKE_UID3         0x068
#define SMOKE_SMCCC_VER    0x070	/* w: SMCCC_VERSION's x0 */
#define SMOKE_IRQ_SPI      0x078	/* r: the doorbell's SPI, 0 = no irq test */
#define SMOKE_GICD_REG     0x080	/* r: GICD base */
#define SMOKE_GICR_REG     0x088	/* r: this vCPU's GICR base */
#define SMOKE_IRQ_ARM      0x090	/* w: ready; the VMM signals the irqfd */
#define SMOKE_IRQ_INTID    0x098	/* w: INTID taken, 0 = none */
#define SMOKE_IRQ_TICKS    0x0a0	/* w: ticks from IRQ_ARM to the handler */
#define SMOKE_IRQ_COUNT    0x0a8	/* w: interrupts taken */
#define SMOKE_PROBE_HIGH   0x0b0	/* r: nonzero = try a write above RAM */
#define SMOKE_STAGE        0x0b8	/* w: progress marks */
#define SMOKE_EXC_ESR      0x0c0	/* w: exception syndrome */
#define SMOKE_EXC_ELR      0x0c8
#define SMOKE_EXC_FAR      0x0d0
#define SMOKE_EXC_KIND     0x0d8	/* w: vector index 0..15 */
#define SMOKE_BYE          0x0e0	/* w: about to PSCI SYSTEM_OFF (SMC) */
#define SMOKE_PSCI_SMC_FAILED 0x0e8	/* w: SMC came back; trying HVC */

#define SMOKE_MAGIC       0x6b766d73636f7065ull	/* "kvmscope" */
#define SMOKE_MAGIC32     0x67756e79u		/* "guny" */

#define SMOKE_SMCCC_VERSION        0x80000000u
#define SMOKE_SMCCC_VENDOR_HYP_UID 0x8600ff01u
#define SMOKE_PSCI_SYSTEM_OFF      0x84000008u

/* Guest-side timeouts in CNTVCT ticks (62.5 MHz under QEMU: 0.5 s). */
#define SMOKE_TIMEOUT_TICKS 31250000ull

#endif
