/* SPDX-License-Identifier: MIT */
/* `kvmscope CMD --help`: a command's page as plain text, wrapped at 79 columns. */
#include <stdbool.h>
#include <string.h>

#include "doc.h"

#define WIDTH 79
#define HANG 24   /* options: where the text column starts */

static bool preformatted(const char *para)
{
	return para[0] == ' ' && para[1] == ' ';
}

/* Print `text` (one paragraph, no "\n\n") wrapped to WIDTH, starting at
 * column `col` (already written), continuation lines indented by `indent`. */
static void wrap(FILE *f, const char *text, size_t len, int col, int indent)
{
	const char *p = text, *end = text + len;
	bool first = true;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\n'))
			p++;
		const char *w = p;
		int wl = 0;   /* display width: backquotes are dropped */
		while (p < end && *p != ' ' && *p != '\n') {
			if (*p != '`' && ((unsigned char)*p & 0xc0) != 0x80)
				wl++;
			p++;
		}
		if (p == w)
			break;
		if (!first && col + 1 + wl > WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		for (const char *c = w; c < p; c++)
			if (*c != '`')
				fputc(*c, f);
		col += wl;
		first = false;
	}
	fputc('\n', f);
}

/* Each "\n\n"-separated paragraph of `text`, indented by `indent`. */
static void paragraphs(FILE *f, const char *text, int indent)
{
	const char *p = text;

	while (*p) {
		const char *e = strstr(p, "\n\n");
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (preformatted(p)) {
			const char *q = p;
			while (q < p + len) {
				const char *nl = memchr(q, '\n', (size_t)(p + len - q));
				size_t l = nl ? (size_t)(nl - q) : (size_t)(p + len - q);
				fprintf(f, "%*s", indent, "");
				for (size_t i = 0; i < l; i++)
					if (q[i] != '`')
						fputc(q[i], f);
				fputc('\n', f);
				q += l + (nl ? 1 : 0);
			}
		} else {
			fprintf(f, "%*s", indent, "");
			wrap(f, p, len, indent, indent);
		}
		p += len;
		if (*p) {
			p += 2;
			fputc('\n', f);
		}
	}
}

/* Tag in a left column, text wrapped in the right one. */
static void items(FILE *f, const char *title, const struct ks_doc_item *it, int hang)
{
	if (!it || !it->tag)
		return;
	fprintf(f, "\n%s:\n", title);
	for (; it->tag; it++) {
		int n = fprintf(f, "  %s", it->tag);
		if (!it->text || !*it->text) {
			fputc('\n', f);
			continue;
		}
		if (n + 1 >= hang) {
			fprintf(f, "\n%*s", hang, "");
		} else {
			fprintf(f, "%*s", hang - n, "");
		}
		wrap(f, it->text, strlen(it->text), hang, hang);
	}
}

static void examples(FILE *f, const struct ks_doc_item *it)
{
	if (!it || !it->tag)
		return;
	fprintf(f, "\nexamples:\n");
	for (; it->tag; it++) {
		fprintf(f, "  %s\n", it->tag);
		if (it->text && *it->text) {
			fprintf(f, "      ");
			wrap(f, it->text, strlen(it->text), 6, 6);
		}
	}
}

void ks_doc_print_help(FILE *f, const struct ks_cmd_doc *d)
{
	for (int i = 0; i < 4 && d->synopsis[i]; i++)
		fprintf(f, "%s kvmscope %s\n", i ? "      " : "usage:", d->synopsis[i]);
	fputc('\n', f);
	if (d->description)
		paragraphs(f, d->description, 0);
	if (!strcmp(d->name, "kvmscope")) {
		fprintf(f, "\ncommands:\n");
		for (int i = 1; ks_docs[i]; i++)
			fprintf(f, "  %-8s %s\n", ks_docs[i]->name, ks_docs[i]->summary);
	}
	items(f, "options", d->options, HANG);
	examples(f, d->examples);
	items(f, "exit status", d->exit_status, 8);
	if (d->notes) {
		fprintf(f, "\nnotes:\n");
		paragraphs(f, d->notes, 2);
	}
	if (strcmp(d->name, "kvmscope"))
		fprintf(f, "\nman kvmscope-%s for the manual page.\n", d->name);
	else
		fprintf(f, "\n`kvmscope <command> --help` for a command's options; man kvmscope.\n");
}
