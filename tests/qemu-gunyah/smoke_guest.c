/* SPDX-License-Identifier: MIT */
/*
 * smoke_guest.c: the bare-metal guest gunyah_smoke runs in a Gunyah VM.
 * Freestanding aarch64, linked at the guest's memory base and entered at
 * its first byte (the open-source RM's image parcel flow) at EL1 with the
 * MMU off and x0 = the DTB's address.  With the MMU off every access is
 * Device-nGnRnE: built with -mstrict-align, no unaligned accesses.
 *
 * It talks to the VMM only through MMIO exits on a page of registers
 * (SMOKE_* in smoke_abi.h), so each step is one exit the VMM can count,
 * then powers off with PSCI SYSTEM_OFF.  Any exception it takes is reported
 * (ESR, ELR, FAR) and ends the run.
 *
 * Build (tests/qemu-gunyah/build-smoke.sh):
 *   aarch64-linux-gnu-gcc -ffreestanding -nostdlib -static -fno-pie -no-pie
 *     -mstrict-align -mgeneral-regs-only -O2 -Wl,-Ttext=<base> -e _start
 *   aarch64-linux-gnu-objcopy -O binary
 */
#include <stdint.h>

#include "smoke_abi.h"

void smoke_main(uint64_t dtb);
void smoke_exception(uint64_t kind);
void smoke_irq(void);

/* Entry: a stack below the DTB, the vectors, then C.  _start must be first. */
__asm__(".section .text.start, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	ldr	x1, =" SMOKE_STR(SMOKE_STACK_TOP) "\n"
	"	mov	sp, x1\n"
	"	adr	x1, smoke_vectors\n"
	"	msr	vbar_el1, x1\n"
	"	isb\n"
	"	bl	smoke_main\n"
	"1:	wfi\n"
	"	b	1b\n"
	".ltorg\n"
	/* EL1 vector table: 16 entries of 128 bytes, 2 KiB aligned. Only
	 * "current EL with SPx" IRQ is expected; everything else is reported. */
	".balign 2048\n"
	".globl smoke_vectors\n"
	"smoke_vectors:\n"
	".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	.balign 128\n"
	"	.if \\n == 5\n"
	"	b	smoke_irq_entry\n"
	"	.else\n"
	"	mov	x0, #\\n\n"
	"	b	smoke_exception\n"
	"	.endif\n"
	".endr\n"
	"smoke_irq_entry:\n"
	"	stp	x29, x30, [sp, #-16]!\n"
	"	stp	x0, x1, [sp, #-16]!\n"
	"	stp	x2, x3, [sp, #-16]!\n"
	"	stp	x4, x5, [sp, #-16]!\n"
	"	stp	x6, x7, [sp, #-16]!\n"
	"	stp	x8, x9, [sp, #-16]!\n"
	"	stp	x10, x11, [sp, #-16]!\n"
	"	stp	x12, x13, [sp, #-16]!\n"
	"	stp	x14, x15, [sp, #-16]!\n"
	"	stp	x16, x17, [sp, #-16]!\n"
	"	str	x18, [sp, #-16]!\n"
	"	bl	smoke_irq\n"
	"	ldr	x18, [sp], #16\n"
	"	ldp	x16, x17, [sp], #16\n"
	"	ldp	x14, x15, [sp], #16\n"
	"	ldp	x12, x13, [sp], #16\n"
	"	ldp	x10, x11, [sp], #16\n"
	"	ldp	x8, x9, [sp], #16\n"
	"	ldp	x6, x7, [sp], #16\n"
	"	ldp	x4, x5, [sp], #16\n"
	"	ldp	x2, x3, [sp], #16\n"
	"	ldp	x0, x1, [sp], #16\n"
	"	ldp	x29, x30, [sp], #16\n"
	"	eret\n"
	".previous\n");

