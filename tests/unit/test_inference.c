/* SPDX-License-Identifier: MIT */
/*
 * test_inference.c - analysis/inference.c and the O(n) paths of stats.c
 * against reference values (textbook tables, R, closed forms), brute force,
 * and simulation from known distributions.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "inference.h"
#include "stats.h"

static void near(double a, double b, double eps, const char *expr, int line)
{
	if (!(fabs(a - b) <= eps)) {
		print_error("line %d: %s = %.17g, expected %.17g (eps %g)\n", line, expr, a, b, eps);
		fail();
	}
}
#define NEAR(a, b, eps) near((a), (b), (eps), #a, __LINE__)

/* A small deterministic generator (splitmix64), so failures reproduce. */
static uint64_t rng_state = 42;
static double uniform(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * 3.14159265358979323846 * uniform());
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void test_normal(void **state)
{
	(void)state;
	NEAR(ks_norm_quantile(0.975), 1.959963984540054, 1e-12);
	NEAR(ks_norm_quantile(0.5), 0, 1e-15);
	NEAR(ks_norm_quantile(0.001), -3.090232306167813, 1e-11);
	NEAR(ks_norm_quantile(1e-10), -6.361340902404056, 1e-9);
	NEAR(ks_norm_cdf(1.959963984540054), 0.975, 1e-14);
	assert_true(isnan(ks_norm_quantile(1.5)));
}

static void test_student_t(void **state)
{
	(void)state;
	/* t tables: t_{0.975, df} */
	NEAR(ks_t_quantile(0.975, 1), 12.706204736174707, 1e-8);
	NEAR(ks_t_quantile(0.975, 5), 2.570581835636314, 1e-9);
	NEAR(ks_t_quantile(0.975, 30), 2.042272456301238, 1e-9);
	NEAR(ks_t_quantile(0.995, 10), 3.169272672616956, 1e-9);
	NEAR(ks_t_quantile(0.025, 5), -2.570581835636314, 1e-9);
	/* df = 1 is Cauchy: P(|T| >= 1) = 1/2 exactly */
	NEAR(ks_t_two_sided_p(1, 1), 0.5, 1e-12);
	/* df = 2 closed form: P(|T| >= t) = 1 - t / sqrt(2 + t^2) */
	NEAR(ks_t_two_sided_p(1.5, 2), 1 - 1.5 / sqrt(2 + 2.25), 1e-12);
	/* large df tends to the normal */
	NEAR(ks_t_two_sided_p(1.959963984540054, 1e7), 0.05, 1e-6);
	assert_true(isnan(ks_t_two_sided_p(1, 0)));
}

static void test_welch(void **state)
{
	(void)state;
	struct ks_runtest r;
	const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 4, 6, 8, 10 };
	assert_int_equal(ks_run_ttest(x, 5, y, 5, 0.95, &r), 0);
	NEAR(r.diff, 3, 1e-12);
	/* se = sqrt(2.5/5 + 10/5); df by Welch-Satterthwaite = 6.25 / (0.25/4 + 4/4) */
	NEAR(r.t, 3 / sqrt(2.5), 1e-12);
	NEAR(r.df, 6.25 / 1.0625, 1e-12);
	NEAR(r.hi - r.diff, ks_t_quantile(0.975, r.df) * sqrt(2.5), 1e-9);
	NEAR(ks_t_two_sided_p(r.t, r.df), r.p, 1e-15);
	/* one run on one side: the other side's spread is used for both */
	assert_int_equal(ks_run_ttest(x, 5, (double[]){ 3 }, 1, 0.95, &r), 0);
	NEAR(r.diff, 0, 1e-12);
	NEAR(r.df, 4, 0);
	NEAR(r.p, 1, 1e-12);
	/* no side with two runs: no test */
	assert_int_equal(ks_run_ttest(x, 1, y, 1, 0.95, &r), -1);
	/* identical runs, different values: certain difference */
	assert_int_equal(ks_run_ttest((double[]){ 1, 1 }, 2, (double[]){ 2, 2 }, 2, 0.95, &r), 0);
	NEAR(r.p, 0, 0);
}

