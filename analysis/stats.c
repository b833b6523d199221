/* SPDX-License-Identifier: MIT */
/*
 * stats.c - summary statistics (see stats.h).
 */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* qsort comparator: ascending, NaN last, never returns "a<b and b<a". */
static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa;
	double b = *(const double *)pb;
	int an = isnan(a), bn = isnan(b);

	if (an || bn)
		return an - bn; /* NaN sorts after everything */
	return (a > b) - (a < b);
}

void ks_sort_doubles(double *v, size_t n)
{
	if (v && n > 1)
		qsort(v, n, sizeof(*v), cmp_double);
}

double ks_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, frac, lo_v, hi_v;
	size_t lo;

	if (!sorted || n == 0 || isnan(q))
		return NAN;
	if (q <= 0.0)
		return sorted[0];
	if (q >= 1.0)
		return sorted[n - 1];

	/* Type 7: h = (n-1)q, interpolate between x[floor(h)] and x[floor(h)+1]. */
	h = (double)(n - 1) * q;
	lo = (size_t)h; /* h >= 0, so truncation == floor */
	if (lo >= n - 1)
		return sorted[n - 1];
	frac = h - (double)lo;
	lo_v = sorted[lo];
	hi_v = sorted[lo + 1];
	if (frac == 0.0 || lo_v == hi_v)
		return lo_v; /* exact order statistic; avoids inf-inf etc. */
	return lo_v + frac * (hi_v - lo_v);
}

/*
 * Neumaier (improved Kahan) compensated summation of v[i] * scale.
 * Used for the mean so that long sample runs do not accumulate error.
 */
static double sum_compensated(const double *v, size_t n, double scale)
{
	double sum = 0.0, comp = 0.0;

	for (size_t i = 0; i < n; i++) {
		double x = v[i] * scale;
		double t = sum + x;

		if (fabs(sum) >= fabs(x))
			comp += (sum - t) + x;
		else
			comp += (x - t) + sum;
		sum = t;
	}
	return sum + comp;
}

int ks_summarize(const double *samples, size_t n, struct ks_summary *out)
{
	double *v, mean, ss = 0.0, sd = 0.0, median;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!out || !samples || n == 0) {
		errno = EINVAL;
		return -1;
	}
	/* Reject non-finite input up front: silently dropping would skew results. */
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(samples[i])) {
			errno = EINVAL;
			return -1;
		}
	}
	if (n > SIZE_MAX / sizeof(*v)) {
		errno = ENOMEM;
		return -1;
	}
	v = malloc(n * sizeof(*v));
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(v, samples, n * sizeof(*v));
	ks_sort_doubles(v, n);

	/*
	 * Mean: compensated sum / n.  If the plain sum overflows (samples near
	 * DBL_MAX), fall back to summing pre-scaled values.
	 */
	mean = sum_compensated(v, n, 1.0) / (double)n;
	if (!isfinite(mean))
		mean = sum_compensated(v, n, 1.0 / (double)n);

	/*
	 * Variance: corrected two-pass algorithm (Chan, Golub & LeVeque):
	 *   var = (sum d_i^2 - (sum d_i)^2 / n) / (n - 1),  d_i = x_i - mean.
	 * The second term cancels the rounding error left in `mean`.
	 */
	if (n > 1) {
		double sd_sum = 0.0;

		for (size_t i = 0; i < n; i++) {
			double d = v[i] - mean;

			ss += d * d;
			sd_sum += d;
		}
		ss -= sd_sum * sd_sum / (double)n;
		if (ss < 0.0)
			ss = 0.0;
		sd = sqrt(ss / (double)(n - 1));
	}

	median = ks_quantile_sorted(v, n, 0.5);

	out->n = n;
	out->min = v[0];
	out->max = v[n - 1];
	out->mean = mean;
	out->stddev = sd;
	out->median = median;
	out->p90 = ks_quantile_sorted(v, n, 0.90);
	out->p99 = ks_quantile_sorted(v, n, 0.99);
	out->p999 = ks_quantile_sorted(v, n, 0.999);

	/* MAD: median of |x_i - median|; reuse the buffer. */
	for (size_t i = 0; i < n; i++)
		v[i] = fabs(v[i] - median);
	ks_sort_doubles(v, n);
	out->mad = ks_quantile_sorted(v, n, 0.5);

	free(v);
	return 0;
}

double ks_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	uint64_t whole, rem;
	long double ns;

	if (hz == 0)
		return NAN;
	/*
	 * Split into whole seconds and a sub-second remainder so neither
	 * ticks * 1e9 (overflow) nor ticks / hz as a double (precision loss)
	 * is ever formed.  long double gives >= 64 mantissa bits on the
	 * targets we care about (x86-64 x87, aarch64 binary128), so both
	 * terms are (nearly) exact and the final conversion rounds once.
	 */
	whole = ticks / hz;
	rem = ticks % hz;
	ns = (long double)whole * 1e9L + ((long double)rem * 1e9L) / (long double)hz;
	return (double)ns;
}

double ks_gib_per_s(uint64_t bytes, double ns)
{
	if (!isfinite(ns) || ns <= 0.0)
		return NAN;
	/* bytes / 2^30 GiB over ns * 1e-9 s. */
	return (double)(((long double)bytes / 1073741824.0L) * 1e9L / (long double)ns);
}
