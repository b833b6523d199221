/* SPDX-License-Identifier: MIT */
/*
 * x86_64 guest: backend set-up (PVM's VIF page, one per vCPU), the x86
 * routines (PIO, CPUID, RDMSR, the LAPIC read, the hypercall of each
 * backend, the virtual IPI, identify, fault) and interrupt control.
 */
#include "guest.h"

/* PVM hypercall: int $0x1b, number in rax, args rbx/rcx/rdx, result rax. */
static inline uint64_t pvm_hypercall(uint64_t nr, uint64_t a0)
{
	uint64_t ret = nr;
	__asm__ volatile("int $0x1b"
			 : "+a"(ret), "+b"(a0)
			 :
			 : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
	return ret;
}

/* KVM hypercall ABI: nr in rax, args rbx, rcx, rdx, rsi; result in rax. */
static inline uint64_t kvm_vmcall(uint64_t nr)
{
	uint64_t ret = nr;
	__asm__ volatile("vmcall" : "+a"(ret) : "b"(0), "c"(0), "d"(0), "S"(0) : "memory");
	return ret;
}

static inline uint64_t kvm_vmmcall(uint64_t nr)
{
	uint64_t ret = nr;
	__asm__ volatile("vmmcall" : "+a"(ret) : "b"(0), "c"(0), "d"(0), "S"(0) : "memory");
	return ret;
}

static inline void cpuid0(void)
{
	uint32_t a = 0, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) :: "memory");
}

static inline uint64_t rdmsr(uint32_t idx)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(idx) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/*
 * This vCPU's index, from its stack: the host gives vCPU n the stack whose
 * top is KS_STACK_TOP - n * KS_STACK_SIZE (ks_layout.h), and interrupts
 * arrive on the interrupted stack (no IST), so no per-CPU register or exit
 * is needed to tell the vCPUs apart.
 */
static inline uint64_t this_cpu(void)
{
	uint64_t sp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	uint64_t cpu = (KS_STACK_TOP - 1 - sp) / KS_STACK_SIZE;
	return cpu < KS_MAX_VCPUS ? cpu : 0;
}

/* PVM: this vCPU's VIF page (each vCPU registers its own). */
static volatile uint8_t *vif(struct ks_mailbox *mb)
{
	return (volatile uint8_t *)(uintptr_t)(mb->arch_scratch[0] + this_cpu() * 4096);
}

/* The hypervisor signature this guest sees (CPUID 0x40000000). */
static void identify(struct ks_mailbox *mb)
{
	uint32_t a = 0x40000000, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	mb->guest_info[0] = a;
	mb->guest_info[1] = b;
	mb->guest_info[2] = c;
	mb->guest_info[3] = d;
	ks_ucall(KS_UC_DONE, 0, 0, 0, 0);
}
KS_GUEST_ROUTINE("identify", identify);

void ks_arch_init(struct ks_mailbox *mb, uint64_t cpu)
{
	/*
	 * PVM runs a vCPU natively only once it has registered its VIF page;
	 * until then every instruction is emulated (~4 us each). Every vCPU
	 * registers its own: the page holds that vCPU's interrupt flag.
	 */
	if (mb->backend == KS_GB_X86_PVM) {
		vif(mb)[0] = 0;
		uint64_t r = pvm_hypercall(KS_PVM_HC_SET_VIF_GPA, mb->arch_scratch[0] + cpu * 4096);
		GUEST_ASSERT(r == 0);
	}
}

KS_BATCH_ROUTINE("pio_out", batch_pio_out, ks_outl((uint16_t)KS_MB->user_pio_port, (uint32_t)i));
KS_BATCH_ROUTINE("pio_in", batch_pio_in, (void)ks_inl((uint16_t)KS_MB->user_pio_port));
KS_BATCH_ROUTINE("pio_out_kernel", batch_pio_out_kernel,
		 ks_outl((uint16_t)KS_MB->kernel_pio_port, 0));
KS_BATCH_ROUTINE("pio_in_kernel", batch_pio_in_kernel,
		 (void)ks_inb((uint16_t)KS_MB->kernel_pio_in_port));
KS_BATCH_ROUTINE("cpuid", batch_cpuid, cpuid0());
KS_BATCH_ROUTINE("rdmsr", batch_rdmsr, (void)rdmsr((uint32_t)KS_MB->msr_index));
/* the in-kernel LAPIC's version register (the host puts its GPA in the mailbox) */
KS_BATCH_ROUTINE("mmio_read_lapic", batch_mmio_read_lapic,
		 (void)ks_mmio_read32(KS_MB->kernel_mmio_read_gpa));

/* One batch function per hypercall instruction, so each loop stays tight. */
KS_DEFINE_BATCH(batch_hc_pvm, (void)pvm_hypercall(KS_MB->hypercall_nr, 0))
KS_DEFINE_BATCH(batch_hc_vmcall, (void)kvm_vmcall(KS_MB->hypercall_nr))
KS_DEFINE_BATCH(batch_hc_vmmcall, (void)kvm_vmmcall(KS_MB->hypercall_nr))

static uint64_t do_hypercall_once(struct ks_mailbox *mb)
{
	switch (mb->backend) {
	case KS_GB_X86_PVM:
		return pvm_hypercall(mb->hypercall_nr, 0);
	case KS_GB_X86_VMX:
		return kvm_vmcall(mb->hypercall_nr);
	case KS_GB_X86_SVM:
		return kvm_vmmcall(mb->hypercall_nr);
	default:
		ks_fail(__LINE__, "no hypercall for this backend");
	}
}

