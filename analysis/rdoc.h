/* SPDX-License-Identifier: MIT */
/*
 * rdoc.h - a report as a list of blocks (headings, paragraphs, tables, plots),
 * rendered to Markdown or to one self-contained HTML page.
 *
 * Report code only ever adds plain text; escaping happens here, once, for the
 * output format, so no code path can forget it.  Text is copied in.
 */
#ifndef KS_RDOC_H
#define KS_RDOC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ks_rdoc;

struct ks_rdoc *ks_rdoc_new(const char *title);
void ks_rdoc_free(struct ks_rdoc *d);

void ks_rdoc_heading(struct ks_rdoc *d, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ks_rdoc_para(struct ks_rdoc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A bullet; consecutive bullets form one list. */
void ks_rdoc_bullet(struct ks_rdoc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Preformatted text (monospace, kept as is apart from escaping). */
void ks_rdoc_pre(struct ks_rdoc *d, const char *text);

/*
 * Tables: ks_rdoc_table(d, ncols, "align") starts one ("lrr...": l/r per
 * column), ks_rdoc_row() adds a row of ncols cells (the first row is the
 * header).  A cell is plain text.
 */
void ks_rdoc_table(struct ks_rdoc *d, int ncols, const char *align);
void ks_rdoc_row(struct ks_rdoc *d, const char *const *cells);
/* Convenience: one row from printf-formatted cells separated by tabs; only for
 * text kvmscope wrote itself (text from a results file may hold a tab). */
void ks_rdoc_rowf(struct ks_rdoc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A plot: `base` is the path of the plot without extension, relative to the
 * report; base.png and base.svg must exist next to the report when it is
 * rendered (the HTML page inlines the SVG).
 */
void ks_rdoc_plot(struct ks_rdoc *d, const char *base, const char *caption);

/* Did every allocation succeed? (failures are sticky; render refuses) */
int ks_rdoc_ok(const struct ks_rdoc *d);

int ks_rdoc_render_md(const struct ks_rdoc *d, FILE *f);
/* dir: the directory plot paths are relative to (to read the SVGs). */
int ks_rdoc_render_html(const struct ks_rdoc *d, FILE *f, const char *dir);

#ifdef __cplusplus
}
#endif

#endif
