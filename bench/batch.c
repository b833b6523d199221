/* SPDX-License-Identifier: MIT */
/*
 * The batch runner: the guest runs warm-up batches, then `batches` timed
 * batches of `batch_size` operations each, storing each batch's tick delta
 * in shared memory. The host services exits, snapshots the vCPU stats at
 * PHASE_BEGIN/PHASE_END and times the measured phase on its own clock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "fault_inject.h"
#include "stats.h"

void ks_record_vcpu_stats(struct ks_vcpu *v, struct ks_result *r)
{
	const char *names[] = { ks_arch.stat_all_exits, ks_arch.stat_pio_exits,
				ks_arch.stat_mmio_exits, ks_arch.stat_kernel_mmio_exits,
				ks_arch.stat_hypercalls, ks_arch.stat_halt_exits,
				ks_arch.stat_irq_injections };

	r->nvcpu_stats = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t val;
		int idx = v->has_stats ? ks_stats_index(&v->stats, names[i]) : -1;
		if (idx < 0 || ks_stats_read(&v->stats, idx, &val) < 0 ||
		    r->nvcpu_stats >= (int)(sizeof(r->vcpu_stats) / sizeof(r->vcpu_stats[0])))
			continue;
		snprintf(r->vcpu_stats[r->nvcpu_stats].name, sizeof(r->vcpu_stats[0].name), "%s",
			 names[i]);
		r->vcpu_stats[r->nvcpu_stats++].value = val;
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ks_checks_begin(struct ks_vcpu *v, const struct ks_stat_expect *e, struct ks_stat_snap *s)
{
	s->t0_ns = mono_ns();
	for (int i = 0; i < KS_MAX_CHECKS; i++) {
		s->idx[i] = -1;
		s->before[i] = 0;
		if (!e[i].stat || !**e[i].stat || !v->has_stats)
			continue;
		s->idx[i] = ks_stats_index(&v->stats, *e[i].stat);
		if (s->idx[i] >= 0 && ks_stats_read(&v->stats, s->idx[i], &s->before[i]) < 0)
			s->idx[i] = -1;
	}
}

/*
 * Exit-count cross-check. The stats are read after the PHASE_BEGIN and
 * PHASE_END exits were counted, so the delta covers the measured operations
 * plus the PHASE_END doorbell (when it counts towards this stat) plus any
 * background exits (timer interrupts, preemption). Those can only add.
 */
void ks_checks_end(struct ks_vcpu *v, const struct ks_stat_expect *e, struct ks_stat_snap *s,
		   uint64_t ops, struct ks_result *r)
{
	for (int i = 0; i < KS_MAX_CHECKS && r->nchecks < KS_MAX_CHECKS; i++) {
		if (!e[i].stat || !**e[i].stat)   /* no such stat on this arch */
			continue;
		struct ks_exit_check *c = &r->checks[r->nchecks++];
		snprintf(c->stat, sizeof(c->stat), "%s", *e[i].stat);
		/* the PHASE_END doorbell is itself an exit of these kinds */
		bool doorbell = !strcmp(*e[i].stat, ks_arch.stat_all_exits) ||
				!strcmp(*e[i].stat, ks_arch.stat_doorbell);
		c->expected = ops * e[i].per_op + (doorbell ? 1 : 0);
		uint64_t after = 0;
		if (!v->has_stats || s->idx[i] < 0 ||
		    ks_stats_read(&v->stats, s->idx[i], &after) < 0) {
			snprintf(c->verdict, sizeof(c->verdict), "unavailable");
			snprintf(c->note, sizeof(c->note), "%s",
				 v->has_stats ? "this kernel has no such vCPU stat" :
						"no binary stats fd on this kernel");
			continue;
		}
		c->observed = after - s->before[i];
		uint64_t slack = c->expected / 50 + 16;   /* 2 % + 16 background exits */
		/*
		 * The all-exits stat also counts timer ticks, IPIs and host
		 * preemption, whose number grows with wall time, not with the
		 * operations: a slow (emulated, traced, loaded) phase gets more.
		 * Allow one per millisecond on top; the specific stats (io, mmio,
		 * hvc) stay within the tight bound.
		 */
		if (!strcmp(*e[i].stat, ks_arch.stat_all_exits))
			slack += (mono_ns() - s->t0_ns) / 1000000;
		if (c->observed == c->expected) {
			snprintf(c->verdict, sizeof(c->verdict), "exact");
		} else if (c->observed > c->expected && c->observed <= c->expected + slack) {
			snprintf(c->verdict, sizeof(c->verdict), "match");
			snprintf(c->note, sizeof(c->note), "%llu extra: background exits",
				 (unsigned long long)(c->observed - c->expected));
		} else if (c->observed == 0 && c->expected > 0) {
			snprintf(c->verdict, sizeof(c->verdict), "not-counted");
			snprintf(c->note, sizeof(c->note),
				 "the stat did not move: this backend does not count these exits in it");
		} else {
			snprintf(c->verdict, sizeof(c->verdict), "mismatch");
			snprintf(c->note, sizeof(c->note), "off by %+lld",
				 (long long)(c->observed - c->expected));
		}
	}
}

static int expect_ucall(struct ks_ctx *c, struct ks_vcpu *v, uint64_t cmd, const char *what)
{
	struct ks_ucall uc;

	if (ks_vcpu_run_to_ucall(v, &uc) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", v->err);
		return -1;
	}
	if (uc.cmd != cmd) {
		ks_vcpu_bad_ucall(v, &uc, what);
		snprintf(c->err, sizeof(c->err), "%s", v->err);
		return -1;
	}
	return 0;
}

