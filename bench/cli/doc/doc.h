/* SPDX-License-Identifier: MIT */
/*
 * Command documentation, written once: each command's page (its summary,
 * synopsis, description, options, examples, exit status) is a table in C,
 * and two renderers turn it into `kvmscope CMD --help` text and a roff man
 * page. The man pages are generated at build time by kvmscope-mangen (the
 * same tables, no KVM code), so --help and the man page cannot drift apart.
 *
 * Text conventions inside the strings: paragraphs are separated by "\n\n";
 * `code` in backquotes is rendered bold in roff and plain in --help; a
 * paragraph whose lines start with two spaces is preformatted (kept as is).
 *
 * Adding a command's page (report, compare, export, ...): write
 * doc_<cmd>.c with a `const struct ks_cmd_doc ks_doc_<cmd>`, list it in
 * ks_docs[] (doc_index.c) and in KVMSCOPE_MAN_COMMANDS (bench/CMakeLists.txt);
 * the build fails if the two lists disagree.
 */
#ifndef KS_DOC_H
#define KS_DOC_H

#include <stdio.h>

struct ks_doc_item {
	const char *tag;    /* option flags, example command, exit code */
	const char *text;
};

struct ks_cmd_doc {
	const char *name;          /* "run"; "kvmscope" for the top-level page */
	const char *summary;       /* one line, lower case, no full stop */
	const char *synopsis[4];   /* usage lines, without the leading "kvmscope " */
	const char *description;
	const struct ks_doc_item *options;      /* { NULL } terminated, or NULL */
	const struct ks_doc_item *examples;     /* command, what it does */
	const struct ks_doc_item *exit_status;  /* code, meaning */
	const char *notes;         /* optional extra section ("NOTES") */
};

/* The top-level page first, then one per command; NULL terminated. */
extern const struct ks_cmd_doc *const ks_docs[];
const struct ks_cmd_doc *ks_doc_find(const char *name);

/* `kvmscope CMD --help` */
void ks_doc_print_help(FILE *f, const struct ks_cmd_doc *d);
/* The man page: kvmscope(1) or kvmscope-CMD(1). `date` may be "". */
void ks_doc_print_man(FILE *f, const struct ks_cmd_doc *d, const char *version, const char *date);
/* "kvmscope" or "kvmscope-run": the page (and file) name */
void ks_doc_page_name(const struct ks_cmd_doc *d, char *buf, size_t len);

#endif
