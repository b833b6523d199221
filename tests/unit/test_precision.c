/* SPDX-License-Identifier: MIT */
/*
 * Adaptive precision (bench/precision.c): rounds until the median's 95 % CI
 * is within the target, or the time cap, or the sample buffer; the worst of
 * several series decides; a run that stops short says why. The samples are
 * synthetic and deterministic (a fixed-seed generator), the time passed in.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "precision.h"

/* median `m`, relative spread `rel` (sum of 12 uniforms: near normal) */
static double *series(size_t n, double m, double rel, uint64_t seed)
{
	double *x = malloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		double s = 0;
		for (int k = 0; k < 12; k++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			s += (double)(seed >> 11) / 9007199254740992.0;
		}
		x[i] = m * (1 + rel * (s - 6));
	}
	return x;
}

static void test_fixed(void **state)
{
	struct ks_precision p;
	double *x = series(100, 1000, 0.2, 1);
	const double *s[1] = { x };
	size_t n[1] = { 100 };

	ks_precision_init(&p, 0, 5, 1000000);
	assert_int_equal(ks_precision_more(&p, s, n, 1, 100, 1000000), 0);
	assert_int_equal(p.stop, KS_STOP_FIXED);
	assert_string_equal(ks_stop_name(p.stop), "fixed");
	free(x);
}

/* Noisy at first: rounds until +-1 %, each at most 4x, never a tiny one. */
static void test_rounds_reach_the_target(void **state)
{
	struct ks_precision p;
	const size_t max = 200000;
	double *x = series(max, 1000, 0.10, 7);
	size_t n = 200;
	uint64_t per_sample = 1000;   /* 1 us each */

	ks_precision_init(&p, 0.01, 1000, max);
	for (int round = 0; round < 20; round++) {
		const double *s[1] = { x };
		size_t ns[1] = { n };
		uint64_t more = ks_precision_more(&p, s, ns, 1, n, n * per_sample);
		if (!more)
			break;
		assert_true(more >= n / 2);
		assert_true(more <= 4 * n + 16);
		n += more;
		assert_true(n <= max);
	}
	assert_int_equal(p.stop, KS_STOP_TARGET);
	struct ks_ci ci;
	ks_precision_ci(x, n, &ci);
	assert_true(ci.half <= 0.01);
	assert_true(ci.lo <= ci.median && ci.median <= ci.hi);
	/* about what the 1/sqrt(n) law says for 10 % spread at +-1 %: ~600, not 10x more */
	assert_true(n > 300 && n < 6000);
	assert_true(p.rounds >= 2);
	free(x);
}

/* The worst series decides; a kept subset counts per sample taken. */
static void test_worst_series(void **state)
{
	struct ks_precision p;
	double *tight = series(1000, 500, 0.001, 3), *wide = series(1000, 800, 0.3, 4);
	const double *s[2] = { tight, wide };
	size_t n[2] = { 1000, 500 };   /* the second kept half of what was taken */

	ks_precision_init(&p, 0.01, 1000, 1000000);
	uint64_t more = ks_precision_more(&p, s, n, 2, 1000, 1000000);
	assert_true(more > 0);
	assert_int_equal(p.stop, KS_STOP_NONE);
	/* only the tight one: done */
	ks_precision_init(&p, 0.01, 1000, 1000000);
	assert_int_equal(ks_precision_more(&p, s, n, 1, 1000, 1000000), 0);
	assert_int_equal(p.stop, KS_STOP_TARGET);
	free(tight);
	free(wide);
}

/* Too few for a CI: more, at least enough for one. */
static void test_too_few(void **state)
{
	struct ks_precision p;
	double x[3] = { 10, 11, 12 };
	const double *s[1] = { x };
	size_t n[1] = { 3 };

	ks_precision_init(&p, 0.01, 1000, 1000000);
	uint64_t more = ks_precision_more(&p, s, n, 1, 3, 3000);
	assert_true(more >= 3);
	struct ks_ci ci;
	ks_precision_ci(x, 3, &ci);
	assert_true(isinf(ci.half));
	assert_true(isnan(ci.lo));
}

