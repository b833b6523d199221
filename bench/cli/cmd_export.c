/* SPDX-License-Identifier: MIT */
/*
 * kvmscope export --format squad|kcidb|csv FILE[,RUN2,...]: a result set for
 * dashboards (analysis/export.c has the formats and where they are
 * documented).  Reads files only: no root, no /dev/kvm.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "cli.h"
#include "doc.h"
#include "escape.h"
#include "export.h"
#include "resultset.h"

#ifndef KVMSCOPE_VERSION
#define KVMSCOPE_VERSION "0.0.0"
#endif

#define MAX_RUNS 64

static void usage(FILE *f)
{
	ks_doc_print_help(f, ks_doc_find("export"));
}

static int bad_value(const char *opt, const char *v, const char *want)
{
	char tb[256];
	fprintf(stderr, "kvmscope export: %s '%s': %s\n", opt, ks_term_safe(v, tb, sizeof tb), want);
	return KS_EXIT_USAGE;
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* SQUAD's slug ([a-zA-Z0-9][a-zA-Z0-9_.-]*) that is also a KCIDB path (no empty component). */
static int valid_suite(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 64 || !is_alnum(s[0]) || s[n - 1] == '.' || strstr(s, ".."))
		return 0;
	for (const char *p = s; *p; p++)
		if (!is_alnum(*p) && !strchr("_.-", *p))
			return 0;
	return 1;
}

