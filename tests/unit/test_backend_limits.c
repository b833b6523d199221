/* SPDX-License-Identifier: MIT */
/*
 * Backend limits, unit-tested on any host: the arm64 decision table
 * (native KVM; the KVM-on-Gunyah port: API 13 → KVM_SET_DTB_ADDRESS with
 * the whole DTB window, no in-kernel irqchip, doorbells instead of GSI
 * routing, one vCPU, no ioeventfd, PC-only boot; Gunyah through
 * /dev/gunyah: no registers, entry at the memory base, memory only before
 * the start) and how the benchmark table turns a backend's limits into
 * precise "not supported" reasons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bench.h"
#include "plan_arm64.h"

static void test_plan_native(void **state)
{
	struct ks_arm64_plan p;

	ks_arm64_plan_for(false, 12, false, 0x10000, &p);
	assert_false(p.gunyah);
	assert_false(p.set_dtb);
	assert_true(p.in_kernel_irqchip);
	assert_false(p.gic_in_hypervisor);
	assert_true(p.describe_gic);
	assert_true(p.route_gsi);
	assert_int_equal(p.nbells, 0);
	assert_false(p.shared_vdevice);
	assert_int_equal(p.max_vcpus, 0);
	assert_true(p.ioeventfd);
	assert_true(p.vcpu_regs);
	assert_true(p.set_boot_regs);
	assert_false(p.entry_at_base);
	assert_false(p.memory_at_start);
}

static void test_plan_gunyah_api13(void **state)
{
	struct ks_arm64_plan p;

	ks_arm64_plan_for(false, 13, false, 0x10000, &p);  /* API 13 alone decides */
	assert_true(p.gunyah);
	assert_false(p.front_gunyah);
	assert_true(p.set_dtb);
	assert_int_equal(p.dtb_declared, 0x10000);  /* the window, not the tree */
	assert_false(p.in_kernel_irqchip);
	/* the RM's rule: a GIC node with reg, named by the interrupts config */
	assert_true(p.describe_gic);
	assert_true(p.gic_in_hypervisor);
	assert_false(p.route_gsi);
	assert_int_equal(p.nbells, 1);
	assert_int_equal(p.max_vcpus, 1);
	assert_false(p.ioeventfd);
	assert_true(p.vcpu_regs);        /* the PC through ONE_REG */
	assert_false(p.set_boot_regs);
	assert_false(p.entry_at_base);
	assert_false(p.memory_at_start); /* the port lends per fault */
	assert_non_null(strstr(p.why, "Gunyah"));
}

static void test_plan_gunyah_detected_api12(void **state)
{
	struct ks_arm64_plan p;

	/* detection says Gunyah but the API is 12: no DTB ioctl to call */
	ks_arm64_plan_for(false, 12, true, 0x10000, &p);
	assert_true(p.gunyah);
	assert_false(p.set_dtb);
	assert_int_equal(p.max_vcpus, 1);
}

/* Gunyah through its own /dev/gunyah and the open-source RM. */
static void test_plan_gunyah_front(void **state)
{
	struct ks_arm64_plan p;
	struct ks_backend_limits l;

	ks_arm64_plan_for(true, -1, true, 0x10000, &p);
	assert_true(p.gunyah);
	assert_true(p.front_gunyah);
	assert_true(p.set_dtb);          /* GUNYAH_VM_SET_DTB_CONFIG */
	assert_false(p.in_kernel_irqchip);
	assert_true(p.describe_gic);
	assert_true(p.gic_in_hypervisor);
	assert_int_equal(p.nbells, 1);
	assert_true(p.shared_vdevice);   /* the mailbox's labelled parcel */
	assert_true(p.ioeventfd);        /* the driver completes the write itself */
	assert_false(p.vcpu_regs);       /* no register interface */
	assert_true(p.entry_at_base);    /* the RM enters at the image's first byte */
	assert_true(p.memory_at_start);  /* no demand paging */
	ks_arm64_plan_limits(&p, &l);
	assert_true(l.no_irqchip);
	assert_true(l.gic_in_hypervisor);
	assert_false(l.no_ioeventfd);
	assert_true(l.irqfd_is_doorbell);
	assert_true(l.memory_at_start);
	assert_true(l.no_spurious_eoi);
	assert_int_equal(l.max_vcpus, 1);
	assert_non_null(strstr(l.why, "/dev/gunyah"));
}

