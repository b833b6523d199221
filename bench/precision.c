/* SPDX-License-Identifier: MIT */
/* Adaptive precision: rounds of samples until the median's CI is narrow
 * enough, or the time cap. See precision.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inference.h"
#include "precision.h"
#include "stats.h"

/* A CI estimated from few samples is itself rough: ask for a little more
 * than the 1/sqrt(n) law says, but grow at most this much per round and
 * look again (an early, noisy estimate must not book the whole cap). */
#define NEED_MARGIN 1.2
#define MAX_GROWTH 4.0

void ks_precision_init(struct ks_precision *p, double target, double cap_s, uint64_t max_n)
{
	memset(p, 0, sizeof(*p));
	p->target = target > 0 ? target : 0;
	p->cap_ns = cap_s > 0 ? (uint64_t)(cap_s * 1e9) : 0;
	p->max_n = max_n;
}

bool ks_precision_spent(const struct ks_precision *p, uint64_t elapsed_ns)
{
	return p->target > 0 && p->cap_ns && elapsed_ns >= p->cap_ns;
}

const char *ks_stop_name(enum ks_stop s)
{
	switch (s) {
	case KS_STOP_FIXED: return "fixed";
	case KS_STOP_TARGET: return "target";
	case KS_STOP_TIME_CAP: return "time_cap";
	case KS_STOP_SAMPLE_CAP: return "sample_cap";
	default: return "";
	}
}

static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(double));

	if (s) {
		memcpy(s, x, n * sizeof(double));
		ks_sort_doubles(s, n);
	}
	return s;
}

static void ci_sorted(const double *s, size_t n, struct ks_ci *out)
{
	out->median = ks_quantile_sorted(s, n, 0.5);
	if (n == 0 || ks_median_ci(s, n, KS_PRECISION_CONF, &out->lo, &out->hi) < 0) {
		out->lo = out->hi = NAN;
		out->half = INFINITY;
		return;
	}
	double w = fmax(out->median - out->lo, out->hi - out->median);
	double m = fabs(out->median);
	out->half = m > 0 ? w / m : (w == 0 ? 0 : INFINITY);
}

void ks_precision_ci(const double *x, size_t n, struct ks_ci *out)
{
	double *s = sorted_copy(x, n);

	if (!s) {
		out->median = out->lo = out->hi = NAN;
		out->half = INFINITY;
		return;
	}
	ci_sorted(s, n, out);
	free(s);
}

uint64_t ks_precision_more(struct ks_precision *p, const double *const *series, const size_t *ns,
			   size_t nseries, size_t n, uint64_t elapsed_ns)
{
	p->rounds++;
	p->elapsed_ns = elapsed_ns;
	p->n = n;
	if (p->target <= 0) {
		p->stop = KS_STOP_FIXED;
		return 0;
	}
	/* the most samples any series still needs, counted in the run's samples */
	double want = 0;
	bool short_of_target = false;
	for (size_t i = 0; i < nseries; i++) {
		struct ks_ci ci;
		ks_precision_ci(series[i], ns[i], &ci);
		if (ci.half <= p->target)
			continue;
		short_of_target = true;
		double per = ns[i] ? (double)n / (double)ns[i] : 1;   /* taken per kept */
		double need = isfinite(ci.half) ? (double)ns[i] * pow(ci.half / p->target, 2) *
						  NEED_MARGIN
						: 2.0 * (double)(ns[i] > 6 ? ns[i] : 6);
		want = fmax(want, need * per - (double)n);
	}
	if (!short_of_target) {
		p->stop = KS_STOP_TARGET;
		return 0;
	}
	/* rounds of useful size: at least half again, at most MAX_GROWTH times */
	want = fmax(want, (double)n / 2);
	want = fmin(want, (double)n * MAX_GROWTH + 16);
	if (p->max_n && n >= p->max_n) {
		p->stop = KS_STOP_SAMPLE_CAP;
		return 0;
	}
	if (p->max_n && want > (double)(p->max_n - n))
		want = (double)(p->max_n - n);
	/* what fits in the time left, at the rate so far (overheads included) */
	if (p->cap_ns && n) {
		double per_sample = (double)elapsed_ns / (double)n;
		double left = elapsed_ns < p->cap_ns ? 0.95 * (double)(p->cap_ns - elapsed_ns) : 0;
		double fit = per_sample > 0 ? left / per_sample : want;
		/* a round too small to move the CI is not worth its time */
		if (fit < fmax(1, (double)n / 20)) {
			p->stop = KS_STOP_TIME_CAP;
			return 0;
		}
		want = fmin(want, fit);
	}
	return (uint64_t)ceil(want);
}

