/* SPDX-License-Identifier: MIT */
/*
 * x86_64 host side of the micro-guest: memory layout, page tables,
 * descriptor tables, registers, the ucall doorbell (an OUT to a port) and
 * the VMM's null device (the target of the exit-to-userspace benchmarks).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "ks_layout.h"

#define PTE_P   (1ULL << 0)
#define PTE_RW  (1ULL << 1)
#define PTE_US  (1ULL << 2)   /* PVM: required on every level */
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS  (1ULL << 7)

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

static const struct ks_layout layout_x86_64 = {
	.main_slot_gpa = 0,
	.main_slot_size = KS_MAIN_SLOT_SIZE,
	.image_gpa = KS_IMAGE_GPA,
	.image_max = KS_IMAGE_MAX,
	.mailbox_gpa = KS_MAILBOX_GPA,
	.samples_gpa = KS_SAMPLES_GPA,
	.samples_cap = KS_SAMPLES_CAP,
	.region_gpa = KS_REGION_GPA,
	.region_max = KS_REGION_MAX,
	.user_mmio_gpa = KS_MMIO_USER_GPA,
	.kernel_mmio_gpa = KS_MMIO_KERNEL_GPA,
	.user_pio_port = KS_PIO_USER_PORT,
	.kernel_pio_port = KS_PIO_KERNEL_PORT,
	.kernel_pio_in_port = KS_PIO_PIC_MASTER_IMR,
	.kernel_mmio_read_gpa = KS_LAPIC_GPA + 0x30,  /* LAPIC version register */
	.irq_vector = KS_IRQ_VECTOR,
	.msr_index = KS_MSR_APIC_BASE,
};

static uint64_t *u64_at(struct ks_vm *vm, uint64_t gpa, uint64_t len)
{
	return ks_vm_gpa_to_hva(vm, gpa, len);
}

/* 0-4 GiB identity map in 2 MiB pages; U/S everywhere, uncached MMIO tail. */
static void build_page_tables(struct ks_vm *vm)
{
	uint64_t *pml4 = u64_at(vm, KS_PML4_GPA, 4096);
	uint64_t *pdpt = u64_at(vm, KS_PDPT_GPA, 4096);
	uint64_t *pd = u64_at(vm, KS_PD_GPA, 4 * 4096);

	pml4[0] = KS_PDPT_GPA | PTE_P | PTE_RW | PTE_US;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (KS_PD_GPA + i * 4096) | PTE_P | PTE_RW | PTE_US;
	for (uint64_t i = 0; i < 4 * 512; i++) {
		uint64_t pa = i << 21;
		pd[i] = pa | PTE_P | PTE_RW | PTE_US | PTE_PS;
		if (pa >= KS_UNCACHED_FROM)
			pd[i] |= PTE_PCD | PTE_PWT;
	}
}

static void build_gdt(struct ks_vm *vm)
{
	uint64_t *gdt = u64_at(vm, KS_GDT_GPA, 5 * 8);
	uint64_t base = KS_TSS_GPA, limit = 0x67;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffULL;  /* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffULL;  /* data, DPL 0 */
	/* 64-bit TSS descriptor (two slots), type 9: available */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
}

