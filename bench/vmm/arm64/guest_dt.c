/* SPDX-License-Identifier: MIT */
/*
 * guest_dt.c - build the arm64 micro-guest's device tree with libfdt's
 * sequential-write API.
 *
 * The tree (values for a native 2-vCPU guest with the vGICv3):
 *
 *   / {
 *       compatible = "kvmscope,microguest", "linux,dummy-virt";
 *       model = "kvmscope micro-guest";
 *       #address-cells = <2>; #size-cells = <2>;
 *       interrupt-parent = <&intc>;                 (gicv3 only)
 *       chosen { bootargs = "..."; };               (bootargs only if given)
 *       memory@<base> { device_type = "memory"; reg = <base size>; };
 *       cpus { #address-cells = <1>; #size-cells = <0>;
 *              cpu@<mpidr> { device_type = "cpu"; compatible = "arm,arm-v8";
 *                            reg = <mpidr>; enable-method = "psci"; }; ... };
 *       psci { compatible = "arm,psci-1.0", "arm,psci-0.2"; method = "hvc"; };
 *       timer { compatible = "arm,armv8-timer"; always-on;
 *               interrupts = <GIC_PPI 13 LOW>, <GIC_PPI 14 LOW>,
 *                            <GIC_PPI 11 LOW>, <GIC_PPI 10 LOW>; };
 *       intc@<gicd> { compatible = "arm,gic-v3"; interrupt-controller;
 *                     #interrupt-cells = <3>; #address-cells = <2>;
 *                     #size-cells = <2>; ranges; reg = <GICD>, <GICR>;
 *                     phandle = <1>; };         (gicv3 only)
 *   };
 *
 * cpu reg is the MPIDR affinity KVM gives vCPU i (Aff0 = i & 0xf,
 * Aff1 = (i >> 4) & 0xff, Aff2 = (i >> 12) & 0xff; KVM's reset_mpidr()),
 * so it stays right past 16 vCPUs. Timer PPI flags are IRQ_TYPE_LEVEL_LOW
 * without a CPU mask, as kvmtool writes them for a GICv3 guest.
 *
 * Gunyah (p->gunyah, or any doorbell or shm vdevice): the same tree for
 * the KVM-on-Gunyah port (KVM_SET_DTB_ADDRESS) and for /dev/gunyah
 * (GUNYAH_VM_SET_DTB_CONFIG), built to the rules the open-source resource
 * manager (RM) enforced in tests/qemu-gunyah (README.md there, with each
 * message): no memory node, a GICv3 with reg named by the interrupts
 * config, /chosen, and
 *
 *       gunyah-vm-config {
 *           image-name = "kvmscope";          (RM: required)
 *           os-type = "linux";                (RM: parsed, unused)
 *           memory { #address-cells = <2>; #size-cells = <2>;
 *                    base-address = /bits/ 64 <mem_base>; };
 *           interrupts { config = "/intc@<gicd>"; };   (the GIC node's path)
 *           vcpus { config = "/cpus"; affinity = "proxy"; };
 *           vdevices {
 *               generate = "/hypervisor";
 *               bell-<label in hex> {
 *                   vdevice-type = "doorbell";
 *                   generate = "/hypervisor/bell-<label in hex>";
 *                   label = <label>; qcom,label = <label>;
 *                   peer-default; source-can-clear;
 *                   interrupts = <GIC_SPI spi IRQ_TYPE_EDGE_RISING>;
 *               };
 *               shm-<label in hex> {
 *                   vdevice-type = "shm"; peer-default;
 *                   generate = "/hypervisor/shm-<label in hex>";
 *                   #address-cells = <2>; #size-cells = <2>;
 *                   memory { qcom,label = <label>; label = <label>;
 *                            base = /bits/ 64 <base>; [optional;] };
 *               };
 *           };
 *       };
 *
 * Where this format comes from (facts only; no code was taken):
 *   - The KVM-on-Gunyah RFC ("Running Qualcomm's Gunyah Guests via KVM in
 *     EL1", 2025-04-24), PATCH 33/34 "KVM: gunyah: Implement irqfd
 *     interface": KVM_IRQFD creates a resource ticket of type BELL_TX whose
 *     label is the irqfd gsi, and "the userspace must also create a
 *     devicetree node to create a doorbell with the corresponding label".
 *     The driver's GUNYAH_FN_IRQFD (/dev/gunyah) takes the label likewise.
 *   - The doorbell node is that of QEMU's Gunyah support patches (qemu-devel
 *     RFC; target/arm/gunyah.c, gunyah_arm_fdt_customize():
 *     /gunyah-vm-config/vdevices/bell-%x with vdevice-type "doorbell",
 *     generate "/hypervisor/bell-%x", label, peer-default,
 *     source-can-clear, interrupts = <GIC_SPI n flags>), as crosvm has it.
 *   - Gunyah's RM (github.com/quic/gunyah-resource-manager, 12/2023,
 *     src/vm_config/vm_config_parser.c): /(qcom,|gunyah-)vm-config,
 *     image-name required; doorbells by vdevice-type = "doorbell",
 *     peer-default (or peer) required, label read from "qcom,label" then
 *     "label", interrupts exactly one <type num flags> triple, flags
 *     edge-rising (1) or level-high (4), SPI + 32 < 1020; "shm" vdevices
 *     (parse_shm_doorbell) need peer-default and a "memory" subnode with the
 *     label and a base (or allocate-base), "optional" when the parcel may be
 *     missing; a parcel with that label is mapped at that base at VM_START;
 *     memory/base-address is rounded up to 2 MiB; secondary vCPUs need an
 *     enable-method; vcpus affinity "proxy" needs no affinity-map.
 *   - What the RM rejected, as tests/qemu-gunyah/README.md records it with
 *     its messages: a /memory@... node ("Fatal error in DTB parsing at node
 *     /memory@0x80000000"); no GIC node ("Interrupt controller phandle is
 *     invalid", "couldn't find GIC node"); no /chosen and RAM at 1 GiB
 *     (VM_START: "memparcel: Failed to alloc contig range 11": the RM puts
 *     its own pages at the lowest free IPA from 1 GiB up); no
 *     gunyah-vm-config ("handle_vcpu: invalid timeslice"). A GIC node with
 *     reg inside 0..1 GiB is used as given.
 * `dtc -I dtb` warns about two things here, both on purpose: "label" is a
 * u32 (the RM's binding, not the generic string label), and without gicv3
 * (native KVM with no vGIC) the timer has no interrupt-parent.
 * Doorbells are edge-rising: an irqfd rings the bell with
 * gunyah_hypercall_bell_send() once per eventfd signal, i.e. an edge.
 */
