/* SPDX-License-Identifier: MIT */
/*
 * probe_overhead: what an in-kernel probe costs the workload it watches.
 * For each probe discovery finds available here and each usable backend,
 * the pio_out_user batch workload (one KVM_EXIT_IO round trip per op) runs
 * N times with the probe attached to this process and N times without, in
 * alternating pairs (with first on even pairs, without first on odd ones,
 * so a drift hits both alike). Attaching and detaching happen outside the
 * guest-timed phase.
 *
 * Result probe_overhead_<probe>_<backend>: samples = each with-run's median
 * minus the median of the without-runs' medians, so its median is exactly
 * median(with) - median(without): the overhead in ns per exit (a negative
 * value is noise). Not in the default suite: it runs the workload 2N times
 * per probe and backend (--probe-backend bpf|tracefs: that backend only).
 *
 * probe_overhead_{uexits,exits}_bpftrace: the same figure for the
 * equivalent bpftrace one-liner (bpftrace.c), when bpftrace is found
 * ($KVMSCOPE_BPFTRACE, else PATH): bpftrace is started before each with-run
 * and stopped with SIGINT after it. Without bpftrace the result says
 * unsupported and why.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benches.h"
#include "bpftrace.h"

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

static double median_of(const double *v, size_t n)
{
	double *t = malloc(n * sizeof(double));
	double m;

	if (!t)
		return 0;
	memcpy(t, v, n * sizeof(double));
	qsort(t, n, sizeof(double), cmp_double);
	m = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	free(t);
	return m;
}

static struct ks_result *add(struct ks_ctx *c, const char *probe, const char *backend)
{
	char name[KS_NAME_LEN];

	snprintf(name, sizeof(name), "probe_overhead_%s_%s", probe, backend);
	struct ks_result *r = ks_result_add(c->res, name, "probe", "ns");
	if (r) {
		if (!strcmp(backend, "bpftrace"))
			snprintf(r->what, sizeof(r->what),
				 "bpftrace one-liner equivalent to the %s probe: cost per "
				 "pio_out_user exit, median with - median without, alternating pairs",
				 probe);
		else
			snprintf(r->what, sizeof(r->what),
				 "%s probe (%s backend) cost per pio_out_user exit: median with - "
				 "median without, alternating pairs", probe, backend);
		ks_result_param_str(r, "probe", probe);
		ks_result_param_str(r, "backend", backend);
		ks_result_param_str(r, "workload", "pio_out_user");
	}
	return r;
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

struct attached {
	void *st;                  /* kvmscope backend state */
	struct ks_bpftrace bt;
};

static int attach(const struct attacher *a, const struct ks_probe_plan *plan,
		  struct attached *at, char *err, size_t len)
{
	if (a->be)
		return a->be->start(plan, getpid(), &at->st, err, len);
	char prog[1024];
	if (!ks_bpftrace_program(plan, getpid(), prog, sizeof(prog), err, len))
		return -1;
	return ks_bpftrace_start(&at->bt, a->bpftrace, prog, BPFTRACE_ATTACH_TIMEOUT_S, err, len);
}

/* Detach; *events: what the probe took (kvmscope: raw events; bpftrace: spans). */
static int detach(const struct attacher *a, struct attached *at, uint64_t *events,
		  uint64_t *lost, char *err, size_t len)
{
	if (a->be) {
		struct ks_probe_snapshot s;
		if (a->be->snapshot(at->st, &s) == 0) {
			*events += s.events;
			*lost += s.lost;
			ks_probe_snapshot_free(&s);
		}
		a->be->stop(at->st);
		return 0;
	}
	uint64_t spans = 0;
	int rc = ks_bpftrace_stop(&at->bt, BPFTRACE_EXIT_TIMEOUT_S, &spans, err, len);
	*events += spans;
	return rc;
}

