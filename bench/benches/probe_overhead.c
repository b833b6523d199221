/* SPDX-License-Identifier: MIT */
/*
 * probe_overhead: what an in-kernel probe costs the workload it watches,
 * as a measurement with a confidence interval.
 *
 * The workload is pio_out_user (one KVM_EXIT_IO round trip per op). For
 * each probe discovery finds available here, each usable backend and, for
 * each span-shaped probe (all but irqfd), the equivalent bpftrace one-liner
 * (bpftrace.c), it runs
 * in pairs: once with the probe attached to this process, once without,
 * the order alternating from pair to pair so that a drift hits both alike.
 * Attaching (bpftrace: starting it) and detaching happen outside the
 * guest-timed phase. Each run gives its median ns per exit.
 *
 * The estimate is PAIRED: d_i = with_i - without_i, the overhead is the
 * median of the d_i and its 95 % CI the distribution-free order-statistic
 * (sign-test) interval of that median (ks_median_ci). Why paired rather
 * than the difference of the two sets' medians: the two runs of a pair are
 * seconds apart, so whatever else the host is doing (shared CPUs, a busy
 * neighbour) mostly hits both and cancels in d_i, while between pairs it
 * does not; and the sign-test interval assumes nothing about the shape of
 * the d_i (no symmetry, heavy tails welcome), only that pairs are
 * independent, so a pair hit by a burst costs one sample, not the interval.
 *
 * Pairs are added until every series' interval is tight — half-width
 * within 5 % of its median or 0.5 % of the baseline exit — or a cap is
 * reached (quick: 8..24 pairs, else 12..40). The attachers of one probe
 * (bpf, tracefs, bpftrace) take their pairs in lockstep, so they see the
 * same conditions. kvmscope/bpftrace is then the ratio of their medians,
 * with Fieller's CI from the two medians' standard errors (ks_median_se,
 * ks_ratio_fieller).
 *
 * Results probe_overhead_<probe>_<backend|bpftrace>: samples = the d_i (so
 * every report's median and median CI are the estimate and its interval),
 * metrics overhead_per_exit, overhead_ci_lo/hi, median_with/without, and
 * vs_bpftrace (+ _lo/_hi) on kvmscope's results. Not in the default suite
 * (--probe-backend bpf|tracefs: that backend only, bpftrace still measured).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benches.h"
#include "bpftrace.h"
#include "inference.h"

#define CONF 0.95
#define TIGHT_REL 0.05        /* of the median overhead */
#define TIGHT_BASELINE 0.005  /* of the baseline exit */

/* The workload every probe is measured on: one KVM_EXIT_IO round trip per op. */
static const struct ks_bench *workload(void)
{
	return ks_bench_find("pio_out_user");
}