/* A host as the probe would fill it, without a device behind it. */
static void fake_host(struct ks_host *h, bool gunyah, bool front_gunyah, long ncpus)
{
	memset(h, 0, sizeof(*h));
	h->kvm_ok = true;
	h->kvm.fd = -1;
	h->facts.cpu.online = ncpus;
	for (size_t i = 0; i < sizeof(h->caps) / sizeof(h->caps[0]); i++)
		h->caps[i] = 1;
	h->vm_caps_guest_memfd_flags = 0;
	if (gunyah) {
		struct ks_arm64_plan p;
		ks_arm64_plan_for(front_gunyah, front_gunyah ? -1 : 13, true, 0x10000, &p);
		h->facts.backend.guest_backend = KS_GB_ARM64_GUNYAH;
		ks_arm64_plan_limits(&p, &h->facts.backend.limits);
	} else {
		h->facts.backend.guest_backend = KS_GB_X86_SVM;
	}
}

static bool avail(const char *name, const struct ks_host *h, char *why, size_t len)
{
	const struct ks_bench *b = ks_bench_find(name);
	assert_non_null(b);
	why[0] = 0;
	return b->available(b, h, why, len);
}

static void test_gunyah_limits_in_the_table(void **state)
{
	struct ks_host h;
	char why[512];

	fake_host(&h, true, false, 8);   /* the KVM-on-Gunyah port */
	assert_false(avail("ipi", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "not supported on this backend: needs 2 vCPUs, it runs 1"));
	assert_false(avail("mmio_write_kernel", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "ioeventfd is advertised but not wired up"));
	/* the token leaves each VM through an ioeventfd */
	assert_false(avail("vm_switch", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "ioeventfd is advertised but not wired up"));
	assert_false(avail("mmio_read_lapic", &h, why, sizeof(why)));
	/* Gunyah's own GIC, at the DT's addresses */
	assert_true(avail("mmio_read_vgic", &h, why, sizeof(why)));
	assert_false(avail("eoi_spurious", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "vgic_icc_irq_deactivate"));
	/* irqfd rings a Gunyah doorbell: no irqchip needed */
	assert_true(avail("irqfd", &h, why, sizeof(why)));
	assert_true(avail("irqfd_halted", &h, why, sizeof(why)));
	assert_true(avail("hyp_call", &h, why, sizeof(why)));
	assert_true(avail("mem_lend", &h, why, sizeof(why)));   /* lent per fault */
	assert_true(avail("mem_lend_upfront", &h, why, sizeof(why)));
	assert_true(avail("mmio_write_user", &h, why, sizeof(why)));
	assert_false(avail("mem_lend_gmem", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "KVM_CAP_GUEST_MEMFD_FLAGS"));
}

/* /dev/gunyah: what its front and the open-source RM allow. */
static void test_gunyah_front_limits_in_the_table(void **state)
{
	struct ks_host h;
	char why[512];

	fake_host(&h, true, true, 2);
	assert_true(avail("mmio_write_kernel", &h, why, sizeof(why)));   /* the driver's ioeventfd */
	assert_true(avail("mmio_read_vgic", &h, why, sizeof(why)));
	assert_true(avail("irqfd", &h, why, sizeof(why)));
	assert_false(avail("irqfd_halted", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "may miss the irqfd's wake-up"));
	assert_true(avail("hyp_call", &h, why, sizeof(why)));
	assert_true(avail("mem_lend_upfront", &h, why, sizeof(why)));
	assert_false(avail("mem_lend", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "memory can be given to the VM only before it starts"));
	assert_false(avail("mem_lend_gmem", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "only before it starts"));
	assert_false(avail("ipi", &h, why, sizeof(why)));
}

static void test_native_and_cpu_count(void **state)
{
	struct ks_host h;
	char why[512];

	fake_host(&h, false, false, 2);
	assert_true(avail("irqfd", &h, why, sizeof(why)));
	assert_true(avail("mmio_write_kernel", &h, why, sizeof(why)));
	assert_true(avail("ipi", &h, why, sizeof(why)));
	assert_true(avail("vm_switch", &h, why, sizeof(why)));
	fake_host(&h, false, false, 1);
	assert_false(avail("irqfd", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "needs 2 host CPUs"));
	/* both vCPUs share one CPU, but the calibration pings from another */
	assert_false(avail("vm_switch", &h, why, sizeof(why)));
	assert_non_null(strstr(why, "needs 2 host CPUs"));
	h.kvm_ok = false;
	snprintf(h.kvm_err, sizeof(h.kvm_err), "cannot open /dev/kvm: No such file or directory");
	assert_false(avail("empty", &h, why, sizeof(why)));
	assert_string_equal(why, "cannot open /dev/kvm: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_native),
		cmocka_unit_test(test_plan_gunyah_api13),
		cmocka_unit_test(test_plan_gunyah_detected_api12),
		cmocka_unit_test(test_plan_gunyah_front),
		cmocka_unit_test(test_gunyah_limits_in_the_table),
		cmocka_unit_test(test_gunyah_front_limits_in_the_table),
		cmocka_unit_test(test_native_and_cpu_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