/* One probe on one attacher: N alternating pairs. */
static int measure(struct ks_ctx *c, const struct attacher *a,
		   const struct ks_probe_plan *plan, uint64_t pairs)
{
	struct ks_result *r = add(c, plan->probe, a->name);
	double *with = calloc(pairs, sizeof(double)), *without = calloc(pairs, sizeof(double));
	double *attach_s = calloc(pairs, sizeof(double));
	struct attached *at = calloc(1, sizeof(*at));   /* bpftrace's output buffer: not on the stack */
	char err[512] = "";
	uint64_t events = 0, ops = 0, lost = 0;
	int rc = -1;

	if (!r || !with || !without || !attach_s || !at) {
		if (r)
			ks_result_fail(r, "failed", "out of memory");
		goto out;
	}
	ks_result_param_str(r, "events", plan->start_event);
	if (!a->be)
		ks_result_param_str(r, "bpftrace", a->bpftrace);
	for (uint64_t i = 0; i < pairs && !ks_interrupted; i++) {
		for (int half = 0; half < 2; half++) {
			bool probed = (half == 0) == (i % 2 == 0);
			uint64_t n = 0;
			if (probed && attach(a, plan, at, err, sizeof(err)) < 0) {
				ks_result_fail(r, a->be ? "unsupported" : "failed", "%s", err);
				goto out;
			}
			if (probed && !a->be)
				attach_s[i] = at->bt.attach_s;
			int w = run_workload(c, probed ? &with[i] : &without[i], &n, err, sizeof(err));
			if (probed) {
				char derr[512];
				if (detach(a, at, &events, &lost, derr, sizeof(derr)) < 0) {
					ks_result_fail(r, "failed", "%s", derr);
					goto out;
				}
				ops += n;
			}
			if (w < 0) {
				ks_result_fail(r, ks_interrupted ? "interrupted" : "failed", "%s", err);
				goto out;
			}
		}
	}
	if (ks_interrupted) {
		ks_result_fail(r, "interrupted", "interrupted");
		goto out;
	}
	double mw = median_of(with, pairs), mo = median_of(without, pairs);
	double *s = malloc(pairs * sizeof(double));
	if (!s) {
		ks_result_fail(r, "failed", "out of memory");
		goto out;
	}
	for (uint64_t i = 0; i < pairs; i++)
		s[i] = with[i] - mo;
	ks_result_set_samples(r, s, pairs);
	ks_result_param_num(r, "pairs", (double)pairs);
	ks_result_metric(r, "median_with", "ns", mw);
	ks_result_metric(r, "median_without", "ns", mo);
	ks_result_metric(r, "overhead_per_exit", "ns", mw - mo);
	ks_result_metric(r, "overhead_pct", "%", mo > 0 ? 100.0 * (mw - mo) / mo : 0);
	if (a->be) {
		/* all events the probe took (set-up and warm-up exits too) per measured exit */
		ks_result_metric(r, "probe_events_per_exit", "ratio",
				 ops ? (double)events / (double)ops : 0);
		ks_result_metric(r, "probe_events_lost", "count", (double)lost);
	} else {
		/* bpftrace counts spans (one per exit it paired), warm-up included */
		ks_result_metric(r, "probe_spans_per_exit", "ratio",
				 ops ? (double)events / (double)ops : 0);
		ks_result_metric(r, "attach_s", "s", median_of(attach_s, pairs));
	}
	rc = 0;
out:
	free(with);
	free(without);
	free(attach_s);
	free(at);
	return rc;
}

/* bpftrace's one-liners for uexits and exits, where discovery plans them;
 * only measured when bpftrace can really be run here (never faked). */
static int bpftrace_results(struct ks_ctx *c, uint64_t pairs)
{
	static const char *const probes[] = { "uexits", "exits" };
	char path[4096], why[512];
	int ran = 0;

	bool found = ks_bpftrace_find(path, sizeof(path), why, sizeof(why));
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]) && !ks_interrupted; i++) {
		struct ks_probe_plan plan;
		bool planned = ks_probe_discover(probes[i], &plan) == 0 && plan.available;
		if (!planned && i > 0)
			continue;   /* not available here: nothing to compare with */
		if (!found || !planned) {
			struct ks_result *r = add(c, probes[i], "bpftrace");
			if (r)
				ks_result_fail(r, "unsupported", "%s", found ? plan.why : why);
			continue;
		}
		struct attacher a = { .name = "bpftrace", .bpftrace = path };
		if (measure(c, &a, &plan, pairs) == 0)
			ran++;
	}
	return ran;
}

static int run_probe_overhead(const struct ks_bench *b, struct ks_ctx *c)
{
	const struct ks_probe_backend *const backends[] = { &ks_probe_bpf, &ks_probe_tracefs };
	uint64_t pairs = c->opts->quick ? 5 : 15;
	int ran = 0;

	(void)b;
	for (size_t k = 0; k < sizeof(backends) / sizeof(backends[0]) && !ks_interrupted; k++) {
		const struct ks_probe_backend *be = backends[k];
		char why[256];
		/* --probe-backend bpf|tracefs: only that one (a shorter run) */
		if ((c->opts->probe_backend == KS_PB_BPF && be != &ks_probe_bpf) ||
		    (c->opts->probe_backend == KS_PB_TRACEFS && be != &ks_probe_tracefs))
			continue;
		if (!be->usable(why, sizeof(why))) {
			struct ks_result *r = add(c, "all", be->name);
			if (r)
				ks_result_fail(r, "unsupported", "%s backend: %s", be->name, why);
			continue;
		}
		struct attacher a = { .name = be->name, .be = be };
		for (int i = 0; ks_probe_names[i] && !ks_interrupted; i++) {
			struct ks_probe_plan plan;
			if (ks_probe_discover(ks_probe_names[i], &plan) < 0 || !plan.available)
				continue;   /* not available here: nothing to measure */
			if (measure(c, &a, &plan, pairs) == 0)
				ran++;
		}
	}
	ran += bpftrace_results(c, pairs);
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
