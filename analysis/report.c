/* SPDX-License-Identifier: MIT */
/*
 * report.c - one result set -> report; several -> comparison against the
 * first.  Builds the document (rdoc.h) from the sections in report_*.c, draws
 * the plots, and writes report.md and report.html atomically.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "escape.h"
#include "inference.h"
#include "report_int.h"

const char *ks_fmt(double v, char *buf, size_t len)
{
	double a = fabs(v);
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (a >= 1000)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 0.01 || a == 0)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

/* The per-benchmark table of one set, and the benchmarks that did not run. */
static void section_results(struct ks_rdoc *d, const struct ks_resultset *rs,
			    const struct ks_report_opts *o)
{
	char ci[96], med[32], mean[32], p99[32], mx[32], n[32], rcv[32], out[32], lo[32], hi[32];
	char tb[2][160];
	size_t skipped = 0;

	ks_rdoc_heading(d, 1, "Results");
	ks_rdoc_para(d, "Per benchmark over its samples (a sample is one batch's time per "
		       "operation). CI: distribution-free %.0f %% interval of the median. "
		       "rCV = 1.4826 MAD / median; noisy when above %.0f %%. Outliers: beyond "
		       "Q1 - 3 IQR or Q3 + 3 IQR.", o->conf * 100, KS_NOISY_RCV * 100);
	ks_rdoc_table(d, 11, "llrrrrrrrrl");
	ks_rdoc_row(d, (const char *const[]){ "benchmark", "unit", "n", "median", "CI", "mean",
		   "p99", "max", "rCV", "outliers", "flags" });
	if (o->text)
		fprintf(o->text, "%-22s %8s %7s %12s %26s %12s  %s\n", "BENCHMARK", "UNIT", "N",
			"MEDIAN", "CI", "P99", "FLAGS");
	for (size_t i = 0; i < rs->nb; i++) {
		const struct ks_rs_bench *b = &rs->b[i];
		struct ks_noise nz;
		double l, h;
		if (strcmp(b->status, "ok")) {
			skipped++;
			continue;
		}
		ks_noise(b->sorted, b->n, b->sum.mean, b->sum.stddev, b->sum.median, b->sum.mad, &nz);
		if (ks_median_ci(b->sorted, b->n, o->conf, &l, &h) == 0)
			snprintf(ci, sizeof ci, "[%s, %s]", ks_fmt(l, lo, sizeof lo), ks_fmt(h, hi, sizeof hi));
		else
			snprintf(ci, sizeof ci, "(n too small)");
		snprintf(n, sizeof n, "%zu", b->n);
		snprintf(rcv, sizeof rcv, "%.1f %%", nz.rcv * 100);
		snprintf(out, sizeof out, "%zu", nz.outliers);
		char flags[96] = "";
		if (nz.noisy)
			snprintf(flags, sizeof flags, "noisy");
		if (b->nruns >= 2) {
			/* the spread a single run cannot show */
			double m = 0, v = 0;
			for (size_t k = 0; k < b->nruns; k++)
				m += b->run_medians[k] / (double)b->nruns;
			for (size_t k = 0; k < b->nruns; k++)
				v += (b->run_medians[k] - m) * (b->run_medians[k] - m) / (double)(b->nruns - 1);
			snprintf(flags + strlen(flags), sizeof flags - strlen(flags),
				 "%s%zu runs, run-to-run CV %.1f %%", flags[0] ? "; " : "", b->nruns,
				 m != 0 ? sqrt(v) / fabs(m) * 100 : NAN);
		}
		ks_rdoc_row(d, (const char *const[]){ b->name, b->unit, n,
			   ks_fmt(b->sum.median, med, sizeof med), ci, ks_fmt(b->sum.mean, mean, sizeof mean),
			   ks_fmt(b->sum.p99, p99, sizeof p99), ks_fmt(b->sum.max, mx, sizeof mx), rcv, out,
			   flags });
		if (o->text)
			fprintf(o->text, "%-22s %8s %7zu %12s %26s %12s  %s\n",
				ks_term_safe(b->name, tb[0], sizeof tb[0]),
				ks_term_safe(b->unit, tb[1], sizeof tb[1]), b->n, med, ci, p99, flags);
	}
	if (!skipped)
		return;
	ks_rdoc_heading(d, 2, "Not measured");
	for (size_t i = 0; i < rs->nb; i++) {
		const struct ks_rs_bench *b = &rs->b[i];
		if (strcmp(b->status, "ok"))
			ks_rdoc_bullet(d, "%s: %s: %s", b->name, b->status, b->reason ? b->reason : "no reason given");
	}
}

/* Exit-count cross-checks against KVM's stats fd, when any is not exact. */
static void section_checks(struct ks_rdoc *d, const struct ks_resultset *rs)
{
	const struct kj_value *res = kj_get(rs->root, "results");
	int any = 0;

	for (size_t i = 0; res && res->type == KJ_ARR && i < res->u.arr.n; i++) {
		const struct kj_value *r = &res->u.arr.v[i], *ch = kj_get(r, "exit_checks");
		const struct kj_value *name = kj_get(r, "name");
		for (size_t k = 0; ch && ch->type == KJ_ARR && k < ch->u.arr.n; k++) {
			const struct kj_value *c = &ch->u.arr.v[k];
			const struct kj_value *f[5] = { kj_get(c, "stat"), kj_get(c, "expected"),
							kj_get(c, "observed"), kj_get(c, "verdict"),
							kj_get(c, "note") };
			char e[32] = "-", ob[32] = "-";
			if (f[1] && f[1]->type == KJ_NUM)
				snprintf(e, sizeof e, "%.0f", f[1]->u.num);
			if (f[2] && f[2]->type == KJ_NUM)
				snprintf(ob, sizeof ob, "%.0f", f[2]->u.num);
			if (!any++) {
				ks_rdoc_heading(d, 1, "Exit counts checked against KVM's statistics");
				ks_rdoc_table(d, 6, "llrrll");
				ks_rdoc_row(d, (const char *const[]){ "benchmark", "stat", "expected",
					   "observed", "verdict", "note" });
			}
#define S(v) ((v) && (v)->type == KJ_STR ? (v)->u.str.s : "")
			ks_rdoc_row(d, (const char *const[]){ S(name), S(f[0]), e, ob, S(f[3]), S(f[4]) });
#undef S
		}
	}
}

