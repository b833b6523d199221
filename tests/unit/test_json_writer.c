/* SPDX-License-Identifier: MIT */
/*
 * test_json_writer.c - unit tests for analysis/json_writer.{h,c}.
 *
 * Output is captured with open_memstream() and parsed back with jansson,
 * which rejects invalid JSON and invalid UTF-8, so "jansson accepts it" is
 * the validity oracle.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#endif

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "json_writer.h"

/* ---- helpers --------------------------------------------------------- */

struct mem {
	FILE *f;
	char *data;
	size_t size;
};

static jw_t *mem_writer(struct mem *m, int pretty)
{
	jw_t *w;

	memset(m, 0, sizeof(*m));
	m->f = open_memstream(&m->data, &m->size);
	assert_non_null(m->f);
	w = jw_new(m->f, pretty);
	assert_non_null(w);
	return w;
}

/* Finish w (expecting rc), close the stream; m->data stays valid. */
static void mem_finish(struct mem *m, jw_t *w, int want_rc)
{
	assert_int_equal(jw_finish(w), want_rc);
	assert_int_equal(fclose(m->f), 0);
	m->f = NULL;
}

static void mem_free(struct mem *m)
{
	free(m->data);
	m->data = NULL;
}

/* Parse m->data with jansson; fails the test (printing the text) if invalid. */
static json_t *parse(const struct mem *m, size_t flags)
{
	json_error_t err;
	json_t *j = json_loadb(m->data, m->size, flags | JSON_DECODE_ANY, &err);

	if (!j)
		print_error("jansson: %s (line %d col %d)\n--- output ---\n%s\n",
			    err.text, err.line, err.column, m->data);
	assert_non_null(j);
	return j;
}

/* ---- tests ----------------------------------------------------------- */

static void build_nested(jw_t *w)
{
	jw_begin_object(w);
	jw_kv_string(w, "name", "vmexit");
	jw_kv_int(w, "neg", -5);
	jw_kv_int(w, "imin", INT64_MIN);
	jw_kv_uint(w, "u", 42);
	jw_kv_double(w, "d", 1.5);
	jw_kv_bool(w, "t", 1);
	jw_kv_bool(w, "f", 0);
	jw_kv_null(w, "nil");
	jw_kv_string(w, "nullstr", NULL);
	jw_key(w, "arr");
	jw_begin_array(w);
	jw_int(w, 1);
	jw_string(w, "two");
	jw_begin_object(w);
	jw_key(w, "k");
	jw_begin_array(w);
	jw_end_array(w);
	jw_end_object(w);
	jw_begin_array(w);
	jw_end_array(w);
	jw_double(w, 2.5);
	jw_end_array(w);
	jw_key(w, "obj");
	jw_begin_object(w);
	jw_end_object(w);
	jw_key(w, "deep");
	jw_begin_array(w);
	jw_begin_array(w);
	jw_begin_object(w);
	jw_key(w, "a");
	jw_begin_array(w);
	jw_uint(w, 7);
	jw_end_array(w);
	jw_end_object(w);
	jw_end_array(w);
	jw_end_array(w);
	jw_end_object(w);
}

static void check_nested(json_t *j)
{
	json_t *arr;

	assert_true(json_is_object(j));
	assert_string_equal(json_string_value(json_object_get(j, "name")), "vmexit");
	assert_int_equal(json_integer_value(json_object_get(j, "neg")), -5);
	assert_true(json_integer_value(json_object_get(j, "imin")) == INT64_MIN);
	assert_int_equal(json_integer_value(json_object_get(j, "u")), 42);
	assert_true(json_is_real(json_object_get(j, "d")));
	assert_true(json_real_value(json_object_get(j, "d")) == 1.5);
	assert_true(json_is_true(json_object_get(j, "t")));
	assert_true(json_is_false(json_object_get(j, "f")));
	assert_true(json_is_null(json_object_get(j, "nil")));
	assert_true(json_is_null(json_object_get(j, "nullstr")));
	arr = json_object_get(j, "arr");
	assert_int_equal(json_array_size(arr), 5);
	assert_int_equal(json_integer_value(json_array_get(arr, 0)), 1);
	assert_string_equal(json_string_value(json_array_get(arr, 1)), "two");
	assert_int_equal(json_array_size(json_object_get(json_array_get(arr, 2), "k")), 0);
	assert_int_equal(json_array_size(json_array_get(arr, 3)), 0);
	assert_true(json_real_value(json_array_get(arr, 4)) == 2.5);
	assert_int_equal(json_object_size(json_object_get(j, "obj")), 0);
	{
		json_t *d = json_object_get(j, "deep");
		json_t *a = json_object_get(json_array_get(json_array_get(d, 0), 0), "a");

		assert_int_equal(json_integer_value(json_array_get(a, 0)), 7);
	}
}

