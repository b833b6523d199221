/* SPDX-License-Identifier: MIT */
/* Choosing a probe backend: BPF when it can run, else tracefs. */
#include <stdio.h>

#include "probe.h"

const struct ks_probe_backend *ks_probe_pick(enum ks_probe_backend_kind want, char *why,
					     size_t len)
{
	char w1[256] = "", w2[256] = "";

	if (want != KS_PB_TRACEFS && ks_probe_bpf.usable(w1, sizeof(w1)))
		return &ks_probe_bpf;
	if (want == KS_PB_BPF) {
		snprintf(why, len, "the BPF backend cannot run here: %s", w1);
		return NULL;
	}
	if (ks_probe_tracefs.usable(w2, sizeof(w2)))
		return &ks_probe_tracefs;
	if (want == KS_PB_TRACEFS)
		snprintf(why, len, "the tracefs backend cannot run here: %s", w2);
	else
		snprintf(why, len, "no probe backend can run here: bpf: %s; tracefs: %s", w1, w2);
	return NULL;
}