void ks_precision_why(const struct ks_precision *p, const double *x, size_t n,
		      uint64_t elapsed_ns, char *buf, size_t len)
{
	struct ks_summary s;
	struct ks_noise nz;
	struct ks_ci ci;
	double *sorted = sorted_copy(x, n);
	size_t o = 0;

	buf[0] = 0;
	if (!sorted || n == 0 || ks_summarize_sorted(sorted, n, &s) < 0) {
		free(sorted);
		return;
	}
	ci_sorted(sorted, n, &ci);
	ks_noise(sorted, n, s.mean, s.stddev, s.median, s.mad, &nz);
	/* the CI against what one mode of this spread would give (the median's
	 * standard error, 1.2533 sigma / sqrt(n)): far wider, and few samples lie
	 * near the median: they fall in two or more groups, the median between
	 * them or at an edge, where more samples barely pin it */
	double iqr = ks_quantile_sorted(sorted, n, 0.75) - ks_quantile_sorted(sorted, n, 0.25);
	double sigma = 1.4826 * s.mad;
	double one_mode = 1.96 * 1.2533 * sigma / sqrt((double)n);
	bool modes = n >= 12 && sigma > 0 && isfinite(ci.half) &&
		     ci.half * fabs(ci.median) > 3 * one_mode;
	free(sorted);

#define SAY(...) (o += (size_t)snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__), o = o < len ? o : len)
	if (p->stop == KS_STOP_TIME_CAP)
		SAY("the time cap (%.1f s) came first", (double)p->cap_ns / 1e9);
	else if (p->stop == KS_STOP_SAMPLE_CAP)
		SAY("the sample buffer was full (%zu samples)", n);
	else
		SAY("sampling stopped");
	if (isfinite(ci.half))
		SAY(" at +-%.2f %%", 100 * ci.half);
	SAY(": %srobust CV %.1f %%", nz.noisy ? "noisy, " : "", 100 * nz.rcv);
	if (nz.outliers)
		SAY(", %.1f %% far outliers", 100.0 * (double)nz.outliers / (double)n);
	if (modes && s.median != 0)
		SAY(", few samples near the median: two or more modes (the middle half spans "
		    "%.0f %% of it)", 100 * iqr / fabs(s.median));
	/* the median of the first half against the second, in the order taken:
	 * said only when their CIs do not even overlap (not small-sample luck) */
	if (n >= 12) {
		struct ks_ci a, b;
		ks_precision_ci(x, n / 2, &a);
		ks_precision_ci(x + n / 2, n - n / 2, &b);
		double drift = a.median != 0 ? b.median / a.median - 1 : 0;
		bool apart = a.hi < b.lo || b.hi < a.lo;
		if (apart && fabs(drift) > p->target && isfinite(drift))
			SAY(", the median moved %+.1f %% from the first half of the samples to the "
			    "second (the host changed under the run)", 100 * drift);
	}
	if (isfinite(ci.half) && p->target > 0 && n) {
		double k = pow(ci.half / p->target, 2);
		if (k <= 100)
			SAY("; +-%.3g %% would take ~%.1fx the samples (~%.0f s at this rate)",
			    100 * p->target, k, k * (double)elapsed_ns / 1e9);
		else
			SAY("; +-%.3g %% is out of reach at this spread (over 100x the samples)",
			    100 * p->target);
	}
#undef SAY
}
