/* SPDX-License-Identifier: MIT */
/*
 * arm64 host side of the micro-guest: the IPA layout (ks_layout.h), the
 * guest's device tree and page tables, vCPU init through KVM_ARM_VCPU_INIT
 * and ONE_REG, the vGICv3 device on native KVM, the ucall doorbell (an
 * MMIO write) and the null MMIO device.
 *
 * What differs between native KVM, the KVM-on-Gunyah port and Gunyah
 * through /dev/gunyah is one decision table (plan_arm64.c), keyed on the
 * front driving the device and the backend the host detected: where the
 * DT goes and what it says, no in-kernel irqchip under Gunyah, irqfds as
 * doorbells, registers only through /dev/kvm, the entry at the memory base
 * under /dev/gunyah.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "front.h"
#include "guest_dt.h"
#include "plan_arm64.h"
#include "ks_layout.h"

#define PTE_BLOCK   (1ULL << 0)
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_SH_INNER (3ULL << 8)
#define PTE_AF      (1ULL << 10)
#define PTE_PXN     (1ULL << 53)
#define PTE_UXN     (1ULL << 54)

static const struct ks_layout layout_arm64 = {
	.main_slot_gpa = KS_RAM_GPA,
	.main_slot_size = KS_MAIN_SLOT_SIZE,
	.image_gpa = KS_IMAGE_GPA,
	.image_max = KS_IMAGE_MAX,
	.shared_gpa = KS_SHARED_GPA,
	.shared_size = KS_SHARED_SIZE,
	.mailbox_gpa = KS_MAILBOX_GPA,
	.samples_gpa = KS_SAMPLES_GPA,
	.samples_cap = KS_SAMPLES_CAP,
	.region_gpa = KS_REGION_GPA,
	.region_max = KS_REGION_MAX,
	.user_mmio_gpa = KS_MMIO_USER_GPA,
	.kernel_mmio_gpa = KS_MMIO_KERNEL_GPA,
	.kernel_mmio_read_gpa = KS_GICD_GPA + 0x4,  /* GICD_TYPER */
	.user_pio_port = 0,                          /* no port I/O on arm64 */
	.irq_vector = KS_IRQ_VECTOR,
};

static struct ks_arm64_plan plan_of(const struct ks_vm *vm)
{
	struct ks_arm64_plan p;
	bool gh = vm->kvm->front->kind == KS_FRONT_GUNYAH;

	ks_arm64_plan_for(gh, gh ? -1 : vm->kvm->api_version,
			  vm->guest_backend == KS_GB_ARM64_GUNYAH, KS_DTB_MAX, &p);
	return p;
}

/* 1 GiB blocks: device below RAM, normal write-back for RAM and lent memory. */
static void build_page_tables(struct ks_vm *vm)
{
	uint64_t *l1 = ks_vm_gpa_to_hva(vm, KS_PGTABLE_GPA, 4096);
	const uint64_t device = PTE_BLOCK | PTE_ATTR(0) | PTE_AF | PTE_PXN | PTE_UXN;
	const uint64_t normal = PTE_BLOCK | PTE_ATTR(1) | PTE_AF | PTE_SH_INNER;

	memset(l1, 0, 4096);
	l1[0] = 0x00000000ULL | device;
	l1[1] = 0x40000000ULL | normal;
	l1[2] = 0x80000000ULL | normal;
	l1[3] = 0xc0000000ULL | device;
}

static int build_dtb(struct ks_vm *vm)
{
	/* Gunyah: irqfd gsi N raises the SPI its doorbell node names. */
	static const struct ks_arm64_dt_bell bells[] = { { KS_IRQ_GSI, KS_IRQ_GSI } };
	/* /dev/gunyah: the shared slot and the lent region as labelled parcels
	 * (patches/driver-extra-parcels.patch labels each with its first guest
	 * frame number); the region exists only for the benchmarks that lend it */
	static const struct ks_arm64_dt_shm shms[] = {
		{ KS_SHARED_LABEL, KS_SHARED_GPA, false },
		{ KS_REGION_LABEL, KS_REGION_GPA, true },
	};
	struct ks_arm64_plan pl = plan_of(vm);
	struct ks_arm64_dt_params p = {
		.mem_base = KS_RAM_GPA,
		.mem_size = KS_MAIN_SLOT_SIZE,
		.ncpus = 1,
		.gicv3 = pl.describe_gic,
		.gicd_base = KS_GICD_GPA,
		.gicd_size = KS_GICD_SIZE,
		.gicr_base = KS_GICR_GPA,
		/* Gunyah: the redistributors of the vCPUs it runs */
		.gicr_size = KS_GICR_STRIDE * (pl.max_vcpus ? (uint64_t)pl.max_vcpus : KS_MAX_VCPUS),
		.psci = true,
		.bells = pl.nbells ? bells : NULL,
		.nbells = pl.nbells,
		.shms = pl.shared_vdevice ? shms : NULL,
		.nshms = pl.shared_vdevice ? 2 : 0,
		.bootargs = "kvmscope micro-guest",
		.gunyah = pl.gunyah,
	};
	char err[128];
	void *dtb = ks_vm_gpa_to_hva(vm, KS_DTB_GPA, KS_DTB_MAX);
	int n = ks_arm64_build_dtb(dtb, KS_DTB_MAX, &p, err, sizeof(err));

	if (n < 0) {
		snprintf(vm->err, sizeof(vm->err), "building the guest device tree: %s", err);
		return -1;
	}
	/*
	 * Declare the whole window, not the tree's size: Gunyah's resource
	 * manager merges its own nodes into the DTB in place.
	 */
	if (pl.set_dtb && ks_vm_set_dtb(vm, KS_DTB_GPA, pl.dtb_declared) < 0)
		return -1;
	return 0;
}

