/* SPDX-License-Identifier: MIT */
/*
 * resultset.h - a kvmscope results file, loaded and validated.
 *
 * ks_resultset_load() parses a file (json_read.h), checks it against schema
 * v1 (results/README.md) and exposes the fields the report and compare
 * commands use.  Every error names the file, the field (as a path such as
 * results[3].samples[17]) and the line.  Strings point into the parsed
 * document and are untrusted: escape them (escape.h) before they go into
 * HTML, Markdown or a gnuplot script.
 */
#ifndef KS_RESULTSET_H
#define KS_RESULTSET_H

#include <stdbool.h>
#include <stddef.h>

#include "json_read.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KS_RESULTS_SCHEMA_VERSION 1

struct ks_rs_metric {
	const char *key, *unit;
	double value;
};

struct ks_rs_bench {
	const char *name, *family, *status, *reason, *what, *unit;
	const struct kj_value *params;   /* object */
	const struct kj_value *probes;   /* array, or NULL */
	const struct kj_value *perf;     /* object, or NULL */
	struct ks_rs_metric *metrics;
	size_t nmetrics;
	const double *samples;           /* in `unit`, ascending; n == 0 unless status ok */
	size_t n;
	double *sorted;                  /* the same samples (sorted in place on load) */
	int sorted_borrowed;             /* sorted points into the parsed document */
	struct ks_summary sum;           /* recomputed from samples, not trusted from the file */
	/* A set of several runs pools their samples (samples == sorted, owned);
	 * each run's own median stays here for run-level statistics. */
	double *run_medians;             /* owned; nruns values */
	size_t nruns;
};

struct ks_resultset {
	char *path;
	char label[128];                 /* set by the caller (ks_resultset_label) */
	struct kj_doc *doc;
	const struct kj_value *root;
	const struct kj_value *env;      /* environment object */
	bool complete;
	const char *incomplete_reason;
	const char *arch, *backend, *kernel_release, *hostname, *cpu_model;
	const char *tool_version, *tool_commit, *started;
	double host_tick_hz, guest_tick_hz;  /* 0 when unknown */
	double cpu_hz;                       /* CPU clock for "cycles", 0 when unknown */
	const char *cpu_hz_source;           /* where cpu_hz came from */
	struct ks_rs_bench *b;
	size_t nb;
	/* A set made of several runs (files) of the same configuration: the runs
	 * are kept (their strings are referenced), the fields above are run 1's
	 * and the benchmarks are pooled. */
	struct ks_resultset **runs;
	size_t nruns;
};

/*
 * Load and validate path.  Returns NULL with "path: line L: field: what"
 * in err on any problem.  Samples are sorted and summarized on load.
 */
struct ks_resultset *ks_resultset_load(const char *path, char *err, size_t errlen);

/* The same from a buffer in memory; name stands for the path in errors. */
struct ks_resultset *ks_resultset_parse(const char *buf, size_t len, const char *name, char *err,
					size_t errlen);

void ks_resultset_free(struct ks_resultset *rs);

/*
 * Load k files that are runs of one configuration (e.g. five boots of the
 * same kernel) as one set: per benchmark the samples of every run where it
 * is ok are pooled, and each run's median is kept for run-level tests, which
 * see the run-to-run variation a single run cannot show.  k == 1 is the
 * same as ks_resultset_load().  Runs whose backend or kernel differ from the
 * first are refused: they are not the same configuration.
 */
struct ks_resultset *ks_resultset_load_runs(const char *const *paths, size_t k, char *err,
					    size_t errlen);

/*
 * The pooling step of ks_resultset_load_runs(), for sets already loaded (or
 * parsed from memory): runs is a malloc'd array of k sets, and both the
 * array and the sets belong to the result (or are freed on failure).
 */
struct ks_resultset *ks_resultset_pool(struct ks_resultset **runs, size_t k, char *err,
				       size_t errlen);

/* The benchmark called name, or NULL. */
const struct ks_rs_bench *ks_resultset_find(const struct ks_resultset *rs, const char *name);

/* A string at a dotted path under the environment ("kernel.release"), or NULL. */
const char *ks_resultset_env(const struct ks_resultset *rs, const char *dotted);

/* A metric of b by key, or NULL. */
const struct ks_rs_metric *ks_rs_metric(const struct ks_rs_bench *b, const char *key);

/* A numeric parameter of b, or NaN. */
double ks_rs_param(const struct ks_rs_bench *b, const char *key);

/*
 * Give each set a short label: "backend kernel" unless the caller already set
 * one, made unique across the sets with #2, #3.
 */
void ks_resultset_label_all(struct ks_resultset **sets, size_t n);

#ifdef __cplusplus
}
#endif

#endif
