/* SPDX-License-Identifier: MIT */
/*
 * The benchmark table built from the benchmarks' own registrations
 * (KS_BENCH_REGISTER): every one is there once, complete, in suite order;
 * one whose guest routine this arch's image lacks is unavailable, and the
 * reason names the routine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bench.h"

static void test_complete_and_ordered(void **state)
{
	size_t n;
	const struct ks_bench *const *all = ks_bench_all(&n);

	assert_true(n >= 23);   /* what the suite had when the table became self-registered */
	for (size_t i = 0; i < n; i++) {
		const struct ks_bench *b = all[i];
		assert_non_null(b->name);
		assert_true(b->name[0] && strlen(b->name) < KS_NAME_LEN);
		assert_non_null(b->family);
		assert_non_null(b->what);
		assert_non_null(b->available);
		assert_non_null(b->run);
		assert_ptr_equal(ks_bench_find(b->name), b);
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(all[j]->name, b->name))
				fail_msg("benchmark %s is registered twice", b->name);
			assert_true(all[j]->order <= b->order);
		}
	}
	assert_string_equal(all[0]->name, "empty");   /* the harness first: read all against it */
	assert_null(ks_bench_find("no_such_benchmark"));
}

/* A host with everything, so that only the routine can be missing. */
static void rich_host(struct ks_host *h)
{
	memset(h, 0, sizeof(*h));
	h->kvm_ok = true;
	h->kvm.fd = -1;
	h->facts.cpu.online = 8;
	for (size_t i = 0; i < sizeof(h->caps) / sizeof(h->caps[0]); i++)
		h->caps[i] = 1;
	h->vm_caps_guest_memfd_flags = -1;
}

static void test_routine_decides(void **state)
{
	size_t n;
	const struct ks_bench *const *all = ks_bench_all(&n);
	struct ks_host h;
	char why[512], want[256];

	rich_host(&h);
	for (size_t i = 0; i < n; i++) {
		const struct ks_bench *b = all[i];
		if (!b->routine || ks_guest_has_routine(b->routine, why, sizeof(why)))
			continue;
		assert_false(ks_bench_available(b, &h, why, sizeof(why)));
		snprintf(want, sizeof(want), "no %s guest routine '%s'", ks_arch.name, b->routine);
		assert_string_equal(why, want);
	}
	/* the probe_overhead workload runs where pio_out_user does */
	const struct ks_bench *po = ks_bench_find("probe_overhead");
	const struct ks_bench *pio = ks_bench_find("pio_out_user");
	assert_non_null(po);
	assert_non_null(pio);
	if (!ks_bench_available(pio, &h, why, sizeof(why)))
		assert_false(ks_bench_available(po, &h, why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_and_ordered),
		cmocka_unit_test(test_routine_decides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
