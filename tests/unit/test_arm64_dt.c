/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_dt.c - unit tests for bench/vmm/arm64/guest_dt.{h,c}.
 *
 * Builds the native (vGICv3, 2 vCPUs) and KVM-on-Gunyah (no GIC, 1 vCPU,
 * 2 doorbells) trees and reads them back with libfdt. Set KS_DT_DUMP_DIR
 * to also write native.dtb / gunyah.dtb there (for `dtc -I dtb` by eye);
 * the tests themselves never need dtc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "guest_dt.h"

#define DTB_LEN 65536

static const struct ks_arm64_dt_params native_params = {
	.mem_base = 0x40000000ull,
	.mem_size = 0x8000000ull,        /* 128 MiB */
	.ncpus = 2,
	.gicv3 = true,
	.gicd_base = 0x08000000ull, .gicd_size = 0x10000ull,
	.gicr_base = 0x080a0000ull, .gicr_size = 0xf60000ull,
	.psci = true,
	.bootargs = "kvmscope bench=hypercall",
};

static const struct ks_arm64_dt_bell two_bells[] = {
	{ .label = 0, .spi = 1 },
	{ .label = 0x11, .spi = 17 },
};

static const struct ks_arm64_dt_shm two_shms[] = {
	{ .label = 0x88000, .base = 0x88000000ull, .optional = false },
	{ .label = 0xa0000, .base = 0xa0000000ull, .optional = true },
};

/* kvmscope's guest under Gunyah: the KVM-on-Gunyah port's DT (no shm) */
static const struct ks_arm64_dt_params gunyah_params = {
	.mem_base = 0x80000000ull,
	.mem_size = 0x4000000ull,        /* 64 MiB */
	.ncpus = 1,
	.gicv3 = true,
	.gicd_base = 0x08000000ull, .gicd_size = 0x10000ull,
	.gicr_base = 0x080a0000ull, .gicr_size = 0x20000ull,
	.psci = true,
	.bells = two_bells, .nbells = 2,
};

/* --- helpers -------------------------------------------------------------- */

static void dump(const char *name, const void *fdt)
{
	const char *dir = getenv("KS_DT_DUMP_DIR");
	char path[1024];
	FILE *f;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f) {
		fwrite(fdt, 1, fdt_totalsize(fdt), f);
		fclose(f);
	}
}

static void *build_ok(const struct ks_arm64_dt_params *p)
{
	void *buf = malloc(DTB_LEN);
	char err[256] = "untouched";
	int n;

	assert_non_null(buf);
	memset(buf, 0xee, DTB_LEN);
	n = ks_arm64_build_dtb(buf, DTB_LEN, p, err, sizeof(err));
	if (n <= 0) {
		print_error("build failed: %s\n", err);
		fail();
	}
	assert_string_equal(err, "");
	assert_int_equal(fdt_check_header(buf), 0);
	assert_int_equal((int)fdt_totalsize(buf), n);
	assert_true(n < DTB_LEN);
	return buf;
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	if (off < 0) {
		print_error("node %s missing: %s\n", path, fdt_strerror(off));
		fail();
	}
	return off;
}

static void assert_no_node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	if (off != -FDT_ERR_NOTFOUND) {
		print_error("node %s unexpectedly present (%d)\n", path, off);
		fail();
	}
}

/* libfdt's path lookup lets "memory" match "memory@..."; compare names exactly. */
static bool has_exact_child(const void *fdt, const char *parent, const char *name)
{
	int off;

	fdt_for_each_subnode(off, fdt, node(fdt, parent)) {
		const char *n = fdt_get_name(fdt, off, NULL);

		if (n && strcmp(n, name) == 0)
			return true;
	}
	return false;
}

static const void *prop(const void *fdt, const char *path, const char *name, int *len)
{
	const void *v = fdt_getprop(fdt, node(fdt, path), name, len);

	if (!v) {
		print_error("%s:%s missing\n", path, name);
		fail();
	}
	return v;
}

