/* SPDX-License-Identifier: MIT */
/*
 * The progress line of a long `kvmscope run`: which benchmark, the samples
 * taken so far, an estimate of the time left. On stderr, redrawn twice a
 * second by a thread of its own, and only when stderr is a terminal (not
 * TERM=dumb): logs and pipes never see it. Benchmarks report through the NULL-safe
 * ks_progress_phase/advance; batch benchmarks hand over the guest's sample
 * buffer instead, which the guest fills in order with nonzero tick deltas,
 * so progress is read from it without any exit or store in the timed loop.
 */
#ifndef KS_PROGRESS_H
#define KS_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct ks_progress {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop, hidden, drawn;
	int count;                     /* benchmarks in this run */
	/* under lock */
	char bench[64];
	int index;
	uint64_t bench_t0, phase_t0;   /* ns, CLOCK_MONOTONIC */
	bool in_phase;
	const volatile uint64_t *samples;
	uint64_t scanned;              /* samples[] known filled up to here */
	/* written by the benchmark without the lock */
	_Atomic uint64_t done, total;
};

/* Start the line if stderr is a terminal (and `enabled`); false: it stays off. */
bool ks_progress_start(struct ks_progress *p, int count, bool enabled);
/* A new benchmark, the index-th of count (1-based). */
void ks_progress_bench(struct ks_progress *p, const char *name, int index);
/* The measured phase starts: `total` samples, counted by ks_progress_advance
 * or, when `samples` is given, read from that guest-filled buffer. */
void ks_progress_phase(struct ks_progress *p, uint64_t total, const volatile uint64_t *samples);
void ks_progress_advance(struct ks_progress *p, uint64_t done);
/* The phase will take `total` samples after all (more rounds: precision.h). */
void ks_progress_total(struct ks_progress *p, uint64_t total);
/* The phase is over: the line stops reading the sample buffer (call before
 * the guest memory goes away). */
void ks_progress_phase_end(struct ks_progress *p);
/* Clear the line while the caller prints (table rows); show lets it back. */
void ks_progress_hide(struct ks_progress *p);
void ks_progress_show(struct ks_progress *p);
/* Clear the line and stop the thread. */
void ks_progress_stop(struct ks_progress *p);

#endif
