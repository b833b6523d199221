/* SPDX-License-Identifier: MIT */
/*
 * The gunyah front's exit translation (bench/vmm/front_gunyah.c), on any
 * host: Gunyah's run page (gunyah/gunyah_uapi.h, the v17 layout) into the
 * kvm_run view the run loop and the arch's doorbell/null-device checks
 * read, and the loop's answer back into the run page before the next
 * GUNYAH_VCPU_RUN. The device itself only exists under Gunyah:
 * tests/qemu-gunyah runs the rest for real.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "front.h"
#include "gunyah/gunyah_uapi.h"

static void test_mmio_write(void **state)
{
	struct ks_gh_vcpu_run g;
	struct kvm_run r;
	char note[160] = "stale";
	const uint32_t v = 0xdeadbeef;

	(void)state;
	memset(&g, 0, sizeof(g));
	memset(&r, 0xa5, sizeof(r));
	g.exit_reason = KS_GH_VCPU_EXIT_MMIO;
	g.mmio.phys_addr = 0x10002000;
	g.mmio.len = 4;
	g.mmio.is_write = 1;
	memcpy(g.mmio.data, &v, 4);
	assert_true(ks_gh_exit(&g, &r, note, sizeof(note)));   /* resume it next run */
	assert_string_equal(note, "");
	assert_int_equal(r.exit_reason, KVM_EXIT_MMIO);
	assert_int_equal(r.mmio.phys_addr, 0x10002000);
	assert_int_equal(r.mmio.len, 4);
	assert_int_equal(r.mmio.is_write, 1);
	assert_memory_equal(r.mmio.data, &v, 4);
	/* the write is answered with HANDLED and its data left alone */
	g.mmio.resume_action = 0xff;
	ks_gh_resume(&g, &r);
	assert_int_equal(g.mmio.resume_action, KS_GH_VCPU_RESUME_HANDLED);
	assert_memory_equal(g.mmio.data, &v, 4);
}

static void test_mmio_read(void **state)
{
	struct ks_gh_vcpu_run g;
	struct kvm_run r;
	char note[160];
	const uint64_t answer = 0x0123456789abcdefULL;

	(void)state;
	memset(&g, 0, sizeof(g));
	memset(&r, 0xa5, sizeof(r));
	g.exit_reason = KS_GH_VCPU_EXIT_MMIO;
	g.mmio.phys_addr = 0x10000000;
	g.mmio.len = 8;
	g.mmio.is_write = 0;
	memset(g.mmio.data, 0x77, 8);   /* whatever the kernel left there */
	assert_true(ks_gh_exit(&g, &r, note, sizeof(note)));
	assert_int_equal(r.mmio.is_write, 0);
	for (int i = 0; i < 8; i++)     /* a read's view starts at zero */
		assert_int_equal(r.mmio.data[i], 0);
	memcpy(r.mmio.data, &answer, 8);  /* what the null device answers */
	ks_gh_resume(&g, &r);
	assert_int_equal(g.mmio.resume_action, KS_GH_VCPU_RESUME_HANDLED);
	assert_memory_equal(g.mmio.data, &answer, 8);

	/* a length the kernel should never give is clamped, not trusted */
	g.mmio.len = 4096;
	assert_true(ks_gh_exit(&g, &r, note, sizeof(note)));
	assert_int_equal(r.mmio.len, 8);
}

static void test_status_and_others(void **state)
{
	struct ks_gh_vcpu_run g;
	struct kvm_run r;
	char note[160];

	(void)state;
	memset(&g, 0, sizeof(g));
	g.exit_reason = KS_GH_VCPU_EXIT_STATUS;
	g.status.status = KS_GH_VM_STATUS_EXITED;
	g.status.exit_info.type = 1;   /* the RM's PLATFORM_OFF */
	assert_false(ks_gh_exit(&g, &r, note, sizeof(note)));
	assert_int_equal(r.exit_reason, KVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(r.system_event.type, KVM_SYSTEM_EVENT_SHUTDOWN);
	assert_non_null(strstr(note, "Gunyah VM status EXITED (2), the RM's exit type 1"));

	g.status.status = KS_GH_VM_STATUS_CRASHED;
	assert_false(ks_gh_exit(&g, &r, note, sizeof(note)));
	assert_int_equal(r.system_event.type, KVM_SYSTEM_EVENT_CRASH);
	assert_non_null(strstr(note, "CRASHED"));
	g.status.status = 99;   /* unknown: said, not indexed */
	assert_false(ks_gh_exit(&g, &r, note, sizeof(note)));
	assert_non_null(strstr(note, "status ? (99)"));

	memset(&g, 0, sizeof(g));
	g.exit_reason = KS_GH_VCPU_EXIT_PAGE_FAULT;
	g.page_fault.phys_addr = 0xa0001000;
	g.page_fault.attempt = -2;
	assert_false(ks_gh_exit(&g, &r, note, sizeof(note)));
	assert_int_equal(r.exit_reason, KVM_EXIT_UNKNOWN);
	assert_non_null(strstr(note, "page fault at 0xa0001000 (attempt -2)"));

	g.exit_reason = 42;
	assert_false(ks_gh_exit(&g, &r, note, sizeof(note)));
	assert_int_equal(r.exit_reason, KVM_EXIT_UNKNOWN);
	assert_non_null(strstr(note, "exit_reason 42"));
}

/* Which front a device path gets. */
static void test_front_for(void **state)
{
	const char *p;

	(void)state;
	assert_ptr_equal(ks_front_for("/dev/gunyah", &p), &ks_front_gunyah);
	assert_string_equal(p, "/dev/gunyah");
	assert_ptr_equal(ks_front_for("gunyah", &p), &ks_front_gunyah);
	assert_string_equal(p, "/dev/gunyah");
	assert_ptr_equal(ks_front_for("kvm", &p), &ks_front_kvm);
	assert_string_equal(p, "/dev/kvm");
	assert_ptr_equal(ks_front_for("/dev/kvm", &p), &ks_front_kvm);
	assert_ptr_equal(ks_front_for("/tmp/x/my-gunyah-node", &p), &ks_front_gunyah);
	assert_ptr_equal(ks_front_for("/tmp/gunyah/kvm", &p), &ks_front_kvm);  /* the name counts */
	/* automatic: /dev/kvm where it exists (it does, or neither does, on the
	 * hosts that run this), else /dev/gunyah */
	ks_front_for(NULL, &p);
	assert_true(!strcmp(p, "/dev/kvm") || !strcmp(p, "/dev/gunyah"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmio_write),
		cmocka_unit_test(test_mmio_read),
		cmocka_unit_test(test_status_and_others),
		cmocka_unit_test(test_front_for),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