static int load_guest(struct ks_vm *vm, const struct ks_image_header *h)
{
	/* entered at the memory base: the image's first word must branch to
	 * its entry (ks_image_header.boot) */
	if (plan_of(vm).entry_at_base &&
	    (h->load_gpa != KS_RAM_GPA || h->entry - h->load_gpa >= (1ULL << 27) ||
	     h->boot != (0x14000000ULL | ((h->entry - h->load_gpa) >> 2)))) {
		snprintf(vm->err, sizeof(vm->err),
			 "the guest image cannot be entered at its first byte (0x%llx): boot word "
			 "0x%llx is not a branch to its entry 0x%llx", (unsigned long long)h->load_gpa,
			 (unsigned long long)h->boot, (unsigned long long)h->entry);
		return -1;
	}
	build_page_tables(vm);
	struct ks_mailbox *mb = ks_vm_gpa_to_hva(vm, KS_MAILBOX_GPA, sizeof(*mb));
	bool gic = plan_of(vm).describe_gic;
	mb->arch_scratch[0] = gic ? KS_GICD_GPA : 0;
	mb->arch_scratch[1] = gic ? KS_GICR_GPA : 0;
	return build_dtb(vm);
}

#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(x))

static int set_reg(struct ks_vcpu *v, uint64_t id, uint64_t val, const char *name)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };
	if (ioctl(v->fd, KVM_SET_ONE_REG, &r) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_SET_ONE_REG(%s): %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

static int get_reg(struct ks_vcpu *v, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };
	return ioctl(v->fd, KVM_GET_ONE_REG, &r);
}

static int vcpu_setup(struct ks_vcpu *v)
{
	struct kvm_vcpu_init init;
	struct ks_image_header h;

	/* /dev/gunyah has no register interface: the RM enters at the base */
	if (!plan_of(v->vm).vcpu_regs)
		return 0;
	memset(&init, 0, sizeof(init));
	if (ioctl(v->vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -1;
	}
	/* PSCI 0.2 (the Gunyah port ignores features: harmless there) */
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_ARM_VCPU_INIT(target %u): %s", init.target,
			 strerror(errno));
		return -1;
	}
	memcpy(&h, ks_guest_image, sizeof(h));   /* validated by load_guest */
	/* Only the PC is guaranteed on every backend: the guest sets up the rest. */
	if (set_reg(v, CORE_REG(regs.pc), h.entry, "pc") < 0)
		return -1;
	if (plan_of(v->vm).set_boot_regs) {
		/* EL1h, DAIF masked; x0 = device tree (the arm64 boot protocol) */
		if (set_reg(v, CORE_REG(regs.pstate), 0x3c5, "pstate") < 0 ||
		    set_reg(v, CORE_REG(regs.regs[0]), KS_DTB_GPA, "x0") < 0)
			return -1;
	}
	return 0;
}

static bool is_doorbell(const struct kvm_run *r)
{
	return r->exit_reason == KVM_EXIT_MMIO && r->mmio.is_write &&
	       r->mmio.phys_addr == KS_UCALL_GPA;
}

static bool null_device(struct ks_vm *vm, struct kvm_run *r, bool *is_mmio)
{
	if (r->exit_reason == KVM_EXIT_MMIO && r->mmio.phys_addr >= KS_MMIO_USER_GPA &&
	    r->mmio.phys_addr < KS_MMIO_USER_GPA + 4096) {
		if (!r->mmio.is_write)
			memset(r->mmio.data, 0, sizeof(r->mmio.data));
		*is_mmio = true;
		return true;
	}
	return false;
}

