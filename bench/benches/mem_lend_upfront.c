/* SPDX-License-Identifier: MIT */
/*
 * Memory given to the VM before it starts, then the guest's first touch.
 * What a backend that takes memory only up front allows (Gunyah with its
 * open-source resource manager: the driver lends every binding at VM_START,
 * the RM maps it all before the guest runs; no demand paging), measured
 * the same way on every backend so the columns compare:
 *
 *   mem_lend_upfront_<N>M       guest first touch of the N MiB region, one
 *                               write per 4 KiB page, ns/page (guest-timed);
 *                               Gunyah: already mapped, no fault; KVM: a
 *                               stage-2 fault per page (as mem_lend).
 *   mem_lend_upfront_give_<N>M  host time to give the N MiB, ns/page: adding
 *                               it (a memslot, a Gunyah binding) plus what it
 *                               adds to starting the VM (Gunyah: VM_START's
 *                               MEM_LEND of the pages and the RM's accept),
 *                               against a VM started without it.
 *
 * One VM per repetition (the region can be given only once per VM), one at
 * a time beside the session's VM, which has no region: its start is the
 * baseline of the start time, and starting it again is not possible, so
 * each repetition pairs with a fresh VM without the region too. The
 * KVM-on-Gunyah port lends per fault instead: mem_lend measures that where
 * the backend allows memory later. Gunyah's open-source RM keeps each lent
 * 4 KiB page in its small heap (front_gunyah.c), hence the small sizes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benches.h"

#define LEND_SLOT 1
#define PAGE 4096ULL

/* Small: the open-source RM keeps each lent 4 KiB page in its 640 KiB heap
 * (front_gunyah.c), and a second VM (the baseline) is open at the same time. */
static const uint64_t sizes_default[] = { 4, 16 };
static const uint64_t sizes_quick[] = { 16 };

struct upfront {
	uint64_t mib, size, reps;
	size_t cap;               /* the arrays' room */
	uint64_t *raw;            /* guest ticks to touch the region, per VM */
	double *give_ns;          /* memslot/binding + start delta, per VM */
	double *start_ns;         /* starting the VM with the region */
	double *touch_pp, *give_pp;   /* ns per page: what the precision target judges */
};

/* Room for n repetitions in every array. */
static int grow(struct ks_ctx *c, struct upfront *u, size_t n)
{
	if (n <= u->cap)
		return 0;
	uint64_t *raw = realloc(u->raw, n * sizeof(*raw));
	if (raw)
		u->raw = raw;
	double **d[] = { &u->give_ns, &u->start_ns, &u->touch_pp, &u->give_pp };
	bool ok = raw;
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		double *p = realloc(*d[i], n * sizeof(double));
		if (p)
			*d[i] = p;
		ok = ok && p;
	}
	if (!ok) {
		snprintf(c->err, sizeof(c->err), "out of memory for %zu repetitions", n);
		return -1;
	}
	u->cap = n;
	return 0;
}

static int add_region(struct ks_ctx *c, struct ks_session *s, const struct upfront *u,
		      double *set_ns)
{
	struct ks_mailbox *mb = s->vm.mb;
	uint64_t t0 = ks_now_ns();

	if (ks_vm_add_slot(&s->vm, LEND_SLOT, s->vm.arch->layout->region_gpa, u->size,
			   KS_BACKING_ANON) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s->vm.err);
		return -1;
	}
	*set_ns = (double)(ks_now_ns() - t0);
	mb->region_size = u->size;
	mb->region_stride = PAGE;
	mb->region_count = 1;
	return 0;
}

static int setup(struct ks_run *run, struct ks_result *r)
{
	struct upfront *u = run->priv;

	ks_result_param_num(r, "region_mib", (double)u->mib);
	ks_result_param_num(r, "touch_stride", PAGE);
	ks_result_param_str(r, "given", run->c->host->facts.backend.limits.memory_at_start ?
			    "lent before the start (Gunyah binding, lent at VM_START)" :
			    "memslot added before the first run (anonymous, MADV_NOHUGEPAGE)");
	if (u->size > run->s.vm.arch->layout->region_max) {
		snprintf(run->c->err, sizeof(run->c->err),
			 "region of %llu MiB exceeds the guest's lend window", (unsigned long long)u->mib);
		return -1;
	}
	/* the session's VM stays without the region */
	return grow(run->c, u, u->reps);
}

