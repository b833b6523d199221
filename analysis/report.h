/* SPDX-License-Identifier: MIT */
/*
 * report.h - result sets -> a Markdown report, a self-contained HTML page and
 * gnuplot plots; one set gives a report, two or more a comparison against
 * the first (the baseline).
 */
#ifndef KS_REPORT_H
#define KS_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "resultset.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ks_report_opts {
	const char *outdir;   /* created if missing; report.md, report.html, plots/ */
	int plots;            /* draw plots with gnuplot */
	double conf;          /* confidence level, e.g. 0.95 */
	double alpha;         /* significance level (after Holm), e.g. 0.05 */
	FILE *text;           /* a plain-text summary goes here (NULL: none) */
};

/* 0 on success; -1 with the reason in err.  A plotting failure is not an
 * error: the report says why it has no plots, and *plot_err tells the caller. */
int ks_report(struct ks_resultset **sets, size_t n, const struct ks_report_opts *o,
	      char *plot_err, size_t plot_errlen, char *err, size_t errlen);

/* The report without plots or files, rendered to streams (either may be
 * NULL): for tests and fuzzing.  0 on success. */
int ks_report_render(struct ks_resultset **sets, size_t n, const struct ks_report_opts *o,
		     FILE *md, FILE *html);

#ifdef __cplusplus
}
#endif

#endif
