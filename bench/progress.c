/* SPDX-License-Identifier: MIT */
/* The progress line on a terminal: see progress.h. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define REDRAW_NS 500000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * How far the guest has filled its sample buffer. It writes in order, so
 * scan on from where we stopped; a single zero delta (a batch shorter than
 * one counter tick) must not stall the count, so only a run of zeros ends it.
 */
static uint64_t scan_samples(struct ks_progress *p, uint64_t total)
{
	uint64_t i = p->scanned, zeros = 0;

	for (; i < total && zeros < 64; i++) {
		if (p->samples[i]) {
			p->scanned = i + 1;
			zeros = 0;
		} else {
			zeros++;
		}
	}
	return p->scanned;
}

static void draw(struct ks_progress *p)
{
	char line[256];
	uint64_t t = now_ns();
	int n;

	n = snprintf(line, sizeof(line), "[%d/%d] %s", p->index, p->count, p->bench);
	if (p->in_phase) {
		uint64_t total = atomic_load(&p->total);
		uint64_t done = p->samples ? scan_samples(p, total) : atomic_load(&p->done);
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  %llu/%llu samples",
			      (unsigned long long)done, (unsigned long long)total);
		double el = (double)(t - p->phase_t0) / 1e9;
		if (done > 0 && done < total && el > 0.5)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "  ~%.0f s left",
				      el / (double)done * (double)(total - done) + 0.5);
	} else {
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  setting up, %.0f s",
			      (double)(t - p->bench_t0) / 1e9);
	}
	/* one line, never wrapped: \r can only take back the last line */
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && n >= ws.ws_col)
		line[ws.ws_col - 1] = 0;
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->drawn = true;
}

static void clear(struct ks_progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->drawn = false;
	}
}

static void *progress_main(void *arg)
{
	struct ks_progress *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)REDRAW_NS;
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&p->wake, &p->lock, &ts);
		if (!p->stop && !p->hidden && p->bench[0])
			draw(p);
	}
	clear(p);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

bool ks_progress_start(struct ks_progress *p, int count, bool enabled)
{
	sigset_t all, old;

	memset(p, 0, sizeof(*p));
	p->count = count;
	/* a dumb terminal cannot take back a line with \r and erase-line */
	const char *term = getenv("TERM");
	if (!enabled || !isatty(STDERR_FILENO) || (term && !strcmp(term, "dumb")))
		return false;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	/* signals (Ctrl-C, the vCPU kick) are for the benchmark threads, not this one */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&p->thread, NULL, progress_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		return false;
	}
	return true;
}

void ks_progress_bench(struct ks_progress *p, const char *name, int index)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	snprintf(p->bench, sizeof(p->bench), "%s", name);
	p->index = index;
	p->bench_t0 = now_ns();
	p->in_phase = false;
	p->samples = NULL;
	p->scanned = 0;
	pthread_mutex_unlock(&p->lock);
}

void ks_progress_phase(struct ks_progress *p, uint64_t total, const volatile uint64_t *samples)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	atomic_store(&p->done, 0);
	atomic_store(&p->total, total);
	p->samples = samples;
	p->scanned = 0;
	p->phase_t0 = now_ns();
	p->in_phase = true;
	pthread_mutex_unlock(&p->lock);
}

void ks_progress_phase_end(struct ks_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->samples = NULL;
	p->in_phase = false;
	pthread_mutex_unlock(&p->lock);
}

void ks_progress_total(struct ks_progress *p, uint64_t total)
{
	if (p)
		atomic_store(&p->total, total);
}

void ks_progress_advance(struct ks_progress *p, uint64_t done)
{
	if (p)
		atomic_store(&p->done, done);
}

void ks_progress_hide(struct ks_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	clear(p);
	p->hidden = true;
	pthread_mutex_unlock(&p->lock);
}

void ks_progress_show(struct ks_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->hidden = false;
	pthread_mutex_unlock(&p->lock);
}

void ks_progress_stop(struct ks_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
}
