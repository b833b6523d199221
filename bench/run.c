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
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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
		ks_checks_end(&run->s.vcpu, run->expect, &run->snap, ops, 1 + run->phase_ucalls, r);
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
	t->tid = (pid_t)syscall(SYS_gettid);
	ks_pin_self(t->cpu);
	double backstop = t->c->opts->watchdog_s > KS_VCPU_THREAD_BACKSTOP_S ?
			  t->c->opts->watchdog_s : KS_VCPU_THREAD_BACKSTOP_S;
	if (ks_vcpu_watchdog_arm(t->v, backstop) == 0 &&
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
	t->has_cpu_clock = pthread_getcpuclockid(t->th, &t->cpu_clock) == 0;
	return 0;
}

void ks_vcpu_thread_progress(struct ks_vcpu_thread *t)
{
	uint64_t now = ks_now_ns();

	if (now - t->touched_ns < 100000000ULL)
		return;
	t->touched_ns = now;
	ks_vcpu_watchdog_touch(t->v);
}

/* The vCPU thread's CPU time so far, ns (0 without its clock). */
static uint64_t vcpu_cpu_ns(const struct ks_vcpu_thread *t)
{
	struct timespec ts;

	if (!t->has_cpu_clock || clock_gettime(t->cpu_clock, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The vCPU thread's scheduler state letter from /proc ('R', 'S', ...; '?'). */
static char vcpu_state(const struct ks_vcpu_thread *t)
{
	char path[64], buf[256];
	FILE *f;

	if (!t->tid)
		return '?';
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)t->tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *p = strrchr(buf, ')');   /* the name may hold anything */
	return p && p[1] == ' ' && p[2] ? p[2] : '?';
}

static const char *state_words(char st)
{
	switch (st) {
	case 'R': return "runnable: it runs or waits for a CPU";
	case 'S': return "sleeping: a halted vCPU";
	case 'D': return "in uninterruptible sleep";
	default: return "state unknown";
	}
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

bool ks_vcpu_thread_wait(struct ks_vcpu_thread *t, const volatile uint64_t *p, uint64_t want,
			 const char *what, const volatile uint64_t *awake, uint64_t awake_from)
{
	if (__atomic_load_n(p, __ATOMIC_ACQUIRE) == want) {
		t->waits.waits++;
		return true;
	}
	uint64_t t0 = ks_now_ns(), now, last = t0, check = t0 + KS_WAIT_SLOW_NS, cpu0 = 0;
	uint64_t asleep = 0;   /* time the vCPU was seen halted, between checks that both saw it */
	char was = '?';
	bool have_cpu0 = false;
	/* the guest's own time, never the wall clock: a starved thread is no hung guest */
	uint64_t budget = KS_WAIT_CPU_NS;
	if (t->c->opts->watchdog_s * 1e9 < (double)budget)
		budget = (uint64_t)(t->c->opts->watchdog_s * 1e9);

	for (;;) {
		for (int k = 0; k < 64; k++) {
			if (__atomic_load_n(p, __ATOMIC_ACQUIRE) == want) {
				uint64_t dt = ks_now_ns() - t0;
				t->waits.waits++;
				if (dt > KS_WAIT_SLOW_NS)
					t->waits.slow++;
				if (dt > t->waits.longest_ns)
					t->waits.longest_ns = dt;
				return true;
			}
			ks_arch.cpu_relax();
		}
		if (t->finished) {
			snprintf(t->why, sizeof(t->why), "the vCPU stopped while the host waited for "
				 "%s: %s", what, t->err);
			return false;
		}
		if (ks_interrupted) {
			snprintf(t->why, sizeof(t->why), "interrupted (SIGINT/SIGTERM) while waiting "
				 "for %s", what);
			return false;
		}
		now = ks_now_ns();
		if (now < check)
			continue;
		/* past 1 ms: look at the vCPU's progress once a millisecond */
		check = now + KS_WAIT_SLOW_NS;
		uint64_t cpu = vcpu_cpu_ns(t);
		if (!have_cpu0) {
			cpu0 = cpu;
			have_cpu0 = true;
		}
		char st = vcpu_state(t);
		if (st == 'S' && was == 'S')
			asleep += now - last;
		/* judged only once the guest answered something: it runs by then */
		bool must_run = t->waits.waits &&
				(!awake || (awake_from != UINT64_MAX &&
					    __atomic_load_n(awake, __ATOMIC_ACQUIRE) >= awake_from));
		if (must_run && st == 'S' && was == 'S') {
			snprintf(t->why, sizeof(t->why), "lost wake-up: the vCPU is halted (its thread "
				 "sleeping, seen twice %.1f ms apart) while the host waits for %s, "
				 "which the guest had every reason to do running",
				 (double)(now - last) / 1e6, what);
			return false;
		}
		was = st;
		last = now;
		bool ran_out = t->has_cpu_clock && cpu - cpu0 >= budget;
		bool slept_out = asleep >= KS_WAIT_ASLEEP_NS;
		/* without the CPU clock, only the wall clock is left to bound it */
		bool wall_out = !t->has_cpu_clock && now - t0 >= KS_WAIT_ASLEEP_NS;
		if (ran_out || slept_out || wall_out) {
			snprintf(t->why, sizeof(t->why), "no %s after %.1f s; the vCPU thread used "
				 "%.0f ms of CPU meanwhile and was seen halted for %.1f s (%s)%s", what,
				 (double)(now - t0) / 1e9,
				 t->has_cpu_clock ? (double)(cpu - cpu0) / 1e6 : 0.0,
				 (double)asleep / 1e9, state_words(st),
				 ran_out ? ": the guest ran and did not answer" :
				 slept_out ? ": halted, and nothing woke it" : "");
			return false;
		}
	}
}

double ks_run_time_share(const struct ks_ctx *c, uint64_t t0_ns, size_t i, size_t n)
{
	double left = c->opts->max_time_s - (double)(ks_now_ns() - t0_ns) / 1e9;
	return fmax(left, 0.1) / (double)(n - i) / c->opts->max_time_s;
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
	/* how many samples: the family's rounds ask, until the target or its share of the cap */
	ks_precision_init(&run.prec, c->opts->precision / 100,
			  c->opts->max_time_s * (d->time_share > 0 ? d->time_share : 1),
			  run.s.vm.arch->layout->samples_cap);
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
	for (size_t i = run.r_idx; i < c->res->n; i++)
		ks_result_set_precision(&c->res->items[i], &run.prec);
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
