/* SPDX-License-Identifier: MIT */
/*
 * report_plots.c - which plots a report gets.  Per family (and unit):
 * latency CDFs, box plots and medians with CI error bars, with one series per
 * benchmark for one set, one per set for a comparison (plus a CDF per
 * benchmark with the sets overlaid); memory-lend throughput and memslot cost
 * against region size; the irqfd probe's stages stacked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inference.h"
#include "report_int.h"

#define MAXSETS 8
#define MAXCAT 64

struct group {
	const char *family, *unit;
	const char *names[MAXCAT];
	size_t n;
};

/* Benchmarks with status ok, grouped by (family, unit), in first-seen order. */
static size_t groups(struct ks_resultset **sets, size_t n, struct group *g, size_t maxg)
{
	size_t ng = 0;
	for (size_t s = 0; s < n; s++)
		for (size_t i = 0; i < sets[s]->nb; i++) {
			const struct ks_rs_bench *b = &sets[s]->b[i];
			size_t k;
			if (strcmp(b->status, "ok"))
				continue;
			for (k = 0; k < ng; k++)
				if (!strcmp(g[k].family, b->family) && !strcmp(g[k].unit, b->unit))
					break;
			if (k == ng) {
				if (ng == maxg)
					continue;
				g[ng].family = b->family;
				g[ng].unit = b->unit;
				g[ng].n = 0;
				ng++;
			}
			size_t j;
			for (j = 0; j < g[k].n; j++)
				if (!strcmp(g[k].names[j], b->name))
					break;
			if (j == g[k].n && g[k].n < MAXCAT)
				g[k].names[g[k].n++] = b->name;
		}
	return ng;
}

static void cat_stat(const struct ks_rs_bench *b, double conf, struct ks_cat_stat *t)
{
	memset(t, 0, sizeof(*t));
	if (!b || strcmp(b->status, "ok") || !b->n)
		return;
	t->present = 1;
	t->p1 = ks_quantile_sorted(b->sorted, b->n, 0.01);
	t->q1 = ks_quantile_sorted(b->sorted, b->n, 0.25);
	t->med = b->sum.median;
	t->q3 = ks_quantile_sorted(b->sorted, b->n, 0.75);
	t->p99 = b->sum.p99;
	if (ks_median_ci(b->sorted, b->n, conf, &t->lo, &t->hi) < 0)
		t->lo = t->hi = NAN;
}

static void place(struct ks_rdoc *d, const char *base, const char *caption)
{
	if (base)
		ks_rdoc_plot(d, base, caption);
}

static void family_plots(struct ks_rdoc *d, struct ks_plotter *p, struct ks_resultset **sets,
			 size_t n, const struct group *g, double conf)
{
	char slug[200], title[300], yl[64];
	struct ks_cat_stat st[MAXSETS * MAXCAT];
	const char *labels[MAXSETS];
	struct ks_series ser[MAXCAT > MAXSETS ? MAXCAT : MAXSETS];

	snprintf(yl, sizeof yl, "%.40s", g->unit);
	ks_rdoc_heading(d, 2, "%s (%s)", g->family, g->unit);
	for (size_t s = 0; s < n; s++) {
		labels[s] = sets[s]->label;
		for (size_t c = 0; c < g->n; c++)
			cat_stat(ks_resultset_find(sets[s], g->names[c]), conf, &st[s * g->n + c]);
	}
	if (n == 1) {
		size_t k = 0;
		for (size_t c = 0; c < g->n; c++) {
			const struct ks_rs_bench *b = ks_resultset_find(sets[0], g->names[c]);
			ser[k++] = (struct ks_series){ g->names[c], b->sorted, b->n };
		}
		snprintf(slug, sizeof slug, "cdf-%s-%s", g->family, g->unit);
		snprintf(title, sizeof title, "%s: latency CDF", g->family);
		place(d, ks_plot_cdf(p, slug, title, yl, ser, k), title);
	}
	snprintf(slug, sizeof slug, "box-%s-%s", g->family, g->unit);
	snprintf(title, sizeof title, "%s: distribution (box Q1-Q3, whiskers p1-p99, line median)",
		 g->family);
	place(d, ks_plot_box(p, slug, title, yl, g->names, g->n, labels, n, st), title);
	snprintf(slug, sizeof slug, "bars-%s-%s", g->family, g->unit);
	snprintf(title, sizeof title, "%s: median with %.0f%% CI", g->family, conf * 100);
	place(d, ks_plot_bars(p, slug, title, yl, g->names, g->n, labels, n, st), title);
	if (n < 2)
		return;
	for (size_t c = 0; c < g->n; c++) {
		size_t k = 0;
		for (size_t s = 0; s < n; s++) {
			const struct ks_rs_bench *b = ks_resultset_find(sets[s], g->names[c]);
			if (b && !strcmp(b->status, "ok"))
				ser[k++] = (struct ks_series){ sets[s]->label, b->sorted, b->n };
		}
		snprintf(slug, sizeof slug, "cdf-%s", g->names[c]);
		snprintf(title, sizeof title, "%s: latency CDF", g->names[c]);
		place(d, ks_plot_cdf(p, slug, title, yl, ser, k), title);
	}
}