static void test_median_ci_tables(void **state)
{
	(void)state;
	double x[100], lo, hi;
	for (int i = 0; i < 100; i++)
		x[i] = i + 1;  /* x_(k) = k */
	/* n = 10: 2 P(B <= 1) = 22/1024 <= 0.05 < 2 P(B <= 2): [x_(2), x_(9)] */
	assert_int_equal(ks_median_ci(x, 10, 0.95, &lo, &hi), 0);
	NEAR(lo, 2, 0);
	NEAR(hi, 9, 0);
	/* n = 100: the classic table's ranks 40 and 61 */
	assert_int_equal(ks_median_ci(x, 100, 0.95, &lo, &hi), 0);
	NEAR(lo, 40, 0);
	NEAR(hi, 61, 0);
	/* n = 5 cannot reach 95 % (2/32 > 0.05) */
	assert_int_equal(ks_median_ci(x, 5, 0.95, &lo, &hi), -1);
	/* n = 6 can: 2/64 */
	assert_int_equal(ks_median_ci(x, 6, 0.95, &lo, &hi), 0);
	NEAR(lo, 1, 0);
	NEAR(hi, 6, 0);
}

/* The CI covers the true median of N(0,1), 0, at least 95 % of the time. */
static void test_median_ci_coverage(void **state)
{
	(void)state;
	enum { N = 51, T = 4000 };
	double x[N], lo, hi;
	int covered = 0, covered_big = 0;
	for (int t = 0; t < T; t++) {
		for (int i = 0; i < N; i++)
			x[i] = normal();
		qsort(x, N, sizeof(double), cmp);
		assert_int_equal(ks_median_ci(x, N, 0.95, &lo, &hi), 0);
		covered += lo <= 0 && 0 <= hi;
	}
	/* exact coverage for n = 51 is 1 - 2 P(B <= 18) = 0.9511; the simulation's
	 * standard error is 0.0034, so allow about 3 of them either side */
	assert_true(covered > T * 0.940 && covered < T * 0.962);
	/* the normal approximation branch (n > 5000) on exponential data, median ln 2 */
	enum { NB = 6001, TB = 300 };
	double *y = malloc(NB * sizeof(double));
	assert_non_null(y);
	for (int t = 0; t < TB; t++) {
		for (int i = 0; i < NB; i++)
			y[i] = -log(uniform());
		ks_sort_doubles(y, NB);
		assert_int_equal(ks_median_ci(y, NB, 0.95, &lo, &hi), 0);
		covered_big += lo <= log(2) && log(2) <= hi;
	}
	free(y);
	assert_true(covered_big >= TB * 0.92);
}

static void test_mann_whitney(void **state)
{
	(void)state;
	/* R: wilcox.test(x, y, exact = FALSE, correct = TRUE) for R's own example
	 * x = c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46),
	 * y = c(1.15, 0.88, 0.90, 0.74, 1.21): W = 35, z = 9.5/sqrt(200/3), p = 0.2446 */
	double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	double u, z, p;
	qsort(x, 10, sizeof(double), cmp);
	qsort(y, 5, sizeof(double), cmp);
	ks_mann_whitney(y, 5, x, 10, &u, &z, &p);
	NEAR(u, 35, 1e-12);
	NEAR(z, 9.5 / sqrt(200.0 / 3), 1e-12);
	NEAR(p, 0.24461, 5e-5);

	/* U against brute-force pair counting, with ties */
	for (int t = 0; t < 50; t++) {
		size_t na = 1 + (size_t)(uniform() * 40), nb = 1 + (size_t)(uniform() * 40);
		double a[40], b[40], brute = 0;
		for (size_t i = 0; i < na; i++)
			a[i] = floor(uniform() * 10);
		for (size_t i = 0; i < nb; i++)
			b[i] = floor(uniform() * 10);
		for (size_t i = 0; i < na; i++)
			for (size_t j = 0; j < nb; j++)
				brute += b[j] > a[i] ? 1 : b[j] == a[i] ? 0.5 : 0;
		qsort(a, na, sizeof(double), cmp);
		qsort(b, nb, sizeof(double), cmp);
		ks_mann_whitney(a, na, b, nb, &u, &z, &p);
		NEAR(u, brute, 1e-9);
		assert_true(p >= 0 && p <= 1);
	}
	/* all equal: no evidence at all */
	ks_mann_whitney((double[]){ 1, 1, 1 }, 3, (double[]){ 1, 1 }, 2, &u, &z, &p);
	NEAR(p, 1, 0);
}