static void test_nested_compact_and_pretty(void **state)
{
	(void)state;
	for (int pretty = 0; pretty <= 1; pretty++) {
		struct mem m;
		jw_t *w = mem_writer(&m, pretty);
		json_t *j;

		build_nested(w);
		assert_int_equal(jw_error(w), JW_OK);
		mem_finish(&m, w, 0);
		j = parse(&m, 0);
		check_nested(j);
		json_decref(j);
		if (!pretty)
			assert_null(strchr(m.data, ' ')); /* compact: no whitespace */
		assert_true(m.size > 0 && m.data[m.size - 1] == '\n');
		mem_free(&m);
	}
}

/* The exact layouts are a contract (diff-friendly result files). */
static void test_exact_layout(void **state)
{
	static const char want_compact[] =
		"{\"a\":1,\"arr\":[1,2.5,\"x\"],\"e\":[],\"o\":{}}\n";
	static const char want_pretty[] =
		"{\n"
		"  \"a\": 1,\n"
		"  \"arr\": [\n"
		"    1, 2.5,\n"
		"    \"x\"\n"
		"  ],\n"
		"  \"e\": [],\n"
		"  \"o\": {}\n"
		"}\n";
	(void)state;
	for (int pretty = 0; pretty <= 1; pretty++) {
		struct mem m;
		jw_t *w = mem_writer(&m, pretty);

		jw_begin_object(w);
		jw_kv_int(w, "a", 1);
		jw_key(w, "arr");
		jw_begin_array(w);
		jw_int(w, 1);
		jw_double(w, 2.5);
		jw_string(w, "x");
		jw_end_array(w);
		jw_key(w, "e");
		jw_begin_array(w);
		jw_end_array(w);
		jw_key(w, "o");
		jw_begin_object(w);
		jw_end_object(w);
		jw_end_object(w);
		mem_finish(&m, w, 0);
		assert_string_equal(m.data, pretty ? want_pretty : want_compact);
		mem_free(&m);
	}
}

/* Scalars are valid root values too. */
static void test_scalar_root(void **state)
{
	struct mem m;
	jw_t *w = mem_writer(&m, 1);

	(void)state;
	jw_uint(w, UINT64_MAX);
	mem_finish(&m, w, 0);
	assert_string_equal(m.data, "18446744073709551615\n");
	mem_free(&m);
}

static void test_escaping(void **state)
{
	/* quotes, backslash, all short escapes, other C0 controls, DEL, slash */
	static const char tricky[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f end";
	struct mem m;
	jw_t *w = mem_writer(&m, 0);
	json_t *j;

	(void)state;
	jw_begin_object(w);
	jw_kv_string(w, "s", tricky);
	jw_kv_string(w, "key \"with\" \\ and \n", "v"); /* keys are escaped too */
	jw_end_object(w);
	mem_finish(&m, w, 0);

	/* Exact escapes used */
	assert_non_null(strstr(m.data, "q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f end"));
	j = parse(&m, 0);
	assert_string_equal(json_string_value(json_object_get(j, "s")), tricky);
	assert_string_equal(json_string_value(json_object_get(j, "key \"with\" \\ and \n")), "v");
	json_decref(j);
	mem_free(&m);
}

static void test_embedded_nul(void **state)
{
	static const char s[] = { 'a', '\0', 'b' };
	struct mem m;
	jw_t *w = mem_writer(&m, 0);
	json_t *j;

	(void)state;
	jw_string_len(w, s, sizeof(s));
	mem_finish(&m, w, 0);
	assert_string_equal(m.data, "\"a\\u0000b\"\n");
	j = parse(&m, JSON_ALLOW_NUL);
	assert_int_equal(json_string_length(j), 3);
	assert_memory_equal(json_string_value(j), s, 3);
	json_decref(j);
	mem_free(&m);
}

/* Invalid UTF-8 -> U+FFFD per maximal subpart; valid UTF-8 kept verbatim. */
static void test_invalid_utf8(void **state)
{
#define R "\xEF\xBF\xBD" /* U+FFFD */
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a\xff" "b", "a" R "b" },                      /* never-valid byte */
		{ "\x80" "x", R "x" },                           /* stray continuation */
		{ "end\xc3", "end" R },                          /* truncated at end */
		{ "\xe2\x82" "x", R "x" },                       /* truncated 3-byte: one FFFD */
		{ "\xc0\xaf", R R },                             /* overlong '/' */
		{ "\xe0\x80\xaf", R R R },                       /* overlong 3-byte */
		{ "\xed\xa0\x80", R R R },                       /* UTF-16 surrogate D800 */
		{ "\xf4\x90\x80\x80", R R R R },                 /* > U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", R R R R R },           /* 5-byte form */
		{ "\xf0\x9f\x98", R },                           /* truncated 4-byte */
		/* valid: e-acute, euro, U+10FFFF, emoji, U+FFFD itself */
		{ "\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80" R,
		  "\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80" R },
	};
#undef R
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mem m;
		jw_t *w = mem_writer(&m, 1);
		json_t *j;

		jw_begin_object(w);
		jw_kv_string(w, cases[i].in, cases[i].in); /* bad key too */
		jw_end_object(w);
		mem_finish(&m, w, 0);
		j = parse(&m, 0); /* jansson rejects invalid UTF-8 */
		assert_string_equal(json_string_value(json_object_get(j, cases[i].want)),
				    cases[i].want);
		json_decref(j);
		mem_free(&m);
	}
}

