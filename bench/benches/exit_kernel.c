/* SPDX-License-Identifier: MIT */
/*
 * In-kernel exits: guest operations KVM completes without returning to
 * userspace. Which one is cheapest differs per backend, so several are
 * measured and each result says which mechanism it used.
 */
#include <stdio.h>

#include "benches.h"

/*
 * An ioeventfd on the port/GPA turns the write into an in-kernel exit.
 * x86 counts every PIO exit in io_exits, but only MMIO exits that reach
 * userspace in mmio_exits: expecting 0 there proves the writes stayed in
 * the kernel.
 */
static int setup_ioeventfd(struct ks_ctx *c, struct ks_session *s, bool pio, uint64_t addr)
{
	int efd = ks_session_eventfd(c, s);
	if (efd < 0)
		return -1;
	if (ks_vm_ioeventfd(&s->vm, addr, 4, pio, efd, true) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s->vm.err);
		return -1;
	}
	return 0;
}

static int setup_pio_kernel(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	return setup_ioeventfd(c, s, true, s->vm.arch->layout->kernel_pio_port);
}

static int setup_mmio_kernel(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	return setup_ioeventfd(c, s, false, s->vm.arch->layout->kernel_mmio_gpa);
}

static int setup_rdmsr(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	s->vm.mb->msr_index = s->vm.arch->layout->msr_index;
	return 0;
}

#define KERNEL_SPEC(how, setupfn, irq, ...)                                    \
	{                                                                      \
		.batch_size = 16, .batch_size_quick = 16,                      \
		.batches = 1000, .batches_quick = 100, .need_irqchip = irq,    \
		.mechanism = how, .setup = setupfn, .expect = { __VA_ARGS__ }, \
	}

/* An in-kernel emulated register read: the vGIC's (arm64) or the LAPIC's (x86). */
#define IRQCHIP_READ_SPEC(how)                                                 \
	KERNEL_SPEC(how, NULL, true, { STAT(stat_mmio_exits), 0 },             \
		    { STAT(stat_kernel_mmio_exits), 1 }, { STAT(stat_all_exits), 1 })

static const struct ks_batch_spec spec_outl = KERNEL_SPEC("ioeventfd (pio)", setup_pio_kernel,
	false, { STAT(stat_pio_exits), 1 }, { STAT(stat_all_exits), 1 });
static const struct ks_batch_spec spec_mmio_k = KERNEL_SPEC("ioeventfd (mmio)",
	setup_mmio_kernel, false, { STAT(stat_mmio_exits), 0 },
	{ STAT(stat_kernel_mmio_exits), 1 }, { STAT(stat_all_exits), 1 });
/* Who emulates the distributor: KVM's vGIC, or the hypervisor itself. */
static int setup_vgic(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	ks_result_param_str(r, "mechanism", c->host->facts.backend.limits.gic_in_hypervisor ?
			    "read of GICD_TYPER of the GICv3 distributor the hypervisor emulates "
			    "(Gunyah, at EL2: no exit reaches Linux)" :
			    "read of the in-kernel vGICv3 distributor's GICD_TYPER");
	return 0;
}

static const struct ks_batch_spec spec_vgic =
	KERNEL_SPEC(NULL, setup_vgic, true, { STAT(stat_mmio_exits), 0 },
		    { STAT(stat_kernel_mmio_exits), 1 }, { STAT(stat_all_exits), 1 });
static const struct ks_batch_spec spec_lapic = IRQCHIP_READ_SPEC(
	"read of the in-kernel LAPIC's version register (0xfee00030)");
static const struct ks_batch_spec spec_inb_k = KERNEL_SPEC("in-kernel PIC register (irqchip)",
	NULL, true, { STAT(stat_pio_exits), 1 }, { STAT(stat_all_exits), 1 });
static const struct ks_batch_spec spec_cpuid = KERNEL_SPEC("CPUID leaf 0, emulated by KVM",
	NULL, false, { STAT(stat_all_exits), 1 });
static const struct ks_batch_spec spec_rdmsr = KERNEL_SPEC(
	"RDMSR IA32_APIC_BASE (0x1b), emulated by KVM", setup_rdmsr, false,
	{ STAT(stat_all_exits), 1 });

KS_BENCH(outl_to_kernel,
	.name = "outl_to_kernel", .family = "exit_kernel", .order = 300, .in_default = true,
	.what = "OUT to a port with an ioeventfd: completed in the kernel, no userspace exit",
	.routine = "pio_out_kernel", .available = ks_avail_ioeventfd, .run = ks_run_batch,
	.spec = &spec_outl);

KS_BENCH(mmio_write_kernel,
	.name = "mmio_write_kernel", .family = "exit_kernel", .order = 310, .in_default = true,
	.what = "store to a GPA with an ioeventfd: completed in the kernel, no userspace exit",
	.routine = "mmio_write_kernel", .available = ks_avail_ioeventfd, .run = ks_run_batch,
	.spec = &spec_mmio_k);

KS_BENCH(inb_from_kernel,
	.name = "inb_from_kernel", .family = "exit_kernel", .order = 320, .in_default = true,
	.what = "IN from the in-kernel PIC's mask register (port 0x21)",
	.routine = "pio_in_kernel", .available = ks_avail_irqchip, .run = ks_run_batch,
	.spec = &spec_inb_k);

KS_BENCH(mmio_read_lapic,
	.name = "mmio_read_lapic", .family = "exit_kernel", .order = 330, .in_default = true,
	.what = "load from the LAPIC version register: an APIC-access trap emulated in the kernel",
	.routine = "mmio_read_lapic", .available = ks_avail_irqchip, .run = ks_run_batch,
	.spec = &spec_lapic);

KS_BENCH(mmio_read_vgic,
	.name = "mmio_read_vgic", .family = "exit_kernel", .order = 340, .in_default = true,
	.what = "load from the vGICv3 distributor: an MMIO trap emulated in the kernel "
		"(under Gunyah: in the hypervisor)",
	.routine = "mmio_read_vgic", .available = ks_avail_guest_gic, .run = ks_run_batch,
	.spec = &spec_vgic);

KS_BENCH(cpuid,
	.name = "cpuid", .family = "exit_kernel", .order = 350, .in_default = true,
	.what = "CPUID leaf 0: always intercepted and emulated by KVM",
	.routine = "cpuid", .available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_cpuid);

KS_BENCH(rdmsr,
	.name = "rdmsr", .family = "exit_kernel", .order = 360, .in_default = true,
	.what = "RDMSR of IA32_APIC_BASE: intercepted and emulated by KVM",
	.routine = "rdmsr", .available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_rdmsr);