/* The guest touches the region once: its ticks. */
static int expect_sync(struct ks_ctx *c, struct ks_vcpu *v, uint64_t code, struct ks_ucall *uc)
{
	if (ks_vcpu_run_to_ucall(v, uc) < 0)
		goto fail;
	if (uc->cmd != KS_UC_SYNC || uc->args[0] != code) {
		ks_vcpu_bad_ucall(v, uc, code == KS_SYNC_REGION_PLEASE ? "SYNC(REGION_PLEASE)" :
								      "SYNC(REGION_DONE)");
		goto fail;
	}
	return 0;
fail:
	snprintf(c->err, sizeof(c->err), "%s", v->err);
	return -1;
}

static int touch(struct ks_ctx *c, struct ks_run *run, struct ks_vcpu *v, uint64_t *ticks)
{
	struct ks_ucall uc;
	int rc = -1;

	if (ks_run_watchdog(run, v) < 0)
		return -1;
	if (expect_sync(c, v, KS_SYNC_REGION_PLEASE, &uc) == 0 &&
	    expect_sync(c, v, KS_SYNC_REGION_DONE, &uc) == 0) {
		*ticks = uc.args[1];
		rc = ks_run_expect(run, v, KS_UC_DONE, "DONE");
	}
	ks_vcpu_watchdog_disarm(v);
	return rc;
}

/* A VM like the measured one, started with or without the region. */
static int one_vm(struct ks_run *run, struct upfront *u, bool region, uint64_t *ticks,
		  double *set_ns, double *start_ns)
{
	struct ks_ctx *c = run->c;
	struct ks_session s;
	int rc = -1;

	if (ks_session_open(c, &s, "mem_touch", false, 1) < 0)
		return -1;
	if (region && add_region(c, &s, u, set_ns) < 0)
		goto out;
	if (ks_vm_start(&s.vm) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s.vm.err);
		goto out;
	}
	*start_ns = (double)s.vm.start_ns;
	rc = region ? touch(c, run, &s.vcpu, ticks) : 0;
out:
	ks_session_close(&s);
	return rc;
}

/*
 * One repetition per pair of fresh VMs; with a precision target, rounds of
 * them until both results (first touch, giving) are within it or the time
 * cap is spent (nothing runs in a VM between two repetitions, so deciding
 * costs no measured time).
 */
static int measure(struct ks_run *run, struct ks_result *r)
{
	struct upfront *u = run->priv;
	struct ks_ctx *c = run->c;
	const double pages = (double)(u->size / PAGE);
	uint64_t planned = u->reps, t0 = ks_now_ns(), paused = 0;

	ks_run_phase_begin(run, NULL, planned, NULL);
	for (uint64_t i = 0; i < planned && !ks_interrupted; i++) {
		double set_ns = 0, start_ns = 0, base_ns = (double)run->s.vm.start_ns, unused;
		uint64_t ticks = 0;

		if (i > 0)
			ks_progress_advance(c->progress, i);
		/* the baseline: the same VM started without the region (the
		 * session's own for the first) */
		if (i > 0 && one_vm(run, u, false, NULL, &unused, &base_ns) < 0)
			return -1;
		if (one_vm(run, u, true, &ticks, &set_ns, &start_ns) < 0)
			return -1;
		u->raw[i] = ticks;
		u->start_ns[i] = start_ns;
		u->give_ns[i] = set_ns + start_ns - base_ns;
		u->touch_pp[i] = ks_ticks_to_ns(ticks, run->hz) / pages;
		u->give_pp[i] = u->give_ns[i] / pages;
		if (i + 1 < planned)
			continue;
		uint64_t ts = ks_now_ns();
		const double *series[2] = { u->touch_pp, u->give_pp };
		const size_t ns[2] = { i + 1, i + 1 };
		uint64_t more = ks_precision_more(&run->prec, series, ns, 2, i + 1,
						  ts - t0 - paused);
		if (more && grow(c, u, i + 1 + more) < 0)
			return -1;
		planned += more;
		ks_progress_total(c->progress, planned);
		paused += ks_now_ns() - ts;
	}
	if (ks_interrupted) {
		snprintf(c->err, sizeof(c->err), "interrupted");
		return -1;
	}
	u->reps = planned;
	ks_result_param_num(r, "repetitions", (double)u->reps);
	ks_run_phase_end(run, 0);
	return 0;
}

