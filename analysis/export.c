/* SPDX-License-Identifier: MIT */
/*
 * export.c - result sets in the formats dashboards take (export.h).
 *
 * The field names below are the formats' own, as their projects document
 * them (read at the commits named; nothing of theirs is copied here):
 *
 * SQUAD - github.com/Linaro/squad at 2d1bf92 (2024-07-25): doc/intro.rst,
 * "Submitting results" and "Input file formats"; squad/core/data.py (the
 * parsers), squad/core/tasks/__init__.py (ValidateTestRun), squad/core/models.py.
 *   POST /api/submit/GROUP/PROJECT/BUILD/ENVIRONMENT takes the files `tests`,
 *   `metrics` and `metadata`, each a JSON object:
 *   - metrics: "suite/name" -> a number, an array of numbers (their mean is
 *     the result), or, since SQUAD 1.25 (CHANGELOG.md), an object
 *     {"value": ..., "unit": ...}; the unit is stored in 30 characters.  We
 *     write {"value": median, "unit": unit}: a list would make the mean the
 *     result.  Non-finite values are dropped by SQUAD; we never write them.
 *   - tests: "suite/name" -> "pass" or "fail" (any other value shows as
 *     skip), or {"result": ..., "log": ...}.
 *   - metadata: strings; `job_id` (unique in the project; no '/'),
 *     `datetime` (ISO 8601 with seconds), `job_status`, `suite_versions`
 *     (an object suite -> version string) are understood, other keys kept.
 *   '/' separates suites from names and '[' ']' mark a test variant, so names
 *   keep only LAVA's characters ([A-Za-z0-9._-]); the suite must match
 *   SQUAD's slug, [a-zA-Z0-9][a-zA-Z0-9_.-]*.
 *
 * KCIDB - github.com/kernelci/kcidb-io at 8971c02 (2026-02-01):
 * kcidb_io/schema/v05_00.py to v05_03.py (the JSON schema of each version);
 * github.com/kernelci/kcidb at 8fb83c0 (2025-05-07): doc/submitter_guide.md.
 *   A document {"version": {"major", "minor"}, "checkouts", "builds",
 *   "tests", ...}; only "version" is required, so we send "tests" alone.  A
 *   test object allows exactly: `id`, `build_id` (both "<origin>:" then any
 *   text without NUL), `origin` ([a-z0-9_]+) - these three required -,
 *   `path` (dot-separated, each component [a-zA-Z0-9_-]+), `comment`,
 *   `log_url`, `log_excerpt` (at most 16384 characters), `status` (FAIL,
 *   ERROR, MISS, PASS, DONE, SKIP), `number` {`value` (required), `unit`,
 *   `prefix` ("metric" | "binary")}, `start_time` (date-time), `duration`
 *   (seconds), `output_files`, `environment` {`compatible`, `comment`,
 *   `misc`}, `misc`, and from v5.3 `input_files`; no property may be null.
 *   Status: a benchmark that measured is DONE ("the test completed and had
 *   not reported the status of the tested code, but, for example, produced a
 *   performance measurement result"); failed is FAIL; unsupported is SKIP
 *   (not applicable here); interrupted is MISS (the layer above the test -
 *   whoever sent the signal or the watchdog - stopped it; no data on the
 *   test or the code).  A test refers to its build by `build_id`; KCIDB
 *   takes a test whose build it does not have yet, and reports it once the
 *   build and its checkout arrive.
 *
 * CSV - RFC 4180 (a header row, CRLF line ends, fields with a comma or a
 * quote quoted, quotes doubled); text cells through ks_csv_cell (escape.h).
 */
#include "export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "inference.h"
#include "json_writer.h"

#define NAME_LEN 192   /* a results name is at most 128 bytes; room for "-<k>" */

static const char *or_default(const char *s, const char *d)
{
	return s && *s ? s : d;
}