/* Interrupt gates to the guest's 16-byte stubs (header->vectors). */
static void build_idt(struct ks_vm *vm, uint64_t stubs)
{
	uint64_t *idt = u64_at(vm, KS_IDT_GPA, 256 * 16);

	for (uint64_t v = 0; v < 256; v++) {
		uint64_t off = stubs + v * 16;
		idt[2 * v] = (off & 0xffff) | ((uint64_t)KS_SEL_CODE << 16) |
			     (0x8eULL << 40) | (((off >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = off >> 32;
	}
}

static int load_guest(struct ks_vm *vm, const struct ks_image_header *h)
{
	build_page_tables(vm);
	build_gdt(vm);
	build_idt(vm, h->vectors);

	struct ks_mailbox *mb = ks_vm_gpa_to_hva(vm, KS_MAILBOX_GPA, sizeof(*mb));
	mb->arch_scratch[0] = KS_VIF_GPA;   /* vCPU n's VIF page: + n * 4 KiB */
	mb->arch_scratch[1] = KS_LAPIC_GPA;
	return 0;
}

static void seg_code(struct kvm_segment *s)
{
	*s = (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = KS_SEL_CODE,
				   .type = 11, .present = 1, .dpl = 0, .db = 0, .s = 1,
				   .l = 1, .g = 1 };
}

static void seg_data(struct kvm_segment *s)
{
	*s = (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = KS_SEL_DATA,
				   .type = 3, .present = 1, .dpl = 0, .db = 1, .s = 1,
				   .g = 1 };
}

static int set_cpuid(struct ks_vcpu *v)
{
	int n = 256;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));

	if (!c)
		return -1;
	c->nent = n;
	if (ioctl(v->vm->kvm->fd, KVM_GET_SUPPORTED_CPUID, c) < 0 ||
	    ioctl(v->fd, KVM_SET_CPUID2, c) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_GET_SUPPORTED_CPUID/KVM_SET_CPUID2: %s",
			 strerror(errno));
		free(c);
		return -1;
	}
	free(c);
	return 0;
}

_Static_assert(KS_VIF_GPA + KS_MAX_VCPUS * 4096 <= KS_PML4_GPA,
	       "one VIF page per vCPU, below the page tables");
_Static_assert(KS_STACK_TOP - KS_MAX_VCPUS * KS_STACK_SIZE >= KS_IMAGE_GPA + KS_IMAGE_MAX,
	       "one stack per vCPU, above the guest image");

/*
 * With an in-kernel LAPIC, KVM holds every vCPU but the BSP (vCPU 0) in
 * wait-for-SIPI. The micro-guest has no INIT/SIPI start-up code: the host
 * starts the others itself, in the state vCPU 0 gets.
 */
static int make_runnable(struct ks_vcpu *v)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	if (v->id == 0 || !v->vm->irqchip)
		return 0;
	if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_SET_MP_STATE(vCPU %d, RUNNABLE): %s", v->id,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int vcpu_setup(struct ks_vcpu *v)
{
	struct kvm_sregs sr;
	struct kvm_regs regs;

	if (v->id < 0 || v->id >= KS_MAX_VCPUS) {
		snprintf(v->err, sizeof(v->err), "vCPU %d: the x86 guest has stacks and VIF pages "
			 "for %d vCPUs", v->id, KS_MAX_VCPUS);
		return -1;
	}
	if (set_cpuid(v) < 0)
		return -1;
	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sr.cr3 = KS_PML4_GPA;
	sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sr.efer = EFER_LME | EFER_LMA;
	seg_code(&sr.cs);
	seg_data(&sr.ds);
	seg_data(&sr.es);
	seg_data(&sr.fs);
	seg_data(&sr.gs);
	seg_data(&sr.ss);
	sr.tr = (struct kvm_segment){ .base = KS_TSS_GPA, .limit = 0x67,
				      .selector = KS_SEL_TSS, .type = 11, .present = 1 };
	sr.ldt = (struct kvm_segment){ .unusable = 1 };
	sr.gdt.base = KS_GDT_GPA;
	sr.gdt.limit = 5 * 8 - 1;
	sr.idt.base = KS_IDT_GPA;
	sr.idt.limit = 256 * 16 - 1;
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_SET_SREGS: %s", strerror(errno));
		return -1;
	}
	struct ks_image_header h;
	memcpy(&h, ks_guest_image, sizeof(h));  /* validated by load_guest */
	memset(&regs, 0, sizeof(regs));
	regs.rip = h.entry;
	/* its own stack (the guest tells vCPUs apart by it) and its index */
	regs.rsp = KS_STACK_TOP - (uint64_t)v->id * KS_STACK_SIZE;
	regs.rdi = (uint64_t)v->id;
	regs.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return make_runnable(v);
}

static bool is_doorbell(const struct kvm_run *r)
{
	return r->exit_reason == KVM_EXIT_IO && r->io.port == KS_UCALL_PORT &&
	       r->io.direction == KVM_EXIT_IO_OUT;
}