static void assert_no_prop(const void *fdt, const char *path, const char *name)
{
	if (fdt_getprop(fdt, node(fdt, path), name, NULL)) {
		print_error("%s:%s unexpectedly present\n", path, name);
		fail();
	}
}

static void assert_str(const void *fdt, const char *path, const char *name, const char *want)
{
	int len;
	const char *v = prop(fdt, path, name, &len);

	assert_int_equal(len, (int)strlen(want) + 1);
	assert_string_equal(v, want);
}

static uint32_t get_u32(const void *fdt, const char *path, const char *name)
{
	int len;
	const fdt32_t *v = prop(fdt, path, name, &len);

	assert_int_equal(len, 4);
	return fdt32_to_cpu(*v);
}

static void assert_cells(const void *fdt, const char *path, const char *name,
			 const uint32_t *want, int n)
{
	int len;
	const fdt32_t *v = prop(fdt, path, name, &len);

	assert_int_equal(len, n * 4);
	for (int i = 0; i < n; i++)
		assert_int_equal(fdt32_to_cpu(v[i]), want[i]);
}

static void assert_u64s(const void *fdt, const char *path, const char *name,
			const uint64_t *want, int n)
{
	int len;
	const fdt64_t *v = prop(fdt, path, name, &len);

	assert_int_equal(len, n * 8);
	for (int i = 0; i < n; i++) {
		uint64_t got;

		memcpy(&got, &v[i], 8); /* no alignment promise */
		assert_true(fdt64_to_cpu(got) == want[i]);
	}
}

static void assert_compat(const void *fdt, const char *path, const char *c)
{
	assert_int_equal(fdt_node_check_compatible(fdt, node(fdt, path), c), 0);
}

/* --- trees ------------------------------------------------------------------ */

static void test_native(void **state)
{
	void *fdt = build_ok(&native_params);
	static const uint32_t timer[12] = { 1, 13, 8, 1, 14, 8, 1, 11, 8, 1, 10, 8 };
	const uint64_t mem[2] = { 0x40000000ull, 0x8000000ull };
	const uint64_t gic[4] = { 0x08000000ull, 0x10000ull, 0x080a0000ull, 0xf60000ull };
	int len;

	(void)state;
	dump("native.dtb", fdt);
	assert_int_equal(fdt_num_mem_rsv(fdt), 0);

	/* root */
	assert_int_equal(get_u32(fdt, "/", "#address-cells"), 2);
	assert_int_equal(get_u32(fdt, "/", "#size-cells"), 2);
	assert_compat(fdt, "/", "kvmscope,microguest");
	assert_compat(fdt, "/", "linux,dummy-virt");
	assert_int_equal(get_u32(fdt, "/", "interrupt-parent"), KS_ARM64_DT_INTC_PHANDLE);

	/* memory */
	assert_str(fdt, "/memory@40000000", "device_type", "memory");
	assert_u64s(fdt, "/memory@40000000", "reg", mem, 2);
	assert_false(has_exact_child(fdt, "/", "memory"));

	/* cpus */
	assert_int_equal(get_u32(fdt, "/cpus", "#address-cells"), 1);
	assert_int_equal(get_u32(fdt, "/cpus", "#size-cells"), 0);
	for (int i = 0; i < 2; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/cpus/cpu@%d", i);
		assert_str(fdt, path, "device_type", "cpu");
		assert_str(fdt, path, "compatible", "arm,arm-v8");
		assert_int_equal(get_u32(fdt, path, "reg"), (uint32_t)i);
		assert_str(fdt, path, "enable-method", "psci");
	}
	assert_no_node(fdt, "/cpus/cpu@2");

	/* psci */
	assert_compat(fdt, "/psci", "arm,psci-1.0");
	assert_compat(fdt, "/psci", "arm,psci-0.2");
	{
		const char *c = prop(fdt, "/psci", "compatible", &len);

		assert_int_equal(len, (int)sizeof("arm,psci-1.0\0arm,psci-0.2"));
		assert_memory_equal(c, "arm,psci-1.0\0arm,psci-0.2", (size_t)len);
	}
	assert_str(fdt, "/psci", "method", "hvc");

	/* timer */
	assert_str(fdt, "/timer", "compatible", "arm,armv8-timer");
	assert_cells(fdt, "/timer", "interrupts", timer, 12);
	prop(fdt, "/timer", "always-on", &len);
	assert_int_equal(len, 0);

	/* GICv3 */
	assert_str(fdt, "/intc@8000000", "compatible", "arm,gic-v3");
	prop(fdt, "/intc@8000000", "interrupt-controller", &len);
	assert_int_equal(len, 0);
	assert_int_equal(get_u32(fdt, "/intc@8000000", "#interrupt-cells"), 3);
	assert_int_equal(get_u32(fdt, "/intc@8000000", "#address-cells"), 2);
	assert_u64s(fdt, "/intc@8000000", "reg", gic, 4);
	assert_int_equal(fdt_get_phandle(fdt, node(fdt, "/intc@8000000")),
			 KS_ARM64_DT_INTC_PHANDLE);
	assert_int_equal(fdt_node_offset_by_phandle(fdt, KS_ARM64_DT_INTC_PHANDLE),
			 node(fdt, "/intc@8000000"));

	/* chosen */
	assert_str(fdt, "/chosen", "bootargs", "kvmscope bench=hypercall");

	/* nothing Gunyah */
	assert_no_node(fdt, "/gunyah-vm-config");
	free(fdt);
}

