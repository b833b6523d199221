/* SPDX-License-Identifier: MIT */
/* kvmscope list: the benchmark table and what can run here. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "doc.h"
#include "json_writer.h"

static void print_text(const struct ks_host *h)
{
	char why[512];
	size_t n;
	const struct ks_bench *const *all = ks_bench_all(&n);

	printf("backend: %s\n\n", h->facts.backend.name);
	printf("%-18s %-12s %-8s %s\n", "BENCHMARK", "FAMILY", "DEFAULT", "HERE");
	for (size_t i = 0; i < n; i++) {
		const struct ks_bench *b = all[i];
		why[0] = 0;
		bool ok = ks_bench_available(b, h, why, sizeof(why));
		printf("%-18s %-12s %-8s %s%s\n", b->name, b->family, b->in_default ? "yes" : "no",
		       ok ? "runs" : "cannot run: ", ok ? "" : why);
		printf("%-18s   %s\n", "", b->what);
	}
}

static int print_json(const struct ks_host *h)
{
	char why[512];
	size_t n;
	const struct ks_bench *const *all = ks_bench_all(&n);
	jw_t *w = jw_new(stdout, 1);

	jw_begin_object(w);
	jw_kv_string(w, "backend", h->facts.backend.name);
	jw_key(w, "benchmarks");
	jw_begin_array(w);
	for (size_t i = 0; i < n; i++) {
		const struct ks_bench *b = all[i];
		why[0] = 0;
		bool ok = ks_bench_available(b, h, why, sizeof(why));
		jw_begin_object(w);
		jw_kv_string(w, "name", b->name);
		jw_kv_string(w, "family", b->family);
		jw_kv_string(w, "what", b->what);
		jw_kv_bool(w, "default", b->in_default);
		jw_kv_bool(w, "available", ok);
		if (ok)
			jw_kv_null(w, "reason");
		else
			jw_kv_string(w, "reason", why);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_end_object(w);
	if (jw_finish(w) < 0) {
		fprintf(stderr, "kvmscope list: writing JSON to stdout failed\n");
		return -1;
	}
	return 0;
}

int ks_cmd_list(int argc, char **argv)
{
	return ks_cli_host_command(argc, argv, "list", print_text, print_json, false);
}
