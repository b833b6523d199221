/* SPDX-License-Identifier: MIT */
/*
 * Adaptive precision: how many samples a benchmark takes. With a target
 * (`run --precision P`, default ±1 %), a benchmark samples in rounds until
 * the 95 % CI of the median of each of its results lies within ±P % of that
 * median, or its time cap is spent (`--max-time`), or the guest's sample
 * buffer is full. Between rounds the guest waits outside any timed window
 * (a ucall, or the host's go in shared memory): asking for more adds no exit
 * to a measured batch. Each result then records the CI it reached and why
 * sampling stopped; one that stopped short says why (the spread, outliers,
 * a median that drifted, what the target would have cost). Without a
 * target (`--precision 0`, `--samples N`, `--quick`) the first round is all.
 *
 * The CI is the report's: the distribution-free order-statistic interval of
 * the median (analysis/inference.h), on the samples as the results file
 * stores them.
 */
#ifndef KS_PRECISION_H
#define KS_PRECISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KS_PRECISION_CONF 0.95

enum ks_stop {
	KS_STOP_NONE = 0,     /* still sampling */
	KS_STOP_FIXED,        /* no target: the samples asked for */
	KS_STOP_TARGET,       /* every series within the target */
	KS_STOP_TIME_CAP,     /* the time cap came first */
	KS_STOP_SAMPLE_CAP,   /* the sample buffer is full */
};

struct ks_precision {
	double target;        /* CI half-width / median wanted; 0: fixed samples */
	uint64_t cap_ns;      /* sampling time this benchmark may spend */
	uint64_t max_n;       /* most samples it can hold */
	unsigned rounds;      /* decisions taken */
	enum ks_stop stop;
	uint64_t elapsed_ns;  /* sampling time at the last decision */
	size_t n;             /* samples (of the longest series) at the last decision */
};

void ks_precision_init(struct ks_precision *p, double target, double cap_s, uint64_t max_n);

/*
 * After a round: series[i] holds ns[i] values in the order they were taken
 * (a run's results: irqfd's one-way, round trip and EOI...); n samples were
 * asked for so far (the longest series), in elapsed_ns of sampling. Returns
 * how many more to take, or 0 with p->stop saying why it stops.
 */
uint64_t ks_precision_more(struct ks_precision *p, const double *const *series, const size_t *ns,
			   size_t nseries, size_t n, uint64_t elapsed_ns);

/* Sampling to a target, the time cap is spent: a round driven sample by
 * sample (interrupts) ends here, once it has `min_n` samples, and asks. */
bool ks_precision_spent(const struct ks_precision *p, uint64_t elapsed_ns);

/* What one series reached: the CI of its median and its half-width
 * relative to the median (INFINITY when n is too small for a CI). */
struct ks_ci {
	double median, lo, hi, half;
};
void ks_precision_ci(const double *x, size_t n, struct ks_ci *out);

/* The stop, in the words results files use: "fixed", "target", "time_cap",
 * "sample_cap" ("" while sampling). */
const char *ks_stop_name(enum ks_stop s);

/*
 * Why a series stopped short of the target, in words: its spread (robust
 * CV), its far outliers, a median that moved between the first and second
 * half of the run, and what the target would have taken at this rate. The
 * series is in the order taken; elapsed_ns is the time it took.
 */
void ks_precision_why(const struct ks_precision *p, const double *x, size_t n,
		      uint64_t elapsed_ns, char *buf, size_t len);

#endif
