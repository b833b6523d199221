/* SPDX-License-Identifier: MIT */
/*
 * LAVA test cases from in-memory results: names reduced to LAVA's
 * characters, pass/fail/skip/unknown from the status, the median as the
 * measurement, in each output form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench.h"
#include "lava_emit.h"

static struct ks_results rs;

static int setup(void **state)
{
	static const double ns[] = { 30.0, 31.25, 32.5 };
	memset(&rs, 0, sizeof(rs));
	struct ks_result *r = ks_result_add(&rs, "hyp_call", "hypercall", "ns");
	double *s = malloc(sizeof(ns));
	memcpy(s, ns, sizeof(ns));
	ks_result_set_samples(r, s, 3);
	r = ks_result_add(&rs, "mem_lend_16M", "memory", "ns/page");
	s = malloc(sizeof(double));
	s[0] = 1234.5678;
	ks_result_set_samples(r, s, 1);
	r = ks_result_add(&rs, "ipi", "irq", "-");
	ks_result_fail(r, "unsupported", "not here");
	r = ks_result_add(&rs, "selftest_fault", "selftest", "ns");
	ks_result_fail(r, "failed", "vector 6");
	r = ks_result_add(&rs, "irqfd", "irq", "ns");
	ks_result_fail(r, "interrupted", "Ctrl-C");
	r = ks_result_add(&rs, "we ird/name=x>", "harness", "n s");   /* hostile name and unit */
	s = malloc(sizeof(double));
	s[0] = 5;
	ks_result_set_samples(r, s, 1);
	return 0;
}

static int teardown(void **state)
{
	ks_results_free(&rs);
	return 0;
}

static char *emit(enum ks_emit how, const char *suite)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(ks_lava_emit(f, &rs, how, suite), 0);
	fclose(f);
	return buf;
}

static void test_case_ids(void **state)
{
	char id[128];

	ks_lava_case_id(id, sizeof(id), "kvmscope", "hyp_call");
	assert_string_equal(id, "kvmscope-hyp_call");
	ks_lava_case_id(id, sizeof(id), "rb3 gunyah/run#1", "mem_lend_16M");
	assert_string_equal(id, "rb3_gunyah_run_1-mem_lend_16M");
	ks_lava_case_id(id, sizeof(id), "s", "caf\xc3\xa9.x-y");
	assert_string_equal(id, "s-caf__.x-y");   /* non-ASCII bytes too */
}

static void test_signal_lines(void **state)
{
	assert_string_equal(emit(KS_EMIT_SIGNAL, "kvmscope"),
		"<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-hyp_call RESULT=pass MEASUREMENT=31.250 UNITS=ns>\n"
		"<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-mem_lend_16M RESULT=pass MEASUREMENT=1234.568 UNITS=ns/page>\n"
		"<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-ipi RESULT=skip>\n"
		"<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-selftest_fault RESULT=fail>\n"
		"<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-irqfd RESULT=unknown>\n"
		"<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-we_ird_name_x_ RESULT=pass MEASUREMENT=5.000 UNITS=n_s>\n");
}

static void test_plain_lines(void **state)
{
	assert_string_equal(emit(KS_EMIT_PLAIN, "t"),
		"t-hyp_call pass 31.250 ns\n"
		"t-mem_lend_16M pass 1234.568 ns/page\n"
		"t-ipi skip - -\n"
		"t-selftest_fault fail - -\n"
		"t-irqfd unknown - -\n"
		"t-we_ird_name_x_ pass 5.000 n_s\n");
}

static void test_lava_without_the_helper_prints_signals(void **state)
{
	char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", "/nonexistent", 1);
	char path[256];
	assert_false(ks_lava_tool(path, sizeof(path)));
	char *lava = strdup(emit(KS_EMIT_LAVA, "kvmscope"));
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	assert_string_equal(lava, emit(KS_EMIT_SIGNAL, "kvmscope"));
	free(lava);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_ids),
		cmocka_unit_test(test_signal_lines),
		cmocka_unit_test(test_plain_lines),
		cmocka_unit_test(test_lava_without_the_helper_prints_signals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
