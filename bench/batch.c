/* SPDX-License-Identifier: MIT */
/*
 * The batch runner: the guest runs warm-up batches, then `batches` timed
 * batches of `batch_size` operations each, storing each batch's tick delta
 * in shared memory. The host services exits, snapshots the vCPU stats at
 * PHASE_BEGIN/PHASE_END and times the measured phase on its own clock.
 * Between the two marks the host does nothing but service the guest's exits
 * (the run loop in vcpu.c): no work of its own lands in a guest-timed batch.
 * Sampling to a precision target (precision.h), the guest asks after each
 * round of batches whether to go on (a ucall between batches); the host
 * decides on the samples so far, and that time is kept out of its own
 * per-operation timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "fault_inject.h"

struct batch {
	const struct ks_batch_spec *sp;
	uint64_t batches, bsz, warm;   /* batches: the first round, then all taken */
	uint64_t t0, t1;      /* host clock around the measured phase */
	uint64_t paused;      /* of which the host spent deciding between rounds */
	double *ns;           /* adaptive: the samples so far, ns per operation */
	size_t nns;
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
	mb->adaptive = run->prec.target > 0;   /* ask for more after each round */
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

/* The guest took `total` batches: how many more for the precision target? */
static int next_round(struct ks_run *run, struct batch *bt, uint64_t total, uint64_t *more)
{
	struct ks_vcpu *v = &run->s.vcpu;
	const struct ks_layout *lay = run->s.vm.arch->layout;
	const uint64_t *in = ks_vm_gpa_to_hva(&run->s.vm, lay->samples_gpa, total * 8);
	double *ns = realloc(bt->ns, (total ? total : 1) * sizeof(double));

	if (!in || !ns) {
		snprintf(run->c->err, sizeof(run->c->err), "out of memory for %llu samples",
			 (unsigned long long)total);
		return -1;
	}
	bt->ns = ns;
	for (; bt->nns < total; bt->nns++)   /* as ks_run_take_ticks will store them */
		ns[bt->nns] = ks_ticks_to_ns(in[bt->nns], run->hz) / (double)bt->bsz;
	const double *series = ns;
	size_t n = total;
	*more = ks_precision_more(&run->prec, &series, &n, 1, total,
				  ks_now_ns() - bt->t0 - bt->paused);
	if (*more && bt->sp->host_round_trips) {
		uint64_t cap = (total + *more) * bt->bsz;
		uint64_t *rt = realloc(v->host_rt_ns, cap * sizeof(uint64_t));
		if (!rt) {
			snprintf(run->c->err, sizeof(run->c->err), "out of memory for round trips");
			return -1;
		}
		v->host_rt_ns = rt;
		v->host_rt_cap = cap;
	}
	return 0;
}

static int measure(struct ks_run *run, struct ks_result *r)
{
	struct batch *bt = run->priv;
	struct ks_vcpu *v = &run->s.vcpu;
	struct ks_mailbox *mb = run->s.vm.mb;
	const struct ks_layout *lay = run->s.vm.arch->layout;
	struct ks_ucall uc;
	uint64_t total = bt->batches;

	if (ks_run_watchdog(run, v) < 0 ||
	    ks_run_expect(run, v, KS_UC_PHASE_BEGIN, "PHASE_BEGIN") < 0)
		return -1;
	v->host_rt_n = 0;
	/* the guest fills samples[] in order: the progress line reads it */
	ks_run_phase_begin(run, bt->sp->expect, total,
			   ks_vm_gpa_to_hva(&run->s.vm, lay->samples_gpa, lay->samples_cap * 8));
	bt->t0 = ks_now_ns();
	ks_fault_point("mid_bench");   /* test hook: a signal in the measured phase */
	for (;;) {
		if (ks_vcpu_run_to_ucall(v, &uc) < 0) {
			snprintf(run->c->err, sizeof(run->c->err), "%s", v->err);
			return -1;
		}
		if (uc.cmd == KS_UC_PHASE_END)
			break;
		/* between two rounds: the guest asks whether to go on */
		if (uc.cmd != KS_UC_SYNC || uc.args[0] != KS_SYNC_MORE || uc.args[1] != total ||
		    !mb->adaptive) {
			ks_vcpu_bad_ucall(v, &uc, "PHASE_END or SYNC(MORE) after the round");
			snprintf(run->c->err, sizeof(run->c->err), "%s", v->err);
			return -1;
		}
		uint64_t ts = ks_now_ns(), more;
		if (next_round(run, bt, total, &more) < 0)
			return -1;
		mb->batches = more;
		total += more;
		run->phase_ucalls++;
		ks_progress_total(run->c->progress, total);
		bt->paused += ks_now_ns() - ts;
	}
	bt->t1 = ks_now_ns();
	bt->batches = total;
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

	ks_result_param_num(r, "batches", (double)bt->batches);
	if (raw)
		memcpy(raw, in, bt->batches * sizeof(uint64_t));
	if (ks_run_take_ticks(run, r, raw, bt->batches, bt->bsz) < 0)
		return -1;
	/* the host's wall time per operation, without its decisions between rounds */
	r->host_ns_per_op = (double)(bt->t1 - bt->t0 - bt->paused) /
			    (double)(bt->batches * bt->bsz);
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
	free(bt->ns);
	bt->ns = NULL;
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
