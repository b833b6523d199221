/* SPDX-License-Identifier: MIT */
/*
 * results_keep.h - nothing measured is lost when the results file cannot be
 * written: `run` rewrites the file asked for (-o) after every benchmark
 * through ks_results_keep_write(); when that fails (a full disk, a
 * read-only directory) the results go to a fallback file instead, written
 * atomically like the results file:
 *
 *   ${TMPDIR:-/tmp}/kvmscope-fallback-<UTC start>-<pid>.json, else the same
 *   name in the current directory.
 *
 * What happened is said once on stderr (the file and errno, then where the
 * results are), not once per rewrite; a later rewrite that reaches the
 * asked file again removes the fallback and says so.
 */
#ifndef KS_RESULTS_KEEP_H
#define KS_RESULTS_KEEP_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "bench.h"

enum ks_kept {
	KS_KEPT_ASKED,      /* in the file asked for */
	KS_KEPT_FALLBACK,   /* in ks_results_keep.fallback instead */
	KS_KEPT_NOWHERE,    /* neither could be written */
};

struct ks_results_keep {
	const char *asked;          /* -o */
	const char *who;            /* message prefix, "kvmscope run" */
	enum ks_kept where;         /* after the last write */
	int asked_errno;            /* why the asked file failed (0: it has not) */
	char asked_err[PATH_MAX + 160];   /* the same as a sentence, file and errno named */
	char fallback[PATH_MAX];    /* where the results are instead ("": nowhere yet) */
	bool asked_written;         /* the asked file was written at least once */
	bool told_asked;            /* said why the asked file failed */
	bool told_nowhere;          /* said that no fallback could be written */
};

void ks_results_keep_init(struct ks_results_keep *k, const char *asked, const char *who);

/* Write the results where asked, else to the fallback; returns where they are. */
enum ks_kept ks_results_keep_write(struct ks_results_keep *k, const struct ks_results *rs,
				   const struct ks_host *h, const struct ks_run_opts *o);

/* The "results: FILE" line: where they are, and if not where asked, why. */
void ks_results_keep_print(const struct ks_results_keep *k, FILE *f, bool complete);

#endif
