/* SPDX-License-Identifier: MIT */
/*
 * arm64 guest: SMCCC hypercalls, the vendor-hypervisor UID (tells KVM from
 * Gunyah from inside), GICv3 programming for the interrupt benchmarks, and
 * the arm64 routines (hypercall, the vGIC read, IPI, identify, fault).
 */
#include "guest.h"

/* ICC system registers by encoding (no GICv3 assembler names needed). */
#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_HPPIR1_EL1  S3_0_C12_C12_2
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_BPR1_EL1    S3_0_C12_C12_3
#define ICC_SRE_EL1     S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1   S3_0_C12_C11_5
#define KS_IPI_SGI      1

/* SMCCC 1.1 fast call over HVC: x0 in/out, x1..x3 out; x0-x17 clobbered. */
struct smccc_res {
	uint64_t a0, a1, a2, a3;
};

static inline struct smccc_res smccc_hvc(uint32_t fid)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = 0;
	register uint64_t x2 __asm__("x2") = 0;
	register uint64_t x3 __asm__("x3") = 0;
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			   "x14", "x15", "x16", "x17", "memory");
	return (struct smccc_res){ x0, x1, x2, x3 };
}

static inline uint64_t hvc_version(void)
{
	return smccc_hvc(KS_SMCCC_VERSION).a0;
}

void ks_arch_init(struct ks_mailbox *mb, uint64_t cpu)
{
	mb->tick_hz = ks_read_sysreg(cntfrq_el0);
}

/* What hypervisor answers this guest: the SMCCC vendor-hypervisor UID. */
static void identify(struct ks_mailbox *mb)
{
	struct smccc_res r = smccc_hvc(KS_SMCCC_VENDOR_HYP_UID);
	mb->guest_info[0] = r.a0;
	mb->guest_info[1] = r.a1;
	mb->guest_info[2] = r.a2;
	mb->guest_info[3] = r.a3;
	mb->guest_info[4] = hvc_version();
	ks_ucall(KS_UC_DONE, 0, 0, 0, 0);
}
KS_GUEST_ROUTINE("identify", identify);

KS_DEFINE_BATCH(batch_hvc, (void)hvc_version())

/* HVC #0 with SMCCC_VERSION, in the batch loop. */
static void hypercall(struct ks_mailbox *mb)
{
	/* Record what the call returns, so a silent failure can't pass as fast. */
	mb->hypercall_ret = hvc_version();
	ks_run_batches(mb, batch_hvc);
}
KS_GUEST_ROUTINE("hypercall", hypercall);

/* the in-kernel vGICv3 distributor's GICD_TYPER (its GPA is in the mailbox) */
KS_BATCH_ROUTINE("mmio_read_vgic", batch_mmio_read_vgic,
		 (void)ks_mmio_read32(KS_MB->kernel_mmio_read_gpa));

/* Self-test: an undefined instruction, which the host must report. */
static void fault(struct ks_mailbox *mb)
{
	__asm__ volatile(".inst 0x00000000");  /* UDF #0 */
}
KS_GUEST_ROUTINE("fault", fault);

/*
 * kvm-unit-tests' micro-bench "eoi" (arm/micro-bench.c eoi_exec): an EOI of
 * the spurious INTID 1023, which the CPU interface ignores: nothing traps,
 * nothing is deactivated. Batched like every batch routine.
 */
static void cpu_interface_on(struct ks_mailbox *mb, uint64_t cpu);

KS_DEFINE_BATCH(batch_eoi_spurious,
		({ ks_write_sysreg(ICC_EOIR1_EL1, 1023); __asm__ volatile("isb"); }))

static void eoi_spurious(struct ks_mailbox *mb)
{
	cpu_interface_on(mb, 0);
	ks_run_batches(mb, batch_eoi_spurious);
}
KS_GUEST_ROUTINE("eoi_spurious", eoi_spurious);

/* SGIs through the GICv3 CPU interface: the common IPI routine (ipi.c). */
KS_GUEST_ROUTINE_SMP("ipi", ks_run_ipi, ks_run_ipi_target);

/* Wake this CPU's redistributor and enable group-1 delivery on its CPU interface. */
static void cpu_interface_on(struct ks_mailbox *mb, uint64_t cpu)
{
	if (mb->arch_scratch[1]) {   /* no redistributor to wake under Gunyah */
		uint64_t rd = mb->arch_scratch[1] + cpu * KS_GICR_STRIDE;
		/* GICR_WAKER: clear ProcessorSleep, wait for ChildrenAsleep to clear */
		ks_mmio_write32(rd + 0x14, ks_mmio_read32(rd + 0x14) & ~(1u << 1));
		while (ks_mmio_read32(rd + 0x14) & (1u << 2))
			ks_pause();
	}
	ks_write_sysreg(ICC_SRE_EL1, ks_read_sysreg(ICC_SRE_EL1) | 1);
	__asm__ volatile("isb");
	ks_write_sysreg(ICC_PMR_EL1, 0xff);
	ks_write_sysreg(ICC_BPR1_EL1, 0);
	ks_write_sysreg(ICC_IGRPEN1_EL1, 1);
	__asm__ volatile("isb");
}