static int vgic_attr(struct ks_vm *vm, int dev, uint32_t group, uint64_t attr, uint64_t *val,
		     const char *what)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uintptr_t)val };
	if (ioctl(dev, KVM_SET_DEVICE_ATTR, &a) < 0) {
		snprintf(vm->err, sizeof(vm->err), "vGICv3 %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

static int create_irqchip(struct ks_vm *vm)
{
	if (!plan_of(vm).in_kernel_irqchip) {
		snprintf(vm->err, sizeof(vm->err),
			 "not supported on this backend: no in-kernel irqchip (%s)", plan_of(vm).why);
		errno = ENOTSUP;
		return -1;
	}
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	if (ioctl(vm->fd, KVM_CREATE_DEVICE, &cd) < 0) {
		snprintf(vm->err, sizeof(vm->err), "KVM_CREATE_DEVICE(vGICv3): %s", strerror(errno));
		return -1;
	}
	vm->irqchip_fd = (int)cd.fd;
	uint64_t d = KS_GICD_GPA, r = KS_GICR_GPA;
	return vgic_attr(vm, vm->irqchip_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &d,
			 "distributor address") ||
	       vgic_attr(vm, vm->irqchip_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &r,
			 "redistributor address") ? -1 : 0;
}

static int irqchip_ready(struct ks_vm *vm)
{
	uint32_t nr = 128;   /* SPIs up to INTID 127 */

	if (vm->irqchip_fd < 0)
		return 0;
	struct kvm_device_attr a = { .group = KVM_DEV_ARM_VGIC_GRP_NR_IRQS, .addr = (uintptr_t)&nr };
	if (ioctl(vm->irqchip_fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
		snprintf(vm->err, sizeof(vm->err), "vGICv3 number of IRQs: %s", strerror(errno));
		return -1;
	}
	struct kvm_device_attr init = { .group = KVM_DEV_ARM_VGIC_GRP_CTRL,
					.attr = KVM_DEV_ARM_VGIC_CTRL_INIT };
	if (ioctl(vm->irqchip_fd, KVM_SET_DEVICE_ATTR, &init) < 0) {
		snprintf(vm->err, sizeof(vm->err), "vGICv3 init: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int route_gsi(struct ks_vm *vm, uint32_t gsi, uint32_t vector)
{
	/* Gunyah: the irqfd gsi is a doorbell label from the DT: nothing to route */
	if (!plan_of(vm).route_gsi)
		return 0;
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} rt;
	memset(&rt, 0, sizeof(rt));
	rt.r.nr = 1;
	rt.e[0].gsi = gsi;
	rt.e[0].type = KVM_IRQ_ROUTING_IRQCHIP;
	rt.e[0].u.irqchip.irqchip = 0;
	rt.e[0].u.irqchip.pin = vector - KS_SPI_BASE;   /* SPI number */
	if (ioctl(vm->fd, KVM_SET_GSI_ROUTING, &rt) < 0) {
		snprintf(vm->err, sizeof(vm->err), "KVM_SET_GSI_ROUTING(gsi %u -> SPI %u): %s", gsi,
			 vector - KS_SPI_BASE, strerror(errno));
		return -1;
	}
	return 0;
}

static int irq_setup_vcpu(struct ks_vcpu *v)
{
	return 0;   /* the guest programs its GIC CPU interface itself */
}

static void describe_vcpu(struct ks_vcpu *v, char *buf, size_t len)
{
	uint64_t pc = 0, x0 = 0;
	if (!plan_of(v->vm).vcpu_regs)
		snprintf(buf, len, "registers not readable through %s", v->vm->kvm->path);
	else if (get_reg(v, CORE_REG(regs.pc), &pc) < 0)
		snprintf(buf, len, "registers unreadable: %s", strerror(errno));
	else {
		(void)get_reg(v, CORE_REG(regs.regs[0]), &x0);
		snprintf(buf, len, "guest pc=0x%llx x0=0x%llx", (unsigned long long)pc,
			 (unsigned long long)x0);
	}
}

static uint64_t host_ticks(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) :: "memory");
	return v;
}

static void cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

/* The guest's virtual counter runs at the host's CNTFRQ_EL0. */
static uint64_t guest_tick_hz(struct ks_vcpu *v)
{
	uint64_t f;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

/*
 * The VM's counter offset 0 (guest CNTVCT = the host's counter), with
 * KVM_ARM_SET_COUNTER_OFFSET where the kernel has it (6.4+; it must come
 * before any vCPU runs). Older kernels give each VM the offset of its
 * creation time, and the Gunyah port has no offset to set.
 */
static int counter_offset_zero(struct ks_vcpu *v, char *how, size_t len)
{
	struct ks_kvm_arm_counter_offset o = { .counter_offset = 0 };
	long cap = ks_vm_check_cap(v->vm, KVM_CAP_COUNTER_OFFSET);

	if (cap <= 0) {
		snprintf(how, len, "no KVM_ARM_SET_COUNTER_OFFSET (KVM_CAP_COUNTER_OFFSET: %ld)", cap);
		return 0;
	}
	if (ioctl(v->vm->fd, KS_KVM_ARM_SET_COUNTER_OFFSET, &o) < 0) {
		snprintf(v->err, sizeof(v->err), "KVM_ARM_SET_COUNTER_OFFSET(0): %s", strerror(errno));
		return -1;
	}
	snprintf(how, len, "KVM_ARM_SET_COUNTER_OFFSET = 0");
	return 1;
}

/* HVC with SMCCC_VERSION: answered by KVM natively, by Gunyah on the port. */
static uint64_t hypercall(uint32_t gb, const char **insn)
{
	*insn = "hvc #0, SMCCC_VERSION (0x80000000)";
	return KS_SMCCC_VERSION;
}

/* SMCCC_VERSION answers 1.x (0x1xxxx); NOT_SUPPORTED would be -1. */
static bool hypercall_ret_ok(uint32_t gb, int64_t ret)
{
	return (int32_t)ret >= 0x10000;
}

/* Exception classes (ESR_EL1.EC) the guest may report. */
static const char *vector_name(uint64_t ec)
{
	switch (ec) {
	case 0x00: return "unknown instruction / UDF";
	case 0x01: return "WFI/WFE trap";
	case 0x07: return "FP/SIMD access";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC";
	case 0x16: return "HVC";
	case 0x17: return "SMC";
	case 0x18: return "system register trap";
	case 0x20: case 0x21: return "instruction abort";
	case 0x22: return "PC alignment";
	case 0x24: case 0x25: return "data abort";
	case 0x26: return "SP alignment";
	case 0x3c: return "BRK";
	default: return NULL;
	}
}

/* SMCCC vendor-hypervisor UID words -> "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
static void format_identity(const uint64_t info[8], char *buf, size_t len)
{
	uint8_t b[16];
	for (int w = 0; w < 4; w++)
		for (int i = 0; i < 4; i++)
			b[w * 4 + i] = (uint8_t)(info[w] >> (8 * i));
	if ((uint32_t)info[0] == 0xffffffffu) {   /* NOT_SUPPORTED */
		snprintf(buf, len, "vendor-hyp UID call not supported; SMCCC version 0x%llx",
			 (unsigned long long)info[4]);
		return;
	}
	snprintf(buf, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x "
		 "(SMCCC version 0x%llx)",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15], (unsigned long long)info[4]);
}

void ks_arm64_detect_backend(const struct ks_kvm *k, const char *guest_seen,
			     struct ks_backend_info *bi);

const struct ks_arch_ops ks_arch = {
	.name = "arm64",
	.layout = &layout_arm64,
	.detect_backend = ks_arm64_detect_backend,
	.format_identity = format_identity,
	.load_guest = load_guest,
	.vcpu_setup = vcpu_setup,
	.is_doorbell = is_doorbell,
	.null_device = null_device,
	.create_irqchip = create_irqchip,
	.irqchip_always = true,
	.irqchip_ready = irqchip_ready,
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
	.stat_pio_exits = "",
	.stat_mmio_exits = "mmio_exit_user",
	.stat_kernel_mmio_exits = "mmio_exit_kernel",
	.stat_all_exits = "exits",
	.stat_hypercalls = "hvc_exit_stat",
	.stat_halt_exits = "wfi_exit_stat",
	.stat_irq_injections = "",
	.stat_doorbell = "mmio_exit_user",   /* the ucall doorbell is an MMIO write */
	.counter = "cntvct",
	/* the guest's handler acknowledges with ICC_IAR1_EL1 and completes
	 * with ICC_EOIR1_EL1 (guests/arm64/arch.c ks_arch_eoi) */
	.eoi_mechanism = "ICC_EOIR1_EL1 write (GICv3 CPU interface system register)",
	.ipi_mechanism = "GICv3 SGI 1 via ICC_SGI1R_EL1",
	.syscall_nr_ioctl = 29,
	.kvm_exit_reason_field = "esr_ec",
	/* ESR_ELx_EC_HVC64 (0x16) or ESR_ELx_EC_SMC64 (0x17), as the probe */
	.bpftrace_hypercall_exit = "(args->esr_ec == 0x16 || args->esr_ec == 0x17)",
};