static void test_nonfinite_null(void **state)
{
	struct mem m;
	jw_t *w = mem_writer(&m, 0);
	json_t *j;

	(void)state;
	jw_begin_array(w);
	jw_double(w, NAN);
	jw_double(w, INFINITY);
	jw_double(w, -INFINITY);
	jw_double(w, 1.0);
	jw_end_array(w);
	mem_finish(&m, w, 0);
	assert_string_equal(m.data, "[null,null,null,1.0]\n");
	j = parse(&m, 0);
	assert_true(json_is_null(json_array_get(j, 0)));
	assert_true(json_is_null(json_array_get(j, 2)));
	assert_true(json_is_real(json_array_get(j, 3)));
	json_decref(j);
	mem_free(&m);
}

/* Format a single double and return the text (caller frees). */
static char *fmt1(double v)
{
	struct mem m;
	jw_t *w = mem_writer(&m, 0);

	jw_double(w, v);
	mem_finish(&m, w, 0);
	assert_true(m.size > 0 && m.data[m.size - 1] == '\n');
	m.data[m.size - 1] = '\0';
	return m.data;
}

static void test_double_shortest_text(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0.1, "0.1" },
		{ 123456789.123, "123456789.123" },
		{ 1e-300, "1e-300" },
		{ 1.0, "1.0" },
		{ -0.0, "-0.0" },
		{ 100.0, "100.0" },
		{ 1e21, "1e+21" },
		{ 0.30000000000000004, "0.30000000000000004" }, /* needs 17 digits */
		{ 5e-324, "4.94065645841247e-324" },             /* smallest denormal */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = fmt1(cases[i].v);

		assert_string_equal(s, cases[i].want);
		free(s);
	}
}

static void test_double_roundtrip(void **state)
{
	double fixed[] = { 1e-300, 0.1, 123456789.123, DBL_MAX, -DBL_MAX, DBL_MIN,
			   5e-324, 1.0 / 3.0, 2.0 / 3.0, 9007199254740993.0, 0.0, -1.5e-7 };
	const size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	const size_t nrand = 20000;
	uint64_t st = 0x0123456789ABCDEFULL;
	double *v = malloc((nfixed + nrand) * sizeof(*v));
	struct mem m;
	jw_t *w;
	json_t *j;
	size_t k = 0;

	(void)state;
	assert_non_null(v);
	memcpy(v, fixed, sizeof(fixed));
	k = nfixed;
	/* random bit patterns cover all exponents; skip NaN/inf */
	while (k < nfixed + nrand) {
		double d;

		st ^= st << 13;
		st ^= st >> 7;
		st ^= st << 17;
		memcpy(&d, &st, sizeof(d));
		if (isfinite(d))
			v[k++] = d;
	}
	w = mem_writer(&m, 1);
	jw_double_array(w, v, k);
	mem_finish(&m, w, 0);
	j = parse(&m, 0);
	assert_int_equal(json_array_size(j), k);
	for (size_t i = 0; i < k; i++) {
		json_t *e = json_array_get(j, i);

		assert_true(json_is_real(e)); /* written as real, never as integer */
		if (json_real_value(e) != v[i] || signbit(json_real_value(e)) != signbit(v[i]))
			fail_msg("element %zu: wrote %.17g, read back %.17g", i, v[i],
				 json_real_value(e));
	}
	json_decref(j);
	mem_free(&m);
	free(v);
}

