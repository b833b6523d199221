/* SPDX-License-Identifier: MIT */
/*
 * inference.h - confidence intervals and tests for comparing latency
 * distributions.
 *
 * Latencies are skewed and heavy-tailed, so everything here is about the
 * median and is distribution-free:
 *  - the CI of one median is the order-statistic interval (exact binomial
 *    coverage up to n = 5000, normal approximation above);
 *  - the CI of a difference or ratio of two medians is Price & Bonett's
 *    (2002) method, which builds each median's standard error from the
 *    same order statistics (McKean & Schrader), the ratio on the log scale;
 *  - significance is the two-sided Mann-Whitney U test (normal approximation
 *    with tie and continuity correction), with Holm's correction when one
 *    comparison covers many benchmarks.
 * All functions take ascending-sorted arrays of finite values.
 */
#ifndef KS_INFERENCE_H
#define KS_INFERENCE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Standard normal CDF, and its inverse (|error| < 1e-13 after refinement). */
double ks_norm_cdf(double z);
double ks_norm_quantile(double p);

/*
 * Distribution-free CI of the median at confidence conf (e.g. 0.95):
 * [x_(k), x_(n-k+1)] with the largest k whose coverage is >= conf.
 * Returns -1 (and NaNs) when n is too small for that coverage (n < 6 at 95 %).
 */
int ks_median_ci(const double *sorted, size_t n, double conf, double *lo, double *hi);

/* Standard error of the sample median (McKean-Schrader / Price-Bonett); NaN if n < 6. */
double ks_median_se(const double *sorted, size_t n);
/* The same for the median of log(x); NaN when any value used is <= 0. */
double ks_median_se_log(const double *sorted, size_t n);

struct ks_diff {
	double median_a, median_b;
	double diff, diff_lo, diff_hi;     /* median_b - median_a and its CI */
	double ratio, ratio_lo, ratio_hi;  /* median_b / median_a and its CI (NaN if not positive) */
	double u, z, p;                    /* Mann-Whitney U (of b over a), z, two-sided p */
	double p_superior;                 /* P(b > a) + P(b = a)/2: the U effect size */
};

/*
 * Compare sample sets a (baseline) and b at confidence conf.  Returns -1 when
 * either set has fewer than 6 values (no interval possible).
 */
int ks_compare_medians(const double *a, size_t na, const double *b, size_t nb, double conf,
		       struct ks_diff *out);

/*
 * CI of a ratio a / b of two independent estimates with standard errors sa
 * and sb (e.g. two medians with ks_median_se), by Fieller's theorem: the
 * set of r with |a - r b| <= z sqrt(sa^2 + r^2 sb^2). Unlike the delta
 * method it stays honest when b is small: returns -1 (NaN bounds) when b is
 * not significantly away from 0 at conf (the set is then unbounded).
 */
int ks_ratio_fieller(double a, double sa, double b, double sb, double conf, double *lo,
		     double *hi);

/* Mann-Whitney U of b over a (ties count half) with tie-corrected z and p. */
void ks_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u,
		     double *z, double *p);

/*
 * Student's t: two-sided p-value P(|T| >= |t|) with df degrees of freedom
 * (df may be fractional, as Welch's is), and the quantile t with
 * P(T <= t) = q.  NaN for df <= 0.
 */
double ks_t_two_sided_p(double t, double df);
double ks_t_quantile(double q, double df);

/*
 * Run-level comparison: x (baseline) and y are one value per run, e.g. each
 * run's median or its log.  mean(y) - mean(x) with a CI at conf and a
 * two-sided p.  Welch's t when both sides have >= 2 runs; when only one side
 * does, its spread stands for both (pooled t with that side's df).  Returns
 * -1 when neither side has two runs (no run-to-run spread to test against).
 */
struct ks_runtest {
	double diff, lo, hi, t, df, p;
};
int ks_run_ttest(const double *x, size_t nx, const double *y, size_t ny, double conf,
		 struct ks_runtest *out);

/* Holm-Bonferroni adjusted p-values (monotone, capped at 1); adj may alias p. */
void ks_holm(const double *p, size_t n, double *adj);

/* Noise and outliers of one sample set. */
struct ks_noise {
	double cv;          /* stddev / mean */
	double rcv;         /* 1.4826 * MAD / median: robust coefficient of variation */
	size_t outliers;    /* beyond Tukey's far-out fences (Q1 - 3 IQR, Q3 + 3 IQR) */
	int noisy;          /* rcv above KS_NOISY_RCV */
};
#define KS_NOISY_RCV 0.10
void ks_noise(const double *sorted, size_t n, double mean, double stddev, double median,
	      double mad, struct ks_noise *out);

/* Unit conversions used by the reports. */
double ks_ns_to_cycles(double ns, double hz);
double ks_cycles_to_ns(double cycles, double hz);

#ifdef __cplusplus
}
#endif

#endif
