/* SPDX-License-Identifier: MIT */
/* test_json_read.c - the strict JSON reader: values, packed arrays, errors. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_read.h"

static const struct kj_value *parse(const char *s, struct kj_doc **d)
{
	const struct kj_value *root = NULL;
	char err[256];
	*d = kj_parse(s, strlen(s), &root, err, sizeof err);
	if (!*d)
		print_error("unexpected error: %s\n", err);
	assert_non_null(*d);
	return root;
}

/* Parse must fail with a message containing want. */
static void bad(const char *s, const char *want)
{
	const struct kj_value *root;
	char err[256];
	struct kj_doc *d = kj_parse(s, strlen(s), &root, err, sizeof err);
	if (d || !strstr(err, want)) {
		print_error("input %s: got '%s', want '%s'\n", s, d ? "(success)" : err, want);
		kj_free(d);
		fail();
	}
}

static void test_values(void **state)
{
	(void)state;
	struct kj_doc *d;
	const struct kj_value *r = parse(
		"{\"a\": 1, \"b\": [1, 2.5, -3e2], \"c\": [1, \"x\"], \"s\": \"q\\\"\\u00e9\\ud83d\\ude00\","
		" \"t\": true, \"n\": null, \"e\": [], \"o\": {}, \"a\": 2}", &d);
	assert_int_equal(r->type, KJ_OBJ);
	assert_true(kj_get(r, "a")->u.num == 2);  /* the last duplicate wins */
	const struct kj_value *b = kj_get(r, "b");
	assert_int_equal(b->type, KJ_NUMARR);
	assert_int_equal(kj_len(b), 3);
	assert_true(b->u.nums.v[1] == 2.5 && b->u.nums.v[2] == -300);
	const struct kj_value *c = kj_get(r, "c");
	assert_int_equal(c->type, KJ_ARR);  /* mixed: unpacked */
	assert_true(c->u.arr.v[0].type == KJ_NUM && c->u.arr.v[0].u.num == 1);
	assert_string_equal(kj_get(r, "s")->u.str.s, "q\"\xc3\xa9\xf0\x9f\x98\x80");
	assert_true(kj_get(r, "t")->u.b);
	assert_int_equal(kj_get(r, "n")->type, KJ_NULL);
	assert_int_equal(kj_len(kj_get(r, "e")), 0);
	assert_null(kj_get(r, "missing"));
	kj_free(d);
}

static void test_numbers_exact(void **state)
{
	(void)state;
	/* the fast path and strtod must agree bit for bit */
	static const char *nums[] = { "0", "-0", "1e22", "1e23", "123456789012345678901234",
				      "0.1", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308",
				      "9007199254740993", "0.000001234", "46975.2", "3.14159265358979323846" };
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		char buf[128];
		struct kj_doc *d;
		snprintf(buf, sizeof buf, "[%s]", nums[i]);
		const struct kj_value *r = parse(buf, &d);
		double want = strtod(nums[i], NULL);
		assert_memory_equal(&r->u.nums.v[0], &want, sizeof want);
		kj_free(d);
	}
	srand(7);
	for (int i = 0; i < 20000; i++) {
		char buf[64];
		double v = (rand() / (double)RAND_MAX) * pow(10, rand() % 30 - 10);
		snprintf(buf, sizeof buf, "[%.*g]", 1 + rand() % 17, v);
		struct kj_doc *d;
		const struct kj_value *r = parse(buf, &d);
		double want = strtod(buf + 1, NULL);
		assert_memory_equal(&r->u.nums.v[0], &want, sizeof want);
		kj_free(d);
	}
}

static void test_errors(void **state)
{
	(void)state;
	bad("", "empty file");
	bad("{\"a\": 1", "found end of file (truncated?)");
	bad("{\"a\": ", "unexpected end of file");
	bad("{\"a\": 1,\n \"b\" 2}", "line 2, column 6: expected ':'");
	bad("[1, 2,]", "expected a JSON value");
	bad("[01]", "leading zero");
	bad("[1.]", "no digit after '.'");
	bad("[1e]", "no digit in exponent");
	bad("[NaN]", "expected a JSON value");
	bad("\"a\tb\"", "control character");
	bad("\"\\x\"", "invalid escape");
	bad("\"\\ud800\"", "unpaired UTF-16 surrogate");
	bad("\"\\udc00\"", "unpaired UTF-16 surrogate");
	bad("{} x", "after the JSON value");
	bad("{1: 2}", "expected a member name");
	bad("[1 2]", "expected ',' or ']'");
	bad("\"abc", "unterminated string");
	char deep[200];
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = 0;
	bad(deep, "nesting deeper than");
}

static void test_file_errors(void **state)
{
	(void)state;
	const struct kj_value *r;
	char err[512];
	assert_null(kj_parse_file("/nonexistent/x.json", &r, err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/x.json: No such file"));
	assert_null(kj_parse_file("/", &r, err, sizeof err));
	assert_non_null(strstr(err, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_numbers_exact),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
