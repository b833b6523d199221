/* SPDX-License-Identifier: MIT */
/*
 * Host perf counters around each benchmark: see perf_counters.h.
 * Counters are opened one by one (no group), because a group is all or
 * nothing: on a machine without a hardware PMU the software counters must
 * still count, and each hardware counter must say why it could not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "perf_counters.h"

const struct ks_perf_def ks_perf_defs[KS_PERF_N] = {
	[KS_PERF_CYCLES] = { "cycles", "count", true, PERF_COUNT_HW_CPU_CYCLES, false, false },
	[KS_PERF_INSTRUCTIONS] = { "instructions", "count", true, PERF_COUNT_HW_INSTRUCTIONS,
				   false, false },
	[KS_PERF_CYCLES_GUEST] = { "cycles_guest", "count", true, PERF_COUNT_HW_CPU_CYCLES,
				   true, false },
	[KS_PERF_CYCLES_HOST] = { "cycles_host", "count", true, PERF_COUNT_HW_CPU_CYCLES,
				  false, true },
	[KS_PERF_INSTRUCTIONS_GUEST] = { "instructions_guest", "count", true,
					 PERF_COUNT_HW_INSTRUCTIONS, true, false },
	[KS_PERF_INSTRUCTIONS_HOST] = { "instructions_host", "count", true,
					PERF_COUNT_HW_INSTRUCTIONS, false, true },
	[KS_PERF_CONTEXT_SWITCHES] = { "context_switches", "count", false,
				       PERF_COUNT_SW_CONTEXT_SWITCHES, false, false },
	[KS_PERF_TASK_CLOCK] = { "task_clock", "ns", false, PERF_COUNT_SW_TASK_CLOCK, false,
				 false },
};

/* What an errno from perf_event_open means for this kind of counter. */
static const char *meaning(const struct ks_perf_def *d, int err, bool pmu, char *tmp, size_t len)
{
	bool split = d->exclude_guest || d->exclude_host;

	switch (err) {
	case ENOENT:
		if (!d->hardware)
			return "this kernel has no such software event";
		/* another hardware counter opened: the PMU is there, this event is not */
		return pmu ? "this PMU does not count this event (not in its event map: the "
			     "CPU, or its emulation, does not implement it)" :
			     "no hardware PMU event here (the kernel drives no PMU on this CPU, "
			     "as in a VM without a virtual PMU)";
	case EOPNOTSUPP:
		return split ? "this PMU cannot count guest and host apart "
			       "(exclude_guest/exclude_host unsupported)" :
			       "this PMU does not support the event";
	case EINVAL:
		return split ? "the PMU rejected exclude_guest/exclude_host" :
			       "the kernel rejected the event attributes";
	case EACCES:
	case EPERM: {
		char p[16] = "?";
		FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
		if (f) {
			if (!fgets(p, sizeof(p), f))
				snprintf(p, sizeof(p), "?");
			fclose(f);
			p[strcspn(p, "\n")] = 0;
		}
		snprintf(tmp, len, "not permitted: kernel.perf_event_paranoid=%s and no "
			 "CAP_PERFMON (run as root, or lower the sysctl)", p);
		return tmp;
	}
	case ENOSYS:
		return "this kernel has no perf events (CONFIG_PERF_EVENTS=n), or a seccomp "
		       "filter blocks perf_event_open";
	case ENODEV:
		return "no PMU for this event type on this CPU";
	case EBUSY:
		return "the PMU is held exclusively by another user";
	case EMFILE:
	case ENFILE:
		return "out of file descriptors";
	default:
		return NULL;
	}
}

void ks_perf_explain(char *buf, size_t len, const struct ks_perf_def *d, int err, bool pmu)
{
	char tmp[160];
	const char *name = strerrorname_np(err);
	const char *m = meaning(d, err, pmu, tmp, sizeof(tmp));

	snprintf(buf, len, "perf_event_open(%s): %s (%s)%s%s", d->name, name ? name : "?",
		 strerror(err), m ? " \u2014 " : "", m ? m : "");
}

