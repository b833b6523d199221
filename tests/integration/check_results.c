/* SPDX-License-Identifier: MIT */
/*
 * Sanity checks on a kvmscope results file, for the integration tests:
 *   check_results FILE [--require NAME...] [--families F,F,...] [--incomplete-ok] [--perf]
 * Every result must carry a status; every "ok" result a finite positive
 * median (the one-ways timed across two clocks, irqfd's and vm_switch's,
 * may dip below 0 only within their clock error bound),
 * a unit from the known set, raw samples, and no exit-count "mismatch";
 * where a result counts them (vm_switch), no exit to userspace in its loop
 * and no one-way sample its clocks make impossible.
 * Each listed family must have at least one "ok" result. Prints what it
 * With --perf, every "ok" result carries a `perf` object whose every counter
 * has a value (unit count or ns, scope measured_phase or benchmark) or an
 * "unsupported" reason naming perf_event_open's errno; the software counters
 * (context_switches, task_clock) must count; the first record is printed.
 * Prints what it checked; exits 0 when sane, 1 with the first problem named
 * otherwise.
 */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int problems;

#define BAD(...) do { fprintf(stderr, "check_results: " __VA_ARGS__); fputc('\n', stderr); problems++; } while (0)

static const char *units[] = { "ns", "ns/page", "-" };

static bool known_unit(const char *u)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(u, units[i]))
			return true;
	return false;
}

static void check_result(json_t *r, size_t idx)
{
	const char *name = json_string_value(json_object_get(r, "name"));
	const char *status = json_string_value(json_object_get(r, "status"));
	const char *unit = json_string_value(json_object_get(r, "unit"));

	if (!name || !status || !unit) {
		BAD("results[%zu]: missing name/status/unit", idx);
		return;
	}
	if (!known_unit(unit))
		BAD("%s: unknown unit '%s'", name, unit);
	if (strcmp(status, "ok") != 0) {
		const char *why = json_string_value(json_object_get(r, "reason"));
		if (!why || !*why)
			BAD("%s: status %s without a reason", name, status);
		printf("  %-24s %s: %s\n", name, status, why ? why : "");
		return;
	}
	json_t *s = json_object_get(r, "summary");
	double med = json_number_value(json_object_get(s, "median"));
	double min = json_number_value(json_object_get(s, "min"));
	json_int_t n = json_integer_value(json_object_get(s, "n"));
	json_t *samples = json_object_get(r, "samples");
	if (!s || !json_is_array(samples) || (json_int_t)json_array_size(samples) != n || n <= 0)
		BAD("%s: summary.n and samples[] disagree or are empty", name);
	if (!isfinite(med) || !isfinite(min))
		BAD("%s: non-finite median/min", name);
	bool oneway = (strncmp(name, "irqfd", 5) == 0 || strcmp(name, "vm_switch") == 0) &&
		      !strstr(name, "_rtt");
	if (oneway) {
		json_t *err = json_object_get(json_object_get(r, "metrics"), "clock_offset_error_max");
		double e = json_number_value(json_object_get(err, "value"));
		if (!(med > 0))
			BAD("%s: one-way median %.1f ns is not positive", name, med);
		if (min < -e - 1)
			BAD("%s: min %.1f ns is below the clock error bound -%.1f ns", name, min, e);
	} else if (!(med > 0) || !(min > 0)) {
		/* the empty loop may legitimately be a fraction of a ns, never <= 0 */
		BAD("%s: median %.3f / min %.3f not positive", name, med, min);
	}
	static const char *const must_be_zero[] = { "userspace_exits", "impossible_samples" };
	for (size_t m = 0; m < sizeof(must_be_zero) / sizeof(must_be_zero[0]); m++) {
		json_t *v = json_object_get(json_object_get(json_object_get(r, "metrics"),
							    must_be_zero[m]), "value");
		if (v && json_number_value(v) != 0)
			BAD("%s: metrics.%s is %g, not 0", name, must_be_zero[m], json_number_value(v));
	}
	json_t *checks = json_object_get(r, "exit_checks");
	size_t i;
	json_t *c;
	json_array_foreach(checks, i, c) {
		const char *v = json_string_value(json_object_get(c, "verdict"));
		if (v && !strcmp(v, "mismatch"))
			BAD("%s: exit count mismatch on %s: expected %lld, observed %lld", name,
			    json_string_value(json_object_get(c, "stat")),
			    (long long)json_integer_value(json_object_get(c, "expected")),
			    (long long)json_integer_value(json_object_get(c, "observed")));
	}
	printf("  %-24s ok: median %.1f %s (n=%lld)\n", name, med, unit, (long long)n);
}

static const char *perf_counters[] = { "cycles", "instructions", "cycles_guest", "cycles_host",
				       "instructions_guest", "instructions_host",
				       "context_switches", "task_clock" };

