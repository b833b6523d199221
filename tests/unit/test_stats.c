/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c - unit tests for analysis/stats.{h,c}.
 *
 * Reference values are computed by hand below (and agree with R's
 * quantile(x, type = 7) / numpy.percentile(x, method="linear")).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

#define EPS 1e-12
#define PI 3.14159265358979323846 /* M_PI is not in strict C11 */

/*
 * cmocka 1.1.x's assert_dbl_near() converts to float (~7 digits), which
 * is useless here, so compare doubles ourselves: |a - b| <= eps.
 */
#define assert_dbl_near(a, b, eps) dbl_near((a), (b), (eps), #a, __FILE__, __LINE__)

static void dbl_near(double a, double b, double eps, const char *expr,
		     const char *file, int line)
{
	if (!(fabs(a - b) <= eps)) { /* also fails on NaN */
		print_error("%s = %.17g, expected %.17g (+- %g)\n", expr, a, b, eps);
		_fail(file, line);
	}
}

/* x = 1..100 */
static void test_one_to_hundred(void **state)
{
	double x[100];
	struct ks_summary s;

	(void)state;
	/* Feed in descending order to make sure sorting happens. */
	for (int i = 0; i < 100; i++)
		x[i] = 100.0 - i;

	assert_int_equal(ks_summarize(x, 100, &s), 0);
	assert_int_equal(s.n, 100);
	assert_dbl_near(s.min, 1.0, EPS);
	assert_dbl_near(s.max, 100.0, EPS);
	/* mean = 101/2 */
	assert_dbl_near(s.mean, 50.5, EPS);
	/* sample var of 1..n = n(n+1)/12 = 10100/12 = 841.666..; sd = 29.011491975882016 */
	assert_dbl_near(s.stddev, 29.011491975882016, 1e-12);
	/* type 7: h = (n-1)q = 99q, value = x[floor h] + frac(h) * 1 (1-based x = i+1)
	 *   median: h = 49.5  -> 50 + 0.5    = 50.5
	 *   p90:    h = 89.1  -> 90 + 0.1    = 90.1
	 *   p99:    h = 98.01 -> 99 + 0.01   = 99.01
	 *   p999:   h = 98.901-> 99 + 0.901  = 99.901 */
	assert_dbl_near(s.median, 50.5, EPS);
	assert_dbl_near(s.p90, 90.1, 1e-9);
	assert_dbl_near(s.p99, 99.01, 1e-9);
	assert_dbl_near(s.p999, 99.901, 1e-9);
	/* |x - 50.5| = {0.5,0.5,1.5,1.5,...,49.5,49.5}; sorted elements 49 and 50
	 * (0-based) are 24.5 and 25.5 -> MAD = 25.0 */
	assert_dbl_near(s.mad, 25.0, EPS);

	/* Input must not have been reordered. */
	assert_dbl_near(x[0], 100.0, 0.0);
	assert_dbl_near(x[99], 1.0, 0.0);
}

static void test_quantile_sorted(void **state)
{
	const double v[] = { 1, 2, 3, 4 };
	const double one[] = { 7.5 };

	(void)state;
	/* n = 4: h = 3q.  q=.25 -> h=.75 -> 1 + .75 = 1.75; q=.5 -> 2.5; q=.9 -> h=2.7 -> 3.7 */
	assert_dbl_near(ks_quantile_sorted(v, 4, 0.0), 1.0, 0.0);
	assert_dbl_near(ks_quantile_sorted(v, 4, 0.25), 1.75, EPS);
	assert_dbl_near(ks_quantile_sorted(v, 4, 0.5), 2.5, EPS);
	assert_dbl_near(ks_quantile_sorted(v, 4, 0.9), 3.7, EPS);
	assert_dbl_near(ks_quantile_sorted(v, 4, 1.0), 4.0, 0.0);
	/* out-of-range q is clamped */
	assert_dbl_near(ks_quantile_sorted(v, 4, -1.0), 1.0, 0.0);
	assert_dbl_near(ks_quantile_sorted(v, 4, 2.0), 4.0, 0.0);
	/* single element: every quantile is that element */
	assert_dbl_near(ks_quantile_sorted(one, 1, 0.37), 7.5, 0.0);
	/* invalid input -> NaN */
	assert_true(isnan(ks_quantile_sorted(v, 0, 0.5)));
	assert_true(isnan(ks_quantile_sorted(NULL, 4, 0.5)));
	assert_true(isnan(ks_quantile_sorted(v, 4, NAN)));
}

static void test_sort(void **state)
{
	double v[] = { 3, -1, 2.5, NAN, -7, 0, 3 };
	const double want[] = { -7, -1, 0, 2.5, 3, 3 };

	(void)state;
	ks_sort_doubles(v, 7);
	for (int i = 0; i < 6; i++)
		assert_dbl_near(v[i], want[i], 0.0);
	assert_true(isnan(v[6])); /* NaN sorted last */
	ks_sort_doubles(NULL, 0);  /* no-op, must not crash */
}