/* KCIDB's origin: [a-z0-9_]+ */
static int valid_origin(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

/* An origin-prefixed KCIDB id: "[a-z0-9_]+:" then printable text. */
static int valid_build_id(const char *s)
{
	const char *colon = strchr(s, ':');
	char origin[80];

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof origin || strlen(s) > 200)
		return 0;
	memcpy(origin, s, (size_t)(colon - s));
	origin[colon - s] = 0;
	if (!valid_origin(origin))
		return 0;
	for (const unsigned char *p = (const unsigned char *)colon + 1; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* LAVA's characters, 1..128: a SQUAD job_id (no '/') and part of KCIDB ids. */
static int valid_run_id(const char *s)
{
	if (!*s || strlen(s) > 128)
		return 0;
	for (const char *p = s; *p; p++)
		if (!is_alnum(*p) && !strchr("._-", *p))
			return 0;
	return 1;
}

static int write_out(const char *path, enum ks_export_format fmt, const struct ks_resultset *rs,
		     const struct ks_export_opts *o)
{
	char err[512], tb[1024];
	struct ks_atomic_file af;

	if (!path) {
		if (ks_export_write(stdout, fmt, rs, o, err, sizeof err) < 0) {
			fprintf(stderr, "kvmscope export: stdout: %s\n", err);
			return -1;
		}
		return 0;
	}
	if (ks_atomic_open(&af, path) != 0) {
		fprintf(stderr, "kvmscope export: cannot write %s: %s\n",
			ks_term_safe(path, tb, sizeof tb), strerror(errno));
		return -1;
	}
	if (ks_export_write(af.f, fmt, rs, o, err, sizeof err) < 0) {
		ks_atomic_abort(&af);
		fprintf(stderr, "kvmscope export: %s: %s\n", ks_term_safe(path, tb, sizeof tb), err);
		return -1;
	}
	if (ks_atomic_commit(&af) != 0) {
		fprintf(stderr, "kvmscope export: cannot write %s: %s\n",
			ks_term_safe(path, tb, sizeof tb), strerror(errno));
		return -1;
	}
	printf("wrote %s\n", ks_term_safe(path, tb, sizeof tb));
	return 0;
}

/* SQUAD's file for `part` under -o PREFIX: PREFIX-part.json, or DIR/part.json. */
static void squad_path(const char *prefix, const char *part, char *buf, size_t len)
{
	size_t n = strlen(prefix);
	struct stat st;

	if (n > 5 && !strcmp(prefix + n - 5, ".json"))
		n -= 5;
	if (prefix[n - 1] == '/')
		snprintf(buf, len, "%.*s%s.json", (int)n, prefix, part);
	else if (stat(prefix, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(buf, len, "%s/%s.json", prefix, part);
	else
		snprintf(buf, len, "%.*s-%s.json", (int)n, prefix, part);
}

int ks_cmd_export(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "format", required_argument, 0, 'f' }, { "output", required_argument, 0, 'o' },
		{ "part", required_argument, 0, 'p' },   { "suite", required_argument, 0, 's' },
		{ "origin", required_argument, 0, 'O' }, { "build-id", required_argument, 0, 'b' },
		{ "run-id", required_argument, 0, 'r' }, { "conf", required_argument, 0, 'c' },
		{ "help", no_argument, 0, 'h' },         { 0, 0, 0, 0 }
	};
	static const char *const parts[] = { "metrics", "tests", "metadata" };
	struct ks_export_opts o = { .conf = 0.95, .exporter = "kvmscope " KVMSCOPE_VERSION };
	const char *format = NULL, *out = NULL, *part = NULL;
	char err[1024], tb[1024];
	int c;

	optind = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "f:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': out = optarg; break;
		case 'p': part = optarg; break;
		case 's': o.suite = optarg; break;
		case 'O': o.origin = optarg; break;
		case 'b': o.build_id = optarg; break;
		case 'r': o.run_id = optarg; break;
		case 'c': {
			char *end;
			o.conf = strtod(optarg, &end);
			if (end == optarg || *end || !(o.conf > 0 && o.conf < 1))
				return bad_value("--conf", optarg, "a number between 0 and 1");
			break;
		}
		case 'h': usage(stdout); return KS_EXIT_OK;
		default: usage(stderr); return KS_EXIT_USAGE;
		}
	}
	if (!format) {
		fprintf(stderr, "kvmscope export: --format squad, kcidb or csv is required\n\n");
		usage(stderr);
		return KS_EXIT_USAGE;
	}
	int squad = !strcmp(format, "squad");
	if (!squad && strcmp(format, "kcidb") && strcmp(format, "csv"))
		return bad_value("--format", format, "one of squad, kcidb, csv");
	if (part && !squad)
		return bad_value("--part", part, "is for --format squad");
	if (part && strcmp(part, "metrics") && strcmp(part, "tests") && strcmp(part, "metadata"))
		return bad_value("--part", part, "one of metrics, tests, metadata");
	if (o.suite && !valid_suite(o.suite))
		return bad_value("--suite", o.suite,
				 "letters, digits, _ . - (a SQUAD suite slug and a KCIDB path: "
				 "starting with a letter or digit, no empty component), at most 64");
	if (o.origin && !valid_origin(o.origin))
		return bad_value("--origin", o.origin, "KCIDB origins are [a-z0-9_]+ (at most 64)");
	if (o.build_id && !valid_build_id(o.build_id))
		return bad_value("--build-id", o.build_id,
				 "a KCIDB build id: ORIGIN:ID, ORIGIN being [a-z0-9_]+");
	if (o.run_id && !valid_run_id(o.run_id))
		return bad_value("--run-id", o.run_id, "letters, digits, . _ - (1 to 128)");
	if (out && (!*out || !strcmp(out, "-")))
		out = NULL;  /* "-": stdout */
	if (argc + 1 - optind != 1) {
		fprintf(stderr, "kvmscope export: needs exactly one results file (or runs joined with commas)\n\n");
		usage(stderr);
		return KS_EXIT_USAGE;
	}
	const char *arg = argv[optind - 1];

	/* A,B,C: several runs of one configuration, pooled into one set */
	char *list = strdup(arg), *save = NULL;
	const char *runs[MAX_RUNS];
	size_t k = 0;
	if (!list) {
		fprintf(stderr, "kvmscope export: out of memory\n");
		return KS_EXIT_FAIL;
	}
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (k == MAX_RUNS) {
			fprintf(stderr, "kvmscope export: at most %d runs in one set\n", MAX_RUNS);
			free(list);
			return KS_EXIT_USAGE;
		}
		runs[k++] = t;
	}
	if (!k) {
		fprintf(stderr, "kvmscope export: empty file list '%s'\n", ks_term_safe(arg, tb, sizeof tb));
		free(list);
		return KS_EXIT_USAGE;
	}
	struct ks_resultset *rs = ks_resultset_load_runs(runs, k, err, sizeof err);
	free(list);
	if (!rs) {
		fprintf(stderr, "kvmscope export: %s\n", ks_term_safe(err, tb, sizeof tb));
		return KS_EXIT_FAIL;
	}
	if (!strcmp(format, "kcidb") && !o.build_id)
		fprintf(stderr,
			"kvmscope export: no --build-id: the tests name the placeholder build "
			"'%s:" KS_KCIDB_NO_BUILD "'; KCIDB keeps them, but shows them only once "
			"a build with that id (and its checkout) is submitted\n",
			o.origin ? o.origin : "kvmscope");

	int rc = KS_EXIT_OK;
	if (squad) {
		for (size_t i = 0; i < 3; i++) {
			char path[4096];
			if (part ? strcmp(part, parts[i]) : (out == NULL && i > 0))
				continue;
			if (out)
				squad_path(out, parts[i], path, sizeof path);
			if (write_out(out ? path : NULL, (enum ks_export_format)(KS_EXPORT_SQUAD_METRICS + i),
				      rs, &o) < 0)
				rc = KS_EXIT_FAIL;
		}
	} else if (write_out(out, !strcmp(format, "kcidb") ? KS_EXPORT_KCIDB : KS_EXPORT_CSV, rs,
			     &o) < 0) {
		rc = KS_EXIT_FAIL;
	}
	ks_resultset_free(rs);
	return rc;
}