static bool null_device(struct ks_vm *vm, struct kvm_run *r, bool *is_mmio)
{
	if (r->exit_reason == KVM_EXIT_IO && r->io.port == KS_PIO_USER_PORT) {
		if (r->io.direction == KVM_EXIT_IO_IN)
			memset((uint8_t *)r + r->io.data_offset, 0, (size_t)r->io.size * r->io.count);
		*is_mmio = false;
		return true;
	}
	if (r->exit_reason == KVM_EXIT_MMIO && r->mmio.phys_addr >= KS_MMIO_USER_GPA &&
	    r->mmio.phys_addr < KS_MMIO_USER_GPA + 4096) {
		if (!r->mmio.is_write)
			memset(r->mmio.data, 0, sizeof(r->mmio.data));
		*is_mmio = true;
		return true;
	}
	return false;
}

static int create_irqchip(struct ks_vm *vm)
{
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		snprintf(vm->err, sizeof(vm->err), "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int irqchip_ready(struct ks_vm *vm)
{
	return 0;   /* PIC, IOAPIC and LAPICs are ready once created */
}

/* CPUID 0x40000000: eax = max leaf, ebx/ecx/edx = the 12-byte signature. */
static void format_identity(const uint64_t info[8], char *buf, size_t len)
{
	char sig[13];
	uint32_t w[3] = { (uint32_t)info[1], (uint32_t)info[2], (uint32_t)info[3] };

	memcpy(sig, w, 12);
	sig[12] = 0;
	for (int i = 0; i < 12; i++)
		if (sig[i] && (sig[i] < 0x20 || sig[i] > 0x7e))
			sig[i] = '?';
	snprintf(buf, len, "cpuid 0x40000000: \"%s\" (max leaf 0x%x)", sig, (uint32_t)info[0]);
}

static int route_gsi(struct ks_vm *vm, uint32_t gsi, uint32_t vector)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} rt;

	memset(&rt, 0, sizeof(rt));
	rt.r.nr = 1;
	rt.e[0].gsi = gsi;
	rt.e[0].type = KVM_IRQ_ROUTING_MSI;
	rt.e[0].u.msi.address_lo = 0xfee00000;  /* destination APIC ID 0 */
	rt.e[0].u.msi.data = vector;            /* fixed, edge */
	if (ioctl(vm->fd, KVM_SET_GSI_ROUTING, &rt) < 0) {
		snprintf(vm->err, sizeof(vm->err), "KVM_SET_GSI_ROUTING(gsi %u -> vector 0x%x): %s",
			 gsi, vector, strerror(errno));
		return -1;
	}
	return 0;
}

/* Software-enable the LAPIC (SVR bit 8) and accept every priority. */
static int irq_setup_vcpu(struct ks_vcpu *v)
{
	struct kvm_lapic_state l;
	uint32_t *svr = (uint32_t *)&l.regs[0xf0], *tpr = (uint32_t *)&l.regs[0x80];

	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_GET_LAPIC: %s", strerror(errno));
		return -1;
	}
	*svr |= 0x1ff;
	*tpr = 0;
	if (ioctl(v->fd, KVM_SET_LAPIC, &l) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_SET_LAPIC: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void describe_vcpu(struct ks_vcpu *v, char *buf, size_t len)
{
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0)
		snprintf(buf, len, "registers unreadable: %s", strerror(errno));
	else
		snprintf(buf, len, "guest rip=0x%llx rsp=0x%llx rax=0x%llx",
			 (unsigned long long)r.rip, (unsigned long long)r.rsp,
			 (unsigned long long)r.rax);
}