/*
 * The KVM-on-Gunyah port's DT follows the rules the open-source resource
 * manager (RM) enforced in tests/qemu-gunyah (README.md, "What the RM
 * accepts and rejects in the guest DT"); each assertion names the RM's
 * message for breaking it.
 */
static void test_gunyah(void **state)
{
	void *fdt = build_ok(&gunyah_params);
	const uint64_t base[1] = { 0x80000000ull };
	const uint64_t gic[4] = { 0x08000000ull, 0x10000ull, 0x080a0000ull, 0x20000ull };
	static const uint32_t irq0[3] = { 0, 1, 1 };   /* GIC_SPI 1 edge-rising */
	static const uint32_t irq1[3] = { 0, 17, 1 };
	int len, n, gicoff;

	(void)state;
	dump("gunyah.dtb", fdt);

	/* no memory node at all: "Fatal error in DTB parsing at node
	 * /memory@0x80000000" (the RM writes /memory itself) */
	assert_false(has_exact_child(fdt, "/", "memory"));
	assert_no_node(fdt, "/memory@80000000");
	for (int off = fdt_next_node(fdt, -1, NULL); off >= 0; off = fdt_next_node(fdt, off, NULL)) {
		const char *t = fdt_getprop(fdt, off, "device_type", NULL);
		assert_false(t && !strcmp(t, "memory"));
	}

	/* /chosen: without it VM_START failed ("memparcel: Failed to alloc
	 * contig range 11", "vm_creation_process_resource: ret 36") */
	node(fdt, "/chosen");

	/* a GICv3 with reg in the RM's device range (used as given), the one
	 * gunyah-vm-config/interrupts names: without it VM_INIT failed
	 * ("Interrupt controller phandle is invalid", "couldn't find GIC node") */
	gicoff = node(fdt, "/intc@8000000");
	assert_str(fdt, "/intc@8000000", "compatible", "arm,gic-v3");
	assert_u64s(fdt, "/intc@8000000", "reg", gic, 4);
	assert_int_equal(get_u32(fdt, "/", "interrupt-parent"), fdt_get_phandle(fdt, gicoff));
	assert_str(fdt, "/gunyah-vm-config/interrupts", "config", "/intc@8000000");
	assert_int_equal(fdt_path_offset(fdt, "/intc@8000000"), gicoff);

	/* 1 vCPU, proxy-scheduled, its config the /cpus node: without
	 * gunyah-vm-config VM_INIT failed ("handle_vcpu: invalid timeslice") */
	node(fdt, "/cpus/cpu@0");
	assert_no_node(fdt, "/cpus/cpu@1");
	assert_str(fdt, "/gunyah-vm-config/vcpus", "config", "/cpus");
	assert_str(fdt, "/gunyah-vm-config/vcpus", "affinity", "proxy");
	assert_str(fdt, "/psci", "method", "hvc");
	assert_no_prop(fdt, "/chosen", "bootargs");

	/* the memory base: RAM above 1 GiB (at 1 GiB: "memparcel: Failed to
	 * alloc contig range 11") */
	assert_str(fdt, "/gunyah-vm-config", "image-name", "kvmscope");
	assert_str(fdt, "/gunyah-vm-config", "os-type", "linux");
	assert_int_equal(get_u32(fdt, "/gunyah-vm-config/memory", "#address-cells"), 2);
	assert_int_equal(get_u32(fdt, "/gunyah-vm-config/memory", "#size-cells"), 2);
	assert_u64s(fdt, "/gunyah-vm-config/memory", "base-address", base, 1);
	assert_no_prop(fdt, "/gunyah-vm-config/memory", "size-max");
	assert_str(fdt, "/gunyah-vm-config/vdevices", "generate", "/hypervisor");

	/* the two doorbells: irqfd gsi == label */
	assert_str(fdt, "/gunyah-vm-config/vdevices/bell-0", "vdevice-type", "doorbell");
	assert_str(fdt, "/gunyah-vm-config/vdevices/bell-0", "generate", "/hypervisor/bell-0");
	assert_int_equal(get_u32(fdt, "/gunyah-vm-config/vdevices/bell-0", "label"), 0);
	assert_int_equal(get_u32(fdt, "/gunyah-vm-config/vdevices/bell-0", "qcom,label"), 0);
	prop(fdt, "/gunyah-vm-config/vdevices/bell-0", "peer-default", &len);
	assert_int_equal(len, 0);
	prop(fdt, "/gunyah-vm-config/vdevices/bell-0", "source-can-clear", &len);
	assert_int_equal(len, 0);
	assert_cells(fdt, "/gunyah-vm-config/vdevices/bell-0", "interrupts", irq0, 3);

	assert_str(fdt, "/gunyah-vm-config/vdevices/bell-11", "generate", "/hypervisor/bell-11");
	assert_int_equal(get_u32(fdt, "/gunyah-vm-config/vdevices/bell-11", "label"), 0x11);
	assert_int_equal(get_u32(fdt, "/gunyah-vm-config/vdevices/bell-11", "qcom,label"), 0x11);
	assert_cells(fdt, "/gunyah-vm-config/vdevices/bell-11", "interrupts", irq1, 3);

	/* exactly two doorbell vdevices, found the way the RM finds them */
	n = 0;
	for (int off = fdt_next_node(fdt, -1, NULL); off >= 0; off = fdt_next_node(fdt, off, NULL)) {
		const char *t = fdt_getprop(fdt, off, "vdevice-type", NULL);

		n += t && strcmp(t, "doorbell") == 0;
	}
	assert_int_equal(n, 2);
	free(fdt);
}