/* Classic small set: {2,4,4,4,5,5,7,9}: mean 5, sum sq dev 32 -> sample sd sqrt(32/7). */
static void test_known_mean_sd(void **state)
{
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct ks_summary s;

	(void)state;
	assert_int_equal(ks_summarize(x, 8, &s), 0);
	assert_dbl_near(s.mean, 5.0, EPS);
	assert_dbl_near(s.stddev, 2.138089935299395, 1e-12); /* sqrt(32/7) */
	assert_dbl_near(s.median, 4.5, EPS);
}

/*
 * Numerical stability: 1e9 + {4, 7, 13, 16}: mean 1e9+10, deviations
 * {-6,-3,3,6}, sum sq = 90, sample var 30 -> sd = sqrt(30) = 5.477225575051661.
 * A naive sum-of-squares formula loses all digits here.
 */
static void test_stability_large_offset(void **state)
{
	const double x[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };
	struct ks_summary s;

	(void)state;
	assert_int_equal(ks_summarize(x, 4, &s), 0);
	assert_dbl_near(s.mean, 1e9 + 10, 1e-6);
	assert_dbl_near(s.stddev, 5.477225575051661, 1e-9);
	/* median = (1e9+7 + 1e9+13)/2; |dev| = {6,3,3,6} -> MAD = 4.5 */
	assert_dbl_near(s.median, 1e9 + 10, 1e-6);
	assert_dbl_near(s.mad, 4.5, 1e-6);
}