#include "guest_dt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#define SZ_4K   0x1000ull
#define SZ_64K  0x10000ull
#define SZ_2M   0x200000ull
#define GICR_PER_CPU 0x20000ull /* RD_base + SGI_base frames, 64 KiB each */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* [base, base + size) with size > 0 does not wrap past 2^64. */
static bool range_ok(uint64_t base, uint64_t size)
{
	return size > 0 && base + (size - 1) >= base;
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	/* both ranges are range_ok() */
	return a <= b + (bs - 1) && b <= a + (as - 1);
}

static uint32_t vcpu_mpidr(int i)
{
	uint32_t u = (uint32_t)i;

	return (u & 0xfu) | (((u >> 4) & 0xffu) << 8) | (((u >> 12) & 0xffu) << 16);
}

static int validate(const struct ks_arm64_dt_params *p, bool gunyah, char *err, size_t errlen)
{
	if (!range_ok(p->mem_base, p->mem_size))
		return p->mem_size == 0
			? fail(err, errlen, "mem_size: must be > 0")
			: fail(err, errlen, "mem_size: mem_base 0x%llx + mem_size 0x%llx wraps past 2^64",
			       (unsigned long long)p->mem_base, (unsigned long long)p->mem_size);
	if (p->mem_base % SZ_4K)
		return fail(err, errlen, "mem_base: 0x%llx is not 4 KiB aligned",
			    (unsigned long long)p->mem_base);
	if (p->mem_size % SZ_4K)
		return fail(err, errlen, "mem_size: 0x%llx is not a multiple of 4 KiB",
			    (unsigned long long)p->mem_size);
	if (p->ncpus < 1)
		return fail(err, errlen, "ncpus: %d, must be >= 1", p->ncpus);
	if (p->ncpus > KS_ARM64_DT_MAX_CPUS)
		return fail(err, errlen, "ncpus: %d, more than %d", p->ncpus, KS_ARM64_DT_MAX_CPUS);

	if (p->gicv3) {
		if (p->gicd_size == 0)
			return fail(err, errlen, "gicd_size: must be > 0 with gicv3");
		if (p->gicr_size == 0)
			return fail(err, errlen, "gicr_size: must be > 0 with gicv3");
		if (!range_ok(p->gicd_base, p->gicd_size))
			return fail(err, errlen, "gicd_size: GICD range wraps past 2^64");
		if (!range_ok(p->gicr_base, p->gicr_size))
			return fail(err, errlen, "gicr_size: GICR range wraps past 2^64");
		if (p->gicd_base % SZ_64K)
			return fail(err, errlen, "gicd_base: 0x%llx is not 64 KiB aligned",
				    (unsigned long long)p->gicd_base);
		if (p->gicr_base % SZ_64K)
			return fail(err, errlen, "gicr_base: 0x%llx is not 64 KiB aligned",
				    (unsigned long long)p->gicr_base);
		if (p->gicd_size < SZ_64K)
			return fail(err, errlen, "gicd_size: 0x%llx, smaller than the 64 KiB GICv3 distributor",
				    (unsigned long long)p->gicd_size);
		if (p->gicr_size / GICR_PER_CPU < (uint64_t)p->ncpus)
			return fail(err, errlen,
				    "gicr_size: 0x%llx too small for %d vCPUs (128 KiB of redistributor each)",
				    (unsigned long long)p->gicr_size, p->ncpus);
		if (overlap(p->gicd_base, p->gicd_size, p->gicr_base, p->gicr_size))
			return fail(err, errlen, "gicr_base: GICR overlaps GICD");
		if (overlap(p->gicd_base, p->gicd_size, p->mem_base, p->mem_size))
			return fail(err, errlen, "gicd_base: GICD overlaps guest memory");
		if (overlap(p->gicr_base, p->gicr_size, p->mem_base, p->mem_size))
			return fail(err, errlen, "gicr_base: GICR overlaps guest memory");
	}

	if (p->nbells < 0)
		return fail(err, errlen, "nbells: %d, negative", p->nbells);
	if (p->nbells > KS_ARM64_DT_MAX_BELLS)
		return fail(err, errlen, "nbells: %d, more than %d", p->nbells, KS_ARM64_DT_MAX_BELLS);
	if (p->nbells > 0 && !p->bells)
		return fail(err, errlen, "bells: NULL with nbells = %d", p->nbells);
	for (int i = 0; i < p->nbells; i++) {
		if (p->bells[i].spi > KS_ARM64_DT_MAX_SPI)
			return fail(err, errlen, "bells[%d].spi: %u out of range 0..%d",
				    i, p->bells[i].spi, KS_ARM64_DT_MAX_SPI);
		for (int j = 0; j < i; j++) {
			if (p->bells[j].label == p->bells[i].label)
				return fail(err, errlen, "bells[%d].label: %u already used by bells[%d]",
					    i, p->bells[i].label, j);
			if (p->bells[j].spi == p->bells[i].spi)
				return fail(err, errlen, "bells[%d].spi: %u already used by bells[%d]",
					    i, p->bells[i].spi, j);
		}
	}

	if (p->nshms < 0)
		return fail(err, errlen, "nshms: %d, negative", p->nshms);
	if (p->nshms > KS_ARM64_DT_MAX_SHMS)
		return fail(err, errlen, "nshms: %d, more than %d", p->nshms, KS_ARM64_DT_MAX_SHMS);
	if (p->nshms > 0 && !p->shms)
		return fail(err, errlen, "shms: NULL with nshms = %d", p->nshms);
	for (int i = 0; i < p->nshms; i++) {
		if (p->shms[i].base % SZ_4K)
			return fail(err, errlen, "shms[%d].base: 0x%llx is not 4 KiB aligned", i,
				    (unsigned long long)p->shms[i].base);
		if (p->shms[i].base < KS_ARM64_GUNYAH_MIN_IPA)
			return fail(err, errlen,
				    "shms[%d].base: 0x%llx is in the RM's device range (below 1 GiB)", i,
				    (unsigned long long)p->shms[i].base);
		for (int j = 0; j < i; j++)
			if (p->shms[j].label == p->shms[i].label)
				return fail(err, errlen, "shms[%d].label: %u already used by shms[%d]",
					    i, p->shms[i].label, j);
	}

	if (p->bootargs && strnlen(p->bootargs, KS_ARM64_DT_MAX_BOOTARGS) >= KS_ARM64_DT_MAX_BOOTARGS)
		return fail(err, errlen, "bootargs: %d bytes or longer", KS_ARM64_DT_MAX_BOOTARGS);

	if (gunyah) {
		/* the RM keeps 0..1 GiB for devices and allocates its own pages
		 * from 1 GiB up: RAM right at 1 GiB collides with them */
		if (p->mem_base <= KS_ARM64_GUNYAH_MIN_IPA)
			return fail(err, errlen,
				    "mem_base: 0x%llx, Gunyah needs guest RAM above IPA 0x%llx (the RM "
				    "allocates its own pages there: \"memparcel: Failed to alloc "
				    "contig range 11\")",
				    (unsigned long long)p->mem_base,
				    (unsigned long long)KS_ARM64_GUNYAH_MIN_IPA);
		if (p->mem_base % SZ_2M)
			return fail(err, errlen,
				    "mem_base: 0x%llx not 2 MiB aligned (Gunyah's RM would round it up)",
				    (unsigned long long)p->mem_base);
		if (p->ncpus > 1 && !p->psci)
			return fail(err, errlen,
				    "ncpus: %d under Gunyah needs psci (secondary vCPUs need an enable-method)",
				    p->ncpus);
		if (!p->gicv3)
			return fail(err, errlen,
				    "gicv3: Gunyah's RM needs the GIC node gunyah-vm-config/interrupts "
				    "names (\"Interrupt controller phandle is invalid\")");
		if (p->gicd_base + p->gicd_size > KS_ARM64_GUNYAH_MIN_IPA ||
		    p->gicr_base + p->gicr_size > KS_ARM64_GUNYAH_MIN_IPA)
			return fail(err, errlen,
				    "gicd_base: the GIC must lie in the RM's device range, below 1 GiB");
	}
	return 0;
}

