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
static int setup_ioeventfd(struct ks_ctx *c, struct ks_session *s, bool pio, uint64_t addr,
			   struct ks_result *r)
{
	int efd = ks_session_eventfd(c, s);
	if (efd < 0)
		return -1;
	if (ks_vm_ioeventfd(&s->vm, addr, 4, pio, efd, true) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s->vm.err);
		return -1;
	}
	ks_result_param_str(r, "mechanism", pio ? "ioeventfd (pio)" : "ioeventfd (mmio)");
	return 0;
}

static int setup_pio_kernel(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	return setup_ioeventfd(c, s, true, s->vm.arch->layout->kernel_pio_port, r);
}

static int setup_mmio_kernel(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	return setup_ioeventfd(c, s, false, s->vm.arch->layout->kernel_mmio_gpa, r);
}

static int setup_pic(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	ks_result_param_str(r, "mechanism", "in-kernel PIC register (irqchip)");
	return 0;
}

static int setup_irqchip_reg(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	ks_result_param_str(r, "mechanism", ks_arch_is("x86_64") ?
			    "read of the in-kernel LAPIC's version register (0xfee00030)" :
			    "read of the in-kernel vGICv3 distributor's GICD_TYPER");
	return 0;
}

static int setup_cpuid(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	ks_result_param_str(r, "mechanism", "CPUID leaf 0, emulated by KVM");
	return 0;
}

static int setup_rdmsr(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	s->vm.mb->msr_index = s->vm.arch->layout->msr_index;
	ks_result_param_str(r, "mechanism", "RDMSR IA32_APIC_BASE (0x1b), emulated by KVM");
	return 0;
}

#define KERNEL_SPEC(gb, setupfn, irq, ...)                                     \
	{                                                                      \
		.gbench = gb, .batch_size = 16, .batch_size_quick = 16,        \
		.batches = 1000, .batches_quick = 100, .need_irqchip = irq,    \
		.setup = setupfn, .expect = { __VA_ARGS__ },                   \
	}

static const struct ks_batch_spec spec_outl = KERNEL_SPEC(KS_G_PIO_OUT_KERNEL, setup_pio_kernel,
	false, { STAT(stat_pio_exits), 1 }, { STAT(stat_all_exits), 1 });
static const struct ks_batch_spec spec_mmio_k = KERNEL_SPEC(KS_G_MMIO_WRITE_KERNEL,
	setup_mmio_kernel, false, { STAT(stat_mmio_exits), 0 },
	{ STAT(stat_kernel_mmio_exits), 1 }, { STAT(stat_all_exits), 1 });
static const struct ks_batch_spec spec_mmio_read_k = KERNEL_SPEC(KS_G_MMIO_READ_KERNEL,
	setup_irqchip_reg, true, { STAT(stat_mmio_exits), 0 },
	{ STAT(stat_kernel_mmio_exits), 1 }, { STAT(stat_all_exits), 1 });
static const struct ks_batch_spec spec_inb_k = KERNEL_SPEC(KS_G_PIO_IN_KERNEL, setup_pic, true,
	{ STAT(stat_pio_exits), 1 }, { STAT(stat_all_exits), 1 });
static const struct ks_batch_spec spec_cpuid = KERNEL_SPEC(KS_G_CPUID, setup_cpuid, false,
	{ STAT(stat_all_exits), 1 });
static const struct ks_batch_spec spec_rdmsr = KERNEL_SPEC(KS_G_RDMSR, setup_rdmsr, false,
	{ STAT(stat_all_exits), 1 });

static bool avail_pio_irqchip(const struct ks_bench *b, const struct ks_host *h, char *why,
			      size_t len)
{
	return ks_avail_pio(b, h, why, len) && ks_avail_irqchip(b, h, why, len);
}

static bool avail_ioeventfd(const struct ks_bench *b, const struct ks_host *h, char *why,
			    size_t len)
{
	if (!ks_avail_kvm(b, h, why, len) ||
	    !ks_avail_cap(h, KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD", why, len))
		return false;
	if (h->backend.limits.no_ioeventfd) {
		snprintf(why, len, "not supported on this backend: ioeventfd is advertised but "
			 "not wired up (%s)", h->backend.limits.why);
		return false;
	}
	return true;
}

static bool avail_pio_ioeventfd(const struct ks_bench *b, const struct ks_host *h, char *why,
				size_t len)
{
	return ks_avail_pio(b, h, why, len) && avail_ioeventfd(b, h, why, len);
}

const struct ks_bench ks_bench_outl_to_kernel = {
	.name = "outl_to_kernel", .family = "exit_kernel", .in_default = true,
	.what = "OUT to a port with an ioeventfd: completed in the kernel, no userspace exit",
	.available = avail_pio_ioeventfd, .run = ks_run_batch, .spec = &spec_outl,
};
const struct ks_bench ks_bench_mmio_write_kernel = {
	.name = "mmio_write_kernel", .family = "exit_kernel", .in_default = true,
	.what = "store to a GPA with an ioeventfd: completed in the kernel, no userspace exit",
	.available = avail_ioeventfd, .run = ks_run_batch, .spec = &spec_mmio_k,
};
const struct ks_bench ks_bench_inb_from_kernel = {
	.name = "inb_from_kernel", .family = "exit_kernel", .in_default = true,
	.what = "IN from the in-kernel PIC's mask register (port 0x21)",
	.available = avail_pio_irqchip, .run = ks_run_batch, .spec = &spec_inb_k,
};
static bool avail_irqchip_reg(const struct ks_bench *b, const struct ks_host *h, char *why,
			      size_t len)
{
	if (!ks_arch_is(b->spec_arch)) {
		snprintf(why, len, "%s-only; the %s equivalent is %s", b->spec_arch, ks_arch.name,
			 ks_arch_is("x86_64") ? "mmio_read_lapic" : "mmio_read_vgic");
		return false;
	}
	if (!ks_avail_irqchip(b, h, why, len))
		return false;
	return true;
}

const struct ks_bench ks_bench_mmio_read_vgic = {
	.name = "mmio_read_vgic", .family = "exit_kernel", .in_default = true,
	.what = "load from the vGICv3 distributor: an MMIO trap emulated in the kernel",
	.available = avail_irqchip_reg, .run = ks_run_batch, .spec = &spec_mmio_read_k,
	.spec_arch = "arm64",
};
const struct ks_bench ks_bench_mmio_read_lapic = {
	.name = "mmio_read_lapic", .family = "exit_kernel", .in_default = true,
	.what = "load from the LAPIC version register: an APIC-access trap emulated in the kernel",
	.available = avail_irqchip_reg, .run = ks_run_batch, .spec = &spec_mmio_read_k,
	.spec_arch = "x86_64",
};
const struct ks_bench ks_bench_cpuid = {
	.name = "cpuid", .family = "exit_kernel", .in_default = true,
	.what = "CPUID leaf 0: always intercepted and emulated by KVM",
	.available = ks_avail_x86, .run = ks_run_batch, .spec = &spec_cpuid,
};
const struct ks_bench ks_bench_rdmsr = {
	.name = "rdmsr", .family = "exit_kernel", .in_default = true,
	.what = "RDMSR of IA32_APIC_BASE: intercepted and emulated by KVM",
	.available = ks_avail_x86, .run = ks_run_batch, .spec = &spec_rdmsr,
};
