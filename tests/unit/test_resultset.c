/* SPDX-License-Identifier: MIT */
/*
 * test_resultset.c - the results-file validator: a good file loads; each kind
 * of broken file is refused with the file, the field path and the line.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "resultset.h"

/* A minimal valid file; %s slots: schema_version, backend, results[1] */
static const char tmpl[] =
	"{\n"
	"  \"schema\": \"kvmscope-results\",\n"
	"  \"schema_version\": %s,\n"
	"  \"complete\": true,\n"
	"  \"tool\": {\"name\": \"kvmscope\", \"version\": \"0.1.0\", \"commit\": \"abc\"},\n"
	"  \"environment\": {\n"
	"    \"arch\": \"x86_64\",\n"
	"    \"kernel\": {\"release\": \"6.1.0\"},\n"
	"    \"backend\": {%s},\n"
	"    \"clock\": {\"counter\": \"tsc\", \"host_tick_hz\": 2000000000}\n"
	"  },\n"
	"  \"results\": [\n"
	"    {\"name\": \"hyp_call\", \"family\": \"hypercall\", \"status\": \"ok\", \"unit\": \"ns\",\n"
	"     \"metrics\": {\"m\": {\"value\": 1.5, \"unit\": \"x\"}},\n"
	"     \"samples\": [5, 1, 4, 2, 3]},\n"
	"    %s\n"
	"  ]\n"
	"}\n";

static const char good_b[] = "\"name\": \"svm\"";
static const char good_r[] =
	"{\"name\": \"ipi\", \"family\": \"irq\", \"status\": \"unsupported\", \"reason\": \"x86\"}";

static char path[64];

static void write_file(const char *ver, const char *backend, const char *r1)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, tmpl, ver, backend, r1);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/ks-test-rs-%d.json", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Loading must fail with an error containing every one of the wants. */
static void refused(const char *ver, const char *backend, const char *r1, const char *want1,
		    const char *want2)
{
	char err[512];
	write_file(ver, backend, r1);
	struct ks_resultset *rs = ks_resultset_load(path, err, sizeof err);
	if (rs || !strstr(err, path) || !strstr(err, want1) || (want2 && !strstr(err, want2))) {
		print_error("got '%s', want '%s' and '%s'\n", rs ? "(loaded)" : err, want1,
			    want2 ? want2 : "");
		ks_resultset_free(rs);
		fail();
	}
}

static void test_good(void **state)
{
	(void)state;
	char err[512];
	write_file("1", good_b, good_r);
	struct ks_resultset *rs = ks_resultset_load(path, err, sizeof err);
	if (!rs)
		print_error("%s\n", err);
	assert_non_null(rs);
	assert_int_equal(rs->nb, 2);
	const struct ks_rs_bench *b = ks_resultset_find(rs, "hyp_call");
	assert_non_null(b);
	assert_int_equal(b->n, 5);
	assert_true(b->sum.median == 3 && b->sorted[0] == 1);
	assert_true(ks_rs_metric(b, "m")->value == 1.5);
	assert_true(rs->cpu_hz == 2e9);  /* the host counter is the TSC: its rate */
	assert_string_equal(ks_resultset_env(rs, "kernel.release"), "6.1.0");
	assert_string_equal(ks_resultset_find(rs, "ipi")->reason, "x86");
	struct ks_resultset *sets[2] = { rs, rs };
	ks_resultset_label_all(sets, 1);
	assert_string_equal(rs->label, "svm 6.1.0");
	ks_resultset_free(rs);
}

