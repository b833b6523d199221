/* SPDX-License-Identifier: MIT */
/*
 * inference.c - median CIs, Price-Bonett differences, Mann-Whitney U, Holm
 * (inference.h).
 */
#include "inference.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

double ks_norm_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/*
 * Acklam's rational approximation (relative error 1.15e-9), then one Halley
 * step against erfc, which brings it to double precision.
 */
double ks_norm_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
				    -2.759285104469687e+02, 1.383577518672690e+02,
				    -3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
				    -1.556989798598866e+02, 6.680131188771972e+01,
				    -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
				    -2.400758277161838e+00, -2.549732539343734e+00,
				    4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
				    2.445134137142996e+00, 3.754408661907416e+00 };
	const double plow = 0.02425;
	double q, r, x;

	if (isnan(p) || p <= 0 || p >= 1)
		return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
	if (p < plow) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - plow) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	} else {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	double e = ks_norm_cdf(x) - p;
	double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

#define EXACT_BINOMIAL_MAX 5000

/* P(B <= j) for B ~ Binomial(n, 1/2): exact up to EXACT_BINOMIAL_MAX, else normal. */
static double binom_half_cdf(size_t n, size_t j)
{
	if (n > EXACT_BINOMIAL_MAX)
		return ks_norm_cdf(((double)j + 0.5 - n / 2.0) / (sqrt((double)n) / 2));
	double lnn = lgamma((double)n + 1) - (double)n * M_LN2, sum = 0;
	for (size_t i = 0; i <= j && i <= n; i++)
		sum += exp(lnn - lgamma((double)i + 1) - lgamma((double)(n - i) + 1));
	return sum > 1 ? 1 : sum;
}

/*
 * Largest k >= 1 (1-based order statistic) with 2 P(B <= k-1) <= alpha, or 0.
 * The interval [x_(k), x_(n-k+1)] then covers the median with >= 1 - alpha.
 */
static size_t ci_rank(size_t n, double alpha)
{
	size_t k = 0;

	if (n > EXACT_BINOMIAL_MAX) {
		double z = ks_norm_quantile(1 - alpha / 2);
		double j = floor(n / 2.0 - 0.5 - z * sqrt((double)n) / 2);
		return j < 0 ? 0 : (size_t)j + 1;
	}
	double lnn = lgamma((double)n + 1) - (double)n * M_LN2, cdf = 0;
	for (size_t j = 0; j < n / 2; j++) {
		cdf += exp(lnn - lgamma((double)j + 1) - lgamma((double)(n - j) + 1));
		if (2 * cdf > alpha)
			break;
		k = j + 1;
	}
	return k;
}

int ks_median_ci(const double *x, size_t n, double conf, double *lo, double *hi)
{
	size_t k = n ? ci_rank(n, 1 - conf) : 0;

	if (k == 0 || conf <= 0 || conf >= 1) {
		*lo = *hi = NAN;
		errno = EDOM;
		return -1;
	}
	*lo = x[k - 1];
	*hi = x[n - k];
	return 0;
}

/*
 * SE of the median from the order statistics around it (McKean-Schrader):
 * c = round((n+1)/2 - 1.96 sqrt(n/4)), se = (x_(n-c+1) - x_(c)) / (2 z_c),
 * with z_c from the exact coverage of that interval (Price & Bonett 2001).
 * f maps values (identity, or log for ratios).
 */
static double median_se(const double *x, size_t n, int use_log)
{
	if (n < 6)
		return NAN;
	double cr = round((n + 1) / 2.0 - 1.959963984540054 * sqrt(n / 4.0));
	size_t c = cr < 1 ? 1 : (size_t)cr;
	double tail = binom_half_cdf(n, c - 1);
	double zc = ks_norm_quantile(1 - tail);
	double lo = x[c - 1], hi = x[n - c];
	if (use_log) {
		if (lo <= 0 || hi <= 0)
			return NAN;
		lo = log(lo);
		hi = log(hi);
	}
	if (!(zc > 0))
		return NAN;
	return (hi - lo) / (2 * zc);
}

double ks_median_se(const double *x, size_t n)
{
	return median_se(x, n, 0);
}

double ks_median_se_log(const double *x, size_t n)
{
	return median_se(x, n, 1);
}

void ks_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u,
		     double *z, double *p)
{
	size_t i = 0, j = 0, rank = 0;
	double rb = 0, ties = 0;
	double N = (double)na + (double)nb;

	/* Merge-walk both sorted sets; a tie group of t values (from either set)
	 * gets the average rank, and contributes t^3 - t to the tie correction. */
	while (i < na || j < nb) {
		double v = j >= nb || (i < na && a[i] < b[j]) ? a[i] : b[j];
		size_t ta = 0, tb = 0;
		while (i < na && a[i] == v)
			i++, ta++;
		while (j < nb && b[j] == v)
			j++, tb++;
		double t = (double)(ta + tb);
		double avg = (double)rank + (t + 1) / 2;
		rb += avg * (double)tb;
		ties += t * t * t - t;
		rank += ta + tb;
	}
	double ub = rb - (double)nb * ((double)nb + 1) / 2;
	double mean = (double)na * (double)nb / 2;
	double var = (double)na * (double)nb / 12 * ((N + 1) - (N > 1 ? ties / (N * (N - 1)) : 0));
	*u = ub;
	if (!(var > 0)) {
		*z = 0;
		*p = 1;
		return;
	}
	double d = ub - mean;
	d = d > 0.5 ? d - 0.5 : d < -0.5 ? d + 0.5 : 0;  /* continuity correction */
	*z = d / sqrt(var);
	*p = erfc(fabs(*z) / M_SQRT2);
	if (*p > 1)
		*p = 1;
}