/* The cap: a round is cut to what fits, then it stops and says why. */
static void test_time_cap_and_why(void **state)
{
	struct ks_precision p;
	double *x = series(4000, 1000, 0.25, 9);
	const double *s[1] = { x };
	size_t n[1] = { 1000 };
	char why[400];

	/* 1 ms per sample, 2 s cap, 1 s spent: at most ~950 more */
	ks_precision_init(&p, 0.01, 2, 1000000);
	uint64_t more = ks_precision_more(&p, s, n, 1, 1000, 1000000000ULL);
	assert_true(more > 500 && more <= 950);
	n[0] = 1000 + more;
	assert_int_equal(ks_precision_more(&p, s, n, 1, n[0], 1990000000ULL), 0);
	assert_int_equal(p.stop, KS_STOP_TIME_CAP);
	assert_string_equal(ks_stop_name(p.stop), "time_cap");
	ks_precision_why(&p, x, n[0], 1990000000ULL, why, sizeof(why));
	assert_non_null(strstr(why, "time cap (2.0 s)"));
	assert_non_null(strstr(why, "noisy, robust CV"));
	assert_non_null(strstr(why, "would take ~"));
	assert_null(strstr(why, "moved"));   /* no drift in this series */
	free(x);
}

/* A median that moves during the run is named as the reason. */
static void test_drift_named(void **state)
{
	struct ks_precision p;
	double *x = series(2000, 1000, 0.02, 11);
	char why[400];

	for (size_t i = 1000; i < 2000; i++)
		x[i] *= 1.10;   /* the host got slower halfway */
	ks_precision_init(&p, 0.01, 1, 1000000);
	p.stop = KS_STOP_TIME_CAP;
	ks_precision_why(&p, x, 2000, 1000000000ULL, why, sizeof(why));
	assert_non_null(strstr(why, "the median moved +10."));
	free(x);
}

/* Two groups of samples, the median between them: said. */
static void test_modes_named(void **state)
{
	struct ks_precision p;
	double *x = series(400, 1000, 0.02, 13);
	char why[400];

	for (size_t i = 0; i < 400; i += 2)
		x[i] *= 2;   /* every other sample in a slow mode twice as far */
	x[1] = 1500;     /* one between them */
	ks_precision_init(&p, 0.01, 1, 1000000);
	p.stop = KS_STOP_TIME_CAP;
	ks_precision_why(&p, x, 400, 1000000000ULL, why, sizeof(why));
	assert_non_null(strstr(why, "two or more modes"));
	free(x);
	/* one mode: not said */
	x = series(400, 1000, 0.1, 17);
	ks_precision_why(&p, x, 400, 1000000000ULL, why, sizeof(why));
	assert_null(strstr(why, "modes"));
	free(x);
}

static void test_sample_cap(void **state)
{
	struct ks_precision p;
	double *x = series(500, 1000, 0.3, 5);
	const double *s[1] = { x };
	size_t n[1] = { 500 };

	ks_precision_init(&p, 0.01, 1000, 500);
	assert_int_equal(ks_precision_more(&p, s, n, 1, 500, 500000), 0);
	assert_int_equal(p.stop, KS_STOP_SAMPLE_CAP);
	ks_precision_init(&p, 0.01, 1000, 600);   /* room for 100 more: no more than that */
	assert_int_equal(ks_precision_more(&p, s, n, 1, 500, 500000), 100);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_rounds_reach_the_target),
		cmocka_unit_test(test_worst_series),
		cmocka_unit_test(test_too_few),
		cmocka_unit_test(test_time_cap_and_why),
		cmocka_unit_test(test_drift_named),
		cmocka_unit_test(test_modes_named),
		cmocka_unit_test(test_sample_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
