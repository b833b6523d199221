/* SPDX-License-Identifier: MIT */
/*
 * fuzz_export - `kvmscope export` (analysis/export.h) on a results file from
 * anywhere: every format, from the set the input parses to, and from the
 * two halves of the input pooled as runs of one set (cut at the first NUL
 * byte, else in the middle, as in fuzz_resultset).
 *
 * Checked on what the dashboards will be fed:
 *   - export never fails on a valid set (the output is memory);
 *   - SQUAD metrics, tests and metadata and the KCIDB document are JSON that
 *     the strict reader accepts, valid UTF-8, objects at the top; SQUAD
 *     metrics are finite numbers or {"value": finite, ...}; KCIDB tests
 *     have an origin of [a-z0-9_], an id and build_id "<origin>:...", a path
 *     of [A-Za-z0-9_-] components joined by dots and a known status;
 *   - the CSV is valid UTF-8, CRLF records with no other control character,
 *     the header's 13 fields in every record, and no text cell that a
 *     spreadsheet would run as a formula (first non-space character = + - @
 *     is only allowed in a cell that is a number).
 */
#include <math.h>

#include "export.h"
#include "fuzz_common.h"
#include "json_read.h"

static char *export(const struct ks_resultset *rs, enum ks_export_format fmt, size_t *n)
{
	struct ks_export_opts o = { .conf = 0.95, .exporter = "kvmscope fuzz" };
	char *out = NULL, err[256];
	FILE *f = open_memstream(&out, n);

	if (!f)
		abort();
	int rc = ks_export_write(f, fmt, rs, &o, err, sizeof err);
	fclose(f);
	FZ_CHECK(rc == 0, "export format %d failed: %s", (int)fmt, err);
	FZ_CHECK(fz_utf8_ok((const unsigned char *)out, *n), "format %d: not valid UTF-8", (int)fmt);
	return out;
}

static int charset(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(extra, *s)))
			return 0;
	return 1;
}

static const char *jstr(const struct kj_value *o, const char *k)
{
	const struct kj_value *v = kj_get(o, k);
	return v && v->type == KJ_STR ? v->u.str.s : NULL;
}

