/* SPDX-License-Identifier: MIT */
/*
 * test_export.c - the pieces of `kvmscope export`: names reduced exactly as
 * the LAVA emitter reduces them, CSV cells (RFC 4180 quoting, formulas
 * defused), date-times, and each format written from a small result set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"
#include "export.h"
#include "lava_emit.h"
#include "resultset.h"

static const char *const hostile[] = {
	"hyp_call", "mem_lend_64M", "a b", "a/b[c]", "x.y", "hyp_call</td><script>",
	"irqfd'\nset output '/tmp/PWNED'", "caf\xc3\xa9", "\xff\x01=", "-", "",
};

static void test_names_as_lava(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		char lava[256], mine[200], want[256], slug[200];
		if (!*hostile[i])
			continue;  /* LAVA never sees an empty name: results names are 1..128 */
		ks_lava_case_id(lava, sizeof lava, "s", hostile[i]);
		snprintf(want, sizeof want, "s-%s", ks_export_name(hostile[i], 1, mine, sizeof mine));
		assert_string_equal(lava, want);
		/* without dots: a KCIDB path component, the same as escape.h's slug */
		assert_string_equal(ks_export_name(hostile[i], 0, mine, sizeof mine),
				    ks_slug(hostile[i], slug, sizeof slug));
	}
	char b[16];
	assert_string_equal(ks_export_name("x.y/z", 1, b, sizeof b), "x.y_z");
	assert_string_equal(ks_export_name("x.y/z", 0, b, sizeof b), "x_y_z");
	assert_string_equal(ks_export_name("", 1, b, sizeof b), "_");
	assert_string_equal(ks_export_name("0123456789abcdefghij", 1, b, 8), "0123456");
}

static char *cell(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ks_csv_cell(f, s);
	fclose(f);
	return buf;
}

static void expect_cell(const char *in, const char *out)
{
	char *o = cell(in);
	assert_string_equal(o, out);
	free(o);
}

static void test_csv_cells(void **state)
{
	(void)state;
	expect_cell("hyp_call", "hyp_call");
	expect_cell("", "");
	expect_cell(NULL, "");
	expect_cell("a,b", "\"a,b\"");
	expect_cell("say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_cell("=1+1", "'=1+1");
	expect_cell("+cmd", "'+cmd");
	expect_cell("-2+3", "'-2+3");
	expect_cell("@SUM(A1)", "'@SUM(A1)");
	expect_cell("  =x", "'  =x");        /* behind spaces still a formula */
	expect_cell("=HYPERLINK(\"u\",\"t\")", "\"'=HYPERLINK(\"\"u\"\",\"\"t\"\")\"");
	expect_cell("\t=x", "' =x");         /* the tab becomes a space first */
	expect_cell("a=b", "a=b");           /* only at the start */
	expect_cell(" x", "\" x\"");
	expect_cell("a\nb\r\x1b[2J", "a b  [2J");
	expect_cell("x\xc2\x9b", "\"x \"");   /* C1 CSI, then a trailing space: quoted */
	expect_cell("\xff", "\xef\xbf\xbd");
	expect_cell("caf\xc3\xa9", "caf\xc3\xa9");
}

static void test_datetime(void **state)
{
	(void)state;
	assert_true(ks_export_is_datetime("2026-11-28T16:13:53Z"));
	assert_true(ks_export_is_datetime("2026-11-28T16:13:53.125+01:00"));
	assert_false(ks_export_is_datetime("2026-11-28 16:13:53Z"));
	assert_false(ks_export_is_datetime("2026-11-28T16:13:53"));
	assert_false(ks_export_is_datetime("2026-11-28T16:13:53Z; rm"));
	assert_false(ks_export_is_datetime("yesterday"));
	assert_false(ks_export_is_datetime(NULL));
}

static const char doc[] =
	"{\"schema\": \"kvmscope-results\", \"schema_version\": 1, \"complete\": false,\n"
	" \"incomplete_reason\": \"interrupted\",\n"
	" \"tool\": {\"version\": \"0.1.0\", \"commit\": \"abc\"},\n"
	" \"run\": {\"started\": \"2026-11-28T16:13:53Z\"},\n"
	" \"environment\": {\"arch\": \"x86_64\", \"hostname\": \"rb3 board\",\n"
	"   \"kernel\": {\"release\": \"6.1.0\"}, \"backend\": {\"name\": \"gunyah\"}},\n"
	" \"results\": [\n"
	"  {\"name\": \"hyp_call\", \"family\": \"hypercall\", \"status\": \"ok\", \"unit\": \"ns\",\n"
	"   \"seconds\": 0.5, \"samples\": [4, 1, 3, 2]},\n"
	"  {\"name\": \"hyp call\", \"family\": \"hypercall\", \"status\": \"ok\", \"unit\": \"ns\",\n"
	"   \"samples\": [7]},\n"
	"  {\"name\": \"ipi\", \"family\": \"irq\", \"status\": \"unsupported\", \"reason\": \"one vCPU\"},\n"
	"  {\"name\": \"eoi\", \"family\": \"irq\", \"status\": \"failed\", \"reason\": \"vector 6\"},\n"
	"  {\"name\": \"irqfd\", \"family\": \"irq\", \"status\": \"interrupted\", \"reason\": \"SIGINT\"}\n"
	" ]}\n";

static char *export(const struct ks_resultset *rs, enum ks_export_format fmt,
		    const struct ks_export_opts *o)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(ks_export_write(f, fmt, rs, o, err, sizeof err), 0);
	fclose(f);
	return buf;
}

