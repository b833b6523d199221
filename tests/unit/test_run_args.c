/* SPDX-License-Identifier: MIT */
/* `kvmscope run` option parsing: accepted forms, defaults, precise errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "doc.h"
#include "run_args.h"

#define PARSE(a, err, ...)                                                     \
	({                                                                     \
		char *argv_[] = { __VA_ARGS__ };                               \
		ks_parse_run_args(sizeof(argv_) / sizeof(argv_[0]), argv_, a, \
				  err, sizeof(err));                           \
	})

static void test_defaults(void **state)
{
	struct ks_run_args a;
	char err[256] = "";

	assert_int_equal(ks_parse_run_args(0, NULL, &a, err, sizeof(err)), 0);
	assert_false(a.opts.quick);
	assert_int_equal(a.opts.cpu, -1);
	assert_int_equal(a.opts.samples, 0);
	assert_true(a.opts.watchdog_s == 60.0);
	assert_null(a.opts.out);
	assert_int_equal(a.nnames, 0);
}

static void test_all_options(void **state)
{
	struct ks_run_args a;
	char err[256] = "";

	assert_int_equal(PARSE(&a, err, "--quick", "-o", "x.json", "--cpu=1", "-n", "500",
			       "--watchdog", "2.5", "hyp_call", "irq", "-v"), 0);
	assert_true(a.opts.quick);
	assert_true(a.opts.verbose);
	assert_string_equal(a.opts.out, "x.json");
	assert_int_equal(a.opts.cpu, 1);
	assert_int_equal(a.opts.samples, 500);
	assert_true(a.opts.watchdog_s == 2.5);
	assert_int_equal(a.nnames, 2);
	assert_string_equal(a.names[0], "hyp_call");
	assert_string_equal(a.names[1], "irq");
}

static void test_output_equals_form(void **state)
{
	struct ks_run_args a;
	char err[256] = "";

	assert_int_equal(PARSE(&a, err, "--output=r.json", "--samples=7"), 0);
	assert_string_equal(a.opts.out, "r.json");
	assert_int_equal(a.opts.samples, 7);
}

static void test_double_dash_names(void **state)
{
	struct ks_run_args a;
	char err[256] = "";

	assert_int_equal(PARSE(&a, err, "--", "-weird"), 0);
	assert_int_equal(a.nnames, 1);
	assert_string_equal(a.names[0], "-weird");
}

static void test_errors_name_the_option(void **state)
{
	struct ks_run_args a;
	char err[256];

	err[0] = 0;
	assert_int_equal(PARSE(&a, err, "--samples", "0"), -1);
	assert_non_null(strstr(err, "--samples"));
	assert_non_null(strstr(err, "'0'"));
	err[0] = 0;
	assert_int_equal(PARSE(&a, err, "--samples", "12abc"), -1);
	assert_non_null(strstr(err, "12abc"));
	err[0] = 0;
	assert_int_equal(PARSE(&a, err, "--cpu", "-1"), -1);
	assert_non_null(strstr(err, "--cpu"));
	err[0] = 0;
	assert_int_equal(PARSE(&a, err, "-o"), -1);
	assert_non_null(strstr(err, "-o"));
	err[0] = 0;
	assert_int_equal(PARSE(&a, err, "--watchdog", "nan"), -1);
	assert_non_null(strstr(err, "--watchdog"));
	err[0] = 0;
	assert_int_equal(PARSE(&a, err, "--bogus"), -1);
	assert_non_null(strstr(err, "--bogus"));
	err[0] = 0;
	assert_int_equal(PARSE(&a, err, "--quic"), -1);  /* no prefix matching */
	assert_non_null(strstr(err, "--quic"));
}