/* GICv3: distributor in affinity-routing mode, our SPI to CPU 0, group 1. */
void ks_arch_irq_setup(struct ks_mailbox *mb)
{
	uint64_t gicd = mb->arch_scratch[0];
	uint32_t intid = (uint32_t)mb->irq_vector;

	if (gicd) {
		ks_mmio_write32(gicd + 0x0, (1u << 4) | (1u << 1));  /* CTLR: ARE, EnableGrp1 */
		ks_mmio_write32(gicd + 0x80 + 4 * (intid / 32), 1u << (intid % 32)); /* IGROUPR */
		/* ICFGR: edge-triggered, as the DT's doorbell says. Under Gunyah a
		 * doorbell's line stays asserted, so a level SPI fires without end
		 * (measured: 22000 deliveries in 1 s); KVM's irqfd pulses either way. */
		ks_mmio_write32(gicd + 0xc00 + 4 * (intid / 16),
				ks_mmio_read32(gicd + 0xc00 + 4 * (intid / 16)) |
				(2u << (2 * (intid % 16))));
		*(volatile uint8_t *)(uintptr_t)(gicd + 0x400 + intid) = 0xa0;       /* IPRIORITYR */
		*(volatile uint64_t *)(uintptr_t)(gicd + 0x6000 + 8 * intid) = 0;    /* IROUTER: CPU 0 */
		ks_mmio_write32(gicd + 0x100 + 4 * (intid / 32), 1u << (intid % 32)); /* ISENABLER */
	}
	cpu_interface_on(mb, 0);
}

/* SGI KS_IPI_SGI, group 1, enabled in this CPU's redistributor SGI frame. */
int ks_arch_ipi_setup(struct ks_mailbox *mb, uint64_t cpu)
{
	uint64_t gicd = mb->arch_scratch[0];
	if (!gicd)
		return -1;   /* no GIC we may program (KVM-on-Gunyah) */
	uint64_t sgi = mb->arch_scratch[1] + cpu * KS_GICR_STRIDE + 0x10000;
	if (cpu == 0)
		ks_mmio_write32(gicd + 0x0, (1u << 4) | (1u << 1));  /* CTLR: ARE, EnableGrp1 */
	cpu_interface_on(mb, cpu);
	ks_mmio_write32(sgi + 0x80, ks_mmio_read32(sgi + 0x80) | (1u << KS_IPI_SGI)); /* IGROUPR0 */
	*(volatile uint8_t *)(uintptr_t)(sgi + 0x400 + KS_IPI_SGI) = 0xa0;            /* IPRIORITYR */
	ks_mmio_write32(sgi + 0x100, 1u << KS_IPI_SGI);                                /* ISENABLER0 */
	return 0;
}

void ks_arch_send_ipi(uint64_t target_cpu)
{
	/* INTID in [27:24], Aff1..3 = 0, target list bit = Aff0 */
	ks_write_sysreg(ICC_SGI1R_EL1, ((uint64_t)KS_IPI_SGI << 24) | (1ULL << target_cpu));
	__asm__ volatile("isb");
}

void ks_arch_irq_enable(struct ks_mailbox *mb)
{
	/* the isb: one already pending is taken here, before this returns */
	__asm__ volatile("msr daifclr, #2; isb" ::: "memory");
}

void ks_arch_irq_disable(struct ks_mailbox *mb)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

bool ks_arch_irq_pending(struct ks_mailbox *mb)
{
	/* the highest-priority pending group-1 interrupt (1023: none), masked or not */
	return (ks_read_sysreg(ICC_HPPIR1_EL1) & 0xffffff) == mb->irq_vector;
}

void ks_arch_wait_for_interrupt(struct ks_mailbox *mb, uint64_t linger_ticks)
{
	/*
	 * WFI wakes on a pending interrupt even while masked: unmask after, so
	 * the interrupt is taken between the two DAIF writes. Nothing can be
	 * lost between a check made masked and the WFI: no window to linger in.
	 */
	__asm__ volatile("dsb sy; wfi; msr daifclr, #2; isb; msr daifset, #2" ::: "memory");
}

static uint64_t acked_intid;

void ks_arch_eoi(struct ks_mailbox *mb)
{
	ks_write_sysreg(ICC_EOIR1_EL1, acked_intid);
	__asm__ volatile("isb");
}

void ks_arch_irq_entry(void);
void ks_arch_irq_entry(void)
{
	acked_intid = ks_read_sysreg(ICC_IAR1_EL1);
	if (acked_intid >= 1020)   /* spurious: nothing to acknowledge */
		return;
	if (acked_intid < 16)      /* an SGI: the virtual IPI benchmark */
		ks_guest_ipi();
	else
		ks_guest_irq();
}

void ks_arch_hang(void)
{
	for (;;)
		ks_pause();
}

void ks_guest_exception(uint64_t type, uint64_t esr, uint64_t elr, uint64_t far);
void ks_guest_exception(uint64_t type, uint64_t esr, uint64_t elr, uint64_t far)
{
	/* vector = exception class (ESR_EL1.EC); error code = the full ESR */
	for (;;)
		ks_ucall(KS_UC_EXCEPTION, esr >> 26, elr, esr, far);
}