int ks_compare_medians(const double *a, size_t na, const double *b, size_t nb, double conf,
		       struct ks_diff *o)
{
	double z = ks_norm_quantile(1 - (1 - conf) / 2);

	memset(o, 0, sizeof(*o));
	if (na < 6 || nb < 6) {
		errno = EDOM;
		return -1;
	}
	o->median_a = ks_quantile_sorted(a, na, 0.5);
	o->median_b = ks_quantile_sorted(b, nb, 0.5);
	o->diff = o->median_b - o->median_a;
	double sa = ks_median_se(a, na), sb = ks_median_se(b, nb);
	double se = sqrt(sa * sa + sb * sb);
	o->diff_lo = o->diff - z * se;
	o->diff_hi = o->diff + z * se;
	if (o->median_a > 0 && o->median_b > 0) {
		double la = ks_median_se_log(a, na), lb = ks_median_se_log(b, nb);
		double lse = sqrt(la * la + lb * lb);
		double lr = log(o->median_b) - log(o->median_a);
		o->ratio = exp(lr);
		o->ratio_lo = exp(lr - z * lse);
		o->ratio_hi = exp(lr + z * lse);
	} else {
		o->ratio = o->ratio_lo = o->ratio_hi = NAN;
	}
	ks_mann_whitney(a, na, b, nb, &o->u, &o->z, &o->p);
	o->p_superior = o->u / ((double)na * (double)nb);
	return 0;
}

int ks_ratio_fieller(double a, double sa, double b, double sb, double conf, double *lo,
		     double *hi)
{
	double z = ks_norm_quantile(1 - (1 - conf) / 2);
	double va = sa * sa, vb = sb * sb;
	/* (a - r b)^2 = z^2 (va + r^2 vb): r^2 (b^2 - z^2 vb) - 2 a b r + (a^2 - z^2 va) = 0 */
	double q = b * b - z * z * vb;
	double disc = va * b * b + vb * a * a - z * z * va * vb;

	*lo = *hi = NAN;
	if (!isfinite(a) || !isfinite(b) || !(sa >= 0) || !(sb >= 0) || !(q > 0) || disc < 0) {
		errno = EDOM;
		return -1;
	}
	double r1 = (a * b - z * sqrt(disc)) / q, r2 = (a * b + z * sqrt(disc)) / q;
	*lo = r1 < r2 ? r1 : r2;
	*hi = r1 < r2 ? r2 : r1;
	return 0;
}

/*
 * Regularized incomplete beta I_x(a, b) by its continued fraction, evaluated
 * with the modified Lentz method; the symmetry I_x(a,b) = 1 - I_{1-x}(b,a)
 * keeps x on the side where the fraction converges fast.
 */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 500; m++) {
		double m2 = 2.0 * m;
		double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

static double ibeta(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lbt) * betacf(a, b, x) / a;
	return 1 - exp(lbt) * betacf(b, a, 1 - x) / b;
}

double ks_t_two_sided_p(double t, double df)
{
	if (!(df > 0) || isnan(t))
		return NAN;
	if (isinf(t))
		return 0;
	return ibeta(df / 2, 0.5, df / (df + t * t));
}