void ks_perf_open(struct ks_perf_set *s)
{
	int err[KS_PERF_N] = { 0 };
	bool pmu = false;   /* some hardware counter opened */

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < KS_PERF_N; i++) {
		const struct ks_perf_def *d = &ks_perf_defs[i];
		struct perf_event_attr a;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = d->hardware ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE;
		a.config = d->config;
		/* the threads a benchmark starts (vCPU threads) are counted too */
		a.inherit = 1;
		a.exclude_host = d->exclude_host;
		a.exclude_guest = d->exclude_guest;
		/* multiplexing shows up as running < enabled: scale, and say so */
		a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
		/* kernel mode is counted: KVM's exit handling is what we measure */
		s->fd[i] = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (s->fd[i] < 0)
			err[i] = errno;
		else if (d->hardware)
			pmu = true;
	}
	/* explained once all are tried: ENOENT means "no PMU" only if none opened */
	for (int i = 0; i < KS_PERF_N; i++)
		if (s->fd[i] < 0)
			ks_perf_explain(s->why[i], sizeof(s->why[i]), &ks_perf_defs[i], err[i], pmu);
	ks_perf_read(s, &s->at_open);
}

void ks_perf_read(const struct ks_perf_set *s, struct ks_perf_reading *rd)
{
	memset(rd, 0, sizeof(*rd));
	for (int i = 0; i < KS_PERF_N; i++) {
		uint64_t v[3];
		if (s->fd[i] < 0 || read(s->fd[i], v, sizeof(v)) != (ssize_t)sizeof(v))
			continue;
		rd->value[i] = v[0];
		rd->enabled[i] = v[1];
		rd->running[i] = v[2];
		rd->ok[i] = true;
	}
}

void ks_perf_diff(const struct ks_perf_set *s, const struct ks_perf_reading *a,
		  const struct ks_perf_reading *b, const char *scope, struct ks_perf_record *out)
{
	memset(out, 0, sizeof(*out));
	out->valid = true;
	snprintf(out->scope, sizeof(out->scope), "%s", scope);
	for (int i = 0; i < KS_PERF_N; i++) {
		struct ks_perf_value *v = &out->c[i];
		if (s->fd[i] < 0) {
			snprintf(v->why, sizeof(v->why), "%s", s->why[i]);
			continue;
		}
		if (!a->ok[i] || !b->ok[i]) {
			snprintf(v->why, sizeof(v->why), "perf counter %s: reading it failed",
				 ks_perf_defs[i].name);
			continue;
		}
		uint64_t val = b->value[i] - a->value[i];
		uint64_t en = b->enabled[i] - a->enabled[i], run = b->running[i] - a->running[i];
		if (en > 0 && run == 0) {
			snprintf(v->why, sizeof(v->why), "perf counter %s: opened, but never on the "
				 "PMU during the phase (all its counters busy)", ks_perf_defs[i].name);
			continue;
		}
		v->supported = true;
		v->running = en ? (double)run / (double)en : 1.0;
		v->value = run < en ? (uint64_t)((double)val * (double)en / (double)run) : val;
	}
}

void ks_perf_close(struct ks_perf_set *s)
{
	for (int i = 0; i < KS_PERF_N; i++) {
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		s->fd[i] = -1;
	}
}

/* --- the measured phase, as benchmarks mark it ------------------------------ */

void ks_perf_phase_begin(struct ks_ctx *c)
{
	if (!c->perf)
		return;
	ks_perf_read(c->perf, &c->perf->at_phase);
	c->perf->in_phase = true;
}

void ks_perf_phase_end(struct ks_ctx *c, struct ks_result *r)
{
	struct ks_perf_reading now;

	if (!c->perf || !c->perf->in_phase || !r)
		return;
	ks_perf_read(c->perf, &now);
	ks_perf_diff(c->perf, &c->perf->at_phase, &now, "measured_phase", &r->perf);
	c->perf->in_phase = false;
}

void ks_perf_benchmark_end(struct ks_ctx *c, struct ks_result *first, size_t n)
{
	struct ks_perf_reading now;
	struct ks_perf_record whole;

	if (!c->perf)
		return;
	ks_perf_read(c->perf, &now);
	ks_perf_diff(c->perf, &c->perf->at_open, &now, "benchmark", &whole);
	/*
	 * A result without a record of its own was computed from the same
	 * measured phase as the result before it (irqfd -> irqfd_rtt, eoi;
	 * mem_lend_N -> memslot_add_N, memslot_delete_N): it shares that record.
	 */
	const struct ks_perf_record *last = NULL;
	for (size_t i = 0; i < n; i++) {
		if (first[i].perf.valid)
			last = &first[i].perf;
		else
			first[i].perf = last ? *last : whole;
	}
}
