/* SPDX-License-Identifier: MIT */
/* A one-way result and its round-trip companion (benches.h). */
#include <stdio.h>
#include <stdlib.h>

#include "benches.h"

int ks_oneway_with_rtt(struct ks_run *run, struct ks_result *r, uint64_t *raw,
		       const uint64_t *rtt_ticks, size_t n, const char *rtt_name,
		       const char *rtt_what)
{
	double *rtt = raw && rtt_ticks ? malloc((n ? n : 1) * sizeof(double)) : NULL;

	for (size_t i = 0; rtt && i < n; i++)
		rtt[i] = ks_ticks_to_ns(rtt_ticks[i], run->hz);
	/* r owns raw from here on, whatever happens */
	if (ks_run_take_ticks(run, r, rtt ? raw : NULL, n, 1) < 0) {
		if (!rtt)
			free(raw);
		free(rtt);
		return -1;
	}
	/* adding a result may move r: it is not touched after this */
	struct ks_result *rr = ks_run_add_result(run, rtt_name, "ns", "%s", rtt_what);
	if (rr)
		ks_result_set_samples(rr, rtt, n);
	else
		free(rtt);
	return 0;
}
