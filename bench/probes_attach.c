/* SPDX-License-Identifier: MIT */
/*
 * `run --probes`: attach the in-kernel probes around one benchmark, filtered
 * to this process, and keep their histograms with the benchmark's first
 * result (they cover the whole benchmark: set-up, warm-up and measurement).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "probes_attach.h"

static const char *const wanted[] = { "exits", "uexits", "memlend", "irqfd", "hypercalls" };

int ks_probes_begin(const struct ks_run_opts *o, struct ks_attached_probes *ap)
{
	char why[256];

	memset(ap, 0, sizeof(*ap));
	ap->be = ks_probe_pick(o->probe_backend, why, sizeof(why));
	if (!ap->be) {
		snprintf(ap->note, sizeof(ap->note), "%s", why);
		return -1;
	}
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		struct ks_attached_probe *p = &ap->p[ap->n];
		memset(p, 0, sizeof(*p));
		if (ks_probe_discover(wanted[i], &p->plan) < 0 || !p->plan.available)
			continue;
		if (ap->be->start(&p->plan, getpid(), &p->state, why, sizeof(why)) < 0)
			continue;   /* e.g. not implemented by this backend yet */
		ap->n++;
	}
	return 0;
}

void ks_probes_end(struct ks_attached_probes *ap, struct ks_result *r)
{
	for (int i = 0; i < ap->n; i++) {
		struct ks_attached_probe *p = &ap->p[i];
		if (r && r->nprobes < (int)(sizeof(r->probes) / sizeof(r->probes[0]))) {
			struct ks_result_probe *rp = &r->probes[r->nprobes];
			memset(rp, 0, sizeof(*rp));
			if (ap->be->snapshot(p->state, &rp->snap) == 0) {
				snprintf(rp->probe, sizeof(rp->probe), "%s", p->plan.probe);
				snprintf(rp->backend, sizeof(rp->backend), "%s", ap->be->name);
				snprintf(rp->events, sizeof(rp->events), "%s -> %s", p->plan.start_event,
					 p->plan.end_event);
				r->nprobes++;
			}
		}
		ap->be->stop(p->state);
	}
	ap->n = 0;
}
