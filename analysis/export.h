/* SPDX-License-Identifier: MIT */
/*
 * export.h - a loaded result set (resultset.h) in the formats dashboards
 * take: SQUAD's metrics, tests and metadata files, a KCIDB I/O document, and
 * CSV.  What each format's fields are, and where that was read, is in
 * export.c and in kvmscope-export(1).
 *
 * Every string in a result set is untrusted: JSON strings go through the
 * JSON writer (escaped, valid UTF-8), names become identifiers each format
 * accepts (ks_export_name), and CSV cells are quoted per RFC 4180 and
 * neutralised against spreadsheet formulas (ks_csv_cell, escape.h).
 */
#ifndef KS_EXPORT_H
#define KS_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "resultset.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ks_export_format {
	KS_EXPORT_SQUAD_METRICS,   /* SQUAD `metrics` file */
	KS_EXPORT_SQUAD_TESTS,     /* SQUAD `tests` file */
	KS_EXPORT_SQUAD_METADATA,  /* SQUAD `metadata` file */
	KS_EXPORT_KCIDB,           /* KCIDB I/O document (schema v5) with test nodes */
	KS_EXPORT_CSV,             /* one row per benchmark */
};

/*
 * The KCIDB schema version the documents declare: v5.0, the oldest v5 with
 * every field used here (v5.1 to v5.3 have the same test fields), so any
 * KCIDB that takes v5 takes them.
 */
#define KS_KCIDB_MAJOR 5
#define KS_KCIDB_MINOR 0

struct ks_export_opts {
	const char *suite;         /* SQUAD suite and KCIDB path root; NULL: "kvmscope" */
	const char *origin;        /* KCIDB origin; NULL: "kvmscope" */
	const char *build_id;      /* KCIDB build id "origin:..."; NULL: "<origin>:unknown-build" */
	const char *run_id;        /* SQUAD job_id, inside KCIDB test ids; NULL: ks_export_run_id() */
	double conf;               /* confidence of the median's interval; 0: 0.95 */
	const char *exporter;      /* "kvmscope 0.1.0": who exported (SQUAD metadata), or NULL */
};

/* The placeholder build id when none is given: "<origin>:" KS_KCIDB_NO_BUILD */
#define KS_KCIDB_NO_BUILD "unknown-build"

/*
 * Write rs in format fmt to f.  Returns 0, or -1 with a reason in err
 * (a write error, or memory).
 */
int ks_export_write(FILE *f, enum ks_export_format fmt, const struct ks_resultset *rs,
		    const struct ks_export_opts *o, char *err, size_t errlen);

/*
 * name reduced to LAVA's test case characters ([A-Za-z0-9._-], anything
 * else, byte by byte, becomes '_'; the same rule as bench/lava_emit.c) and
 * cut to fit len.  With dot == 0, '.' becomes '_' too: a KCIDB path
 * component ([a-zA-Z0-9_-]+, dots separate the components).
 */
char *ks_export_name(const char *name, int dot, char *out, size_t len);

/*
 * The run's identifier when none is given: "<hostname>-<start time>" of the
 * first run, reduced like ks_export_name (e.g. "rb3-20261128T161353Z"), with
 * "-x<k>" for a set of k runs.
 */
char *ks_export_run_id(const struct ks_resultset *rs, char *out, size_t len);

/* 1 when s is a plausible RFC 3339 date-time ("2026-11-28T16:13:53Z", fraction and offset allowed). */
int ks_export_is_datetime(const char *s);

#ifdef __cplusplus
}
#endif

#endif