/* /dev/gunyah: the same tree plus the shm vdevices that place the labelled
 * parcels (the shared mailbox, the optional lent region). */
static void test_gunyah_shm(void **state)
{
	struct ks_arm64_dt_params p = gunyah_params;
	const uint64_t b0[1] = { 0x88000000ull }, b1[1] = { 0xa0000000ull };
	void *fdt;
	int len;

	(void)state;
	p.shms = two_shms;
	p.nshms = 2;
	fdt = build_ok(&p);
	dump("gunyah-front.dtb", fdt);
	assert_str(fdt, "/gunyah-vm-config/vdevices/shm-88000", "vdevice-type", "shm");
	assert_str(fdt, "/gunyah-vm-config/vdevices/shm-88000", "generate", "/hypervisor/shm-88000");
	prop(fdt, "/gunyah-vm-config/vdevices/shm-88000", "peer-default", &len);
	assert_int_equal(len, 0);
	assert_int_equal(get_u32(fdt, "/gunyah-vm-config/vdevices/shm-88000/memory", "qcom,label"),
			 0x88000);
	assert_int_equal(get_u32(fdt, "/gunyah-vm-config/vdevices/shm-88000/memory", "label"),
			 0x88000);
	assert_u64s(fdt, "/gunyah-vm-config/vdevices/shm-88000/memory", "base", b0, 1);
	assert_no_prop(fdt, "/gunyah-vm-config/vdevices/shm-88000/memory", "optional");
	assert_u64s(fdt, "/gunyah-vm-config/vdevices/shm-a0000/memory", "base", b1, 1);
	prop(fdt, "/gunyah-vm-config/vdevices/shm-a0000/memory", "optional", &len);
	assert_int_equal(len, 0);
	/* still no memory node, still the GIC */
	assert_false(has_exact_child(fdt, "/", "memory"));
	node(fdt, "/intc@8000000");
	free(fdt);

	/* shms alone make it a Gunyah tree */
	p.bells = NULL;
	p.nbells = 0;
	fdt = build_ok(&p);
	node(fdt, "/gunyah-vm-config/vdevices/shm-88000");
	free(fdt);
}

