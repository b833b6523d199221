/* SPDX-License-Identifier: MIT */
/*
 * doc.c - report blocks rendered as Markdown or self-contained HTML (rdoc.h).
 */
#define _GNU_SOURCE
#include "rdoc.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"

enum blk { B_HEADING, B_PARA, B_BULLET, B_PRE, B_TABLE, B_PLOT };

struct block {
	enum blk kind;
	int level;             /* heading level; table: ncols */
	char *text;            /* heading/para/bullet/pre text; plot: base path */
	char *caption;         /* plot caption; table: alignment string */
	char **cells;          /* table: nrows * ncols */
	size_t nrows;
};

struct ks_rdoc {
	char *title;
	struct block *b;
	size_t n, cap;
	int failed;
};

struct ks_rdoc *ks_rdoc_new(const char *title)
{
	struct ks_rdoc *d = calloc(1, sizeof(*d));
	if (d && !(d->title = strdup(title ? title : ""))) {
		free(d);
		return NULL;
	}
	return d;
}

void ks_rdoc_free(struct ks_rdoc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct block *b = &d->b[i];
		free(b->text);
		free(b->caption);
		for (size_t c = 0; b->cells && c < b->nrows * (size_t)b->level; c++)
			free(b->cells[c]);
		free(b->cells);
	}
	free(d->b);
	free(d->title);
	free(d);
}

int ks_rdoc_ok(const struct ks_rdoc *d)
{
	return d && !d->failed;
}

static struct block *add(struct ks_rdoc *d, enum blk kind)
{
	if (d->failed)
		return NULL;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct block *nb = realloc(d->b, cap * sizeof(*nb));
		if (!nb) {
			d->failed = 1;
			return NULL;
		}
		d->b = nb;
		d->cap = cap;
	}
	struct block *b = &d->b[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

static char *vfmt(struct ks_rdoc *d, const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0) {
		d->failed = 1;
		return NULL;
	}
	return s;
}

#define ADD_TEXT(kind, lvl)                                 \
	do {                                                \
		struct block *b = add(d, kind);             \
		va_list ap;                                 \
		if (!b)                                     \
			return;                             \
		b->level = lvl;                             \
		va_start(ap, fmt);                          \
		b->text = vfmt(d, fmt, ap);                 \
		va_end(ap);                                 \
		if (!b->text)                               \
			d->n--;                             \
	} while (0)

void ks_rdoc_heading(struct ks_rdoc *d, int level, const char *fmt, ...)
{
	ADD_TEXT(B_HEADING, level < 1 ? 1 : level > 4 ? 4 : level);
}

void ks_rdoc_para(struct ks_rdoc *d, const char *fmt, ...)
{
	ADD_TEXT(B_PARA, 0);
}

void ks_rdoc_bullet(struct ks_rdoc *d, const char *fmt, ...)
{
	ADD_TEXT(B_BULLET, 0);
}

void ks_rdoc_pre(struct ks_rdoc *d, const char *text)
{
	struct block *b = add(d, B_PRE);
	if (b && !(b->text = strdup(text))) {
		d->failed = 1;
		d->n--;
	}
}

void ks_rdoc_table(struct ks_rdoc *d, int ncols, const char *align)
{
	struct block *b = add(d, B_TABLE);
	if (!b)
		return;
	b->level = ncols;
	if (!(b->caption = strdup(align ? align : ""))) {
		d->failed = 1;
		d->n--;
	}
}

void ks_rdoc_row(struct ks_rdoc *d, const char *const *cells)
{
	if (d->failed || !d->n || d->b[d->n - 1].kind != B_TABLE) {
		d->failed = 1;
		return;
	}
	struct block *b = &d->b[d->n - 1];
	size_t nc = (size_t)b->level;
	char **nc_cells = realloc(b->cells, (b->nrows + 1) * nc * sizeof(char *));
	if (!nc_cells) {
		d->failed = 1;
		return;
	}
	b->cells = nc_cells;
	for (size_t c = 0; c < nc; c++) {
		b->cells[b->nrows * nc + c] = strdup(cells[c] ? cells[c] : "");
		if (!b->cells[b->nrows * nc + c])
			d->failed = 1;
	}
	b->nrows++;
}