/* --- libfdt wrappers: each failure names the node/property -------------- */

struct dtw {
	void *fdt;
	char *err;
	size_t errlen;
	const char *node; /* for messages */
};

static int chk(struct dtw *w, int r, const char *what, const char *prop)
{
	if (r >= 0)
		return 0;
	return fail(w->err, w->errlen, "libfdt: %s %s%s%s: %s", what, w->node,
		    prop ? " " : "", prop ? prop : "", fdt_strerror(r));
}

static int begin(struct dtw *w, const char *name)
{
	w->node = name[0] ? name : "/";
	return chk(w, fdt_begin_node(w->fdt, name), "fdt_begin_node", NULL);
}

static int end(struct dtw *w)
{
	return chk(w, fdt_end_node(w->fdt), "fdt_end_node", NULL);
}

static int prop_u32(struct dtw *w, const char *name, uint32_t v)
{
	return chk(w, fdt_property_u32(w->fdt, name, v), "fdt_property_u32", name);
}

static int prop_u64(struct dtw *w, const char *name, uint64_t v)
{
	return chk(w, fdt_property_u64(w->fdt, name, v), "fdt_property_u64", name);
}

static int prop_str(struct dtw *w, const char *name, const char *v)
{
	return chk(w, fdt_property_string(w->fdt, name, v), "fdt_property_string", name);
}