static void test_gunyah_flag_without_bells(void **state)
{
	struct ks_arm64_dt_params p = gunyah_params;
	void *fdt;
	int vd;

	(void)state;
	p.bells = NULL;
	p.nbells = 0;
	p.gunyah = true;
	p.bootargs = "";
	fdt = build_ok(&p);
	assert_false(has_exact_child(fdt, "/", "memory"));
	node(fdt, "/gunyah-vm-config/vcpus");
	vd = node(fdt, "/gunyah-vm-config/vdevices");
	assert_true(fdt_first_subnode(fdt, vd) < 0);
	assert_str(fdt, "/chosen", "bootargs", "");
	free(fdt);

	/* without the flag and without bells it is a plain tree */
	p.gunyah = false;
	p.bootargs = NULL;
	fdt = build_ok(&p);
	node(fdt, "/memory@80000000");
	assert_false(has_exact_child(fdt, "/", "memory"));
	assert_no_node(fdt, "/gunyah-vm-config");
	free(fdt);
}

static void test_cpu_mpidr(void **state)
{
	struct ks_arm64_dt_params p = native_params;
	void *fdt;

	(void)state;
	p.ncpus = 18;
	p.gicr_size = 18 * 0x20000ull;
	fdt = build_ok(&p);
	/* vCPU 16 -> Aff1 = 1, Aff0 = 0; vCPU 17 -> 0x101 */
	assert_int_equal(get_u32(fdt, "/cpus/cpu@f", "reg"), 0xf);
	assert_int_equal(get_u32(fdt, "/cpus/cpu@100", "reg"), 0x100);
	assert_int_equal(get_u32(fdt, "/cpus/cpu@101", "reg"), 0x101);
	assert_no_node(fdt, "/cpus/cpu@10");
	free(fdt);

	/* no psci: no /psci and no enable-method */
	p = native_params;
	p.psci = false;
	fdt = build_ok(&p);
	assert_no_node(fdt, "/psci");
	assert_no_prop(fdt, "/cpus/cpu@1", "enable-method");
	free(fdt);
}