/* name = prefix + "<digits>M": the region size in MiB, else -1 */
static double region_of(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (strncmp(name, prefix, pl))
		return -1;
	char *end;
	double v = strtod(name + pl, &end);
	return end != name + pl && !strcmp(end, "M") ? v : -1;
}

static int cmp_xy(const void *a, const void *b)
{
	double x = ((const struct ks_xy *)a)->x, y = ((const struct ks_xy *)b)->x;
	return (x > y) - (x < y);
}

/* One line per (set, prefix): y(bench) against region size. */
static const char *size_lines(struct ks_plotter *p, struct ks_resultset **sets, size_t n,
			      const char *const *prefixes, size_t npre, int throughput,
			      const char *slug, const char *title, const char *ylabel)
{
	static struct ks_xy pts[MAXSETS * 4][MAXCAT];
	const struct ks_xy *pp[MAXSETS * 4];
	size_t np[MAXSETS * 4];
	char names[MAXSETS * 4][200];
	const char *labels[MAXSETS * 4];
	size_t ns = 0, any = 0;

	for (size_t s = 0; s < n; s++)
		for (size_t k = 0; k < npre && ns < MAXSETS * 4; k++) {
			np[ns] = 0;
			for (size_t i = 0; i < sets[s]->nb && np[ns] < MAXCAT; i++) {
				const struct ks_rs_bench *b = &sets[s]->b[i];
				double mib = region_of(b->name, prefixes[k]);
				if (mib <= 0 || strcmp(b->status, "ok"))
					continue;
				double y;
				if (throughput) {
					const struct ks_rs_metric *m = ks_rs_metric(b, "throughput_median");
					y = m ? m->value : NAN;
				} else {
					y = b->sum.median / 1e6;  /* ns -> ms */
				}
				if (!isfinite(y))
					continue;
				pts[ns][np[ns]++] = (struct ks_xy){ mib, y };
			}
			if (!np[ns])
				continue;
			qsort(pts[ns], np[ns], sizeof(struct ks_xy), cmp_xy);
			snprintf(names[ns], sizeof names[ns], "%.100s%s%.40s", n > 1 ? sets[s]->label : "",
				 n > 1 ? ": " : "", prefixes[k]);
			labels[ns] = names[ns];
			pp[ns] = pts[ns];
			any += np[ns];
			ns++;
		}
	if (!any)
		return NULL;
	return ks_plot_lines(p, slug, title, "region size (MiB)", ylabel, labels, pp, np, ns, 1);
}