/* Decimal separator must be '.' even if the program set a ',' locale. */
static void test_double_locale_independent(void **state)
{
	static const char *locales[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
					 "de_DE", "fr_FR" };
	const char *got = NULL;
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(locales) / sizeof(locales[0]) && !got; i++)
		got = setlocale(LC_NUMERIC, locales[i]);
	if (!got) {
		skip(); /* no comma-decimal locale installed */
		return;
	}
	s = fmt1(1234.5);
	setlocale(LC_NUMERIC, "C");
	assert_string_equal(s, "1234.5");
	free(s);
}

/* Pretty arrays of numbers: at most 16 per line, one line per other element. */
static void test_large_array_layout(void **state)
{
	const size_t n = 1000000;
	struct mem m;
	jw_t *w = mem_writer(&m, 1);
	json_t *j;
	size_t lines = 0, maxnum = 0, cur = 0;

	(void)state;
	jw_begin_object(w);
	jw_key(w, "samples");
	jw_begin_array(w);
	for (size_t i = 0; i < n; i++)
		jw_double(w, (double)i * 0.25);
	jw_end_array(w);
	jw_end_object(w);
	mem_finish(&m, w, 0);

	for (size_t i = 0; i < m.size; i++) {
		if (m.data[i] == '\n') {
			lines++;
			if (cur > maxnum)
				maxnum = cur;
			cur = 0;
		} else if (m.data[i] == ',') {
			cur++;
		}
	}
	/* "{", "  "samples": [", n/16 number lines, "  ]", "}" */
	assert_int_equal(lines, n / 16 + 4);
	assert_int_equal(maxnum, 16); /* 16 numbers -> 16 commas incl. line end */

	j = parse(&m, 0);
	{
		json_t *a = json_object_get(j, "samples");

		assert_int_equal(json_array_size(a), n);
		assert_true(json_real_value(json_array_get(a, 0)) == 0.0);
		assert_true(json_real_value(json_array_get(a, 12345)) == 12345 * 0.25);
		assert_true(json_real_value(json_array_get(a, n - 1)) == (double)(n - 1) * 0.25);
	}
	json_decref(j);
	mem_free(&m);
}

/* ---- misuse ---------------------------------------------------------- */

typedef void (*misuse_fn)(jw_t *w);

static void mu_value_without_key(jw_t *w) { jw_begin_object(w); jw_int(w, 1); }
static void mu_key_at_root(jw_t *w) { jw_key(w, "k"); }
static void mu_key_in_array(jw_t *w) { jw_begin_array(w); jw_key(w, "k"); }
static void mu_two_keys(jw_t *w) { jw_begin_object(w); jw_key(w, "a"); jw_key(w, "b"); }
static void mu_close_after_key(jw_t *w) { jw_begin_object(w); jw_key(w, "a"); jw_end_object(w); }
static void mu_wrong_closer(jw_t *w) { jw_begin_object(w); jw_end_array(w); }
static void mu_close_at_root(jw_t *w) { jw_end_object(w); }
static void mu_extra_close(jw_t *w) { jw_begin_array(w); jw_end_array(w); jw_end_array(w); }
static void mu_two_roots(jw_t *w) { jw_int(w, 1); jw_int(w, 2); }
static void mu_null_key(jw_t *w) { jw_begin_object(w); jw_key(w, NULL); }
static void mu_null_array(jw_t *w) { jw_double_array(w, NULL, 3); }

static void test_misuse_detected(void **state)
{
	static const misuse_fn fns[] = {
		mu_value_without_key, mu_key_at_root, mu_key_in_array, mu_two_keys,
		mu_close_after_key, mu_wrong_closer, mu_close_at_root, mu_extra_close,
		mu_two_roots, mu_null_key, mu_null_array,
	};
	(void)state;
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct mem m;
		jw_t *w = mem_writer(&m, (int)(i & 1));
		size_t before;

		fns[i](w);
		if (jw_error(w) != JW_ERR_MISUSE)
			fail_msg("misuse case %zu not detected (err=%d)", i, jw_error(w));
		/* Once latched, nothing more is written. */
		fflush(m.f);
		before = m.size;
		jw_begin_object(w);
		jw_kv_string(w, "more", "stuff");
		jw_end_object(w);
		jw_double_array(w, (const double[]){ 1, 2 }, 2);
		fflush(m.f);
		assert_int_equal(m.size, before);
		assert_int_equal(jw_error(w), JW_ERR_MISUSE); /* first error kept */
		mem_finish(&m, w, -1);
		mem_free(&m);
	}
}