static void test_max_bells(void **state)
{
	struct ks_arm64_dt_bell bells[KS_ARM64_DT_MAX_BELLS];
	struct ks_arm64_dt_params p = gunyah_params;
	void *fdt;
	int n = 0;

	(void)state;
	for (int i = 0; i < KS_ARM64_DT_MAX_BELLS; i++) {
		bells[i].label = (uint32_t)(i * 3);
		bells[i].spi = (uint32_t)(KS_ARM64_DT_MAX_SPI - i);
	}
	p.bells = bells;
	p.nbells = KS_ARM64_DT_MAX_BELLS;
	fdt = build_ok(&p);
	for (int off = fdt_first_subnode(fdt, node(fdt, "/gunyah-vm-config/vdevices"));
	     off >= 0; off = fdt_next_subnode(fdt, off))
		n++;
	assert_int_equal(n, KS_ARM64_DT_MAX_BELLS);
	free(fdt);
}

/* --- errors ----------------------------------------------------------------- */

struct bad_case {
	const char *what;
	void (*mutate)(struct ks_arm64_dt_params *p);
	const char *want; /* must start the error message */
};

static struct ks_arm64_dt_bell dup_label[2] = { { 3, 1 }, { 3, 2 } };
static struct ks_arm64_dt_bell dup_spi[2] = { { 3, 5 }, { 4, 5 } };
static struct ks_arm64_dt_bell big_spi[1] = { { 1, KS_ARM64_DT_MAX_SPI + 1 } };
static char long_bootargs[KS_ARM64_DT_MAX_BOOTARGS + 10];

static void m_mem_size0(struct ks_arm64_dt_params *p) { p->mem_size = 0; }
static void m_mem_wrap(struct ks_arm64_dt_params *p) { p->mem_base = 0xfffffffffffff000ull; p->mem_size = 0x2000; }
static void m_mem_unaligned(struct ks_arm64_dt_params *p) { p->mem_base += 0x10; }
static void m_mem_size_odd(struct ks_arm64_dt_params *p) { p->mem_size += 1; }
static void m_ncpus0(struct ks_arm64_dt_params *p) { p->ncpus = 0; }
static void m_ncpus_neg(struct ks_arm64_dt_params *p) { p->ncpus = -4; }
static void m_ncpus_big(struct ks_arm64_dt_params *p) { p->ncpus = KS_ARM64_DT_MAX_CPUS + 1; }
static void m_gicd0(struct ks_arm64_dt_params *p) { p->gicd_size = 0; }
static void m_gicr0(struct ks_arm64_dt_params *p) { p->gicr_size = 0; }
static void m_gicr_small(struct ks_arm64_dt_params *p) { p->ncpus = 8; p->gicr_size = 7 * 0x20000; }
static void m_gicd_small(struct ks_arm64_dt_params *p) { p->gicd_size = 0x1000; }
static void m_gicd_unaligned(struct ks_arm64_dt_params *p) { p->gicd_base += 0x1000; }
static void m_gicd_in_mem(struct ks_arm64_dt_params *p) { p->gicd_base = p->mem_base + 0x10000; }
static void m_gicr_in_mem(struct ks_arm64_dt_params *p) { p->gicr_base = p->mem_base; }
static void m_gicr_on_gicd(struct ks_arm64_dt_params *p) { p->gicr_base = p->gicd_base; }
static void m_gicr_wrap(struct ks_arm64_dt_params *p) { p->gicr_base = 0xffffffffffff0000ull; }
static void m_nbells_big(struct ks_arm64_dt_params *p) { p->nbells = KS_ARM64_DT_MAX_BELLS + 1; }
static void m_nbells_neg(struct ks_arm64_dt_params *p) { p->nbells = -1; }
static void m_bells_null(struct ks_arm64_dt_params *p) { p->bells = NULL; p->nbells = 1; }
static void m_dup_label(struct ks_arm64_dt_params *p) { p->bells = dup_label; p->nbells = 2; }
static void m_dup_spi(struct ks_arm64_dt_params *p) { p->bells = dup_spi; p->nbells = 2; }
static void m_big_spi(struct ks_arm64_dt_params *p) { p->bells = big_spi; p->nbells = 1; }
static void m_gy_low(struct ks_arm64_dt_params *p) { p->gunyah = true; p->mem_base = 0x20000000ull; }
static void m_gy_at_1g(struct ks_arm64_dt_params *p) { p->gunyah = true; p->mem_base = 0x40000000ull; }
static void m_gy_nogic(struct ks_arm64_dt_params *p) { p->gunyah = true; p->mem_base = 0x80000000ull; p->gicv3 = false; }
static void m_gy_gic_high(struct ks_arm64_dt_params *p) { p->gunyah = true; p->mem_base = 0x80000000ull; p->gicd_base = 0x40000000ull; }
static void m_shm_low(struct ks_arm64_dt_params *p) { static const struct ks_arm64_dt_shm sh[] = { { 1, 0x10000000ull, false } }; p->mem_base = 0x80000000ull; p->shms = sh; p->nshms = 1; }
static void m_shm_dup(struct ks_arm64_dt_params *p) { static const struct ks_arm64_dt_shm sh[] = { { 1, 0x90000000ull, false }, { 1, 0x98000000ull, false } }; p->mem_base = 0x80000000ull; p->shms = sh; p->nshms = 2; }
static void m_shm_null(struct ks_arm64_dt_params *p) { p->shms = NULL; p->nshms = 1; }
static void m_gy_2m(struct ks_arm64_dt_params *p) { p->gunyah = true; p->mem_base = 0x80100000ull; }
static void m_gy_smp_nopsci(struct ks_arm64_dt_params *p) { p->gunyah = true; p->mem_base = 0x80000000ull; p->psci = false; }
static void m_bootargs(struct ks_arm64_dt_params *p) { p->bootargs = long_bootargs; }