char *ks_export_name(const char *name, int dot, char *out, size_t len)
{
	size_t n = 0;

	if (!len)
		return out;
	for (const char *p = name ? name : ""; *p && n + 1 < len; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '_' || c == '-' || (dot && c == '.');
		out[n++] = ok ? c : '_';
	}
	if (n == 0 && len > 1)
		out[n++] = '_';
	out[n] = 0;
	return out;
}

char *ks_export_run_id(const struct ks_resultset *rs, char *out, size_t len)
{
	char host[64], when[40];
	size_t w = 0;

	ks_export_name(or_default(rs->hostname, "unknown-host"), 1, host, sizeof host);
	/* "2026-11-28T16:13:53Z" -> "20261128T161353Z": letters and digits */
	for (const char *p = or_default(rs->started, "unknown-time"); *p && w + 1 < sizeof when; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			when[w++] = *p;
	when[w] = 0;
	if (rs->nruns > 1)
		snprintf(out, len, "%s-%s-x%zu", host, when, rs->nruns);
	else
		snprintf(out, len, "%s-%s", host, when);
	return ks_export_name(out, 1, out, len);
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int ks_export_is_datetime(const char *s)
{
	/* YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM) */
	if (!s || strlen(s) < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
	    !digits(s + 17, 2))
		return 0;
	s += 19;
	if (*s == '.') {
		if (!digits(++s, 1))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z' || *s == 'z')
		return s[1] == 0;
	return (*s == '+' || *s == '-') && digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2) &&
	       s[6] == 0;
}

/*
 * Bytes of the longest prefix of s with at most maxch characters (a byte
 * that is not a UTF-8 continuation byte starts one).
 */
static size_t prefix_chars(const char *s, size_t maxch)
{
	size_t n = 0, ch = 0;

	for (; s[n]; n++) {
		if (((unsigned char)s[n] & 0xc0) != 0x80 && ch++ == maxch)
			break;
	}
	return n;
}

/* Per benchmark, its name in one format: reduced, and unique in the set. */
static char (*unique_names(const struct ks_resultset *rs, int dot))[NAME_LEN]
{
	char(*names)[NAME_LEN] = calloc(rs->nb ? rs->nb : 1, sizeof(*names));

	if (!names)
		return NULL;
	for (size_t i = 0; i < rs->nb; i++) {
		char base[NAME_LEN - 16];
		ks_export_name(rs->b[i].name, dot, base, sizeof base);
		snprintf(names[i], NAME_LEN, "%s", base);
		/* two names reduced to one ("a b", "a_b") get -2, -3, ... */
		for (unsigned k = 2;; k++) {
			size_t j;
			for (j = 0; j < i && strcmp(names[j], names[i]); j++)
				;
			if (j == i)
				break;
			snprintf(names[i], NAME_LEN, "%s-%u", base, k);
		}
	}
	return names;
}

/* The benchmark's wall time, summed over the runs of the set; -1 if none recorded. */
static double bench_seconds(const struct ks_resultset *rs, const char *name)
{
	const struct ks_resultset *const *runs = (const struct ks_resultset *const *)rs->runs;
	size_t k = rs->runs ? rs->nruns : 1;
	double sum = -1;

	for (size_t r = 0; r < k; r++) {
		const struct kj_value *res = kj_get(rs->runs ? runs[r]->root : rs->root, "results");
		for (size_t i = 0; res && res->type == KJ_ARR && i < res->u.arr.n; i++) {
			const struct kj_value *nm = kj_get(&res->u.arr.v[i], "name");
			const struct kj_value *s = kj_get(&res->u.arr.v[i], "seconds");
			if (!nm || nm->type != KJ_STR || strcmp(nm->u.str.s, name))
				continue;
			if (s && s->type == KJ_NUM && isfinite(s->u.num) && s->u.num >= 0)
				sum = (sum < 0 ? 0 : sum) + s->u.num;
			break;
		}
	}
	return sum;
}

static int ok_bench(const struct ks_rs_bench *b)
{
	return !strcmp(b->status, "ok") && b->n > 0 && isfinite(b->sum.median);
}

/* A double only when finite: KCIDB allows no null, SQUAD drops non-finite values. */
static void kv_num(jw_t *w, const char *key, double v)
{
	if (isfinite(v))
		jw_kv_double(w, key, v);
}

static void kv_str(jw_t *w, const char *key, const char *s)
{
	if (s && *s)
		jw_kv_string(w, key, s);
}

static void squad_metrics(jw_t *w, const struct ks_resultset *rs, const char *suite,
			  char (*names)[NAME_LEN])
{
	char key[NAME_LEN + 80];

	jw_begin_object(w);
	for (size_t i = 0; i < rs->nb; i++) {
		const struct ks_rs_bench *b = &rs->b[i];
		if (!ok_bench(b))
			continue;
		snprintf(key, sizeof key, "%s/%s", suite, names[i]);
		jw_key(w, key);
		jw_begin_object(w);
		jw_kv_double(w, "value", b->sum.median);
		jw_key(w, "unit");
		jw_string_len(w, b->unit, prefix_chars(b->unit, 30));
		jw_end_object(w);
	}
	jw_end_object(w);
}

static void squad_tests(jw_t *w, const struct ks_resultset *rs, const char *suite,
			char (*names)[NAME_LEN])
{
	char key[NAME_LEN + 80], log[1200];

	jw_begin_object(w);
	for (size_t i = 0; i < rs->nb; i++) {
		const struct ks_rs_bench *b = &rs->b[i];
		snprintf(key, sizeof key, "%s/%s", suite, names[i]);
		jw_key(w, key);
		if (ok_bench(b)) {
			jw_string(w, "pass");
			continue;
		}
		jw_begin_object(w);
		jw_kv_string(w, "result", !strcmp(b->status, "failed") ? "fail" : "skip");
		snprintf(log, sizeof log, "%s: %s", b->status, or_default(b->reason, "no reason given"));
		jw_kv_string(w, "log", log);
		jw_end_object(w);
	}
	jw_end_object(w);
}

static void squad_metadata(jw_t *w, const struct ks_resultset *rs, const struct ks_export_opts *o,
			   const char *suite, const char *run_id)
{
	char runs[32];

	jw_begin_object(w);
	jw_kv_string(w, "job_id", run_id);
	if (ks_export_is_datetime(rs->started))
		jw_kv_string(w, "datetime", rs->started);
	jw_kv_string(w, "job_status", rs->complete ? "complete" : "incomplete");
	if (rs->tool_version && *rs->tool_version) {
		jw_key(w, "suite_versions");
		jw_begin_object(w);
		jw_kv_string(w, suite, rs->tool_version);
		jw_end_object(w);
	}
	kv_str(w, "kvmscope_version", rs->tool_version);
	kv_str(w, "kvmscope_commit", rs->tool_commit);
	kv_str(w, "arch", rs->arch);
	kv_str(w, "backend", rs->backend);
	kv_str(w, "kernel_release", rs->kernel_release);
	kv_str(w, "kernel_version", ks_resultset_env(rs, "kernel.version"));
	kv_str(w, "host_hypervisor", ks_resultset_env(rs, "backend.host_hypervisor"));
	kv_str(w, "hostname", rs->hostname);
	kv_str(w, "cpu_model", rs->cpu_model);
	kv_str(w, "started", rs->started);
	if (!rs->complete)
		kv_str(w, "incomplete_reason", rs->incomplete_reason);
	snprintf(runs, sizeof runs, "%zu", rs->nruns ? rs->nruns : 1);
	jw_kv_string(w, "runs", runs);
	kv_str(w, "results_files", rs->path);
	kv_str(w, "exported_by", o->exporter);
	jw_end_object(w);
}

static const char *kcidb_status(const struct ks_rs_bench *b)
{
	if (ok_bench(b))
		return "DONE";
	if (!strcmp(b->status, "unsupported"))
		return "SKIP";
	if (!strcmp(b->status, "interrupted"))
		return "MISS";
	return "FAIL";   /* failed (or ok without a finite median: cannot happen after validation) */
}

static void kcidb_doc(jw_t *w, const struct ks_resultset *rs, const struct ks_export_opts *o,
		      const char *suite, const char *run_id, char (*names)[NAME_LEN])
{
	const char *origin = or_default(o->origin, "kvmscope");
	char build[256], id[NAME_LEN + 320], path[NAME_LEN + 80], comment[512];
	double conf = o->conf > 0 ? o->conf : 0.95;

	if (o->build_id && *o->build_id)
		snprintf(build, sizeof build, "%s", o->build_id);
	else
		snprintf(build, sizeof build, "%s:%s", origin, KS_KCIDB_NO_BUILD);
	snprintf(comment, sizeof comment, "kvmscope on %.60s, %.60s %.100s, %.40s", rs->backend,
		 or_default(ks_resultset_env(rs, "kernel.sysname"), "kernel"), rs->kernel_release,
		 rs->arch);

	jw_begin_object(w);
	jw_key(w, "version");
	jw_begin_object(w);
	jw_kv_int(w, "major", KS_KCIDB_MAJOR);
	jw_kv_int(w, "minor", KS_KCIDB_MINOR);
	jw_end_object(w);
	jw_key(w, "tests");
	jw_begin_array(w);
	for (size_t i = 0; i < rs->nb; i++) {
		const struct ks_rs_bench *b = &rs->b[i];
		int ok = ok_bench(b);
		double secs = bench_seconds(rs, b->name), lo = NAN, hi = NAN;

		snprintf(id, sizeof id, "%s:%s:%s", origin, run_id, names[i]);
		snprintf(path, sizeof path, "%s.%s", suite, names[i]);
		jw_begin_object(w);
		jw_kv_string(w, "id", id);
		jw_kv_string(w, "build_id", build);
		jw_kv_string(w, "origin", origin);
		jw_kv_string(w, "path", path);
		kv_str(w, "comment", b->what);
		jw_kv_string(w, "status", kcidb_status(b));
		if (ok) {
			jw_key(w, "number");
			jw_begin_object(w);
			jw_kv_double(w, "value", b->sum.median);
			jw_kv_string(w, "unit", b->unit);
			jw_end_object(w);
		} else if (b->reason && *b->reason) {
			jw_key(w, "log_excerpt");
			jw_string_len(w, b->reason, prefix_chars(b->reason, 16384));
		}
		if (ks_export_is_datetime(rs->started))
			jw_kv_string(w, "start_time", rs->started);
		if (secs >= 0)
			jw_kv_double(w, "duration", secs);
		jw_key(w, "environment");
		jw_begin_object(w);
		jw_kv_string(w, "comment", comment);
		jw_key(w, "misc");
		jw_begin_object(w);
		kv_str(w, "arch", rs->arch);
		kv_str(w, "backend", rs->backend);
		kv_str(w, "kernel_release", rs->kernel_release);
		kv_str(w, "host_hypervisor", ks_resultset_env(rs, "backend.host_hypervisor"));
		kv_str(w, "hostname", rs->hostname);
		kv_str(w, "cpu_model", rs->cpu_model);
		jw_end_object(w);
		jw_end_object(w);
		jw_key(w, "misc");
		jw_begin_object(w);
		jw_kv_string(w, "benchmark", b->name);
		jw_kv_string(w, "family", b->family);
		jw_kv_string(w, "kvmscope_status", b->status);
		jw_kv_int(w, "runs", (int64_t)(rs->nruns ? rs->nruns : 1));
		kv_str(w, "tool_version", rs->tool_version);
		if (ok) {
			jw_kv_string(w, "unit", b->unit);
			jw_kv_uint(w, "samples", b->n);
			kv_num(w, "median", b->sum.median);
			if (ks_median_ci(b->sorted, b->n, conf, &lo, &hi) == 0) {
				kv_num(w, "ci_low", lo);
				kv_num(w, "ci_high", hi);
				jw_kv_double(w, "ci_level", conf);
			}
			kv_num(w, "mean", b->sum.mean);
			kv_num(w, "p99", b->sum.p99);
			kv_num(w, "max", b->sum.max);
		}
		jw_end_object(w);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_end_object(w);
}

/* A number in a CSV cell: the shortest form that reads back exactly; empty when not finite. */
static void csv_num(FILE *f, double v)
{
	char buf[40];

	if (!isfinite(v))
		return;
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

static void csv(FILE *f, const struct ks_resultset *rs, const struct ks_export_opts *o)
{
	static const char *const cols[] = { "name", "family", "status", "unit",    "n",
					    "median", "ci_low", "ci_high", "mean", "p99",
					    "max",   "backend", "kernel" };
	double conf = o->conf > 0 ? o->conf : 0.95;

	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
		fprintf(f, "%s%s", c ? "," : "", cols[c]);
	fputs("\r\n", f);
	for (size_t i = 0; i < rs->nb; i++) {
		const struct ks_rs_bench *b = &rs->b[i];
		int ok = ok_bench(b);
		double lo = NAN, hi = NAN;
		if (ok && ks_median_ci(b->sorted, b->n, conf, &lo, &hi) < 0)
			lo = hi = NAN;
		ks_csv_cell(f, b->name);
		fputc(',', f);
		ks_csv_cell(f, b->family);
		fputc(',', f);
		ks_csv_cell(f, b->status);
		fputc(',', f);
		ks_csv_cell(f, ok ? b->unit : "");  /* no value, no unit ("-" in the file) */
		fprintf(f, ",%zu,", ok ? b->n : 0);
		if (ok) {
			const double v[] = { b->sum.median, lo, hi, b->sum.mean, b->sum.p99, b->sum.max };
			for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
				csv_num(f, v[k]);
				fputc(',', f);
			}
		} else {
			fputs(",,,,,,", f);
		}
		ks_csv_cell(f, rs->backend);
		fputc(',', f);
		ks_csv_cell(f, rs->kernel_release);
		fputs("\r\n", f);
	}
}

int ks_export_write(FILE *f, enum ks_export_format fmt, const struct ks_resultset *rs,
		    const struct ks_export_opts *o, char *err, size_t errlen)
{
	const char *suite = or_default(o->suite, "kvmscope");
	char run_id[160];
	char(*names)[NAME_LEN] = NULL;

	if (o->run_id && *o->run_id)
		snprintf(run_id, sizeof run_id, "%s", o->run_id);
	else
		ks_export_run_id(rs, run_id, sizeof run_id);
	if (fmt == KS_EXPORT_CSV) {
		csv(f, rs, o);
		if (fflush(f) != 0 || ferror(f)) {
			snprintf(err, errlen, "write error: %s", strerror(errno ? errno : EIO));
			return -1;
		}
		return 0;
	}
	names = unique_names(rs, fmt != KS_EXPORT_KCIDB);
	if (!names) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	jw_t *w = jw_new(f, 1);
	switch (fmt) {
	case KS_EXPORT_SQUAD_METRICS: squad_metrics(w, rs, suite, names); break;
	case KS_EXPORT_SQUAD_TESTS: squad_tests(w, rs, suite, names); break;
	case KS_EXPORT_SQUAD_METADATA: squad_metadata(w, rs, o, suite, run_id); break;
	case KS_EXPORT_KCIDB: kcidb_doc(w, rs, o, suite, run_id, names); break;
	case KS_EXPORT_CSV: break;
	}
	free(names);
	int e = w ? jw_error(w) : JW_ERR_MISUSE;
	if (jw_finish(w) != 0) {
		snprintf(err, errlen, "%s", e == JW_ERR_IO || e == JW_OK ? "write error" : "JSON writer misuse");
		return -1;
	}
	return 0;
}