static void test_unclosed_and_empty(void **state)
{
	struct mem m;
	jw_t *w;

	(void)state;
	/* unclosed container: no error until finish, which fails */
	w = mem_writer(&m, 0);
	jw_begin_object(w);
	jw_key(w, "a");
	jw_begin_array(w);
	assert_int_equal(jw_error(w), JW_OK);
	mem_finish(&m, w, -1);
	mem_free(&m);

	/* empty document is not valid JSON */
	w = mem_writer(&m, 0);
	mem_finish(&m, w, -1);
	assert_int_equal(m.size, 0);
	mem_free(&m);
}

static void test_depth_limit(void **state)
{
	struct mem m;
	jw_t *w = mem_writer(&m, 0);
	json_t *j;

	(void)state;
	/* exactly JW_MAX_DEPTH is fine */
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_begin_array(w);
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_end_array(w);
	mem_finish(&m, w, 0);
	j = parse(&m, 0);
	json_decref(j);
	mem_free(&m);

	w = mem_writer(&m, 0);
	for (int i = 0; i <= JW_MAX_DEPTH; i++)
		jw_begin_array(w);
	assert_int_equal(jw_error(w), JW_ERR_DEPTH);
	mem_finish(&m, w, -1);
	mem_free(&m);
}

static void test_null_writer(void **state)
{
	(void)state;
	assert_null(jw_new(NULL, 0));
	/* every entry point tolerates NULL */
	jw_begin_object(NULL);
	jw_key(NULL, "k");
	jw_string(NULL, "s");
	jw_string(NULL, NULL);
	jw_int(NULL, 1);
	jw_uint(NULL, 1);
	jw_double(NULL, 1.0);
	jw_bool(NULL, 1);
	jw_null(NULL);
	jw_double_array(NULL, NULL, 0);
	jw_kv_double(NULL, "k", 1.0);
	jw_end_object(NULL);
	assert_int_not_equal(jw_error(NULL), 0);
	assert_int_equal(jw_finish(NULL), -1);
}

/* Write errors (ENOSPC on /dev/full) are reported, never ignored. */
static void test_io_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	jw_t *w;

	(void)state;
	if (!f) {
		skip();
		return;
	}
	w = jw_new(f, 0);
	assert_non_null(w);
	jw_begin_array(w);
	for (int i = 0; i < 100000 && jw_error(w) == JW_OK; i++)
		jw_double(w, 0.5 * i);
	/* the stdio buffer overflowed at some point -> fwrite failed */
	assert_int_equal(jw_error(w), JW_ERR_IO);
	errno = 0;
	assert_int_equal(jw_finish(w), -1);
	assert_int_equal(errno, ENOSPC);   /* the cause survives for the message */
	fclose(f);

	/* small document: error surfaces at the final flush */
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	w = jw_new(f, 0);
	jw_int(w, 1);
	assert_int_equal(jw_error(w), JW_OK);
	errno = 0;
	assert_int_equal(jw_finish(w), -1);
	assert_int_equal(errno, ENOSPC);
	fclose(f);

	/* misuse is not an I/O error */
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	w = jw_new(f, 0);
	jw_begin_array(w);
	errno = 0;
	assert_int_equal(jw_finish(w), -1);
	assert_int_equal(errno, EINVAL);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_compact_and_pretty),
		cmocka_unit_test(test_exact_layout),
		cmocka_unit_test(test_scalar_root),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_nonfinite_null),
		cmocka_unit_test(test_double_shortest_text),
		cmocka_unit_test(test_double_roundtrip),
		cmocka_unit_test(test_double_locale_independent),
		cmocka_unit_test(test_large_array_layout),
		cmocka_unit_test(test_misuse_detected),
		cmocka_unit_test(test_unclosed_and_empty),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_null_writer),
		cmocka_unit_test(test_io_error),
	};

	return cmocka_run_group_tests_name("json_writer", tests, NULL, NULL);
}
