/* SPDX-License-Identifier: MIT */
/*
 * report_compare.c - each set against the baseline (the first): per
 * benchmark the difference and ratio of medians with their CI, the
 * Mann-Whitney p-value after Holm's correction over the benchmarks of that
 * pair, and a verdict only when the difference is significant.  Benchmarks
 * that only one side has, or that did not run on one side, are listed as such.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "inference.h"
#include "report_int.h"

struct cmp_row {
	const struct ks_rs_bench *a, *b;
	struct ks_diff d;
	double p_adj;
	int ok;
	int runlevel;   /* tested between runs, not between samples */
};

/*
 * With two or more runs on a side, the run is the unit: the test and the
 * intervals are over the runs' medians (Welch's t; the ratio on the log
 * scale), so run-to-run variation - a reboot, a different memory layout, a
 * busy host - counts as noise.  With one run per side only the samples are
 * there, and they cannot show that variation.
 */
static int run_level(const struct ks_rs_bench *a, const struct ks_rs_bench *b, double conf,
		     struct ks_diff *d)
{
	struct ks_runtest lin, lg;
	double la[64], lb[64];
	size_t na = a->nruns < 64 ? a->nruns : 64, nb = b->nruns < 64 ? b->nruns : 64;
	int pos = 1;

	if (ks_run_ttest(a->run_medians, na, b->run_medians, nb, conf, &lin) < 0)
		return -1;
	memset(d, 0, sizeof(*d));
	d->median_a = a->sum.median;
	d->median_b = b->sum.median;
	d->diff = lin.diff;
	d->diff_lo = lin.lo;
	d->diff_hi = lin.hi;
	d->p = lin.p;
	d->z = lin.t;
	for (size_t i = 0; i < na; i++)
		pos &= (la[i] = a->run_medians[i]) > 0;
	for (size_t i = 0; i < nb; i++)
		pos &= (lb[i] = b->run_medians[i]) > 0;
	d->ratio = d->ratio_lo = d->ratio_hi = NAN;
	if (pos) {
		for (size_t i = 0; i < na; i++)
			la[i] = log(la[i]);
		for (size_t i = 0; i < nb; i++)
			lb[i] = log(lb[i]);
		if (ks_run_ttest(la, na, lb, nb, conf, &lg) == 0) {
			/* latency is multiplicative: test the ratio of geometric means */
			d->ratio = exp(lg.diff);
			d->ratio_lo = exp(lg.lo);
			d->ratio_hi = exp(lg.hi);
			d->p = lg.p;
			d->z = lg.t;
		}
	}
	return 0;
}

static void verdict(const struct cmp_row *r, double alpha, char *buf, size_t len)
{
	int sig = r->p_adj < alpha && (r->d.diff_lo > 0 || r->d.diff_hi < 0);
	if (!sig) {
		snprintf(buf, len, "no significant difference");
		return;
	}
	double pct = isfinite(r->d.ratio) ? (r->d.ratio - 1) * 100 : NAN;
	if (isfinite(pct))
		snprintf(buf, len, "%s by %.1f %%", r->d.diff > 0 ? "slower" : "faster", fabs(pct));
	else
		snprintf(buf, len, "%s", r->d.diff > 0 ? "slower" : "faster");
}