static void check_perf(json_t *r, bool print)
{
	const char *name = json_string_value(json_object_get(r, "name")) ?: "?";
	json_t *perf = json_object_get(r, "perf");

	if (strcmp(json_string_value(json_object_get(r, "status")) ?: "", "ok"))
		return;
	if (!json_is_object(perf)) {
		BAD("%s: no perf object", name);
		return;
	}
	if (json_object_size(perf) != sizeof(perf_counters) / sizeof(perf_counters[0]))
		BAD("%s: perf has %zu members, expected %zu", name, json_object_size(perf),
		    sizeof(perf_counters) / sizeof(perf_counters[0]));
	for (size_t i = 0; i < sizeof(perf_counters) / sizeof(perf_counters[0]); i++) {
		const char *k = perf_counters[i];
		json_t *c = json_object_get(perf, k);
		const char *why = json_string_value(json_object_get(c, "unsupported"));
		const char *unit = json_string_value(json_object_get(c, "unit"));
		const char *scope = json_string_value(json_object_get(c, "scope"));
		json_t *v = json_object_get(c, "value");
		bool sw = !strcmp(k, "context_switches") || !strcmp(k, "task_clock");
		if (why) {
			char prefix[64];
			snprintf(prefix, sizeof(prefix), "perf_event_open(%s): E", k);
			if (strncmp(why, prefix, strlen(prefix)) && !strstr(why, "never on the PMU"))
				BAD("%s: perf.%s: reason does not name the errno: %s", name, k, why);
			if (sw)
				BAD("%s: software counter perf.%s unsupported: %s", name, k, why);
			if (print)
				printf("    perf.%-18s unsupported: %s\n", k, why);
		} else if (json_is_integer(v) && unit && scope &&
			   (!strcmp(unit, "count") || !strcmp(unit, "ns")) &&
			   (!strcmp(scope, "measured_phase") || !strcmp(scope, "benchmark"))) {
			if (print)
				printf("    perf.%-18s %lld %s (%s)\n", k,
				       (long long)json_integer_value(v), unit, scope);
		} else {
			BAD("%s: perf.%s is neither {value, unit, scope} nor {unsupported}", name, k);
		}
	}
	json_t *tc = json_object_get(json_object_get(perf, "task_clock"), "value");
	if (tc && json_integer_value(tc) <= 0)
		BAD("%s: perf.task_clock is %lld ns", name, (long long)json_integer_value(tc));
}

int main(int argc, char **argv)
{
	json_error_t je;
	bool incomplete_ok = false;
	const char *families = NULL;

	if (argc < 2) {
		fprintf(stderr, "usage: check_results FILE [--families a,b] [--require NAME...] "
			"[--incomplete-ok] [--perf]\n");
		return 2;
	}
	json_t *root = json_load_file(argv[1], 0, &je);
	if (!root) {
		fprintf(stderr, "check_results: %s:%d: %s\n", argv[1], je.line, je.text);
		return 1;
	}
	json_t *results = json_object_get(root, "results");
	if (strcmp(json_string_value(json_object_get(root, "schema")) ?: "", "kvmscope-results") ||
	    json_integer_value(json_object_get(root, "schema_version")) != 1 || !json_is_array(results))
		BAD("%s: not a kvmscope-results v1 document", argv[1]);
	const char *backend = json_string_value(
		json_object_get(json_object_get(json_object_get(root, "environment"), "backend"), "name"));
	if (!backend || !*backend)
		BAD("environment.backend.name missing");
	printf("%s: backend %s, %zu results\n", argv[1], backend ? backend : "?",
	       json_array_size(results));
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
		check_result(r, i);

	for (int a = 2; a < argc; a++) {
		if (!strcmp(argv[a], "--incomplete-ok")) {
			incomplete_ok = true;
		} else if (!strcmp(argv[a], "--perf")) {
			bool first = true;
			json_array_foreach(results, i, r) {
				bool ok = !strcmp(json_string_value(json_object_get(r, "status")) ?: "",
						  "ok");
				if (ok && first)
					printf("  perf counters of %s:\n",
					       json_string_value(json_object_get(r, "name")) ?: "?");
				check_perf(r, ok && first);
				first = first && !ok;
			}
		} else if (!strcmp(argv[a], "--families") && a + 1 < argc) {
			families = argv[++a];
		} else if (!strcmp(argv[a], "--require") && a + 1 < argc) {
			const char *want = argv[++a];
			bool found = false;
			json_array_foreach(results, i, r)
				if (!strcmp(json_string_value(json_object_get(r, "name")) ?: "", want) &&
				    !strcmp(json_string_value(json_object_get(r, "status")) ?: "", "ok"))
					found = true;
			if (!found)
				BAD("required result '%s' is missing or not ok", want);
		}
	}
	if (!incomplete_ok && !json_is_true(json_object_get(root, "complete")))
		BAD("run marked incomplete: %s",
		    json_string_value(json_object_get(root, "incomplete_reason")) ?: "?");
	if (families) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", families);
		for (char *f = strtok(buf, ","); f; f = strtok(NULL, ",")) {
			bool ok = false;
			json_array_foreach(results, i, r)
				if (!strcmp(json_string_value(json_object_get(r, "family")) ?: "", f) &&
				    !strcmp(json_string_value(json_object_get(r, "status")) ?: "", "ok"))
					ok = true;
			if (!ok)
				BAD("family '%s' has no ok result", f);
		}
	}
	json_decref(root);
	if (problems)
		fprintf(stderr, "check_results: %d problem(s)\n", problems);
	return problems ? 1 : 0;
}