static uint64_t host_ticks(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void cpu_relax(void)
{
	__builtin_ia32_pause();
}

static uint64_t guest_tick_hz(struct ks_vcpu *v)
{
	int khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
	return khz > 0 ? (uint64_t)khz * 1000 : 0;
}

/*
 * TSC offset 0: the guest's RDTSC reads the host's TSC (no scaling is set).
 * KVM_VCPU_TSC_OFFSET is a vCPU attribute since 5.16. Under PVM the guest
 * executes RDTSC natively and reads the host's TSC whatever the offset.
 */
static int counter_offset_zero(struct ks_vcpu *v, char *how, size_t len)
{
	uint64_t off = 0;
	struct kvm_device_attr a = { .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET,
				     .addr = (uintptr_t)&off };

	if (ioctl(v->fd, KVM_HAS_DEVICE_ATTR, &a) < 0) {
		snprintf(how, len, "KVM_VCPU_TSC_OFFSET not offered (%s)", strerror(errno));
		return 0;
	}
	if (ioctl(v->fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_SET_DEVICE_ATTR(KVM_VCPU_TSC_OFFSET, 0): %s",
			 strerror(errno));
		return -1;
	}
	snprintf(how, len, "KVM_VCPU_TSC_OFFSET = 0");
	return 1;
}

static uint64_t hypercall(uint32_t gb, const char **insn)
{
	switch (gb) {
	case KS_GB_X86_PVM:
		*insn = "int $0x1b (PVM)";   /* never VMCALL on PVM: it livelocks */
		return KS_PVM_HC_NOP_PROBE;
	case KS_GB_X86_VMX:
		*insn = "vmcall";
		return KS_KVM_HC_NOP_PROBE;
	case KS_GB_X86_SVM:
		*insn = "vmmcall";
		return KS_KVM_HC_NOP_PROBE;
	default:
		*insn = NULL;
		return 0;
	}
}

/* What an undefined hypercall number answers: -ENOSYS (PVM), -KVM_ENOSYS (KVM). */
static bool hypercall_ret_ok(uint32_t gb, int64_t ret)
{
	switch (gb) {
	case KS_GB_X86_PVM:
		return ret == -38;
	case KS_GB_X86_VMX:
	case KS_GB_X86_SVM:
		return ret == -1000;
	default:
		return false;
	}
}

static const char *vector_name(uint64_t v)
{
	static const char *const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", NULL,
		"#TS", "#NP", "#SS", "#GP", "#PF", NULL, "#MF", "#AC", "#MC", "#XM",
		"#VE", "#CP",
	};
	return v < sizeof(names) / sizeof(names[0]) ? names[v] : NULL;
}

void ks_x86_detect_backend(const struct ks_kvm *k, const char *guest_seen,
			   struct ks_backend_info *bi);

const struct ks_arch_ops ks_arch = {
	.name = "x86_64",
	.layout = &layout_x86_64,
	.detect_backend = ks_x86_detect_backend,
	.format_identity = format_identity,
	.create_irqchip = create_irqchip,
	.irqchip_ready = irqchip_ready,
	.load_guest = load_guest,
	.vcpu_setup = vcpu_setup,
	.is_doorbell = is_doorbell,
	.null_device = null_device,
	.route_gsi = route_gsi,
	.irq_setup_vcpu = irq_setup_vcpu,
	.describe_vcpu = describe_vcpu,
	.host_ticks = host_ticks,
	.cpu_relax = cpu_relax,
	.guest_tick_hz = guest_tick_hz,
	.counter_offset_zero = counter_offset_zero,
	.vector_name = vector_name,
	.hypercall = hypercall,
	.hypercall_ret_ok = hypercall_ret_ok,
	.stat_pio_exits = "io_exits",
	.stat_mmio_exits = "mmio_exits",
	.stat_kernel_mmio_exits = "",   /* x86 has no in-kernel MMIO counter */
	.stat_doorbell = "io_exits",    /* the ucall doorbell is an OUT */
	.stat_all_exits = "exits",
	.stat_hypercalls = "hypercalls",
	.stat_halt_exits = "halt_exits",
	.stat_irq_injections = "irq_injections",
	.counter = "tsc",
	.eoi_mechanism = "xAPIC EOI register (MMIO), in-kernel LAPIC",
	/* guests/x86_64/arch.c ks_arch_send_ipi: physical destination, in-kernel LAPIC */
	.ipi_mechanism = "xAPIC ICR write (MMIO 0xfee00300), fixed vector 0x41",
	.syscall_nr_ioctl = 16,
	.kvm_exit_reason_field = "exit_reason",
	/* VMX's VMCALL (18) or SVM's VMMCALL (0x81, KS_SVM_EXIT_VMMCALL): each
	 * value is no exit KVM takes on the other (SVM 0x12 is a CR2 write KVM
	 * does not intercept; VMX has no reason 0x81) */
	.bpftrace_hypercall_exit = "(args->exit_reason == 18 || args->exit_reason == 0x81)",
};