static void pair(struct ks_rdoc *d, const struct ks_resultset *A, const struct ks_resultset *B,
		 const struct ks_report_opts *o)
{
	struct cmp_row *rows = calloc(A->nb + 1, sizeof(*rows));
	double *p = calloc(A->nb + 1, sizeof(*p));
	size_t nr = 0, np = 0, nsig = 0;

	if (!rows || !p) {
		free(rows);
		free(p);
		ks_rdoc_para(d, "out of memory comparing %s with %s", B->label, A->label);
		return;
	}
	ks_rdoc_heading(d, 2, "%s vs %s (baseline)", B->label, A->label);
	for (size_t i = 0; i < A->nb; i++) {
		const struct ks_rs_bench *a = &A->b[i], *b = ks_resultset_find(B, a->name);
		if (!b)
			continue;
		rows[nr].a = a;
		rows[nr].b = b;
		if (!strcmp(a->status, "ok") && !strcmp(b->status, "ok") && !strcmp(a->unit, b->unit)) {
			if ((a->nruns >= 2 || b->nruns >= 2) &&
			    run_level(a, b, o->conf, &rows[nr].d) == 0)
				rows[nr].ok = rows[nr].runlevel = 1;
			else if (ks_compare_medians(a->sorted, a->n, b->sorted, b->n, o->conf,
						    &rows[nr].d) == 0)
				rows[nr].ok = 1;
			if (rows[nr].ok)
				p[np++] = rows[nr].d.p;
		}
		nr++;
	}
	ks_holm(p, np, p);
	for (size_t i = 0, k = 0; i < nr; i++)
		if (rows[i].ok)
			rows[i].p_adj = p[k++];

	if (A->nruns >= 2 || B->nruns >= 2)
		ks_rdoc_para(d, "%s: %zu run(s); %s: %zu run(s). The run is the unit: difference = "
			       "mean of the runs' medians, %s minus %s, with a Welch t interval; "
			       "ratio = ratio of the runs' geometric-mean medians with a t interval "
			       "on the log scale, and its two-sided p (Welch), Holm-adjusted over the "
			       "%zu benchmarks compared. Medians shown are of all samples pooled. A "
			       "verdict is given only when p < %.2f and the interval of the difference "
			       "excludes 0. Intervals at %.0f %%.",
			    A->label, A->nruns ? A->nruns : 1, B->label, B->nruns ? B->nruns : 1, B->label,
			    A->label, np, o->alpha, o->conf * 100);
	else
		ks_rdoc_para(d, "One run per side: the samples of one run each. Difference = %s - %s "
			       "of the medians; ratio = %s / %s. Intervals at %.0f %% (Price-Bonett, "
			       "distribution-free); p = two-sided Mann-Whitney U, Holm-adjusted over "
			       "the %zu benchmarks compared; a verdict is given only when p < %.2f and "
			       "the interval of the difference excludes 0. Caution: samples of one "
			       "run cannot show run-to-run variation (reboots, memory layout, host "
			       "load); give each side several runs (A1.json,A2.json,...) for a "
			       "test that can.",
			    B->label, A->label, B->label, A->label, o->conf * 100, np, o->alpha);
	ks_rdoc_table(d, 8, "lrrrrrrl");
	ks_rdoc_row(d, (const char *const[]){ "benchmark", "unit", A->label, B->label,
		   "difference [CI]", "ratio [CI]", "p (Holm)", "verdict" });
	char tb[3][160];
	if (o->text)
		fprintf(o->text, "\n%s vs %s (baseline), medians, %.0f %% CI:\n%-22s %8s %12s %12s %28s %24s %9s  %s\n",
			ks_term_safe(B->label, tb[0], sizeof tb[0]), ks_term_safe(A->label, tb[1], sizeof tb[1]), o->conf * 100, "BENCHMARK", "UNIT", "BASELINE", "OTHER",
			"DIFFERENCE [CI]", "RATIO [CI]", "P(HOLM)", "VERDICT");
	for (size_t i = 0; i < nr; i++) {
		const struct cmp_row *r = &rows[i];
		char ma[32], mb[32], df[96], rt[96], pv[32], vd[64], t1[32], t2[32], t3[32];
		if (!r->ok) {
			const struct ks_rs_bench *bad = strcmp(r->a->status, "ok") ? r->a : r->b;
			const struct ks_resultset *who = bad == r->a ? A : B;
			if (strcmp(r->a->status, "ok") || strcmp(r->b->status, "ok"))
				snprintf(vd, sizeof vd, "not compared: %s on %.40s", bad->status, who->label);
			else if (strcmp(r->a->unit, r->b->unit))
				snprintf(vd, sizeof vd, "not compared: units differ");
			else
				snprintf(vd, sizeof vd, "not compared: fewer than 6 samples");
			ks_rdoc_row(d, (const char *const[]){ r->a->name, r->a->unit, "-", "-", "-", "-",
				   "-", vd });
			if (o->text)
				fprintf(o->text, "%-22s %8s %12s %12s %28s %24s %9s  %s\n",
					ks_term_safe(r->a->name, tb[0], sizeof tb[0]),
					ks_term_safe(r->a->unit, tb[1], sizeof tb[1]), "-", "-", "-", "-", "-",
					ks_term_safe(vd, tb[2], sizeof tb[2]));
			continue;
		}
		ks_fmt(r->d.median_a, ma, sizeof ma);
		ks_fmt(r->d.median_b, mb, sizeof mb);
		snprintf(df, sizeof df, "%s [%s, %s]", ks_fmt(r->d.diff, t1, sizeof t1),
			 ks_fmt(r->d.diff_lo, t2, sizeof t2), ks_fmt(r->d.diff_hi, t3, sizeof t3));
		if (isfinite(r->d.ratio))
			snprintf(rt, sizeof rt, "%.3f [%.3f, %.3f]", r->d.ratio, r->d.ratio_lo, r->d.ratio_hi);
		else
			snprintf(rt, sizeof rt, "-");
		snprintf(pv, sizeof pv, r->p_adj < 1e-4 ? "%.1e" : "%.4f", r->p_adj);
		verdict(r, o->alpha, vd, sizeof vd);
		nsig += strncmp(vd, "no sig", 6) != 0;
		ks_rdoc_row(d, (const char *const[]){ r->a->name, r->a->unit, ma, mb, df, rt, pv, vd });
		if (o->text)
			fprintf(o->text, "%-22s %8s %12s %12s %28s %24s %9s  %s\n",
				ks_term_safe(r->a->name, tb[0], sizeof tb[0]),
				ks_term_safe(r->a->unit, tb[1], sizeof tb[1]), ma, mb, df, rt, pv, vd);
	}
	ks_rdoc_para(d, "%zu of %zu compared benchmarks differ significantly.", nsig, np);
	if (o->text)
		fprintf(o->text, "%zu of %zu compared benchmarks differ significantly.\n", nsig, np);

	/* what only one side has */
	for (int side = 0; side < 2; side++) {
		const struct ks_resultset *X = side ? B : A, *Y = side ? A : B;
		for (size_t i = 0; i < X->nb; i++)
			if (!ks_resultset_find(Y, X->b[i].name)) {
				ks_rdoc_bullet(d, "%s: only in %s (%s)", X->b[i].name, X->label, X->b[i].status);
				if (o->text)
					fprintf(o->text, "  %s: only in %s (%s)\n",
						ks_term_safe(X->b[i].name, tb[0], sizeof tb[0]),
						ks_term_safe(X->label, tb[1], sizeof tb[1]),
						ks_term_safe(X->b[i].status, tb[2], sizeof tb[2]));
			}
	}
	free(rows);
	free(p);
}

void ks_section_compare(struct ks_rdoc *d, struct ks_resultset **sets, size_t n,
			const struct ks_report_opts *o)
{
	ks_rdoc_heading(d, 1, "Comparison");
	for (size_t i = 1; i < n; i++)
		pair(d, sets[0], sets[i], o);
}
