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

int ks_probes_begin(const struct ks_run_opts *o, struct ks_attached_probes *ap)
{
	char why[256];

	memset(ap, 0, sizeof(*ap));
	ap->be = ks_probe_pick(o->probe_backend, why, sizeof(why));
	if (!ap->be) {
		snprintf(ap->note, sizeof(ap->note), "%s", why);
		return -1;
	}
	/* every probe (bpf/probes/probes.def); interrupted: attach no more (each
	 * tracefs instance takes time to build) */
	for (int i = 0; ks_probe_names[i] && !ks_interrupted; i++) {
		if (ap->n >= (int)(sizeof(ap->p) / sizeof(ap->p[0])))
			break;
		struct ks_attached_probe *p = &ap->p[ap->n];
		memset(p, 0, sizeof(*p));
		if (ks_probe_discover(ks_probe_names[i], &p->plan) < 0 || !p->plan.available)
			continue;
		p->be = ap->be;
		if (p->be->start(&p->plan, getpid(), &p->state, why, sizeof(why)) < 0) {
			/* auto prefers BPF; a probe BPF could not load may still run on
			 * tracefs (a kernel that refuses the program, a test hook) */
			char why2[256];
			if (o->probe_backend != KS_PB_AUTO || p->be != &ks_probe_bpf ||
			    !ks_probe_tracefs.usable(why2, sizeof(why2)))
				continue;   /* e.g. not implemented by this backend yet */
			p->be = &ks_probe_tracefs;
			if (p->be->start(&p->plan, getpid(), &p->state, why2, sizeof(why2)) < 0)
				continue;
			if (!ap->note[0])
				snprintf(ap->note, sizeof(ap->note), "%s: bpf failed (%.300s); "
					 "fell back to tracefs", p->plan.probe, why);
		}
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
			if (p->be->snapshot(p->state, &rp->snap) == 0) {
				snprintf(rp->probe, sizeof(rp->probe), "%s", p->plan.probe);
				snprintf(rp->backend, sizeof(rp->backend), "%s", p->be->name);
				char how[sizeof(rp->snap.attach)];
				snprintf(how, sizeof(how), "%s", rp->snap.attach);
				snprintf(rp->events, sizeof(rp->events), "%s -> %s (%s %s)",
					 p->plan.start_event, p->plan.end_event, p->be->name, how);
				r->nprobes++;
			}
		}
		p->be->stop(p->state);
	}
	ap->n = 0;
}