static int record(struct ks_run *run, struct ks_result *r)
{
	struct upfront *u = run->priv;
	const uint64_t pages = u->size / PAGE;
	bool upfront = run->c->host->facts.backend.limits.memory_at_start;
	char name[KS_NAME_LEN];

	if (upfront)
		snprintf(r->what, sizeof(r->what), "guest first touch (1 write/4 KiB) of %llu MiB "
			 "lent up front at VM_START: the open-source RM maps it before the guest runs "
			 "(the KVM port lends per fault)", (unsigned long long)u->mib);
	else
		snprintf(r->what, sizeof(r->what), "guest first touch (1 write/4 KiB) of %llu MiB "
			 "given before the VM started: KVM faults each page in at its first touch",
			 (unsigned long long)u->mib);
	if (ks_run_take_ticks(run, r, u->raw, u->reps, pages) < 0) {
		u->raw = NULL;   /* the result owns it */
		return -1;
	}
	u->raw = NULL;
	if (r->has_summary)
		ks_result_metric(r, "throughput_median", "GiB/s",
				 ks_gib_per_s(u->size, r->summary.median * (double)pages));
	struct ks_summary st;
	ks_summarize(u->start_ns, u->reps, &st);
	ks_result_metric(r, "vm_start_median", "ms", st.median / 1e6);

	snprintf(name, sizeof(name), "mem_lend_upfront_give_%lluM", (unsigned long long)u->mib);
	struct ks_result *rg = ks_run_add_result(run, name, "ns/page",
		"host time to give %llu MiB before the start, per 4 KiB page: %s, vs a VM "
		"without it", (unsigned long long)u->mib,
		upfront ? "binding + what it adds to VM_START (MEM_LEND, RM accept)" :
			  "the memslot (KVM maps nothing until touched)");
	if (rg) {
		ks_result_param_num(rg, "region_mib", (double)u->mib);
		ks_result_set_samples(rg, u->give_pp, u->reps);
		if (rg->has_summary && rg->summary.median > 0)
			ks_result_metric(rg, "throughput_median", "GiB/s",
					 ks_gib_per_s(u->size, rg->summary.median * (double)pages));
		u->give_pp = NULL;   /* the result owns it */
	}
	return 0;
}

static void teardown(struct ks_run *run)
{
	struct upfront *u = run->priv;

	free(u->raw);
	free(u->give_ns);
	free(u->start_ns);
	free(u->touch_pp);
	free(u->give_pp);
}

static int run_upfront(const struct ks_bench *b, struct ks_ctx *c)
{
	const uint64_t *sizes = c->opts->quick ? sizes_quick : sizes_default;
	size_t n = c->opts->quick ? sizeof(sizes_quick) / sizeof(sizes_quick[0]) :
				    sizeof(sizes_default) / sizeof(sizes_default[0]);
	int rc = 0;
	uint64_t t0 = ks_now_ns();

	for (size_t i = 0; i < n && !ks_interrupted; i++) {
		char name[KS_NAME_LEN];
		struct upfront u = { .mib = sizes[i], .size = sizes[i] << 20,
				     .reps = c->opts->precision > 0 ? 6 : ks_default_batches(c, 10, 3) };
		const struct ks_run_desc d = {
			.name = name, .unit = "ns/page",
			.setup = setup, .measure = measure, .record = record, .teardown = teardown,
			.priv = &u,
			/* the sizes share the benchmark's --max-time, as mem_lend's do */
			.time_share = ks_run_time_share(c, t0, i, n),
		};

		snprintf(name, sizeof(name), "mem_lend_upfront_%lluM", (unsigned long long)u.mib);
		if (ks_run(b, c, &d) < 0)
			rc = -1;
	}
	return rc;
}

KS_BENCH(mem_lend_upfront,
	.name = "mem_lend_upfront", .family = "memory", .order = 620, .in_default = true,
	.what = "memory given before the VM starts (Gunyah: lent up front at VM_START), then the "
		"guest's first touch, one write per 4 KiB page; and the host's cost to give it",
	.routine = "mem_touch", .available = ks_avail_kvm, .run = run_upfront);
