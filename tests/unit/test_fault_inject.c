/* SPDX-License-Identifier: MIT */
/*
 * The KVMSCOPE_FAULT test hook: inert without the variable is not testable in
 * the same process (it is read once), so this process arms it first thing:
 * rate faults strike every N-th pass, one-off faults the K-th pass only,
 * malformed specs are ignored, and signal points raise their signal once.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fault_inject.h"

static volatile sig_atomic_t got;
static void on_term(int sig)
{
	got = sig;
}

static void test_faults(void **state)
{
	int hits = 0;

	assert_string_equal(ks_fault_spec(),
			    "kvm_run_eintr:3,memslot_huge:2,bogus:1,sigterm@mid_bench:2,"
			    "sigint@nowhere");
	for (int i = 1; i <= 9; i++)
		hits += ks_fault_take("kvm_run_eintr") ? i : 0;
	assert_int_equal(hits, 3 + 6 + 9);   /* every third pass */
	assert_false(ks_fault_take("kvm_run_eagain"));   /* not armed */
	assert_false(ks_fault_take("memslot_huge"));     /* the 2nd only */
	assert_true(ks_fault_take("memslot_huge"));
	assert_false(ks_fault_take("memslot_huge"));
	assert_false(ks_fault_take("bogus"));            /* ignored */

	signal(SIGTERM, on_term);
	ks_fault_point("mid_bench");
	assert_int_equal(got, 0);
	ks_fault_point("vm_setup");
	ks_fault_point("mid_bench");   /* the 2nd pass: SIGTERM to ourselves */
	assert_int_equal(got, SIGTERM);
	got = 0;
	ks_fault_point("mid_bench");
	assert_int_equal(got, 0);
}

int main(void)
{
	setenv("KVMSCOPE_FAULT",
	       "kvm_run_eintr:3,memslot_huge:2,bogus:1,sigterm@mid_bench:2,sigint@nowhere", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