void ks_rdoc_rowf(struct ks_rdoc *d, const char *fmt, ...)
{
	va_list ap;
	char *s, *cells[32];
	int nc = 0;

	if (d->failed || !d->n || d->b[d->n - 1].kind != B_TABLE)
		return;
	va_start(ap, fmt);
	s = vfmt(d, fmt, ap);
	va_end(ap);
	if (!s)
		return;
	int want = d->b[d->n - 1].level;
	for (char *p = s; nc < want && nc < 32;) {
		cells[nc++] = p;
		char *t = strchr(p, '\t');
		if (!t)
			break;
		*t = 0;
		p = t + 1;
	}
	while (nc < want && nc < 32)
		cells[nc++] = "";
	ks_rdoc_row(d, (const char *const *)cells);
	free(s);
}

void ks_rdoc_plot(struct ks_rdoc *d, const char *base, const char *caption)
{
	struct block *b = add(d, B_PLOT);
	if (!b)
		return;
	b->text = strdup(base);
	b->caption = strdup(caption ? caption : "");
	if (!b->text || !b->caption)
		d->failed = 1;
}

/* ---------------- Markdown ---------------- */

int ks_rdoc_render_md(const struct ks_rdoc *d, FILE *f)
{
	if (!ks_rdoc_ok(d))
		return -1;
	fputs("# ", f);
	ks_md_escape(f, d->title);
	fputs("\n\n", f);
	for (size_t i = 0; i < d->n; i++) {
		const struct block *b = &d->b[i];
		switch (b->kind) {
		case B_HEADING:
			for (int l = 0; l <= b->level; l++)
				fputc('#', f);
			fputc(' ', f);
			ks_md_escape(f, b->text);
			fputs("\n\n", f);
			break;
		case B_PARA:
			ks_md_escape(f, b->text);
			fputs("\n\n", f);
			break;
		case B_BULLET:
			fputs("- ", f);
			ks_md_escape(f, b->text);
			fputc('\n', f);
			if (i + 1 == d->n || d->b[i + 1].kind != B_BULLET)
				fputc('\n', f);
			break;
		case B_PRE:
			/* a fence longer than any backtick run is overkill; entities
			 * do not work inside fences, so drop backticks instead */
			fputs("```\n", f);
			for (const char *p = b->text; *p; p++)
				fputc(*p == '`' ? '\'' : *p, f);
			fputs("\n```\n\n", f);
			break;
		case B_TABLE: {
			size_t nc = (size_t)b->level;
			for (size_t r = 0; r < b->nrows; r++) {
				fputc('|', f);
				for (size_t c = 0; c < nc; c++) {
					fputc(' ', f);
					ks_md_escape(f, b->cells[r * nc + c]);
					fputs(" |", f);
				}
				fputc('\n', f);
				if (r == 0) {
					fputc('|', f);
					for (size_t c = 0; c < nc; c++)
						fputs(b->caption[c] == 'r' ? "---:|" : "---|", f);
					fputc('\n', f);
				}
			}
			fputc('\n', f);
			break;
		}
		case B_PLOT:
			fputs("![", f);
			ks_md_escape(f, b->caption);
			fputs("](", f);
			/* our own slugs: a URL must not be entity-escaped, so
			 * refuse anything outside the slug alphabet instead */
			if (strspn(b->text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789_-./") == strlen(b->text))
				fputs(b->text, f);
			fputs(".png)\n\n", f);
			break;
		}
	}
	return ferror(f) ? -1 : 0;
}

/* ---------------- HTML ---------------- */

static const char css[] =
	"body{font-family:sans-serif;max-width:70em;margin:1em auto;padding:0 1em;color:#222}"
	"table{border-collapse:collapse;margin:0.5em 0 1.2em}"
	"th,td{border:1px solid #ccc;padding:2px 8px;font-size:90%}"
	"th{background:#eee}td.r{text-align:right;font-variant-numeric:tabular-nums}"
	"pre{background:#f6f6f6;padding:0.5em;overflow-x:auto}"
	"figure{margin:1em 0}figcaption{font-size:90%;color:#555}"
	"img{max-width:100%}";

static void base64_file(FILE *out, const char *path)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	FILE *in = fopen(path, "rb");
	unsigned char buf[3 * 1024];
	size_t n;

	if (!in)
		return;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
		for (size_t i = 0; i < n; i += 3) {
			unsigned v = (unsigned)buf[i] << 16;
			if (i + 1 < n)
				v |= (unsigned)buf[i + 1] << 8;
			if (i + 2 < n)
				v |= buf[i + 2];
			fputc(tbl[(v >> 18) & 63], out);
			fputc(tbl[(v >> 12) & 63], out);
			fputc(i + 1 < n ? tbl[(v >> 6) & 63] : '=', out);
			fputc(i + 2 < n ? tbl[v & 63] : '=', out);
		}
	}
	fclose(in);
}

