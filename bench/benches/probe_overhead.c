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
 * per probe and backend.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benches.h"

/* pio_out_user once into a scratch result list: its median ns per exit. */
static int run_workload(struct ks_ctx *c, double *median, uint64_t *ops, char *err, size_t len)
{
	struct ks_results scratch;
	struct ks_ctx sc = { .host = c->host, .opts = c->opts, .res = &scratch };
	int rc = -1;

	memset(&scratch, 0, sizeof(scratch));
	ks_bench_pio_out_user.run(&ks_bench_pio_out_user, &sc);
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
		snprintf(r->what, sizeof(r->what),
			 "%s probe (%s backend) cost per pio_out_user exit: median with - median "
			 "without, alternating pairs", probe, backend);
		ks_result_param_str(r, "probe", probe);
		ks_result_param_str(r, "backend", backend);
		ks_result_param_str(r, "workload", "pio_out_user");
	}
	return r;
}

/* One probe on one backend: N alternating pairs. */
static int measure(struct ks_ctx *c, const struct ks_probe_backend *be,
		   const struct ks_probe_plan *plan, uint64_t pairs)
{
	struct ks_result *r = add(c, plan->probe, be->name);
	double *with = calloc(pairs, sizeof(double)), *without = calloc(pairs, sizeof(double));
	char err[512] = "";
	uint64_t events = 0, ops = 0, lost = 0;
	int rc = -1;

	if (!r || !with || !without) {
		if (r)
			ks_result_fail(r, "failed", "out of memory");
		goto out;
	}
	ks_result_param_str(r, "events", plan->start_event);
	for (uint64_t i = 0; i < pairs && !ks_interrupted; i++) {
		for (int half = 0; half < 2; half++) {
			bool probed = (half == 0) == (i % 2 == 0);
			void *st = NULL;
			uint64_t n = 0;
			if (probed && be->start(plan, getpid(), &st, err, sizeof(err)) < 0) {
				ks_result_fail(r, "unsupported", "%s", err);
				goto out;
			}
			int w = run_workload(c, probed ? &with[i] : &without[i], &n, err, sizeof(err));
			if (probed) {
				struct ks_probe_snapshot s;
				if (be->snapshot(st, &s) == 0) {
					events += s.events;
					lost += s.lost;
					ks_probe_snapshot_free(&s);
				}
				be->stop(st);
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
	/* all events the probe took (set-up and warm-up exits too) per measured exit */
	ks_result_metric(r, "probe_events_per_exit", "ratio", ops ? (double)events / (double)ops : 0);
	ks_result_metric(r, "probe_events_lost", "count", (double)lost);
	rc = 0;
out:
	free(with);
	free(without);
	return rc;
}

/* bpftrace: only named when it can really be run here (never faked). */
static void bpftrace_result(struct ks_ctx *c)
{
	struct ks_result *r = add(c, "uexits", "bpftrace");
	const char *path = getenv("PATH");
	char found[4096] = "";

	if (!r)
		return;
	for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p && !found[0];) {
		size_t n = strcspn(p, ":");
		char cand[4096];
		snprintf(cand, sizeof(cand), "%.*s/bpftrace", (int)n, n ? p : ".");
		if (access(cand, X_OK) == 0)
			snprintf(found, sizeof(found), "%s", cand);
		p += n + (p[n] == ':');
	}
	if (!found[0])
		ks_result_fail(r, "unsupported",
			       "bpftrace not available in this environment: no bpftrace binary in "
			       "PATH (%s); it is a dynamically linked C++ program (LLVM, libbcc), "
			       "which a static-only environment such as the x86 testbed's initramfs "
			       "cannot carry", path ? path : "unset");
	else
		ks_result_fail(r, "unsupported",
			       "bpftrace is installed (%s) but kvmscope does not drive it: no "
			       "bpftrace comparison was measured", found);
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
		if (!be->usable(why, sizeof(why))) {
			struct ks_result *r = add(c, "all", be->name);
			if (r)
				ks_result_fail(r, "unsupported", "%s backend: %s", be->name, why);
			continue;
		}
		for (int i = 0; ks_probe_names[i] && !ks_interrupted; i++) {
			struct ks_probe_plan plan;
			if (ks_probe_discover(ks_probe_names[i], &plan) < 0 || !plan.available)
				continue;   /* not available here: nothing to measure */
			if (measure(c, be, &plan, pairs) == 0)
				ran++;
		}
	}
	bpftrace_result(c);
	return ran ? 0 : -1;
}

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	char w[256];

	if (!ks_avail_pio(b, h, why, len))
		return false;
	if (!ks_probe_pick(KS_PB_AUTO, w, sizeof(w))) {
		snprintf(why, len, "no probe backend is usable: %s", w);
		return false;
	}
	return true;
}

const struct ks_bench ks_bench_probe_overhead = {
	.name = "probe_overhead", .family = "probe", .in_default = false,
	.what = "in-kernel probe cost per exit: pio_out_user with and without each probe",
	.available = avail, .run = run_probe_overhead,
};