static int prop_empty(struct dtw *w, const char *name)
{
	return chk(w, fdt_property(w->fdt, name, NULL, 0), "fdt_property", name);
}

static int prop_strlist(struct dtw *w, const char *name, const char *const *v, int n)
{
	char buf[256];
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;

		if (len + l > sizeof(buf))
			return fail(w->err, w->errlen, "%s %s: string list too long", w->node, name);
		memcpy(buf + len, v[i], l);
		len += l;
	}
	return chk(w, fdt_property(w->fdt, name, buf, (int)len), "fdt_property", name);
}

static int prop_cells(struct dtw *w, const char *name, const uint32_t *c, int n)
{
	fdt32_t be[16];

	if (n > 16)
		return fail(w->err, w->errlen, "%s %s: too many cells", w->node, name);
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(c[i]);
	return chk(w, fdt_property(w->fdt, name, be, n * (int)sizeof(be[0])), "fdt_property", name);
}

/* reg/ranges-style list of (u64 addr, u64 size) pairs, 2+2 cells each. */
static int prop_regs(struct dtw *w, const char *name, const uint64_t *v, int n)
{
	fdt64_t be[8];

	if (n > 8)
		return fail(w->err, w->errlen, "%s %s: too many cells", w->node, name);
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt64(v[i]);
	return chk(w, fdt_property(w->fdt, name, be, n * (int)sizeof(be[0])), "fdt_property", name);
}

