/* SPDX-License-Identifier: MIT */
/*
 * The run skeleton every benchmark family goes through (bench.h: ks_run):
 * the main result, the session, the guest counter's frequency, the measured
 * phase (exit-count checks, perf counters, progress line), raw ticks into
 * samples, the vCPU threads of the multi-threaded families, and one rule for
 * a failure's status. None of it runs inside a guest-timed phase: the
 * families' own loops are what run there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct ks_result *ks_run_result(struct ks_run *run)
{
	return &run->c->res->items[run->r_idx];
}

struct ks_result *ks_run_add_result(struct ks_run *run, const char *name, const char *unit,
				    const char *what_fmt, ...)
{
	struct ks_result *r = ks_result_add(run->c->res, name, run->b->family, unit);
	va_list ap;

	if (r) {
		va_start(ap, what_fmt);
		vsnprintf(r->what, sizeof(r->what), what_fmt, ap);
		va_end(ap);
	}
	return r;
}

int ks_run_watchdog(struct ks_run *run, struct ks_vcpu *v)
{
	if (ks_vcpu_watchdog_arm(v, run->c->opts->watchdog_s) < 0) {
		snprintf(run->c->err, sizeof(run->c->err), "%s", v->err);
		return -1;
	}
	return 0;
}

int ks_run_expect(struct ks_run *run, struct ks_vcpu *v, uint64_t cmd, const char *what)
{
	struct ks_ucall uc;

	if (ks_vcpu_run_to_ucall(v, &uc) < 0) {
		snprintf(run->c->err, sizeof(run->c->err), "%s", v->err);
		return -1;
	}
	if (uc.cmd != cmd) {
		ks_vcpu_bad_ucall(v, &uc, what);
		snprintf(run->c->err, sizeof(run->c->err), "%s", v->err);
		return -1;
	}
	return 0;
}

void ks_run_phase_begin(struct ks_run *run, const struct ks_stat_expect *expect, uint64_t n,
			const volatile uint64_t *samples)
{
	run->expect = expect;
	if (expect)
		ks_checks_begin(&run->s.vcpu, expect, &run->snap);
	ks_perf_phase_begin(run->c);
	ks_progress_phase(run->c->progress, n, samples);
}

void ks_run_phase_end(struct ks_run *run, uint64_t ops)
{
	struct ks_result *r = ks_run_result(run);

	ks_perf_phase_end(run->c, r);
	ks_progress_phase_end(run->c->progress);
	if (run->expect)
		ks_checks_end(&run->s.vcpu, run->expect, &run->snap, ops, r);
	run->expect = NULL;
}

int ks_run_take_ticks(struct ks_run *run, struct ks_result *r, uint64_t *raw, size_t n,
		      uint64_t ops_per_raw)
{
	double *ns = malloc((n ? n : 1) * sizeof(double));

	r->raw_ticks = raw;   /* freed with the results, whatever happens next */
	r->tick_hz = run->hz;
	r->ops_per_raw = ops_per_raw;
	if (!raw || !ns) {
		free(ns);
		snprintf(run->c->err, sizeof(run->c->err), "out of memory for %zu samples", n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* signed: an irqfd one-way sample can be below the clock offset's error */
		int64_t v = (int64_t)raw[i];
		double t = ks_ticks_to_ns(v < 0 ? -(uint64_t)v : (uint64_t)v, run->hz);
		ns[i] = (v < 0 ? -t : t) / (double)ops_per_raw;
	}
	r->nraw = n;
	ks_result_set_samples(r, ns, n);
	return 0;
}

static void *vcpu_thread_main(void *arg)
{
	struct ks_vcpu_thread *t = arg;
	struct ks_ucall uc;

	t->rc = -1;
	ks_pin_self(t->cpu);
	if (ks_vcpu_watchdog_arm(t->v, t->c->opts->watchdog_s) == 0 &&
	    ks_vcpu_run_to_ucall(t->v, &uc) == 0) {
		if (t->until && uc.cmd == t->until)
			t->rc = 0;
		else
			ks_vcpu_bad_ucall(t->v, &uc, t->until ? "DONE" :
					  "nothing (this vCPU never reports)");
	}
	if (t->rc < 0)
		snprintf(t->err, sizeof(t->err), "%s", t->v->err);
	ks_vcpu_watchdog_disarm(t->v);
	t->finished = 1;
	return NULL;
}

int ks_vcpu_thread_start(struct ks_run *run, struct ks_vcpu_thread *t, struct ks_vcpu *v,
			 int cpu, uint64_t until)
{
	memset(t, 0, sizeof(*t));
	t->c = run->c;
	t->v = v;
	t->cpu = cpu;
	t->until = until;
	if (pthread_create(&t->th, NULL, vcpu_thread_main, t) != 0) {
		snprintf(run->c->err, sizeof(run->c->err), "pthread_create: %s", strerror(errno));
		return -1;
	}
	t->started = true;
	return 0;
}

int ks_vcpu_thread_join(struct ks_vcpu_thread *t, bool stop)
{
	if (!t->started)
		return -1;
	if (stop && !t->finished)
		ks_vcpu_stop(t->v, t->th);
	pthread_join(t->th, NULL);
	t->started = false;
	return t->rc;
}

int ks_run(const struct ks_bench *b, struct ks_ctx *c, const struct ks_run_desc *d)
{
	struct ks_run run = { .c = c, .b = b, .priv = d->priv };
	struct ks_result *r = ks_result_add(c->res, d->name ? d->name : b->name, b->family, d->unit);
	bool opened = false;
	int rc = -1;

	if (!r)
		return -1;
	run.r_idx = (size_t)(r - c->res->items);
	snprintf(r->what, sizeof(r->what), "%s", b->what);
	c->err[0] = 0;
	if (ks_session_open(c, &run.s, b->routine, d->irqchip, d->nvcpus > 1 ? d->nvcpus : 1) < 0)
		goto out;
	opened = true;
	ks_result_param_str(ks_run_result(&run), "irqchip", run.s.vm.irqchip ? "in-kernel" : "none");
	/* the guest counter: from KVM for this vCPU, else as the host probe found it */
	run.hz = run.s.vm.arch->guest_tick_hz(&run.s.vcpu);
	if (!run.hz)
		run.hz = c->host->guest_tick_hz;
	if (!run.hz) {
		snprintf(c->err, sizeof(c->err), "guest counter frequency unknown: cannot convert ticks");
		goto out;
	}
	if (d->setup && d->setup(&run, ks_run_result(&run)) < 0)
		goto out;
	/* set up (memory, irqfds, ioeventfds): start it (Gunyah: VM_START lends
	 * the memory and hands out the doorbells; KVM: nothing) */
	if (ks_vm_start(&run.s.vm) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", run.s.vm.err);
		goto out;
	}
	int measured = d->measure ? d->measure(&run, ks_run_result(&run)) : 0;
	/* the guest has run on this thread: no watchdog may kick it any more */
	ks_vcpu_watchdog_disarm(&run.s.vcpu);
	if (measured < 0 || (d->record && d->record(&run, ks_run_result(&run)) < 0))
		goto out;
	rc = 0;
out:
	if (rc < 0)
		ks_result_fail(ks_run_result(&run), ks_interrupted ? "interrupted" : "failed", "%s",
			       c->err);
	/* the progress line reads guest memory: stop before it is unmapped */
	ks_progress_phase_end(c->progress);
	if (opened) {
		if (d->teardown)
			d->teardown(&run);
		ks_session_close(&run.s);   /* the vCPUs' watchdogs go with them */
	}
	return rc;
}