#define SYSREG_R(name) ({ uint64_t __v; __asm__ volatile("mrs %0, " #name : "=r"(__v)); __v; })
#define SYSREG_W(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)))
#define ISB() __asm__ volatile("isb" ::: "memory")

static inline void w64(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)addr = v;
}
static inline uint64_t r64(uint64_t addr)
{
	return *(volatile uint64_t *)addr;
}
static inline uint32_t r32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}
static inline void w32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}
static inline void w8(uint64_t addr, uint8_t v)
{
	*(volatile uint8_t *)addr = v;
}
static inline void reg_w(unsigned off, uint64_t v)
{
	w64(SMOKE_MMIO + off, v);
}
static inline uint64_t reg_r(unsigned off)
{
	return r64(SMOKE_MMIO + off);
}
static inline uint64_t ticks(void)
{
	ISB();
	return SYSREG_R(cntvct_el0);
}

/* SMCCC fast call through HVC or SMC: x0..x3 back. */
struct smccc_res {
	uint64_t a0, a1, a2, a3;
};
static struct smccc_res smccc(uint32_t fn, int use_smc)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = 0;
	register uint64_t x2 __asm__("x2") = 0;
	register uint64_t x3 __asm__("x3") = 0;

	if (use_smc)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : :
				 "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
				 "x13", "x14", "x15", "x16", "x17", "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : :
				 "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
				 "x13", "x14", "x15", "x16", "x17", "memory");
	return (struct smccc_res){ x0, x1, x2, x3 };
}

static volatile uint64_t irq_count, irq_intid, irq_at;

void smoke_irq(void)
{
	uint64_t intid = SYSREG_R(S3_0_C12_C12_0);	/* ICC_IAR1_EL1 */

	if (intid >= 1020 && intid <= 1023)
		return;					/* spurious */
	irq_at = ticks();
	irq_intid = intid;
	irq_count = irq_count + 1;
	SYSREG_W(S3_0_C12_C12_1, intid);		/* ICC_EOIR1_EL1 (EOImode 0) */
	ISB();
}