/* Deterministic xorshift64* PRNG -> uniform (0,1). */
static double uniform(uint64_t *st)
{
	uint64_t x = *st;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return ((double)((x * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

/*
 * Normal-ish sample, N(mean=1000, sd=25), n = 200000, via Box-Muller.
 * Standard error of the mean = 25/sqrt(2e5) = 0.056, so +-0.5 is > 8 SE;
 * the sd estimate has SE ~ 25/sqrt(4e5) = 0.04.  For a normal:
 * median = mean, MAD = 0.6744898 * sd = 16.862, p90 = mean + 1.2815516 sd
 * = 1032.04, p99 = mean + 2.3263479 sd = 1058.16.
 */
static void test_normal_sample(void **state)
{
	const size_t n = 200000;
	double *x = malloc(n * sizeof(*x));
	uint64_t st = 0x9E3779B97F4A7C15ULL;
	struct ks_summary s;

	(void)state;
	assert_non_null(x);
	for (size_t i = 0; i < n; i += 2) {
		double u1 = uniform(&st), u2 = uniform(&st);
		double r = sqrt(-2.0 * log(u1));

		x[i] = 1000.0 + 25.0 * r * cos(2 * PI * u2);
		x[i + 1] = 1000.0 + 25.0 * r * sin(2 * PI * u2);
	}
	assert_int_equal(ks_summarize(x, n, &s), 0);
	assert_dbl_near(s.mean, 1000.0, 0.5);
	assert_dbl_near(s.stddev, 25.0, 0.5);
	assert_dbl_near(s.median, 1000.0, 0.5);
	assert_dbl_near(s.mad, 16.862, 0.5);
	assert_dbl_near(s.p90, 1032.04, 1.0);
	assert_dbl_near(s.p99, 1058.16, 2.0);
	assert_true(s.min < s.median && s.median < s.p90 && s.p90 < s.p99 &&
		    s.p99 < s.p999 && s.p999 <= s.max);
	free(x);
}

/* Wikipedia's MAD example: {1,1,2,2,4,6,9}: median 2, |dev| = {1,1,0,0,2,4,7} -> MAD 1. */
static void test_mad_known(void **state)
{
	const double x[] = { 1, 1, 2, 2, 4, 6, 9 };
	struct ks_summary s;

	(void)state;
	assert_int_equal(ks_summarize(x, 7, &s), 0);
	assert_dbl_near(s.median, 2.0, 0.0);
	assert_dbl_near(s.mad, 1.0, 0.0);
}

static void test_single_sample(void **state)
{
	const double x[] = { 42.25 };
	struct ks_summary s;

	(void)state;
	assert_int_equal(ks_summarize(x, 1, &s), 0);
	assert_int_equal(s.n, 1);
	assert_dbl_near(s.min, 42.25, 0.0);
	assert_dbl_near(s.max, 42.25, 0.0);
	assert_dbl_near(s.mean, 42.25, 0.0);
	assert_dbl_near(s.median, 42.25, 0.0);
	assert_dbl_near(s.p90, 42.25, 0.0);
	assert_dbl_near(s.p99, 42.25, 0.0);
	assert_dbl_near(s.p999, 42.25, 0.0);
	assert_dbl_near(s.stddev, 0.0, 0.0);
	assert_dbl_near(s.mad, 0.0, 0.0);
}

static void assert_zeroed(const struct ks_summary *s)
{
	assert_int_equal(s->n, 0);
	assert_true(s->min == 0 && s->max == 0 && s->mean == 0 && s->stddev == 0 &&
		    s->median == 0 && s->p90 == 0 && s->p99 == 0 && s->p999 == 0 &&
		    s->mad == 0);
}

static void test_rejects_empty_and_nonfinite(void **state)
{
	const double ok[] = { 1, 2, 3 };
	const double with_nan[] = { 1, NAN, 3 };
	const double with_inf[] = { 1, 2, INFINITY };
	const double with_ninf[] = { -INFINITY, 2, 3 };
	struct ks_summary s;

	(void)state;
	memset(&s, 0xA5, sizeof(s));
	errno = 0;
	assert_int_equal(ks_summarize(ok, 0, &s), -1);
	assert_int_equal(errno, EINVAL);
	assert_zeroed(&s);

	memset(&s, 0xA5, sizeof(s));
	errno = 0;
	assert_int_equal(ks_summarize(with_nan, 3, &s), -1);
	assert_int_equal(errno, EINVAL);
	assert_zeroed(&s);

	memset(&s, 0xA5, sizeof(s));
	assert_int_equal(ks_summarize(with_inf, 3, &s), -1);
	assert_zeroed(&s);
	assert_int_equal(ks_summarize(with_ninf, 3, &s), -1);

	assert_int_equal(ks_summarize(NULL, 3, &s), -1);
	assert_int_equal(ks_summarize(ok, 3, NULL), -1);
}

static void test_ticks_to_ns(void **state)
{
	(void)state;
	/* 62.5 MHz: one tick = 16 ns exactly */
	assert_dbl_near(ks_ticks_to_ns(1, 62500000), 16.0, 0.0);
	assert_dbl_near(ks_ticks_to_ns(1000, 62500000), 16000.0, 0.0);
	assert_dbl_near(ks_ticks_to_ns(62500000, 62500000), 1e9, 0.0);
	/* 19.2 MHz (arm64 generic timer on many SoCs): 1e9/19.2e6 = 52.0833... ns */
	assert_dbl_near(ks_ticks_to_ns(1, 19200000), 52.083333333333336, 1e-12);
	assert_dbl_near(ks_ticks_to_ns(192, 19200000), 10000.0, 0.0);
	/* Large: 1e9 s worth of 19.2 MHz ticks = 1.92e16 ticks -> exactly 1e18 ns */
	assert_dbl_near(ks_ticks_to_ns(19200000ULL * 1000000000ULL, 19200000), 1e18, 0.0);
	/* 2^63 ticks at 19.2 MHz: 2^63 * 1e9 / 19.2e6 = 2^63 * 625/12 (no overflow) */
	assert_dbl_near(ks_ticks_to_ns(1ULL << 63, 19200000),
			   9223372036854775808.0 * 625.0 / 12.0, 65536.0 /* 1 ulp at 4.8e20 */);
	/* ticks * 1e9 would overflow uint64; must still be exact */
	assert_dbl_near(ks_ticks_to_ns(UINT64_MAX, 1000000000ULL), (double)UINT64_MAX, 0.0);
	/* 1 GHz: identity; odd value that is exactly representable */
	assert_dbl_near(ks_ticks_to_ns(123456789, 1000000000ULL), 123456789.0, 0.0);
	assert_true(isnan(ks_ticks_to_ns(1, 0)));
}

static void test_gib_per_s(void **state)
{
	(void)state;
	/* 2^30 bytes in 1e9 ns = 1 GiB/s */
	assert_dbl_near(ks_gib_per_s(1ULL << 30, 1e9), 1.0, 1e-15);
	/* 2^31 bytes in 0.5 s = 4 GiB/s */
	assert_dbl_near(ks_gib_per_s(1ULL << 31, 5e8), 4.0, 1e-15);
	/* 1e9 bytes in 1 s = 0.931322574615478515625 GiB/s */
	assert_dbl_near(ks_gib_per_s(1000000000ULL, 1e9), 0.931322574615478515625, 1e-15);
	assert_dbl_near(ks_gib_per_s(0, 1e9), 0.0, 0.0);
	assert_true(isnan(ks_gib_per_s(1, 0.0)));
	assert_true(isnan(ks_gib_per_s(1, -1.0)));
	assert_true(isnan(ks_gib_per_s(1, NAN)));
	assert_true(isnan(ks_gib_per_s(1, INFINITY)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_to_hundred),
		cmocka_unit_test(test_quantile_sorted),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_known_mean_sd),
		cmocka_unit_test(test_stability_large_offset),
		cmocka_unit_test(test_normal_sample),
		cmocka_unit_test(test_mad_known),
		cmocka_unit_test(test_single_sample),
		cmocka_unit_test(test_rejects_empty_and_nonfinite),
		cmocka_unit_test(test_ticks_to_ns),
		cmocka_unit_test(test_gib_per_s),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
