/* SPDX-License-Identifier: MIT */
/*
 * plots.h - report plots drawn by gnuplot, as PNG and SVG.
 *
 * Each ks_plot_*() writes its data files and appends to one gnuplot script
 * under DIR/plots/; ks_plotter_run() runs gnuplot once on that script (argv
 * array, cwd = DIR/plots, no shell).  Scripts only name files kvmscope made
 * and put text from results files through ks_gp_label(), so a hostile label
 * cannot break out of a string.  Functions return the plot's base path
 * relative to DIR ("plots/<slug>") for ks_rdoc_plot(), or NULL on error.
 */
#ifndef KS_PLOTS_H
#define KS_PLOTS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ks_plotter;

struct ks_plotter *ks_plotter_new(const char *dir, char *err, size_t errlen);
void ks_plotter_free(struct ks_plotter *p);

/* One distribution: ascending-sorted values. */
struct ks_series {
	const char *label;
	const double *sorted;
	size_t n;
};

/* Per category and series: the distribution's landmarks. */
struct ks_cat_stat {
	int present;
	double p1, q1, med, q3, p99;  /* box plot */
	double lo, hi;                /* CI of the median (bar chart error bars) */
};

struct ks_xy {
	double x, y;
};

/* Empirical CDFs overlaid (log x when the range spans more than 10x). */
const char *ks_plot_cdf(struct ks_plotter *p, const char *slug, const char *title,
			const char *xlabel, const struct ks_series *s, size_t ns);

/* Box plots: boxes Q1..Q3, whiskers p1..p99, a median line; st[ser * ncat + cat]. */
const char *ks_plot_box(struct ks_plotter *p, const char *slug, const char *title,
			const char *ylabel, const char *const *cats, size_t ncat,
			const char *const *series, size_t nser, const struct ks_cat_stat *st);

/* Bars of medians with their CI as error bars; st as for the box plot. */
const char *ks_plot_bars(struct ks_plotter *p, const char *slug, const char *title,
			 const char *ylabel, const char *const *cats, size_t ncat,
			 const char *const *series, size_t nser, const struct ks_cat_stat *st);

/* Lines with points, one per series (log2 x when logx). */
const char *ks_plot_lines(struct ks_plotter *p, const char *slug, const char *title,
			  const char *xlabel, const char *ylabel, const char *const *series,
			  const struct ks_xy *const *pts, const size_t *npts, size_t nser, int logx);

/* Stacked bars: one bar per category, one segment per stage; v[cat * nstage + stage]. */
const char *ks_plot_stacked(struct ks_plotter *p, const char *slug, const char *title,
			    const char *ylabel, const char *const *cats, size_t ncat,
			    const char *const *stages, size_t nstage, const double *v);

/*
 * Run gnuplot on everything queued.  Returns 0 when gnuplot succeeded, else
 * -1 with the reason (gnuplot missing, failed, timed out) in err.
 * $KVMSCOPE_GNUPLOT overrides the gnuplot program (tests use it).
 */
int ks_plotter_run(struct ks_plotter *p, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