static void test_formats(void **state)
{
	(void)state;
	char err[512], id[64];
	struct ks_resultset *rs = ks_resultset_parse(doc, sizeof doc - 1, "t.json", err, sizeof err);
	assert_non_null(rs);
	struct ks_export_opts o = { 0 };

	assert_string_equal(ks_export_run_id(rs, id, sizeof id), "rb3_board-20261128T161353Z");

	char *m = export(rs, KS_EXPORT_SQUAD_METRICS, &o);
	assert_non_null(strstr(m, "\"kvmscope/hyp_call\": {\n    \"value\": 2.5,\n    \"unit\": \"ns\""));
	assert_non_null(strstr(m, "\"kvmscope/hyp_call-2\": {\n    \"value\": 7.0"));
	assert_null(strstr(m, "ipi"));   /* only what ran has a metric */
	free(m);

	char *t = export(rs, KS_EXPORT_SQUAD_TESTS, &o);
	assert_non_null(strstr(t, "\"kvmscope/hyp_call\": \"pass\""));
	assert_non_null(strstr(t, "\"result\": \"skip\",\n    \"log\": \"unsupported: one vCPU\""));
	assert_non_null(strstr(t, "\"result\": \"fail\",\n    \"log\": \"failed: vector 6\""));
	assert_non_null(strstr(t, "\"log\": \"interrupted: SIGINT\""));
	free(t);

	o.run_id = "job-1";
	char *md = export(rs, KS_EXPORT_SQUAD_METADATA, &o);
	assert_non_null(strstr(md, "\"job_id\": \"job-1\""));
	assert_non_null(strstr(md, "\"job_status\": \"incomplete\""));
	assert_non_null(strstr(md, "\"datetime\": \"2026-11-28T16:13:53Z\""));
	free(md);

	o.origin = "lab";
	char *k = export(rs, KS_EXPORT_KCIDB, &o);
	assert_non_null(strstr(k, "\"major\": 5"));
	assert_non_null(strstr(k, "\"id\": \"lab:job-1:hyp_call\""));
	assert_non_null(strstr(k, "\"id\": \"lab:job-1:hyp_call-2\""));
	assert_non_null(strstr(k, "\"build_id\": \"lab:" KS_KCIDB_NO_BUILD "\""));
	assert_non_null(strstr(k, "\"path\": \"kvmscope.hyp_call\""));
	assert_non_null(strstr(k, "\"status\": \"DONE\""));
	assert_non_null(strstr(k, "\"status\": \"SKIP\""));
	assert_non_null(strstr(k, "\"status\": \"FAIL\""));
	assert_non_null(strstr(k, "\"status\": \"MISS\""));
	assert_non_null(strstr(k, "\"duration\": 0.5"));
	assert_null(strstr(k, "null"));    /* KCIDB allows no null */
	free(k);

	char *c = export(rs, KS_EXPORT_CSV, &o);
	assert_string_equal(c,
			    "name,family,status,unit,n,median,ci_low,ci_high,mean,p99,max,backend,kernel\r\n"
			    "hyp_call,hypercall,ok,ns,4,2.5,,,2.5,3.9699999999999998,4,gunyah,6.1.0\r\n"
			    "hyp call,hypercall,ok,ns,1,7,,,7,7,7,gunyah,6.1.0\r\n"
			    "ipi,irq,unsupported,,0,,,,,,,gunyah,6.1.0\r\n"
			    "eoi,irq,failed,,0,,,,,,,gunyah,6.1.0\r\n"
			    "irqfd,irq,interrupted,,0,,,,,,,gunyah,6.1.0\r\n");
	free(c);
	ks_resultset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_as_lava),
		cmocka_unit_test(test_csv_cells),
		cmocka_unit_test(test_datetime),
		cmocka_unit_test(test_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