/* The backend's no-op hypercall, in the batch loop. */
static void hypercall(struct ks_mailbox *mb)
{
	/* Record what the call returns, so a silent failure can't pass as fast. */
	mb->hypercall_ret = do_hypercall_once(mb);
	switch (mb->backend) {
	case KS_GB_X86_PVM:
		ks_run_batches(mb, batch_hc_pvm);   /* never VMCALL on PVM: it livelocks */
		break;
	case KS_GB_X86_VMX:
		ks_run_batches(mb, batch_hc_vmcall);
		break;
	default:
		ks_run_batches(mb, batch_hc_vmmcall);
		break;
	}
}
KS_GUEST_ROUTINE("hypercall", hypercall);

/* Self-test: an invalid opcode (#UD), which the host must report. */
static void fault(struct ks_mailbox *mb)
{
	__asm__ volatile("ud2");
}
KS_GUEST_ROUTINE("fault", fault);

void ks_arch_irq_setup(struct ks_mailbox *mb)
{
	/* the host software-enabled the LAPIC; nothing to do in the guest */
}

/*
 * Virtual IPIs through the xAPIC's ICR (MMIO, in-kernel LAPIC): the same on
 * VMX, SVM and PVM, where the LAPIC page is already how the guest completes
 * interrupts (ks_arch_eoi). The destination (ICR high, 0x310) is written
 * once per target, so each IPI is one write of ICR low (0x300): one trap.
 */
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_ICR_ASSERT (1u << 14)   /* fixed delivery, physical destination, edge */

static uint64_t apic_base;           /* vCPU 0 sends, so one copy is enough */
static uint64_t icr_dest = ~0ULL;

int ks_arch_ipi_setup(struct ks_mailbox *mb, uint64_t cpu)
{
	/* the host software-enabled every vCPU's LAPIC; its ID is its index */
	apic_base = mb->arch_scratch[1];
	return 0;
}

void ks_arch_send_ipi(uint64_t target_cpu)
{
	if (icr_dest != target_cpu) {
		ks_mmio_write32(apic_base + APIC_ICR_HI, (uint32_t)target_cpu << 24);
		icr_dest = target_cpu;
	}
	ks_mmio_write32(apic_base + APIC_ICR_LO, APIC_ICR_ASSERT | KS_IPI_VECTOR);
}

/* The common IPI routine (ipi.c): vCPU 0 sends, vCPU 1 takes them. */
KS_GUEST_ROUTINE_SMP("ipi", ks_run_ipi, ks_run_ipi_target);

void ks_arch_irq_enable(struct ks_mailbox *mb)
{
	/*
	 * On PVM sti/cli trap but don't gate delivery: the VIF byte does. An
	 * interrupt that arrived while it was clear is only marked pending
	 * (byte 1) and a store does not deliver it: take it with a hypercall
	 * exit, on whose way back PVM delivers. (Arriving after the store, it
	 * is delivered: no window between the two.)
	 */
	if (mb->backend == KS_GB_X86_PVM) {
		vif(mb)[0] = 1;
		if (vif(mb)[1])
			(void)pvm_hypercall(KS_PVM_HC_NOP_PROBE, 0);
	} else {
		/* the nop: one already pending is taken after sti's shadow, here */
		__asm__ volatile("sti; nop" ::: "memory");
	}
}

void ks_arch_irq_disable(struct ks_mailbox *mb)
{
	if (mb->backend == KS_GB_X86_PVM)
		vif(mb)[0] = 0;
	else
		__asm__ volatile("cli" ::: "memory");
}

bool ks_arch_irq_pending(struct ks_mailbox *mb)
{
	if (mb->backend == KS_GB_X86_PVM)
		return vif(mb)[1] != 0;
	/* the in-kernel LAPIC's IRR: 8 registers of 32 vectors, 16 bytes apart */
	uint64_t v = mb->irq_vector;
	uint32_t irr = ks_mmio_read32(mb->arch_scratch[1] + 0x200 + 0x10 * (v / 32));
	return (irr >> (v % 32)) & 1;
}

/* entry.S: the halts with their critical regions */
void ks_pvm_halt(volatile uint8_t *vif, uint64_t linger_ticks,
		 volatile uint64_t *linger_state);
void ks_sti_halt(void);

void ks_arch_wait_for_interrupt(struct ks_mailbox *mb, uint64_t linger_ticks)
{
	if (mb->backend == KS_GB_X86_PVM) {
		/* no STI shadow: a critical region instead (entry.S) */
		ks_pvm_halt(vif(mb), linger_ticks, &ks_race_linger_state);
		return;
	}
	/*
	 * sti's one-instruction shadow makes "sti; hlt" race-free (no window to
	 * linger in), but nested SVM under TCG was seen delivering in the
	 * shadow: entry.S resumes an interrupt taken at the hlt after it.
	 */
	ks_sti_halt();
}

void ks_arch_eoi(struct ks_mailbox *mb)
{
	/* xAPIC EOI register: an MMIO write the in-kernel LAPIC handles */
	*(volatile uint32_t *)(uintptr_t)(mb->arch_scratch[1] + 0xB0) = 0;
}

void ks_arch_hang(void)
{
	for (;;)
		ks_pause();
}

/* Called from the exception stubs in entry.S with the stub's frame. */
struct exc_frame {
	uint64_t pad, vector, error, rip, cs, rflags, rsp, ss;
};

void ks_guest_exception(struct exc_frame *f);
void ks_guest_exception(struct exc_frame *f)
{
	uint64_t cr2 = 0;

	if (f->vector == 14) {
		/* PVM keeps CR2 in the VIF page; elsewhere read the register */
		if (KS_MB->backend == KS_GB_X86_PVM)
			cr2 = *(volatile uint64_t *)(uintptr_t)(vif(KS_MB) + 8);
		else
			__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	}
	for (;;)
		ks_ucall(KS_UC_EXCEPTION, f->vector, f->rip, f->error, cr2);
}