double ks_t_quantile(double q, double df)
{
	if (!(df > 0) || !(q > 0 && q < 1))
		return NAN;
	if (q == 0.5)
		return 0;
	/* bisection on the two-sided tail: P(|T| >= t) = 2 min(q, 1-q) */
	double target = 2 * fmin(q, 1 - q), lo = 0, hi = 1;
	while (ks_t_two_sided_p(hi, df) > target && hi < 1e12)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2;
		if (ks_t_two_sided_p(mid, df) > target)
			lo = mid;
		else
			hi = mid;
	}
	double t = (lo + hi) / 2;
	return q < 0.5 ? -t : t;
}

static void mean_var(const double *x, size_t n, double *m, double *v)
{
	double s = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	*m = s / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - *m) * (x[i] - *m);
	*v = n > 1 ? ss / (double)(n - 1) : NAN;
}

int ks_run_ttest(const double *x, size_t nx, const double *y, size_t ny, double conf,
		 struct ks_runtest *o)
{
	double mx, vx, my, vy, se, df;

	memset(o, 0, sizeof(*o));
	if (!nx || !ny || (nx < 2 && ny < 2)) {
		errno = EDOM;
		return -1;
	}
	mean_var(x, nx, &mx, &vx);
	mean_var(y, ny, &my, &vy);
	if (nx >= 2 && ny >= 2) {
		double a = vx / (double)nx, b = vy / (double)ny;
		se = sqrt(a + b);
		/* Welch-Satterthwaite */
		df = (a + b) * (a + b) / (a * a / (double)(nx - 1) + b * b / (double)(ny - 1));
	} else {
		double v = nx >= 2 ? vx : vy;
		se = sqrt(v * (1.0 / (double)nx + 1.0 / (double)ny));
		df = (double)(nx >= 2 ? nx : ny) - 1;
	}
	o->diff = my - mx;
	o->df = df;
	if (!(se > 0)) {
		/* identical runs: no spread at all */
		o->lo = o->hi = o->diff;
		o->t = o->diff == 0 ? 0 : copysign(INFINITY, o->diff);
		o->p = o->diff == 0 ? 1 : 0;
		return 0;
	}
	double tq = ks_t_quantile(1 - (1 - conf) / 2, df);
	o->lo = o->diff - tq * se;
	o->hi = o->diff + tq * se;
	o->t = o->diff / se;
	o->p = ks_t_two_sided_p(o->t, df);
	return 0;
}

static const double *holm_base;
static int holm_cmp(const void *x, const void *y)
{
	double a = holm_base[*(const size_t *)x], b = holm_base[*(const size_t *)y];
	return (a > b) - (a < b);
}

void ks_holm(const double *p, size_t n, double *adj)
{
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	double *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	double run = 0;

	if (!idx || !tmp) {
		/* no memory: Bonferroni, which is never less conservative */
		for (size_t i = 0; i < n; i++)
			adj[i] = fmin(1, p[i] * (double)n);
		free(idx);
		free(tmp);
		return;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	holm_base = p;
	qsort(idx, n, sizeof(*idx), holm_cmp);
	for (size_t r = 0; r < n; r++) {
		double v = fmin(1, (double)(n - r) * p[idx[r]]);
		run = fmax(run, v);
		tmp[idx[r]] = run;
	}
	memcpy(adj, tmp, n * sizeof(*adj));
	free(idx);
	free(tmp);
}

/* Number of sorted values < v (lower bound). */
static size_t count_below(const double *x, size_t n, double v)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void ks_noise(const double *x, size_t n, double mean, double stddev, double median, double mad,
	      struct ks_noise *o)
{
	memset(o, 0, sizeof(*o));
	if (!n)
		return;
	o->cv = mean != 0 ? stddev / fabs(mean) : NAN;
	o->rcv = median != 0 ? 1.4826 * mad / fabs(median) : NAN;
	double q1 = ks_quantile_sorted(x, n, 0.25), q3 = ks_quantile_sorted(x, n, 0.75);
	double iqr = q3 - q1;
	size_t below = count_below(x, n, q1 - 3 * iqr);
	size_t upto = n - count_below(x, n, nextafter(q3 + 3 * iqr, INFINITY));
	o->outliers = below + upto;
	o->noisy = o->rcv > KS_NOISY_RCV;
}

double ks_ns_to_cycles(double ns, double hz)
{
	return hz > 0 ? ns * hz / 1e9 : NAN;
}

double ks_cycles_to_ns(double cycles, double hz)
{
	return hz > 0 ? cycles * 1e9 / hz : NAN;
}
