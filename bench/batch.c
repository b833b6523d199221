/* SPDX-License-Identifier: MIT */
/*
 * The batch runner: the guest runs warm-up batches, then `batches` timed
 * batches of `batch_size` operations each, storing each batch's tick delta
 * in shared memory. The host services exits, snapshots the vCPU stats at
 * PHASE_BEGIN/PHASE_END and times the measured phase on its own clock.
 * Between the two marks the host does nothing but service the guest's exits
 * (the run loop in vcpu.c): no work of its own lands in a guest-timed batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "fault_inject.h"

struct batch {
	const struct ks_batch_spec *sp;
	uint64_t batches, bsz, warm;
	uint64_t t0, t1;      /* host clock around the measured phase */
};

static int setup(struct ks_run *run, struct ks_result *r)
{
	struct batch *bt = run->priv;
	const struct ks_batch_spec *sp = bt->sp;
	struct ks_mailbox *mb = run->s.vm.mb;
	/* where the samples are: the host's layout, never the guest-writable mailbox */
	const struct ks_layout *lay = run->s.vm.arch->layout;

	if (bt->batches > lay->samples_cap) {
		snprintf(run->c->err, sizeof(run->c->err),
			 "--samples %llu exceeds the guest sample buffer (%llu)",
			 (unsigned long long)bt->batches, (unsigned long long)lay->samples_cap);
		return -1;
	}
	mb->batches = bt->batches;
	mb->batch_size = bt->bsz;
	mb->warmup_batches = bt->warm;
	ks_result_param_num(r, "batches", (double)bt->batches);
	ks_result_param_num(r, "batch_size", (double)bt->bsz);
	ks_result_param_num(r, "warmup_batches", (double)bt->warm);
	if (sp->setup && sp->setup(run->c, &run->s, r) < 0)
		return -1;
	if (sp->mechanism)
		ks_result_param_str(r, "mechanism", sp->mechanism);
	if (sp->host_round_trips) {
		run->s.vcpu.host_rt_cap = bt->batches * bt->bsz;
		run->s.vcpu.host_rt_ns = calloc(run->s.vcpu.host_rt_cap, sizeof(uint64_t));
	}
	return 0;
}

static int measure(struct ks_run *run, struct ks_result *r)
{
	struct batch *bt = run->priv;
	struct ks_vcpu *v = &run->s.vcpu;
	const struct ks_layout *lay = run->s.vm.arch->layout;

	if (ks_run_watchdog(run, v) < 0 ||
	    ks_run_expect(run, v, KS_UC_PHASE_BEGIN, "PHASE_BEGIN") < 0)
		return -1;
	v->host_rt_n = 0;
	/* the guest fills samples[] in order: the progress line reads it */
	ks_run_phase_begin(run, bt->sp->expect, bt->batches,
			   ks_vm_gpa_to_hva(&run->s.vm, lay->samples_gpa, bt->batches * 8));
	bt->t0 = ks_now_ns();
	ks_fault_point("mid_bench");   /* test hook: a signal in the measured phase */
	if (ks_run_expect(run, v, KS_UC_PHASE_END, "PHASE_END") < 0)
		return -1;
	bt->t1 = ks_now_ns();
	ks_run_phase_end(run, bt->batches * bt->bsz);
	return ks_run_expect(run, v, KS_UC_DONE, "DONE");
}

static int record(struct ks_run *run, struct ks_result *r)
{
	struct batch *bt = run->priv;
	struct ks_vcpu *v = &run->s.vcpu;
	const struct ks_layout *lay = run->s.vm.arch->layout;
	const uint64_t *in = ks_vm_gpa_to_hva(&run->s.vm, lay->samples_gpa, bt->batches * 8);
	uint64_t *raw = in ? malloc(bt->batches * sizeof(uint64_t)) : NULL;

	if (raw)
		memcpy(raw, in, bt->batches * sizeof(uint64_t));
	if (ks_run_take_ticks(run, r, raw, bt->batches, bt->bsz) < 0)
		return -1;
	r->host_ns_per_op = (double)(bt->t1 - bt->t0) / (double)(bt->batches * bt->bsz);
	if (bt->sp->host_round_trips && v->host_rt_n) {
		r->nhost = v->host_rt_n;
		r->host_samples = malloc(r->nhost * sizeof(double));
		for (size_t i = 0; r->host_samples && i < r->nhost; i++)
			r->host_samples[i] = (double)v->host_rt_ns[i];
		if (!r->host_samples)
			r->nhost = 0;
	}
	r->tally = v->tally;
	r->has_tally = true;
	ks_record_vcpu_stats(v, r);
	return bt->sp->after ? bt->sp->after(run->c, &run->s, r) : 0;
}

static void teardown(struct ks_run *run)
{
	struct batch *bt = run->priv;

	free(run->s.vcpu.host_rt_ns);
	run->s.vcpu.host_rt_ns = NULL;
	if (bt->sp->teardown)
		bt->sp->teardown(&run->s);
}

int ks_run_batch(const struct ks_bench *b, struct ks_ctx *c)
{
	const struct ks_batch_spec *sp = b->spec;
	struct batch bt = {
		.sp = sp,
		.batches = ks_default_batches(c, sp->batches, sp->batches_quick),
		.bsz = c->opts->quick ? sp->batch_size_quick : sp->batch_size,
	};
	bt.warm = bt.batches / 10 + 1;
	const struct ks_run_desc d = {
		.unit = "ns", .irqchip = sp->need_irqchip,
		.setup = setup, .measure = measure, .record = record, .teardown = teardown,
		.priv = &bt,
	};
	return ks_run(b, c, &d);
}