/* pio_out_user once into a scratch result list: its median ns per exit. */
static int run_workload(struct ks_ctx *c, double *median, uint64_t *ops, char *err, size_t len)
{
	struct ks_results scratch;
	struct ks_ctx sc = { .host = c->host, .opts = c->opts, .res = &scratch };
	int rc = -1;

	memset(&scratch, 0, sizeof(scratch));
	workload()->run(workload(), &sc);
	if (scratch.n && !strcmp(scratch.items[0].status, "ok") && scratch.items[0].has_summary) {
		*median = scratch.items[0].summary.median;
		*ops = scratch.items[0].nraw * scratch.items[0].ops_per_raw;
		rc = 0;
	} else {
		snprintf(err, len, "pio_out_user: %.400s",
			 scratch.n ? scratch.items[0].reason : sc.err);
	}
	ks_results_free(&scratch);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorted copy of v[0..n) into t. */
static void sorted(const double *v, size_t n, double *t)
{
	memcpy(t, v, n * sizeof(double));
	qsort(t, n, sizeof(double), cmp_double);
}

static double median_sorted(const double *t, size_t n)
{
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* What is attached around each with-run: a kvmscope backend, or bpftrace
 * running the equivalent one-liner (be == NULL). */
struct attacher {
	const char *name;
	const struct ks_probe_backend *be;
	const char *bpftrace;   /* its path */
};

/* bpftrace compiles with LLVM at start: seconds, tens under emulation. */
#define BPFTRACE_ATTACH_TIMEOUT_S 120.0
#define BPFTRACE_EXIT_TIMEOUT_S 30.0

/* One probe on one attacher: its pairs so far and what it took. */
struct series {
	struct attacher a;
	const struct ks_probe_plan *plan;
	size_t res;                /* its result: c->res->items[res] (the array moves) */
	double *with, *without, *d;
	size_t n;
	bool failed, done;
	uint64_t events, ops, lost;
	double attach_s_sum;
	char attach[24];           /* how the kvmscope backend attached */
	void *st;                  /* kvmscope backend state while attached */
	struct ks_bpftrace *bt;    /* bpftrace's (a large output buffer: on the heap) */
	double med, lo, hi, se;    /* the estimate once finished */
};

static struct ks_result *res_of(struct ks_ctx *c, const struct series *s)
{
	return &c->res->items[s->res];
}

static int add(struct ks_ctx *c, struct series *s, const char *probe)
{
	char name[KS_NAME_LEN];

	snprintf(name, sizeof(name), "probe_overhead_%s_%s", probe, s->a.name);
	struct ks_result *r = ks_result_add(c->res, name, "probe", "ns");
	if (!r)
		return -1;
	s->res = (size_t)(r - c->res->items);
	if (!s->a.be)
		snprintf(r->what, sizeof(r->what),
			 "bpftrace one-liner equivalent to the %s probe: cost per pio_out_user "
			 "exit, median of paired differences (with - without)", probe);
	else
		snprintf(r->what, sizeof(r->what),
			 "%s probe (%s backend) cost per pio_out_user exit: median of paired "
			 "differences (with - without)", probe, s->a.name);
	ks_result_param_str(r, "probe", probe);
	ks_result_param_str(r, "backend", s->a.name);
	ks_result_param_str(r, "workload", "pio_out_user");
	ks_result_param_str(r, "estimate", "paired: median(with - without), sign-test CI");
	return 0;
}

static int attach(struct series *s, char *err, size_t len)
{
	if (s->a.be) {
		if (s->a.be->start(s->plan, getpid(), &s->st, err, len) < 0)
			return -1;
		return 0;
	}
	char prog[1024];
	if (!ks_bpftrace_program(s->plan, getpid(), prog, sizeof(prog), err, len))
		return -1;
	if (ks_bpftrace_start(s->bt, s->a.bpftrace, prog, BPFTRACE_ATTACH_TIMEOUT_S, err, len) < 0)
		return -1;
	s->attach_s_sum += s->bt->attach_s;
	return 0;
}

/* Detach; what the probe took goes into the series (kvmscope: raw events;
 * bpftrace: spans). */
static int detach(struct series *s, char *err, size_t len)
{
	if (s->a.be) {
		struct ks_probe_snapshot snap;
		if (s->a.be->snapshot(s->st, &snap) == 0) {
			s->events += snap.events;
			s->lost += snap.lost;
			snprintf(s->attach, sizeof(s->attach), "%s", snap.attach);
			ks_probe_snapshot_free(&snap);
		}
		s->a.be->stop(s->st);
		s->st = NULL;
		return 0;
	}
	uint64_t spans = 0;
	int rc = ks_bpftrace_stop(s->bt, BPFTRACE_EXIT_TIMEOUT_S, &spans, err, len);
	s->events += spans;
	return rc;
}

/* One more pair (with first on even pairs); false when the series failed. */
static bool one_pair(struct ks_ctx *c, struct series *s)
{
	char err[512] = "";
	size_t i = s->n;

	for (int half = 0; half < 2; half++) {
		bool probed = (half == 0) == (i % 2 == 0);
		uint64_t n = 0;
		if (probed && attach(s, err, sizeof(err)) < 0) {
			ks_result_fail(res_of(c, s), s->a.be ? "unsupported" : "failed", "%s", err);
			return false;
		}
		int w = run_workload(c, probed ? &s->with[i] : &s->without[i], &n, err, sizeof(err));
		if (probed) {
			char derr[512];
			if (detach(s, derr, sizeof(derr)) < 0) {
				ks_result_fail(res_of(c, s), "failed", "%s", derr);
				return false;
			}
			s->ops += n;
		}
		if (w < 0) {
			ks_result_fail(res_of(c, s), ks_interrupted ? "interrupted" : "failed", "%s",
				       err);
			return false;
		}
	}
	s->d[i] = s->with[i] - s->without[i];
	s->n++;
	return true;
}

/* The estimate so far; true when its interval is tight enough to stop. */
static bool estimate(struct series *s, double *scratch)
{
	sorted(s->d, s->n, scratch);
	s->med = median_sorted(scratch, s->n);
	s->se = ks_median_se(scratch, s->n);
	if (ks_median_ci(scratch, s->n, CONF, &s->lo, &s->hi) < 0)
		return false;
	sorted(s->without, s->n, scratch);
	double base = median_sorted(scratch, s->n);
	double half = (s->hi - s->lo) / 2;
	return half <= TIGHT_REL * fabs(s->med) || half <= TIGHT_BASELINE * base;
}

static void finish(struct ks_ctx *c, struct series *s, double *scratch)
{
	struct ks_result *r = res_of(c, s);

	if (s->failed)
		return;
	estimate(s, scratch);
	sorted(s->with, s->n, scratch);
	double mw = median_sorted(scratch, s->n);
	sorted(s->without, s->n, scratch);
	double mo = median_sorted(scratch, s->n);
	double *samples = malloc(s->n * sizeof(double));
	if (!samples) {
		ks_result_fail(r, "failed", "out of memory");
		s->failed = true;
		return;
	}
	memcpy(samples, s->d, s->n * sizeof(double));
	ks_result_set_samples(r, samples, s->n);
	ks_result_param_num(r, "pairs", (double)s->n);
	ks_result_param_str(r, "events", s->plan->start_event);
	if (s->a.be)
		ks_result_param_str(r, "attach", s->attach);
	else
		ks_result_param_str(r, "bpftrace", s->a.bpftrace);
	ks_result_metric(r, "overhead_per_exit", "ns", s->med);
	ks_result_metric(r, "overhead_ci_lo", "ns", s->lo);
	ks_result_metric(r, "overhead_ci_hi", "ns", s->hi);
	ks_result_metric(r, "median_with", "ns", mw);
	ks_result_metric(r, "median_without", "ns", mo);
	ks_result_metric(r, "overhead_pct", "%", mo > 0 ? 100.0 * s->med / mo : 0);
	if (s->a.be) {
		/* all events the probe took (set-up and warm-up exits too) per measured exit */
		ks_result_metric(r, "probe_events_per_exit", "ratio",
				 s->ops ? (double)s->events / (double)s->ops : 0);
		ks_result_metric(r, "probe_events_lost", "count", (double)s->lost);
	} else {
		/* bpftrace counts spans (one per exit it paired), warm-up included */
		ks_result_metric(r, "probe_spans_per_exit", "ratio",
				 s->ops ? (double)s->events / (double)s->ops : 0);
		ks_result_metric(r, "attach_s", "s", s->attach_s_sum / (double)(s->n ? s->n : 1));
	}
}

/* kvmscope's series against bpftrace's: the ratio of their medians and its CI. */
static void versus(struct ks_ctx *c, const struct series *k, const struct series *b)
{
	struct ks_result *r = res_of(c, k);
	double lo, hi;

	if (k->failed || b->failed || !(b->med > 0))
		return;
	ks_result_metric(r, "vs_bpftrace", "ratio", k->med / b->med);
	if (ks_ratio_fieller(k->med, k->se, b->med, b->se, CONF, &lo, &hi) == 0) {
		ks_result_metric(r, "vs_bpftrace_lo", "ratio", lo);
		ks_result_metric(r, "vs_bpftrace_hi", "ratio", hi);
	}
}

/* The attachers of one probe, pair by pair in lockstep until each is tight or
 * the cap is reached. */
static int measure(struct ks_ctx *c, struct series *ss, int ns, size_t min_pairs,
		   size_t max_pairs)
{
	double *scratch = malloc(max_pairs * sizeof(double));
	int ran = 0;

	for (int k = 0; k < ns; k++) {
		struct series *s = &ss[k];
		s->with = calloc(max_pairs, sizeof(double));
		s->without = calloc(max_pairs, sizeof(double));
		s->d = calloc(max_pairs, sizeof(double));
		if (!s->a.be)
			s->bt = calloc(1, sizeof(*s->bt));
		if (!scratch || !s->with || !s->without || !s->d || (!s->a.be && !s->bt)) {
			ks_result_fail(res_of(c, s), "failed", "out of memory");
			s->failed = true;
		}
	}
	for (size_t i = 0; i < max_pairs && !ks_interrupted; i++) {
		bool more = false;
		for (int k = 0; k < ns && !ks_interrupted; k++) {
			struct series *s = &ss[k];
			if (s->failed || s->done)
				continue;
			if (!one_pair(c, s)) {
				s->failed = true;
				continue;
			}
			s->done = s->n >= min_pairs && estimate(s, scratch);
			more |= !s->done;
		}
		if (!more)
			break;
	}
	for (int k = 0; k < ns; k++) {
		struct series *s = &ss[k];
		if (ks_interrupted && !s->failed) {
			ks_result_fail(res_of(c, s), "interrupted", "interrupted after %zu pairs",
				       s->n);
			s->failed = true;
		}
		if (scratch && !s->failed && s->n < 6) {   /* no interval below 6 pairs at 95 % */
			ks_result_fail(res_of(c, s), "failed", "only %zu pairs", s->n);
			s->failed = true;
		}
		if (scratch)
			finish(c, s, scratch);
		ran += !s->failed;
	}
	for (int k = 0; k < ns; k++)   /* each kvmscope backend against bpftrace */
		if (ss[k].a.be)
			for (int b = 0; b < ns; b++)
				if (!ss[b].a.be)
					versus(c, &ss[k], &ss[b]);
	for (int k = 0; k < ns; k++) {
		free(ss[k].with);
		free(ss[k].without);
		free(ss[k].d);
		free(ss[k].bt);
	}
	free(scratch);
	return ran;
}

/* bpftrace's one-liners (bpftrace.c): every probe that is a span on one
 * thread, where discovery plans it from tracepoints; irqfd pairs stages
 * across threads and has none. Only measured when bpftrace can really be
 * run here (never faked). */
static bool has_oneliner(const char *probe)
{
	return strcmp(probe, "irqfd") != 0;
}

static int run_probe_overhead(const struct ks_bench *b, struct ks_ctx *c)
{
	const struct ks_probe_backend *const backends[] = { &ks_probe_bpf, &ks_probe_tracefs };
	size_t min_pairs = c->opts->quick ? 8 : 12, max_pairs = c->opts->quick ? 24 : 40;
	char bpftrace[4096], bt_why[512];
	bool bt_found = ks_bpftrace_find(bpftrace, sizeof(bpftrace), bt_why, sizeof(bt_why));
	bool usable[2] = { false, false };
	int ran = 0;

	(void)b;
	for (size_t k = 0; k < 2; k++) {
		const struct ks_probe_backend *be = backends[k];
		char why[256];
		/* --probe-backend bpf|tracefs: only that one (a shorter run) */
		if ((c->opts->probe_backend == KS_PB_BPF && be != &ks_probe_bpf) ||
		    (c->opts->probe_backend == KS_PB_TRACEFS && be != &ks_probe_tracefs))
			continue;
		usable[k] = be->usable(why, sizeof(why));
		if (!usable[k]) {
			struct ks_result *r = ks_result_add(c->res, k ? "probe_overhead_all_tracefs"
								     : "probe_overhead_all_bpf",
							    "probe", "ns");
			if (r)
				ks_result_fail(r, "unsupported", "%s backend: %s", be->name, why);
		}
	}
	for (int i = 0; ks_probe_names[i] && !ks_interrupted; i++) {
		struct ks_probe_plan plan;
		bool planned = ks_probe_discover(ks_probe_names[i], &plan) == 0 && plan.available;
		struct series ss[3];
		int ns = 0;
		memset(ss, 0, sizeof(ss));
		for (size_t k = 0; k < 2 && planned; k++)
			if (usable[k]) {
				ss[ns].a = (struct attacher){ .name = backends[k]->name, .be = backends[k] };
				ss[ns].plan = &plan;
				if (add(c, &ss[ns], plan.probe) == 0)
					ns++;
			}
		/* uexits' one-liner always has a row (saying why not, if so) */
		if (has_oneliner(ks_probe_names[i]) &&
		    (planned || !strcmp(ks_probe_names[i], "uexits"))) {
			char why[512], prog[1024];
			struct series bt = { .a = { .name = "bpftrace", .bpftrace = bpftrace },
					     .plan = &plan };
			bool prog_ok = planned && ks_bpftrace_program(&plan, getpid(), prog,
								      sizeof(prog), why, sizeof(why));
			if (add(c, &bt, ks_probe_names[i]) == 0) {
				if (!bt_found || !prog_ok)
					ks_result_fail(res_of(c, &bt), "unsupported", "%s",
						       !bt_found ? bt_why : planned ? why : plan.why);
				else
					ss[ns++] = bt;
			}
		}
		if (ns)
			ran += measure(c, ss, ns, min_pairs, max_pairs);
	}
	return ran ? 0 : -1;
}

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	char w[256];

	if (!workload() || !ks_bench_available(workload(), h, why, len))
		return false;
	if (!ks_probe_pick(KS_PB_AUTO, w, sizeof(w))) {
		snprintf(why, len, "no probe backend is usable: %s", w);
		return false;
	}
	return true;
}

KS_BENCH(probe_overhead,
	.name = "probe_overhead", .family = "probe", .order = 700, .in_default = false,
	.what = "in-kernel probe cost per exit: pio_out_user with and without each probe",
	.available = avail, .run = run_probe_overhead,   /* runs pio_out_user's routine */);