int ks_run_batch(const struct ks_bench *b, struct ks_ctx *c)
{
	const struct ks_batch_spec *sp = b->spec;
	struct ks_result *r = ks_result_add(c->res, b->name, b->family, "ns");
	struct ks_session s;
	struct ks_stat_snap snap;
	int rc = -1;

	if (!r)
		return -1;
	snprintf(r->what, sizeof(r->what), "%s", b->what);
	uint64_t batches = ks_default_batches(c, sp->batches, sp->batches_quick);
	uint64_t bsz = c->opts->quick ? sp->batch_size_quick : sp->batch_size;
	uint64_t warm = batches / 10 + 1;

	if (ks_session_open(c, &s, sp->gbench, sp->need_irqchip) < 0) {
		ks_result_fail(r, "failed", "%s", c->err);
		return -1;
	}
	struct ks_mailbox *mb = s.vm.mb;
	/* where the samples are: the host's layout, never the guest-writable mailbox */
	const struct ks_layout *lay = s.vm.arch->layout;
	if (batches > lay->samples_cap) {
		ks_result_fail(r, "failed", "--samples %llu exceeds the guest sample buffer (%llu)",
			       (unsigned long long)batches, (unsigned long long)lay->samples_cap);
		goto out;
	}
	mb->batches = batches;
	mb->batch_size = bsz;
	mb->warmup_batches = warm;
	ks_result_param_num(r, "batches", (double)batches);
	ks_result_param_num(r, "batch_size", (double)bsz);
	ks_result_param_num(r, "warmup_batches", (double)warm);
	if (sp->setup && sp->setup(c, &s, r) < 0) {
		ks_result_fail(r, "failed", "%s", c->err);
		goto out;
	}
	if (sp->host_round_trips) {
		s.vcpu.host_rt_cap = batches * bsz;
		s.vcpu.host_rt_ns = calloc(s.vcpu.host_rt_cap, sizeof(uint64_t));
	}
	if (ks_vcpu_watchdog_arm(&s.vcpu, c->opts->watchdog_s) < 0 ||
	    expect_ucall(c, &s.vcpu, KS_UC_PHASE_BEGIN, "PHASE_BEGIN") < 0) {
		ks_result_fail(r, ks_interrupted ? "interrupted" : "failed", "%s",
			       c->err[0] ? c->err : s.vcpu.err);
		goto out;
	}
	ks_checks_begin(&s.vcpu, sp->expect, &snap);
	s.vcpu.host_rt_n = 0;
	ks_perf_phase_begin(c);
	/* the guest fills samples[] in order: the progress line reads it */
	ks_progress_phase(c->progress, batches,
			  ks_vm_gpa_to_hva(&s.vm, lay->samples_gpa, batches * 8));
	uint64_t t0 = ks_now_ns();
	ks_fault_point("mid_bench");   /* test hook: a signal in the measured phase */
	if (expect_ucall(c, &s.vcpu, KS_UC_PHASE_END, "PHASE_END") < 0) {
		ks_result_fail(r, ks_interrupted ? "interrupted" : "failed", "%s", c->err);
		goto out;
	}
	uint64_t t1 = ks_now_ns();
	ks_perf_phase_end(c, r);
	ks_progress_phase_end(c->progress);
	ks_checks_end(&s.vcpu, sp->expect, &snap, batches * bsz, r);
	if (expect_ucall(c, &s.vcpu, KS_UC_DONE, "DONE") < 0) {
		ks_result_fail(r, "failed", "%s", c->err);
		goto out;
	}
	ks_vcpu_watchdog_disarm(&s.vcpu);

	uint64_t hz = s.vm.arch->guest_tick_hz(&s.vcpu);
	if (!hz)
		hz = c->host->guest_tick_hz;
	if (!hz) {
		ks_result_fail(r, "failed", "guest counter frequency unknown: cannot convert ticks");
		goto out;
	}
	const uint64_t *raw = ks_vm_gpa_to_hva(&s.vm, lay->samples_gpa, batches * 8);
	r->raw_ticks = malloc(batches * sizeof(uint64_t));
	double *ns = malloc(batches * sizeof(double));
	if (!raw || !r->raw_ticks || !ns) {
		free(ns);
		ks_result_fail(r, "failed", "out of memory for %llu samples",
			       (unsigned long long)batches);
		goto out;
	}
	memcpy(r->raw_ticks, raw, batches * sizeof(uint64_t));
	r->nraw = batches;
	r->tick_hz = hz;
	r->ops_per_raw = bsz;
	for (uint64_t i = 0; i < batches; i++)
		ns[i] = ks_ticks_to_ns(raw[i], hz) / (double)bsz;
	ks_result_set_samples(r, ns, batches);
	r->host_ns_per_op = (double)(t1 - t0) / (double)(batches * bsz);
	if (sp->host_round_trips && s.vcpu.host_rt_n) {
		r->nhost = s.vcpu.host_rt_n;
		r->host_samples = malloc(r->nhost * sizeof(double));
		for (size_t i = 0; r->host_samples && i < r->nhost; i++)
			r->host_samples[i] = (double)s.vcpu.host_rt_ns[i];
		if (!r->host_samples)
			r->nhost = 0;
	}
	r->tally = s.vcpu.tally;
	r->has_tally = true;
	ks_record_vcpu_stats(&s.vcpu, r);
	if (sp->after && sp->after(c, &s, r) < 0) {
		ks_result_fail(r, "failed", "%s", c->err);
		goto out;
	}
	rc = 0;
out:
	ks_progress_phase_end(c->progress);   /* before the guest memory is unmapped */
	free(s.vcpu.host_rt_ns);
	s.vcpu.host_rt_ns = NULL;
	if (sp->teardown)
		sp->teardown(&s);
	ks_session_close(&s);
	return rc;
}