#define TRY(x) do { if ((x) < 0) return -1; } while (0)

static int build(struct dtw *w, const struct ks_arm64_dt_params *p, bool gunyah)
{
	static const char *const root_compat[] = { "kvmscope,microguest", "linux,dummy-virt" };
	static const char *const psci_compat[] = { "arm,psci-1.0", "arm,psci-0.2" };
	char name[64];

	TRY(chk(w, fdt_finish_reservemap(w->fdt), "fdt_finish_reservemap", NULL));

	TRY(begin(w, ""));
	TRY(prop_strlist(w, "compatible", root_compat, 2));
	TRY(prop_str(w, "model", "kvmscope micro-guest"));
	TRY(prop_u32(w, "#address-cells", 2));
	TRY(prop_u32(w, "#size-cells", 2));
	if (p->gicv3)
		TRY(prop_u32(w, "interrupt-parent", KS_ARM64_DT_INTC_PHANDLE));

	TRY(begin(w, "chosen"));
	if (p->bootargs)
		TRY(prop_str(w, "bootargs", p->bootargs));
	TRY(end(w));

	/* Gunyah's RM rejects a memory node ("Fatal error in DTB parsing at node
	 * /memory@0x80000000") and writes its own from the image parcel. */
	if (!gunyah) {
		snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)p->mem_base);
		TRY(begin(w, name));
		TRY(prop_str(w, "device_type", "memory"));
		{
			const uint64_t reg[2] = { p->mem_base, p->mem_size };

			TRY(prop_regs(w, "reg", reg, 2));
		}
		TRY(end(w));
	}

	TRY(begin(w, "cpus"));
	TRY(prop_u32(w, "#address-cells", 1));
	TRY(prop_u32(w, "#size-cells", 0));
	for (int i = 0; i < p->ncpus; i++) {
		uint32_t mpidr = vcpu_mpidr(i);

		snprintf(name, sizeof(name), "cpu@%x", mpidr);
		TRY(begin(w, name));
		TRY(prop_str(w, "device_type", "cpu"));
		TRY(prop_str(w, "compatible", "arm,arm-v8"));
		TRY(prop_u32(w, "reg", mpidr));
		if (p->psci)
			TRY(prop_str(w, "enable-method", "psci"));
		TRY(end(w));
	}
	TRY(end(w));

	if (p->psci) {
		TRY(begin(w, "psci"));
		TRY(prop_strlist(w, "compatible", psci_compat, 2));
		TRY(prop_str(w, "method", "hvc"));
		TRY(end(w));
	}

	TRY(begin(w, "timer"));
	TRY(prop_str(w, "compatible", "arm,armv8-timer"));
	{
		/* secure phys, non-secure phys, virtual, hyp phys */
		const uint32_t irqs[12] = {
			KS_DT_GIC_PPI, 13, KS_DT_IRQ_TYPE_LEVEL_LOW,
			KS_DT_GIC_PPI, 14, KS_DT_IRQ_TYPE_LEVEL_LOW,
			KS_DT_GIC_PPI, 11, KS_DT_IRQ_TYPE_LEVEL_LOW,
			KS_DT_GIC_PPI, 10, KS_DT_IRQ_TYPE_LEVEL_LOW,
		};

		TRY(prop_cells(w, "interrupts", irqs, 12));
	}
	TRY(prop_empty(w, "always-on"));
	TRY(end(w));

	char gic_path[64];
	snprintf(gic_path, sizeof(gic_path), "/intc@%llx", (unsigned long long)p->gicd_base);
	if (p->gicv3) {
		const uint64_t reg[4] = { p->gicd_base, p->gicd_size, p->gicr_base, p->gicr_size };

		snprintf(name, sizeof(name), "%s", gic_path + 1);
		TRY(begin(w, name));
		TRY(prop_str(w, "compatible", "arm,gic-v3"));
		TRY(prop_empty(w, "interrupt-controller"));
		TRY(prop_u32(w, "#interrupt-cells", 3));
		/* no ITS children, but dtc wants the cells of an interrupt provider */
		TRY(prop_u32(w, "#address-cells", 2));
		TRY(prop_u32(w, "#size-cells", 2));
		TRY(prop_empty(w, "ranges"));
		TRY(prop_regs(w, "reg", reg, 4));
		TRY(prop_u32(w, "phandle", KS_ARM64_DT_INTC_PHANDLE));
		TRY(end(w));
	}

	if (gunyah) {
		TRY(begin(w, "gunyah-vm-config"));
		TRY(prop_str(w, "image-name", "kvmscope"));
		TRY(prop_str(w, "os-type", "linux"));

		TRY(begin(w, "memory"));
		TRY(prop_u32(w, "#address-cells", 2));
		TRY(prop_u32(w, "#size-cells", 2));
		TRY(prop_u64(w, "base-address", p->mem_base));
		TRY(end(w));

		/* the GIC the guest gets ("Interrupt controller phandle is invalid",
		 * "couldn't find GIC node" without it) */
		TRY(begin(w, "interrupts"));
		TRY(prop_str(w, "config", gic_path));
		TRY(end(w));

		TRY(begin(w, "vcpus"));
		TRY(prop_str(w, "config", "/cpus"));
		TRY(prop_str(w, "affinity", "proxy"));
		TRY(end(w));

		TRY(begin(w, "vdevices"));
		TRY(prop_str(w, "generate", "/hypervisor"));
		for (int i = 0; i < p->nbells; i++) {
			const struct ks_arm64_dt_bell *bl = &p->bells[i];
			const uint32_t irq[3] = { KS_DT_GIC_SPI, bl->spi, KS_DT_IRQ_TYPE_EDGE_RISING };
			char gen[64];

			snprintf(name, sizeof(name), "bell-%x", bl->label);
			snprintf(gen, sizeof(gen), "/hypervisor/bell-%x", bl->label);
			TRY(begin(w, name));
			TRY(prop_str(w, "vdevice-type", "doorbell"));
			TRY(prop_str(w, "generate", gen));
			TRY(prop_u32(w, "label", bl->label));
			TRY(prop_u32(w, "qcom,label", bl->label));
			TRY(prop_empty(w, "peer-default"));
			TRY(prop_empty(w, "source-can-clear"));
			TRY(prop_cells(w, "interrupts", irq, 3));
			TRY(end(w));
		}
		for (int i = 0; i < p->nshms; i++) {
			const struct ks_arm64_dt_shm *sh = &p->shms[i];
			char gen[64];

			snprintf(name, sizeof(name), "shm-%x", sh->label);
			snprintf(gen, sizeof(gen), "/hypervisor/shm-%x", sh->label);
			TRY(begin(w, name));
			TRY(prop_str(w, "vdevice-type", "shm"));
			TRY(prop_str(w, "generate", gen));
			TRY(prop_empty(w, "peer-default"));
			TRY(prop_u32(w, "#address-cells", 2));
			TRY(prop_u32(w, "#size-cells", 2));
			TRY(begin(w, "memory"));
			TRY(prop_u32(w, "qcom,label", sh->label));
			TRY(prop_u32(w, "label", sh->label));
			TRY(prop_u64(w, "base", sh->base));
			if (sh->optional)
				TRY(prop_empty(w, "optional"));
			TRY(end(w));
			TRY(end(w));
		}
		TRY(end(w)); /* vdevices */
		TRY(end(w)); /* gunyah-vm-config */
	}

	TRY(end(w)); /* / */
	w->node = "/";
	TRY(chk(w, fdt_finish(w->fdt), "fdt_finish", NULL));
	return 0;
}

int ks_arm64_build_dtb(void *buf, size_t len, const struct ks_arm64_dt_params *p, char *err, size_t errlen)
{
	struct dtw w = { .fdt = buf, .err = err, .errlen = errlen, .node = "/" };
	bool gunyah;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!p)
		return fail(err, errlen, "params: NULL");
	if (!buf)
		return fail(err, errlen, "buf: NULL");
	if (len > 0x7fffffff)
		return fail(err, errlen, "len: %zu, more than libfdt's INT_MAX", len);
	gunyah = p->gunyah || p->nbells > 0 || p->nshms > 0;
	if (validate(p, gunyah, err, errlen) < 0)
		return -1;

	r = fdt_create(buf, (int)len);
	if (r < 0)
		return fail(err, errlen, "libfdt: fdt_create (len %zu): %s", len, fdt_strerror(r));
	if (build(&w, p, gunyah) < 0)
		return -1;
	r = fdt_check_header(buf);
	if (r < 0)
		return fail(err, errlen, "libfdt: fdt_check_header: %s", fdt_strerror(r));
	return (int)fdt_totalsize(buf);
}
