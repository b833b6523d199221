/* SPDX-License-Identifier: MIT */
/*
 * stats.h - summary statistics over double samples, plus unit helpers.
 *
 * Part of kvmscope's analysis library (ks_analysis).  All functions are
 * re-entrant: no global state, no exit(), errors are reported via return
 * values and errno.
 */
#ifndef KS_STATS_H
#define KS_STATS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Summary of a sample set.  Quantiles (median, p90, p99, p999) use
 * Hyndman-Fan type 7 (R's default, numpy's default "linear").
 *   stddev: sample standard deviation (divisor n-1); 0 when n == 1.
 *   mad:    median absolute deviation from the median, *unscaled*
 *           (multiply by 1.4826 for a normal-consistent sigma estimate).
 */
struct ks_summary {
	size_t n;
	double min, max, mean, stddev, median, p90, p99, p999, mad;
};

/*
 * Summarize n samples.  The input is not modified (an internal copy is
 * sorted).  Returns 0 on success.  Returns -1 and zeroes *out when:
 *   n == 0 or samples/out is NULL             (errno = EINVAL)
 *   any sample is NaN or +-inf                (errno = EINVAL; never dropped)
 *   the internal copy cannot be allocated     (errno = ENOMEM)
 */
int ks_summarize(const double *samples, size_t n, struct ks_summary *out);

/*
 * The same over an ascending-sorted array of finite values (no copy, no
 * sort): for callers that keep the sorted samples anyway.
 */
int ks_summarize_sorted(const double *sorted, size_t n, struct ks_summary *out);

/*
 * Quantile q (in [0,1]) of an ascending-sorted array using linear
 * interpolation between order statistics (Hyndman-Fan type 7):
 *   h = (n-1)*q;  x[floor(h)] + (h-floor(h)) * (x[floor(h)+1] - x[floor(h)])
 * q outside [0,1] is clamped.  Returns NaN if n == 0, sorted == NULL or
 * q is NaN.
 */
double ks_quantile_sorted(const double *sorted, size_t n, double q);

/* Sort ascending in place.  NaNs (if any) are ordered after all numbers. */
void ks_sort_doubles(double *v, size_t n);

/*
 * Convert counter ticks at frequency hz to nanoseconds.  Computed as
 * whole seconds + remainder in extended precision, so the result is the
 * correctly-rounded double even for very large tick counts.
 * Returns NaN if hz == 0.
 */
double ks_ticks_to_ns(uint64_t ticks, uint64_t hz);

/*
 * Throughput in GiB/s (GiB = 2^30 bytes) for `bytes` moved in `ns`
 * nanoseconds.  Returns NaN if ns is not a finite positive number.
 */
double ks_gib_per_s(uint64_t bytes, double ns);

#ifdef __cplusplus
}
#endif

#endif /* KS_STATS_H */