/* Under H0 (same distribution) about 5 % of tests reject at 0.05; under a
 * one-sigma shift with n = 30 nearly all do. */
static void test_mann_whitney_rates(void **state)
{
	(void)state;
	enum { N = 30, T = 3000 };
	double a[N], b[N], u, z, p;
	int rej0 = 0, rej1 = 0;
	for (int t = 0; t < T; t++) {
		for (int i = 0; i < N; i++) {
			a[i] = exp(normal());
			b[i] = exp(normal());
		}
		qsort(a, N, sizeof(double), cmp);
		qsort(b, N, sizeof(double), cmp);
		ks_mann_whitney(a, N, b, N, &u, &z, &p);
		rej0 += p < 0.05;
		for (int i = 0; i < N; i++)
			b[i] *= exp(1.0);
		ks_mann_whitney(a, N, b, N, &u, &z, &p);
		rej1 += p < 0.05;
	}
	assert_true(rej0 > T * 0.03 && rej0 < T * 0.07);
	assert_true(rej1 > T * 0.95);
}

static void test_compare_medians(void **state)
{
	(void)state;
	enum { N = 2001 };
	double *a = malloc(N * sizeof(double)), *b = malloc(N * sizeof(double));
	struct ks_diff d;
	int cov_diff = 0, cov_ratio = 0;
	for (int t = 0; t < 300; t++) {
		/* lognormal latencies, b 10 % slower: true ratio 1.1, true diff 0.1 */
		for (int i = 0; i < N; i++) {
			a[i] = exp(normal() * 0.3);
			b[i] = 1.1 * exp(normal() * 0.3);
		}
		ks_sort_doubles(a, N);
		ks_sort_doubles(b, N);
		assert_int_equal(ks_compare_medians(a, N, b, N, 0.95, &d), 0);
		cov_diff += d.diff_lo <= 0.1 && 0.1 <= d.diff_hi;
		cov_ratio += d.ratio_lo <= 1.1 && 1.1 <= d.ratio_hi;
		assert_true(d.p < 1e-6);
		assert_true(d.p_superior > 0.5);
	}
	free(a);
	free(b);
	assert_true(cov_diff >= 300 * 0.92);
	assert_true(cov_ratio >= 300 * 0.92);
	assert_int_equal(ks_compare_medians((double[]){ 1, 2 }, 2, (double[]){ 1, 2 }, 2, 0.95, &d), -1);
}

static void test_holm(void **state)
{
	(void)state;
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, adj[4];
	ks_holm(p, 4, adj);
	NEAR(adj[0], 0.03, 1e-15);
	NEAR(adj[1], 0.06, 1e-15);
	NEAR(adj[2], 0.06, 1e-15);
	NEAR(adj[3], 0.02, 1e-15);
	double q[] = { 0.9, 0.8 };
	ks_holm(q, 2, q);  /* in place, capped at 1 */
	NEAR(q[0], 1, 0);
	NEAR(q[1], 1, 0);
}

static void test_noise(void **state)
{
	(void)state;
	double x[] = { 10, 10, 10, 11, 11, 12, 12, 12, 13, 1000 };
	struct ks_summary s;
	struct ks_noise nz;
	assert_int_equal(ks_summarize_sorted(x, 10, &s), 0);
	ks_noise(x, 10, s.mean, s.stddev, s.median, s.mad, &nz);
	assert_int_equal(nz.outliers, 1);   /* only 1000 is beyond Q3 + 3 IQR */
	NEAR(nz.rcv, 1.4826 * s.mad / s.median, 1e-15);
	assert_true(nz.cv > 1);              /* the outlier dominates the stddev */
}

