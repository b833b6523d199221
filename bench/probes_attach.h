/* SPDX-License-Identifier: MIT */
#ifndef KS_PROBES_ATTACH_H
#define KS_PROBES_ATTACH_H

#include "bench.h"

struct ks_attached_probe {
	struct ks_probe_plan plan;
	const struct ks_probe_backend *be;   /* tracefs when BPF could not start it */
	void *state;
};

struct ks_attached_probes {
	const struct ks_probe_backend *be;
	struct ks_attached_probe p[6];
	int n;
	char note[512];   /* why nothing could be attached, or why a probe fell back */
};

int ks_probes_begin(const struct ks_run_opts *o, struct ks_attached_probes *ap);
/* Snapshot every attached probe into `r` (may be NULL), then detach all. */
void ks_probes_end(struct ks_attached_probes *ap, struct ks_result *r);

#endif
