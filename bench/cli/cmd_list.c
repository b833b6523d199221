/* SPDX-License-Identifier: MIT */
/* kvmscope list: the benchmark table and what can run here. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cli.h"

int ks_cmd_list(int argc, char **argv)
{
	struct ks_host h;
	char why[512];

	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		printf("usage: kvmscope list\n\nList every benchmark: family, whether it is in the "
		       "default suite, whether it can run on this host and, if not, why.\n");
		return KS_EXIT_OK;
	}
	if (argc > 0) {
		fprintf(stderr, "kvmscope list: unexpected argument '%s'\n", argv[0]);
		return KS_EXIT_USAGE;
	}
	ks_host_probe(&h);
	printf("backend: %s\n\n", h.backend.name);
	printf("%-18s %-12s %-8s %s\n", "BENCHMARK", "FAMILY", "DEFAULT", "HERE");
	for (size_t i = 0; i < ks_benches_count; i++) {
		const struct ks_bench *b = ks_benches[i];
		why[0] = 0;
		bool ok = b->available(b, &h, why, sizeof(why));
		printf("%-18s %-12s %-8s %s%s%s\n", b->name, b->family, b->in_default ? "yes" : "no",
		       ok ? "runs" : "cannot run: ", ok ? "" : why, "");
		printf("%-18s   %s\n", "", b->what);
	}
	ks_host_release(&h);
	return KS_EXIT_OK;
}