static void check_kcidb(const struct kj_value *root)
{
	const struct kj_value *tests = kj_get(root, "tests");
	static const char *const st[] = { "FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP", NULL };

	FZ_CHECK(tests && tests->type == KJ_ARR, "KCIDB without a tests array");
	for (size_t i = 0; i < tests->u.arr.n; i++) {
		const struct kj_value *t = &tests->u.arr.v[i];
		const char *origin = jstr(t, "origin"), *id = jstr(t, "id"), *bid = jstr(t, "build_id");
		const char *path = jstr(t, "path"), *status = jstr(t, "status");
		int known = 0;

		FZ_CHECK(origin && *origin && charset(origin, "_") &&
			 !strpbrk(origin, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "KCIDB origin '%s'", origin);
		FZ_CHECK(id && !strncmp(id, origin, strlen(origin)) && id[strlen(origin)] == ':',
			 "KCIDB id '%s'", id ? id : "(none)");
		FZ_CHECK(bid && !strncmp(bid, origin, strlen(origin)) && bid[strlen(origin)] == ':',
			 "KCIDB build_id '%s'", bid ? bid : "(none)");
		FZ_CHECK(path && *path && charset(path, "_-.") && path[0] != '.' &&
			 path[strlen(path) - 1] != '.' && !strstr(path, ".."), "KCIDB path '%s'",
			 path ? path : "(none)");
		for (int k = 0; st[k]; k++)
			known |= status && !strcmp(status, st[k]);
		FZ_CHECK(known, "KCIDB status '%s'", status ? status : "(none)");
		const struct kj_value *num = kj_get(t, "number");
		if (num) {
			const struct kj_value *v = kj_get(num, "value");
			FZ_CHECK(v && v->type == KJ_NUM && isfinite(v->u.num), "KCIDB number.value");
		}
		const struct kj_value *le = kj_get(t, "log_excerpt");
		FZ_CHECK(!le || (le->type == KJ_STR && le->u.str.len <= 4 * 16384), "KCIDB log_excerpt");
	}
}

static void check_squad_metrics(const struct kj_value *root)
{
	for (size_t i = 0; i < root->u.obj.n; i++) {
		const struct kj_member *m = &root->u.obj.m[i];
		const struct kj_value *v = &m->val;
		const char *slash = strchr(m->key, '/');

		FZ_CHECK(slash && charset(slash + 1, "._-"), "SQUAD metric name '%s'", m->key);
		if (v->type == KJ_OBJ)
			v = kj_get(v, "value");
		FZ_CHECK(v && v->type == KJ_NUM && isfinite(v->u.num), "SQUAD metric '%s' value", m->key);
	}
}

static void check_json(const char *out, size_t n, enum ks_export_format fmt)
{
	const struct kj_value *root;
	char err[256];
	struct kj_doc *d = kj_parse(out, n, &root, err, sizeof err);

	FZ_CHECK(d, "export format %d is not JSON: %s", (int)fmt, err);
	FZ_CHECK(root->type == KJ_OBJ, "export format %d: not an object", (int)fmt);
	if (fmt == KS_EXPORT_KCIDB)
		check_kcidb(root);
	else if (fmt == KS_EXPORT_SQUAD_METRICS)
		check_squad_metrics(root);
	else if (fmt == KS_EXPORT_SQUAD_TESTS)
		for (size_t i = 0; i < root->u.obj.n; i++)
			FZ_CHECK(strchr(root->u.obj.m[i].key, '/') &&
				 charset(strchr(root->u.obj.m[i].key, '/') + 1, "._-"),
				 "SQUAD test name '%s'", root->u.obj.m[i].key);
	kj_free(d);
}

/* One CSV field from *p (RFC 4180), unquoted into buf; *p moves past it. */
static void csv_field(const char **p, const char *end, char *buf, size_t cap, int *quoted)
{
	size_t n = 0;
	const char *s = *p;

	*quoted = s < end && *s == '"';
	if (*quoted) {
		for (s++; s < end; s++) {
			if (*s == '"') {
				if (s + 1 < end && s[1] == '"')
					s++;
				else
					break;
			}
			if (n + 1 < cap)
				buf[n++] = *s;
		}
		FZ_CHECK(s < end, "an unterminated quoted CSV field");
		s++;
		FZ_CHECK(s == end || *s == ',', "text after a quoted CSV field");
	} else {
		for (; s < end && *s != ','; s++) {
			FZ_CHECK(*s != '"', "a quote inside an unquoted CSV field");
			if (n + 1 < cap)
				buf[n++] = *s;
		}
	}
	buf[n] = 0;
	*p = s;
}

static void check_csv(const char *out, size_t n)
{
	const char *p = out, *end = out + n;
	int header = 1;

	while (p < end) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));
		FZ_CHECK(eol && eol + 1 < end && eol[1] == '\n', "a CSV record without CRLF");
		for (const char *c = p; c < eol; c++)
			FZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f, "control 0x%02x in the CSV",
				 (unsigned char)*c);
		int fields = 0;
		for (const char *f = p;;) {
			char cell[512];
			int quoted;
			csv_field(&f, eol, cell, sizeof cell, &quoted);
			fields++;
			const char *first = cell + strspn(cell, " ");
			if (!header && *first && strchr("=+-@", *first)) {
				char *e;
				(void)strtod(cell, &e);
				FZ_CHECK(*e == 0 && e != cell, "a formula-like CSV cell '%s'", cell);
			}
			if (f >= eol)
				break;
			f++;   /* the comma */
		}
		FZ_CHECK(fields == 13, "a CSV record with %d fields", fields);
		header = 0;
		p = eol + 2;
	}
}

static void export_all(const struct ks_resultset *rs)
{
	static const enum ks_export_format json_fmts[] = {
		KS_EXPORT_SQUAD_METRICS, KS_EXPORT_SQUAD_TESTS, KS_EXPORT_SQUAD_METADATA, KS_EXPORT_KCIDB,
	};
	size_t n;
	char *out;

	for (size_t i = 0; i < sizeof json_fmts / sizeof json_fmts[0]; i++) {
		out = export(rs, json_fmts[i], &n);
		check_json(out, n, json_fmts[i]);
		free(out);
	}
	out = export(rs, KS_EXPORT_CSV, &n);
	check_csv(out, n);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct ks_resultset *rs = ks_resultset_parse((const char *)data, size, "fuzz.json", err,
						     sizeof err);
	if (rs) {
		export_all(rs);
		ks_resultset_free(rs);
	}

	const uint8_t *nul = memchr(data, 0, size);
	size_t cut = nul ? (size_t)(nul - data) : size / 2, skip = nul ? 1 : 0;
	struct ks_resultset **runs = calloc(2, sizeof(*runs));
	if (!runs)
		abort();
	runs[0] = ks_resultset_parse((const char *)data, cut, "a.json", err, sizeof err);
	runs[1] = runs[0] ? ks_resultset_parse((const char *)data + cut + skip, size - cut - skip,
					       "b.json", err, sizeof err)
			  : NULL;
	if (runs[0] && runs[1]) {
		struct ks_resultset *pooled = ks_resultset_pool(runs, 2, err, sizeof err);
		if (pooled) {
			export_all(pooled);
			ks_resultset_free(pooled);
		}
	} else {
		ks_resultset_free(runs[0]);
		free(runs);
	}
	return 0;
}