static void memory_plots(struct ks_rdoc *d, struct ks_plotter *p, struct ks_resultset **sets,
			 size_t n)
{
	/* memory lent while the guest runs, and before it starts (mem_lend_upfront:
	 * its first touch and the host's lend of it: Gunyah's up-front lend) */
	static const char *const lend[] = { "mem_lend_", "mem_lend_gmem_", "mem_lend_upfront_",
					    "mem_lend_upfront_give_" };
	static const char *const slot[] = { "memslot_add_", "memslot_delete_",
					    "memslot_add_gmem_", "memslot_delete_gmem_" };
	const char *a = size_lines(p, sets, n, lend, 4, 1, "mem-throughput",
				   "memory lend: throughput (median)", "GiB/s");
	const char *b = size_lines(p, sets, n, slot, 4, 0, "memslot-cost",
				   "memslot set-up and tear-down (median)", "ms");
	if (!a && !b)
		return;
	ks_rdoc_heading(d, 2, "memory lend vs region size");
	place(d, a, "memory lend: guest first-touch throughput, and the host's up-front lend "
		 "(mem_lend_upfront_give_), median, GiB/s");
	place(d, b, "memslot set-up and tear-down (median), ms");
}

static double key_mean(const struct kj_value *probe, const char *key)
{
	const struct kj_value *keys = kj_get(probe, "keys");
	for (size_t i = 0; keys && keys->type == KJ_ARR && i < keys->u.arr.n; i++) {
		const struct kj_value *k = kj_get(&keys->u.arr.v[i], "key");
		const struct kj_value *m = kj_get(&keys->u.arr.v[i], "mean_ns");
		if (k && k->type == KJ_STR && !strcmp(k->u.str.s, key) && m && m->type == KJ_NUM)
			return m->u.num;
	}
	return NAN;
}

static void probe_plots(struct ks_rdoc *d, struct ks_plotter *p, struct ks_resultset **sets,
			size_t n)
{
	/* the stages of one interrupt, in order; write->entry is their total */
	static const char *const stages[] = { "write->inject", "inject->wakeup", "wakeup->entry",
					      "inject->entry" };
	enum { NST = sizeof stages / sizeof stages[0] };
	static char cats[MAXCAT][200];
	const char *cp[MAXCAT];
	double v[MAXCAT * NST];
	size_t nc = 0;

	for (size_t s = 0; s < n; s++)
		for (size_t i = 0; i < sets[s]->nb && nc < MAXCAT; i++) {
			const struct ks_rs_bench *b = &sets[s]->b[i];
			for (size_t k = 0; b->probes && k < b->probes->u.arr.n; k++) {
				const struct kj_value *pr = &b->probes->u.arr.v[k];
				const struct kj_value *name = kj_get(pr, "probe");
				if (!name || name->type != KJ_STR || strcmp(name->u.str.s, "irqfd"))
					continue;
				int have = 0;
				for (size_t t = 0; t < NST; t++) {
					v[nc * NST + t] = key_mean(pr, stages[t]);
					have |= isfinite(v[nc * NST + t]);
				}
				if (!have)
					continue;
				snprintf(cats[nc], sizeof cats[nc], "%.100s%s%.60s", n > 1 ? sets[s]->label : "",
					 n > 1 ? ": " : "", b->name);
				cp[nc] = cats[nc];
				nc++;
				break;
			}
		}
	if (!nc)
		return;
	ks_rdoc_heading(d, 2, "irqfd delivery stages (in-kernel probe)");
	place(d, ks_plot_stacked(p, "probe-irqfd", "irqfd delivery: mean time per stage",
				 "ns (mean)", cp, nc, stages, NST, v),
	      "irqfd delivery: mean time per stage, from the irqfd probe");
}

void ks_section_plots(struct ks_rdoc *d, struct ks_plotter *p, struct ks_resultset **sets,
		      size_t n, double conf)
{
	struct group g[32];
	if (n > MAXSETS)
		n = MAXSETS;
	size_t ng = groups(sets, n, g, 32);

	ks_rdoc_heading(d, 1, "Plots");
	for (size_t k = 0; k < ng; k++)
		family_plots(d, p, sets, n, &g[k], conf);
	memory_plots(d, p, sets, n);
	probe_plots(d, p, sets, n);
}
