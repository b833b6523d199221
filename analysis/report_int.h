/* SPDX-License-Identifier: MIT */
/* Internal to the report: the sections, each in its own file. */
#ifndef KS_REPORT_INT_H
#define KS_REPORT_INT_H

#include "rdoc.h"
#include "plots.h"
#include "report.h"

/* "12345", "123.4", "1.23": enough digits for latencies in ns */
const char *ks_fmt(double v, char *buf, size_t len);

/* report_env.c: the environment (n == 1) or its differences (n > 1) */
void ks_section_env(struct ks_rdoc *d, struct ks_resultset **sets, size_t n);

/* report_classic.c: the Dall et al. style micro-benchmark table */
void ks_section_classic(struct ks_rdoc *d, struct ks_resultset **sets, size_t n);

/* report_plots.c: every plot that the sets have data for, placed in d */
void ks_section_plots(struct ks_rdoc *d, struct ks_plotter *p, struct ks_resultset **sets,
		      size_t n, double conf);

/* report_probes.c: in-kernel probe tables */
void ks_section_probes(struct ks_rdoc *d, struct ks_resultset **sets, size_t n);

/* report_compare.c: baseline vs each other set */
void ks_section_compare(struct ks_rdoc *d, struct ks_resultset **sets, size_t n,
			const struct ks_report_opts *o);

#endif