/* Host perf counters per benchmark, whatever the writer recorded. */
static void section_perf(struct ks_rdoc *d, struct ks_resultset **sets, size_t n)
{
	int any = 0;
	for (size_t s = 0; s < n; s++)
		for (size_t i = 0; i < sets[s]->nb; i++) {
			const struct ks_rs_bench *b = &sets[s]->b[i];
			if (!b->perf)
				continue;
			for (size_t k = 0; k < b->perf->u.obj.n; k++) {
				const struct kj_member *m = &b->perf->u.obj.m[k];
				const struct kj_value *v = m->val.type == KJ_OBJ ? kj_get(&m->val, "value") : NULL;
				const struct kj_value *u = m->val.type == KJ_OBJ ? kj_get(&m->val, "unit") : NULL;
				char val[64];
				if (v && v->type == KJ_NUM)
					snprintf(val, sizeof val, "%.0f", v->u.num);
				else if (m->val.type == KJ_STR)
					snprintf(val, sizeof val, "%.60s", m->val.u.str.s);
				else if (m->val.type == KJ_OBJ && kj_get(&m->val, "unsupported"))
					snprintf(val, sizeof val, "unsupported");
				else
					continue;
				if (!any++) {
					ks_rdoc_heading(d, 1, "Host perf counters");
					ks_rdoc_table(d, 5, "lllrl");
					ks_rdoc_row(d, (const char *const[]){ "set", "benchmark", "counter",
						   "value", "unit" });
				}
				ks_rdoc_row(d, (const char *const[]){ sets[s]->label, b->name, m->key, val,
					   u && u->type == KJ_STR ? u->u.str.s : "" });
			}
		}
}

static int mkdir_p(const char *dir)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int write_out(const struct ks_rdoc *d, const char *dir, const char *name, int html,
		     char *err, size_t errlen)
{
	struct ks_atomic_file af;
	char path[4096];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (ks_atomic_open(&af, path) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if ((html ? ks_rdoc_render_html(d, af.f, dir) : ks_rdoc_render_md(d, af.f)) < 0) {
		ks_atomic_abort(&af);
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	if (ks_atomic_commit(&af) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Everything but the plots: the sections, in order. */
static struct ks_rdoc *build(struct ks_resultset **sets, size_t n, const struct ks_report_opts *o)
{
	char title[300];
	struct ks_rdoc *d;

	if (n == 1)
		snprintf(title, sizeof title, "kvmscope report: %s", sets[0]->label);
	else
		snprintf(title, sizeof title, "kvmscope comparison: %zu result sets, baseline %s", n,
			 sets[0]->label);
	d = ks_rdoc_new(title);
	if (!d)
		return NULL;
	ks_section_env(d, sets, n);
	ks_section_classic(d, sets, n);
	if (n == 1)
		section_results(d, sets[0], o);
	else
		ks_section_compare(d, sets, n, o);
	if (n == 1)
		section_checks(d, sets[0]);
	ks_section_probes(d, sets, n);
	section_perf(d, sets, n);
	return d;
}

int ks_report_render(struct ks_resultset **sets, size_t n, const struct ks_report_opts *o,
		     FILE *md, FILE *html)
{
	struct ks_rdoc *d = build(sets, n, o);
	int rc = d && ks_rdoc_ok(d) ? 0 : -1;

	if (!rc && md)
		rc = ks_rdoc_render_md(d, md);
	if (!rc && html)
		rc = ks_rdoc_render_html(d, html, ".");
	ks_rdoc_free(d);
	return rc;
}

int ks_report(struct ks_resultset **sets, size_t n, const struct ks_report_opts *o,
	      char *plot_err, size_t plot_errlen, char *err, size_t errlen)
{
	struct ks_rdoc *d = NULL;
	struct ks_plotter *p = NULL;
	int rc = -1;

	if (plot_errlen)
		plot_err[0] = 0;
	if (mkdir_p(o->outdir) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", o->outdir, strerror(errno));
		return -1;
	}
	d = build(sets, n, o);
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->plots) {
		p = ks_plotter_new(o->outdir, plot_err, plot_errlen);
		if (p) {
			ks_section_plots(d, p, sets, n, o->conf);
			if (ks_plotter_run(p, plot_err, plot_errlen) < 0)
				ks_rdoc_para(d, "The plots could not be drawn: %s", plot_err);
		} else {
			ks_rdoc_para(d, "No plots: %s", plot_err);
		}
	}
	if (!ks_rdoc_ok(d)) {
		snprintf(err, errlen, "out of memory building the report");
		goto out;
	}
	if (write_out(d, o->outdir, "report.md", 0, err, errlen) < 0 ||
	    write_out(d, o->outdir, "report.html", 1, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	ks_plotter_free(p);
	ks_rdoc_free(d);
	return rc;
}