static void test_broken(void **state)
{
	(void)state;
	refused("2", good_b, good_r, "schema_version: 2 is not 1", "newer kvmscope");
	refused("\"1\"", good_b, good_r, "line 3", "schema_version: expected a number, found a string");
	refused("1", "\"nom\": \"svm\"", good_r, "line 9", "environment.backend.name: missing");
	refused("1", good_b,
		"{\"name\": \"x\", \"family\": \"f\", \"status\": \"ok\", \"unit\": \"ns\",\n"
		" \"samples\": [1, 2, \"3\"]}", "line 17", "results[1].samples[2]: expected a number, found a string");
	refused("1", good_b,
		"{\"name\": \"x\", \"family\": \"f\", \"status\": \"fine\"}", "results[1].status",
		"not one of ok, failed, unsupported, interrupted");
	refused("1", good_b,
		"{\"name\": \"x\", \"family\": \"f\", \"status\": \"ok\", \"unit\": \"ns\", \"samples\": []}",
		"results[1].samples: empty", NULL);
	refused("1", good_b,
		"{\"name\": \"x\", \"family\": \"f\", \"status\": \"ok\", \"unit\": \"ns\", \"samples\": [1e999]}",
		"results[1].samples[0]: not a finite number", NULL);
	refused("1", good_b,
		"{\"name\": \"hyp_call\", \"family\": \"f\", \"status\": \"unsupported\"}",
		"results[1].name: \"hyp_call\" repeats results[0]", NULL);
	refused("1", good_b, "{\"family\": \"f\", \"status\": \"ok\"}", "results[1].name: missing", NULL);
	refused("1", good_b, "[]", "results[1]: expected an object, found an array", NULL);
	refused("1", good_b,
		"{\"name\": \"x\", \"family\": \"f\", \"status\": \"ok\", \"unit\": \"ns\", \"samples\": [1],"
		" \"metrics\": {\"m\": {\"value\": \"fast\"}}}", "results[1].metrics.m.value", NULL);
}

static void test_truncated_and_foreign(void **state)
{
	(void)state;
	char err[512];
	write_file("1", good_b, good_r);
	assert_int_equal(truncate(path, 318), 0);   /* inside results[0], between values */
	assert_null(ks_resultset_load(path, err, sizeof err));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "(truncated?)"));
	FILE *f = fopen(path, "w");
	fputs("{\"schema\": \"something-else\"}", f);
	fclose(f);
	assert_null(ks_resultset_load(path, err, sizeof err));
	assert_non_null(strstr(err, "is this a kvmscope results file?"));
	f = fopen(path, "w");
	fputs("[1, 2, 3]", f);
	fclose(f);
	assert_null(ks_resultset_load(path, err, sizeof err));
	assert_non_null(strstr(err, "top level: expected an object, found an array of numbers"));
}

static void test_runs(void **state)
{
	(void)state;
	char p2[80], err[512];
	snprintf(p2, sizeof p2, "%s.2", path);
	write_file("1", good_b, good_r);
	rename(path, p2);
	write_file("1", good_b,
		   "{\"name\": \"ipi\", \"family\": \"irq\", \"status\": \"ok\", \"unit\": \"ns\", \"samples\": [7, 8, 9]}");
	const char *paths[] = { p2, path };
	struct ks_resultset *rs = ks_resultset_load_runs(paths, 2, err, sizeof err);
	if (!rs)
		print_error("%s\n", err);
	assert_non_null(rs);
	assert_int_equal(rs->nruns, 2);
	const struct ks_rs_bench *h = ks_resultset_find(rs, "hyp_call");
	assert_int_equal(h->n, 10);          /* pooled */
	assert_int_equal(h->nruns, 2);
	assert_true(h->run_medians[0] == 3 && h->run_medians[1] == 3);
	const struct ks_rs_bench *i = ks_resultset_find(rs, "ipi");
	assert_string_equal(i->status, "ok"); /* ok in one run of two */
	assert_int_equal(i->nruns, 1);
	assert_true(i->sum.median == 8);
	ks_resultset_free(rs);

	write_file("1", "\"name\": \"pvm\"", good_r);
	assert_null(ks_resultset_load_runs(paths, 2, err, sizeof err));
	assert_non_null(strstr(err, "runs of one set must be one configuration"));
	unlink(p2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_and_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