static void psci_off(void)
{
	reg_w(SMOKE_BYE, 1);
	smccc(SMOKE_PSCI_SYSTEM_OFF, 1);
	/* SMC did not end the VM: try the HVC conduit, and say so */
	reg_w(SMOKE_PSCI_SMC_FAILED, 1);
	smccc(SMOKE_PSCI_SYSTEM_OFF, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void smoke_exception(uint64_t kind)
{
	reg_w(SMOKE_EXC_ESR, SYSREG_R(esr_el1));
	reg_w(SMOKE_EXC_ELR, SYSREG_R(elr_el1));
	reg_w(SMOKE_EXC_FAR, SYSREG_R(far_el1));
	reg_w(SMOKE_EXC_KIND, kind);
	psci_off();
}

/* GICv3 for one SPI, vCPU 0; addresses from the VMM (the DT it wrote). */
static int gic_setup(uint64_t gicd, uint64_t gicr, uint32_t intid)
{
	uint64_t t0;

	SYSREG_W(S3_0_C12_C12_5, SYSREG_R(S3_0_C12_C12_5) | 1);	/* ICC_SRE_EL1.SRE */
	ISB();
	/* wake this CPU's redistributor: GICR_WAKER.ProcessorSleep = 0 */
	w32(gicr + 0x14, r32(gicr + 0x14) & ~2u);
	t0 = ticks();
	while (r32(gicr + 0x14) & 4u)		/* ChildrenAsleep */
		if (ticks() - t0 > SMOKE_TIMEOUT_TICKS)
			return -1;
	/* distributor: affinity routing + group 1 */
	w32(gicd + 0x0, r32(gicd + 0x0) | (1u << 4) | (1u << 1));
	while (r32(gicd + 0x0) & (1u << 31))	/* RWP */
		;
	w32(gicd + 0x80 + 4 * (intid / 32), r32(gicd + 0x80 + 4 * (intid / 32)) | (1u << (intid % 32)));
	w8(gicd + 0x400 + intid, 0x80);		/* priority */
	/* edge-triggered, as the doorbell was declared */
	w32(gicd + 0xc00 + 4 * (intid / 16), r32(gicd + 0xc00 + 4 * (intid / 16)) | (2u << (2 * (intid % 16))));
	w64(gicd + 0x6000 + 8 * intid, SYSREG_R(mpidr_el1) & 0xff00ffffffull);	/* IROUTER */
	w32(gicd + 0x100 + 4 * (intid / 32), 1u << (intid % 32));		/* ISENABLER */
	SYSREG_W(S3_0_C4_C6_0, 0xff);		/* ICC_PMR_EL1 */
	SYSREG_W(S3_0_C12_C12_3, 0);		/* ICC_BPR1_EL1 */
	SYSREG_W(S3_0_C12_C12_7, 1);		/* ICC_IGRPEN1_EL1 */
	ISB();
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	return 0;
}

void smoke_main(uint64_t dtb)
{
	uint64_t v, n, t0, t1, spi;
	struct smccc_res r;

	reg_w(SMOKE_HELLO, dtb);		/* exit 1: where the DTB is (x0) */
	v = reg_r(SMOKE_READ);			/* exit 2: a read */
	reg_w(SMOKE_ECHO, v);			/* exit 3: echo it */
	reg_w(SMOKE_READ32_ECHO, r32(SMOKE_MMIO + SMOKE_READ32));	/* 4-byte read */
	reg_w(SMOKE_EL, SYSREG_R(CurrentEL) >> 2);
	reg_w(SMOKE_FREQ, SYSREG_R(cntfrq_el0));

	n = reg_r(SMOKE_COUNT);			/* timed exits, seen from the guest */
	t0 = ticks();
	for (uint64_t i = 0; i < n; i++)
		reg_w(SMOKE_LOOP, i);
	t1 = ticks();
	reg_w(SMOKE_LOOP_TICKS, t1 - t0);

	/* What a guest sees: the SMCCC vendor-hypervisor UID (HVC conduit) */
	r = smccc(SMOKE_SMCCC_VENDOR_HYP_UID, 0);
	reg_w(SMOKE_UID0, r.a0);
	reg_w(SMOKE_UID1, r.a1);
	reg_w(SMOKE_UID2, r.a2);
	reg_w(SMOKE_UID3, r.a3);
	r = smccc(SMOKE_SMCCC_VERSION, 0);
	reg_w(SMOKE_SMCCC_VER, r.a0);

	/* A doorbell the VMM rings through an irqfd, if it has one. */
	spi = reg_r(SMOKE_IRQ_SPI);
	if (spi) {
		uint32_t intid = (uint32_t)spi + 32;

		if (gic_setup(reg_r(SMOKE_GICD_REG), reg_r(SMOKE_GICR_REG), intid) == 0) {
			t0 = ticks();
			reg_w(SMOKE_IRQ_ARM, intid);	/* the VMM signals the eventfd now */
			while (!irq_count && ticks() - t0 < SMOKE_TIMEOUT_TICKS)
				;
			reg_w(SMOKE_IRQ_INTID, irq_count ? irq_intid : 0);
			reg_w(SMOKE_IRQ_TICKS, irq_count ? irq_at - t0 : 0);
			reg_w(SMOKE_IRQ_COUNT, irq_count);
		} else {
			reg_w(SMOKE_IRQ_COUNT, (uint64_t)-1);	/* GICR never woke */
		}
	}

	/* Is the window above RAM VMMIO too?  An exit, or an abort here. */
	if (reg_r(SMOKE_PROBE_HIGH)) {
		reg_w(SMOKE_STAGE, 0x41);
		w64(SMOKE_MMIO_HIGH, 0x4849474821ull);
		reg_w(SMOKE_STAGE, 0x42);
	}
	psci_off();
}
