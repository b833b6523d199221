/* SPDX-License-Identifier: MIT */
/*
 * doc.h - a report as a list of blocks (headings, paragraphs, tables, plots),
 * rendered to Markdown or to one self-contained HTML page.
 *
 * Report code only ever adds plain text; escaping happens here, once, for the
 * output format, so no code path can forget it.  Text is copied in.
 */
#ifndef KS_DOC_H
#define KS_DOC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ks_doc;

struct ks_doc *ks_doc_new(const char *title);
void ks_doc_free(struct ks_doc *d);

void ks_doc_heading(struct ks_doc *d, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ks_doc_para(struct ks_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A bullet; consecutive bullets form one list. */
void ks_doc_bullet(struct ks_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Preformatted text (monospace, kept as is apart from escaping). */
void ks_doc_pre(struct ks_doc *d, const char *text);

/*
 * Tables: ks_doc_table(d, ncols, "align") starts one ("lrr...": l/r per
 * column), ks_doc_row() adds a row of ncols cells (the first row is the
 * header).  A cell is plain text.
 */
void ks_doc_table(struct ks_doc *d, int ncols, const char *align);
void ks_doc_row(struct ks_doc *d, const char *const *cells);
/* Convenience: one row from printf-formatted cells separated by tabs; only for
 * text kvmscope wrote itself (text from a results file may hold a tab). */
void ks_doc_rowf(struct ks_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A plot: `base` is the path of the plot without extension, relative to the
 * report; base.png and base.svg must exist next to the report when it is
 * rendered (the HTML page inlines the SVG).
 */
void ks_doc_plot(struct ks_doc *d, const char *base, const char *caption);

/* Did every allocation succeed? (failures are sticky; render refuses) */
int ks_doc_ok(const struct ks_doc *d);

int ks_doc_render_md(const struct ks_doc *d, FILE *f);
/* dir: the directory plot paths are relative to (to read the SVGs). */
int ks_doc_render_html(const struct ks_doc *d, FILE *f, const char *dir);

#ifdef __cplusplus
}
#endif

#endif