static void test_number_parsers(void **state)
{
	uint64_t v;
	double d;

	assert_int_equal(ks_parse_u64("42", 1, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(ks_parse_u64("101", 1, 100, &v), -1);
	assert_int_equal(ks_parse_u64("", 1, 100, &v), -1);
	assert_int_equal(ks_parse_u64("+5", 1, 100, &v), -1);
	assert_int_equal(ks_parse_u64("99999999999999999999999", 0, UINT64_MAX, &v), -1);
	assert_int_equal(ks_parse_seconds("0.5", 0.1, 10, &d), 0);
	assert_true(d == 0.5);
	assert_int_equal(ks_parse_seconds("inf", 0.1, 10, &d), -1);
	assert_int_equal(ks_parse_seconds("0.01", 0.1, 10, &d), -1);
}

/* A value the option accepts, for the argument word its documentation names. */
static const char *sample_value(const char *arg)
{
	static char first[32];
	if (strchr(arg, '|')) {   /* "auto|bpf|tracefs": the first choice */
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(arg, "|"), arg);
		return first;
	}
	if (!strcmp(arg, "FILE"))
		return "r.json";
	if (!strcmp(arg, "NAME"))
		return "suite";
	return "1";   /* N, S */
}

/* Every option kvmscope-run(1) and `run --help` document is accepted, in each spelling. */
static void test_documented_options_parse(void **state)
{
	const struct ks_cmd_doc *d = ks_doc_find("run");
	int checked = 0;

	assert_non_null(d);
	for (const struct ks_doc_item *it = d->options; it->tag; it++) {
		char tag[128], *save = NULL, *arg = NULL;
		snprintf(tag, sizeof(tag), "%s", it->tag);
		/* "-o, --output FILE": the flags, then the argument word if any */
		char *sp = strrchr(tag, ' ');
		if (sp && sp[1] != '-') {
			arg = sp + 1;
			*sp = 0;
		}
		for (char *flag = strtok_r(tag, ", ", &save); flag; flag = strtok_r(NULL, ", ", &save)) {
			struct ks_run_args a;
			char err[256] = "";
			char *argv[2] = { flag, (char *)(arg ? sample_value(arg) : NULL) };
			int rc = ks_parse_run_args(arg ? 2 : 1, argv, &a, err, sizeof(err));
			if (rc != 0)
				fail_msg("documented option %s %s rejected: %s", flag, arg ? argv[1] : "",
					 err);
			assert_int_equal(a.nnames, 0);   /* the value was taken, not a name */
			checked++;
		}
	}
	assert_true(checked >= 10);
}

/* --soak N: a number of iterations, and the probes come with it. */
static void test_soak(void **state)
{
	struct ks_run_args a;
	char err[256] = "";

	assert_int_equal(PARSE(&a, err, "--soak", "3", "--quick"), 0);
	assert_int_equal(a.opts.soak, 3);
	assert_true(a.opts.probes);
	assert_int_equal(PARSE(&a, err, "--soak=0"), -1);
	assert_non_null(strstr(err, "--soak"));
	assert_int_equal(PARSE(&a, err, "--soak"), -1);
	assert_int_equal(PARSE(&a, err, "--soak", "x"), -1);
}

/* --precision P (%) until the median's CI is that narrow; --samples and
 * --quick are fixed samples unless a precision is asked for; --max-time. */
static void test_precision(void **state)
{
	struct ks_run_args a;
	char err[256] = "";

	assert_int_equal(ks_parse_run_args(0, NULL, &a, err, sizeof(err)), 0);
	assert_true(a.opts.precision == KS_DEFAULT_PRECISION);
	assert_true(a.opts.max_time_s == KS_DEFAULT_MAX_TIME);
	assert_int_equal(PARSE(&a, err, "--precision", "0.5", "--max-time=12"), 0);
	assert_true(a.opts.precision == 0.5);
	assert_true(a.opts.max_time_s == 12);
	assert_int_equal(PARSE(&a, err, "--precision=2%"), 0);
	assert_true(a.opts.precision == 2);
	assert_int_equal(PARSE(&a, err, "--precision", "0"), 0);   /* off: fixed samples */
	assert_true(a.opts.precision == 0);
	assert_int_equal(PARSE(&a, err, "-n", "300"), 0);            /* N samples, no more */
	assert_true(a.opts.precision == 0);
	assert_int_equal(PARSE(&a, err, "--quick"), 0);              /* a smoke run */
	assert_true(a.opts.precision == 0);
	assert_int_equal(PARSE(&a, err, "--quick", "--precision", "3"), 0);
	assert_true(a.opts.precision == 3);
	assert_int_equal(PARSE(&a, err, "--samples", "50", "--precision", "1"), -1);
	assert_non_null(strstr(err, "--samples"));
	assert_non_null(strstr(err, "--precision"));
	assert_int_equal(PARSE(&a, err, "--samples", "50", "--precision", "0"), 0);
	assert_int_equal(PARSE(&a, err, "--precision", "101"), -1);
	assert_non_null(strstr(err, "--precision"));
	assert_int_equal(PARSE(&a, err, "--precision", "x%"), -1);
	assert_int_equal(PARSE(&a, err, "--precision", "%"), -1);
	assert_int_equal(PARSE(&a, err, "--max-time", "0"), -1);
	assert_non_null(strstr(err, "--max-time"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_output_equals_form),
		cmocka_unit_test(test_double_dash_names),
		cmocka_unit_test(test_errors_name_the_option),
		cmocka_unit_test(test_number_parsers),
		cmocka_unit_test(test_documented_options_parse),
		cmocka_unit_test(test_soak),
		cmocka_unit_test(test_precision),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