static const struct bad_case bad_cases[] = {
	{ "zero memory", m_mem_size0, "mem_size: must be > 0" },
	{ "memory wraps", m_mem_wrap, "mem_size: " },
	{ "memory base unaligned", m_mem_unaligned, "mem_base: " },
	{ "memory size unaligned", m_mem_size_odd, "mem_size: " },
	{ "no cpus", m_ncpus0, "ncpus: 0" },
	{ "negative cpus", m_ncpus_neg, "ncpus: -4" },
	{ "too many cpus", m_ncpus_big, "ncpus: " },
	{ "zero GICD", m_gicd0, "gicd_size: must be > 0" },
	{ "zero GICR", m_gicr0, "gicr_size: must be > 0" },
	{ "GICR too small", m_gicr_small, "gicr_size: " },
	{ "GICD too small", m_gicd_small, "gicd_size: " },
	{ "GICD unaligned", m_gicd_unaligned, "gicd_base: " },
	{ "GICD in RAM", m_gicd_in_mem, "gicd_base: GICD overlaps guest memory" },
	{ "GICR in RAM", m_gicr_in_mem, "gicr_base: GICR overlaps guest memory" },
	{ "GICR on GICD", m_gicr_on_gicd, "gicr_base: GICR overlaps GICD" },
	{ "GICR wraps", m_gicr_wrap, "gicr_size: " },
	{ "too many bells", m_nbells_big, "nbells: 65" },
	{ "negative bells", m_nbells_neg, "nbells: -1" },
	{ "bells NULL", m_bells_null, "bells: NULL" },
	{ "duplicate label", m_dup_label, "bells[1].label: 3 already used by bells[0]" },
	{ "duplicate SPI", m_dup_spi, "bells[1].spi: 5 already used by bells[0]" },
	{ "SPI out of range", m_big_spi, "bells[0].spi: 988" },
	{ "Gunyah RAM below 1 GiB", m_gy_low, "mem_base: " },
	/* the RM's VM info area goes there: "memparcel: Failed to alloc contig range 11" */
	{ "Gunyah RAM at 1 GiB", m_gy_at_1g, "mem_base: 0x40000000, Gunyah needs guest RAM above" },
	/* "Interrupt controller phandle is invalid" */
	{ "Gunyah without a GIC", m_gy_nogic, "gicv3: Gunyah's RM needs the GIC node" },
	{ "Gunyah GIC above 1 GiB", m_gy_gic_high, "gicd_base: the GIC must lie in the RM's device range" },
	{ "shm in the device range", m_shm_low, "shms[0].base: 0x10000000 is in the RM's device range" },
	{ "shm label twice", m_shm_dup, "shms[1].label: 1 already used by shms[0]" },
	{ "shms NULL", m_shm_null, "shms: NULL" },
	{ "Gunyah RAM not 2 MiB aligned", m_gy_2m, "mem_base: " },
	{ "Gunyah SMP without PSCI", m_gy_smp_nopsci, "ncpus: 2 under Gunyah" },
	{ "bootargs too long", m_bootargs, "bootargs: " },
};