int ks_rdoc_render_html(const struct ks_rdoc *d, FILE *f, const char *dir)
{
	if (!ks_rdoc_ok(d))
		return -1;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "img-src data:; style-src 'unsafe-inline'\">\n<title>", f);
	ks_html_escape(f, d->title);
	fprintf(f, "</title>\n<style>%s</style></head><body>\n<h1>", css);
	ks_html_escape(f, d->title);
	fputs("</h1>\n", f);
	for (size_t i = 0; i < d->n; i++) {
		const struct block *b = &d->b[i];
		switch (b->kind) {
		case B_HEADING:
			fprintf(f, "<h%d>", b->level + 1);
			ks_html_escape(f, b->text);
			fprintf(f, "</h%d>\n", b->level + 1);
			break;
		case B_PARA:
			fputs("<p>", f);
			ks_html_escape(f, b->text);
			fputs("</p>\n", f);
			break;
		case B_BULLET:
			if (i == 0 || d->b[i - 1].kind != B_BULLET)
				fputs("<ul>\n", f);
			fputs("<li>", f);
			ks_html_escape(f, b->text);
			fputs("</li>\n", f);
			if (i + 1 == d->n || d->b[i + 1].kind != B_BULLET)
				fputs("</ul>\n", f);
			break;
		case B_PRE:
			fputs("<pre>", f);
			for (const char *p = b->text; *p;) {
				/* keep newlines; escape the rest line by line */
				size_t n = strcspn(p, "\n");
				char *line = strndup(p, n);
				if (line) {
					ks_html_escape(f, line);
					free(line);
				}
				p += n;
				if (*p == '\n') {
					fputc('\n', f);
					p++;
				}
			}
			fputs("</pre>\n", f);
			break;
		case B_TABLE: {
			size_t nc = (size_t)b->level;
			fputs("<table>\n", f);
			for (size_t r = 0; r < b->nrows; r++) {
				fputs("<tr>", f);
				for (size_t c = 0; c < nc; c++) {
					const char *tag = r == 0 ? "th" : "td";
					fprintf(f, "<%s%s>", tag,
						r && b->caption[c] == 'r' ? " class=\"r\"" : "");
					ks_html_escape(f, b->cells[r * nc + c]);
					fprintf(f, "</%s>", tag);
				}
				fputs("</tr>\n", f);
			}
			fputs("</table>\n", f);
			break;
		}
		case B_PLOT: {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s.svg", dir ? dir : ".", b->text);
			/* a data: URI in an <img>: self-contained, and an SVG shown
			 * as an image can run no script */
			fputs("<figure><img alt=\"", f);
			ks_html_escape(f, b->caption);
			fputs("\" src=\"data:image/svg+xml;base64,", f);
			base64_file(f, path);
			fputs("\"><figcaption>", f);
			ks_html_escape(f, b->caption);
			fputs("</figcaption></figure>\n", f);
			break;
		}
		}
	}
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