/* The O(n) MAD and the radix sort against the obvious implementations. */
static void test_mad_and_sort(void **state)
{
	(void)state;
	enum { N = 100003 };
	double *v = malloc(N * sizeof(double)), *w = malloc(N * sizeof(double));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++)
			v[i] = round == 2 ? floor(normal() * 3) : normal() * 1e3 + (round ? 0 : 1e6);
		v[7] = -0.0;
		v[8] = 0.0;
		v[9] = INFINITY;
		v[10] = -INFINITY;
		memcpy(w, v, N * sizeof(double));
		ks_sort_doubles(v, N);             /* radix path */
		qsort(w, N, sizeof(double), cmp);
		for (int i = 0; i < N; i++)
			assert_true(v[i] == w[i]);
		/* drop the infinities for the summary */
		struct ks_summary s;
		assert_int_equal(ks_summarize_sorted(v + 1, N - 2, &s), 0);
		double *dev = malloc((N - 2) * sizeof(double));
		for (int i = 0; i < N - 2; i++)
			dev[i] = fabs(v[i + 1] - s.median);
		qsort(dev, N - 2, sizeof(double), cmp);
		NEAR(s.mad, ks_quantile_sorted(dev, N - 2, 0.5), 0);
		free(dev);
	}
	free(v);
	free(w);
}

static void test_units(void **state)
{
	(void)state;
	NEAR(ks_ns_to_cycles(1000, 2e9), 2000, 1e-9);
	NEAR(ks_cycles_to_ns(2000, 2e9), 1000, 1e-9);
	NEAR(ks_ns_to_cycles(52.08333333333333, 19.2e6), 1, 1e-12);  /* one 19.2 MHz tick */
	assert_true(isnan(ks_ns_to_cycles(1, 0)));
	NEAR(ks_ticks_to_ns(19200000, 19200000), 1e9, 0);
	NEAR(ks_gib_per_s(1ULL << 30, 1e9), 1, 1e-15);
	NEAR(ks_gib_per_s(64ULL << 20, 0.5e9), 0.125, 1e-15);
}

/* Fieller's ratio CI: the closed form, unboundedness, and its coverage. */
static void test_ratio_fieller(void **state)
{
	(void)state;
	double lo, hi;

	/* a/b = 0.5, each estimate 5 % off: about 0.5 +- 1.96 * 0.5 * sqrt(2) * 0.05 */
	assert_int_equal(ks_ratio_fieller(2, 0.1, 4, 0.2, 0.95, &lo, &hi), 0);
	assert_true(lo < 0.5 && 0.5 < hi);
	NEAR(hi - lo, 2 * 1.959964 * 0.5 * sqrt(2) * 0.05, 0.01);
	/* exact root: (a - r b)^2 == z^2 (sa^2 + r^2 sb^2) at both ends */
	double z = 1.959963984540054;
	NEAR(pow(2 - lo * 4, 2), z * z * (0.01 + lo * lo * 0.04), 1e-12);
	NEAR(pow(2 - hi * 4, 2), z * z * (0.01 + hi * hi * 0.04), 1e-12);
	/* a negative numerator is fine; a denominator indistinguishable from 0 is not */
	assert_int_equal(ks_ratio_fieller(-1, 0.1, 4, 0.2, 0.95, &lo, &hi), 0);
	assert_true(lo < -0.25 && -0.25 < hi);
	assert_int_equal(ks_ratio_fieller(1, 0.1, 0.1, 0.1, 0.95, &lo, &hi), -1);
	assert_true(isnan(lo) && isnan(hi));
	assert_int_equal(ks_ratio_fieller(1, -1, 2, 0.1, 0.95, &lo, &hi), -1);

	/* coverage: a ~ N(1, 0.1), b ~ N(2, 0.2), true ratio 0.5 */
	int hit = 0, n = 20000;
	rng_state = 7;
	for (int i = 0; i < n; i++) {
		double a = 1 + 0.1 * normal(), b = 2 + 0.2 * normal();
		if (ks_ratio_fieller(a, 0.1, b, 0.2, 0.95, &lo, &hi) == 0 && lo <= 0.5 && 0.5 <= hi)
			hit++;
	}
	NEAR((double)hit / n, 0.95, 0.006);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal),
		cmocka_unit_test(test_student_t),
		cmocka_unit_test(test_welch),
		cmocka_unit_test(test_median_ci_tables),
		cmocka_unit_test(test_median_ci_coverage),
		cmocka_unit_test(test_mann_whitney),
		cmocka_unit_test(test_mann_whitney_rates),
		cmocka_unit_test(test_compare_medians),
		cmocka_unit_test(test_ratio_fieller),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_mad_and_sort),
		cmocka_unit_test(test_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