static void test_bad_params(void **state)
{
	char *buf = malloc(DTB_LEN);

	(void)state;
	assert_non_null(buf);
	memset(long_bootargs, 'x', sizeof(long_bootargs) - 1);
	long_bootargs[sizeof(long_bootargs) - 1] = '\0';
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct ks_arm64_dt_params p = native_params;
		char err[256] = "";

		bad_cases[i].mutate(&p);
		if (ks_arm64_build_dtb(buf, DTB_LEN, &p, err, sizeof(err)) != -1) {
			print_error("case '%s' was accepted\n", bad_cases[i].what);
			fail();
		}
		if (strncmp(err, bad_cases[i].want, strlen(bad_cases[i].want)) != 0) {
			print_error("case '%s': error '%s', expected it to start with '%s'\n",
				    bad_cases[i].what, err, bad_cases[i].want);
			fail();
		}
	}
	free(buf);
}

static void test_bad_call(void **state)
{
	char buf[4096], err[128];

	(void)state;
	assert_int_equal(ks_arm64_build_dtb(buf, sizeof(buf), NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "params: NULL");
	assert_int_equal(ks_arm64_build_dtb(NULL, sizeof(buf), &native_params, err, sizeof(err)), -1);
	assert_string_equal(err, "buf: NULL");
	/* err may be NULL, or too short: no crash, NUL-terminated */
	assert_int_equal(ks_arm64_build_dtb(buf, sizeof(buf), NULL, NULL, 0), -1);
	assert_int_equal(ks_arm64_build_dtb(buf, sizeof(buf), NULL, err, 3), -1);
	assert_string_equal(err, "pa");
}

static void test_no_space(void **state)
{
	char *buf = malloc(DTB_LEN);
	char err[256];
	int full;

	(void)state;
	assert_non_null(buf);
	/* far too small for even the header */
	assert_int_equal(ks_arm64_build_dtb(buf, 16, &native_params, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "FDT_ERR_NOSPACE"));

	/* every size below the real one fails cleanly, naming libfdt */
	full = ks_arm64_build_dtb(buf, DTB_LEN, &gunyah_params, err, sizeof(err));
	assert_true(full > 0);
	for (int len = full - 1; len > 0; len -= 7) {
		err[0] = '\0';
		assert_int_equal(ks_arm64_build_dtb(buf, (size_t)len, &gunyah_params, err, sizeof(err)), -1);
		if (!strstr(err, "libfdt: ") || !strstr(err, "FDT_ERR_NOSPACE")) {
			print_error("len %d: '%s'\n", len, err);
			fail();
		}
	}
	/* exactly enough is enough */
	assert_int_equal(ks_arm64_build_dtb(buf, (size_t)full, &gunyah_params, err, sizeof(err)), full);
	assert_int_equal(fdt_check_header(buf), 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_native),
		cmocka_unit_test(test_gunyah),
		cmocka_unit_test(test_gunyah_shm),
		cmocka_unit_test(test_gunyah_flag_without_bells),
		cmocka_unit_test(test_cpu_mpidr),
		cmocka_unit_test(test_max_bells),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_bad_call),
		cmocka_unit_test(test_no_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
