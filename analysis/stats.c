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

/*
 * LSD radix sort of finite-or-infinite doubles: map each to an unsigned key
 * whose order is the numeric order (flip all bits of negatives, the sign bit
 * of the rest), in place, then 16-bit passes through one scratch buffer,
 * skipping a pass when every key has the same digit (latencies share their
 * sign and exponent bits).  Several times faster than qsort on the millions
 * of samples a long run produces.  Returns -1 without touching v when
 * memory is short.
 */
static int radix_sort_doubles(double *v, size_t n)
{
	uint64_t *b = malloc(n * sizeof(*b));
	size_t *cnt = malloc(65536 * sizeof(*cnt));
	uint64_t *a = (uint64_t *)(void *)v, *src, *dst;

	if (!b || !cnt) {
		free(b);
		free(cnt);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t u;
		memcpy(&u, &v[i], sizeof u);
		u = u >> 63 ? ~u : u | (UINT64_C(1) << 63);
		memcpy(&a[i], &u, sizeof u);
	}
	src = a;
	dst = b;
	for (int shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;
		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[(src[i] >> shift) & 0xffff]++;
		if (cnt[(src[0] >> shift) & 0xffff] == n)
			continue;  /* one digit everywhere: this pass would not move anything */
		for (size_t k = 0; k < 65536; k++) {
			size_t c = cnt[k];
			cnt[k] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i] >> shift) & 0xffff]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	for (size_t i = 0; i < n; i++) {
		uint64_t u = a[i] >> 63 ? a[i] & ~(UINT64_C(1) << 63) : ~a[i];
		memcpy(&v[i], &u, sizeof u);
	}
	free(b);
	free(cnt);
	return 0;
}

void ks_sort_doubles(double *v, size_t n)
{
	if (!v || n < 2)
		return;
	if (n >= 65536) {
		size_t i;
		for (i = 0; i < n && !isnan(v[i]); i++)
			;
		if (i == n && radix_sort_doubles(v, n) == 0)
			return;
	}
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
	double *v;
	int rc;

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
	rc = ks_summarize_sorted(v, n, out);
	free(v);
	return rc;
}

/*
 * Median of |x_i - m| over sorted x without another sort: the deviations
 * left of m, read leftwards, and those right of it, read rightwards, are two
 * ascending runs; merge-walk them to the middle.  O(n) instead of O(n log n),
 * which matters for ten-million-sample result sets.
 */
static double mad_sorted(const double *x, size_t n, double m)
{
	size_t r = 0, want = (n - 1) / 2, k = 0;
	ptrdiff_t l;
	double cur = 0, next = 0;

	while (r < n && x[r] < m)
		r++;
	l = (ptrdiff_t)r - 1;  /* x[0..l] < m <= x[r..n-1] */
	for (k = 0; k <= want + 1 && k < n; k++) {
		double dl = l >= 0 ? m - x[l] : INFINITY;
		double dr = r < n ? x[r] - m : INFINITY;
		double d;
		if (dl < dr) {
			d = dl;
			l--;
		} else {
			d = dr;
			r++;
		}
		if (k == want)
			cur = d;
		else if (k == want + 1)
			next = d;
	}
	return n % 2 ? cur : (cur + next) / 2;
}

int ks_summarize_sorted(const double *v, size_t n, struct ks_summary *out)
{
	double mean, ss = 0.0, sd = 0.0, median;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!out || !v || n == 0 || !isfinite(v[0]) || !isfinite(v[n - 1])) {
		errno = EINVAL;
		return -1;
	}
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
	out->mad = mad_sorted(v, n, median);
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
