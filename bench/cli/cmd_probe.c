/* SPDX-License-Identifier: MIT */
/*
 * kvmscope probe: watch a live system.
 *   kvmscope probe --list                      what each probe would use here, or why not
 *   kvmscope probe NAME [-p PID] [-i S] [-d S] [--backend auto|bpf|tracefs]
 * Every interval prints bpftrace-style histograms and a per-key table;
 * Ctrl-C (or the duration) prints the final picture, detaches everything
 * and restores the tracefs state the backend changed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "doc.h"
#include "fault_inject.h"
#include "probe.h"
#include "run_args.h"

static volatile sig_atomic_t stop_probe;

static void on_signal(int sig)
{
	(void)sig;
	stop_probe = 1;
}

static int list_probes(void)
{
	ks_host_facts_for_discovery();
	char why[256];

	for (int i = 0; ks_probe_names[i]; i++) {
		struct ks_probe_plan p;
		memset(&p, 0, sizeof(p));
		ks_probe_discover(ks_probe_names[i], &p);
		printf("%-11s %s\n", ks_probe_names[i], p.available ? "available" : "unavailable");
		if (p.start_event[0])
			printf("            from %s\n", p.start_event);
		if (p.end_event[0])
			printf("            to   %s\n", p.end_event);
		if (p.why[0])
			printf("            %s\n", p.why);
		if (p.proven[0])
			printf("            attached here as: %s\n", p.proven);
	}
	printf("\nbackends:\n");
	why[0] = 0;
	printf("  bpf      %s%s\n", ks_probe_bpf.usable(why, sizeof(why)) ? "usable" : "unusable: ",
	       why);
	why[0] = 0;
	printf("  tracefs  %s%s\n",
	       ks_probe_tracefs.usable(why, sizeof(why)) ? "usable" : "unusable: ", why);
	return KS_EXIT_OK;
}

int ks_cmd_probe(int argc, char **argv)
{
	const char *name = NULL;
	uint64_t pid = 0;
	double interval = 1, duration = 0;
	enum ks_probe_backend_kind kind = KS_PB_AUTO;
	char why[512];

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			ks_doc_print_help(stdout, ks_doc_find("probe"));
			return KS_EXIT_OK;
		} else if (!strcmp(a, "--list") || !strcmp(a, "-l")) {
			return list_probes();
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pid")) {
			if (ks_parse_u64(v, 1, 4194304, &pid)) {
				fprintf(stderr, "kvmscope probe: %s needs a process id, got '%s'\n", a,
					v ? v : "");
				return KS_EXIT_USAGE;
			}
			i++;
		} else if (!strcmp(a, "-i") || !strcmp(a, "--interval")) {
			if (ks_parse_seconds(v, 0.1, 86400, &interval)) {
				fprintf(stderr, "kvmscope probe: %s needs seconds (0.1..86400), got '%s'\n",
					a, v ? v : "");
				return KS_EXIT_USAGE;
			}
			i++;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--duration")) {
			if (ks_parse_seconds(v, 0.1, 31536000, &duration)) {
				fprintf(stderr, "kvmscope probe: %s needs seconds, got '%s'\n", a,
					v ? v : "");
				return KS_EXIT_USAGE;
			}
			i++;
		} else if (!strcmp(a, "-b") || !strcmp(a, "--backend")) {
			if (v && !strcmp(v, "bpf"))
				kind = KS_PB_BPF;
			else if (v && !strcmp(v, "tracefs"))
				kind = KS_PB_TRACEFS;
			else if (v && !strcmp(v, "auto"))
				kind = KS_PB_AUTO;
			else {
				fprintf(stderr, "kvmscope probe: %s takes auto, bpf or tracefs, got '%s'\n",
					a, v ? v : "");
				return KS_EXIT_USAGE;
			}
			i++;
		} else if (a[0] == '-') {
			fprintf(stderr, "kvmscope probe: unknown option '%s' (see kvmscope probe "
				"--help)\n", a);
			return KS_EXIT_USAGE;
		} else if (!name) {
			name = a;
		} else {
			fprintf(stderr, "kvmscope probe: one probe at a time ('%s' and '%s')\n", name, a);
			return KS_EXIT_USAGE;
		}
	}
	if (!name) {
		fprintf(stderr, "kvmscope probe: which probe? (kvmscope probe --list; "
			"kvmscope probe --help)\n");
		return KS_EXIT_USAGE;
	}
	bool known = false;
	for (int i = 0; ks_probe_names[i]; i++)
		known |= !strcmp(ks_probe_names[i], name);
	if (!known) {
		fprintf(stderr, "kvmscope probe: unknown probe '%s' (see kvmscope probe --list)\n", name);
		return KS_EXIT_USAGE;
	}

	/* From here on a signal only asks for the final picture: discovery may
	 * mount tracefs, start attaches programs, and both must be undone. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* the backend first: an unprivileged user learns which privilege is missing */
	const struct ks_probe_backend *be = ks_probe_pick(kind, why, sizeof(why));
	if (!be) {
		fprintf(stderr, "kvmscope probe: %s\n", why);
		return KS_EXIT_SKIP;   /* no usable backend here */
	}
	if (kind == KS_PB_AUTO && be != &ks_probe_bpf) {
		/* auto prefers BPF: say why it is not used */
		char w[512] = "";
		ks_probe_bpf.usable(w, sizeof(w));
		fprintf(stderr, "kvmscope probe: not using BPF: %s\n", w);
	}
	struct ks_probe_plan plan;
	memset(&plan, 0, sizeof(plan));
	ks_host_facts_for_discovery();
	ks_probe_discover(name, &plan);
	if (!plan.available) {
		fprintf(stderr, "kvmscope probe: %s is unavailable here: %s\n", name, plan.why);
		return KS_EXIT_SKIP;
	}

	void *st = NULL;
	if (be->start(&plan, (pid_t)pid, &st, why, sizeof(why)) < 0) {
		fprintf(stderr, "kvmscope probe: starting %s with the %s backend: %s\n", name, be->name,
			why);
		/* auto prefers BPF; when BPF cannot start, tracefs may still work */
		char why2[512];
		if (kind != KS_PB_AUTO || be == &ks_probe_tracefs ||
		    !ks_probe_tracefs.usable(why2, sizeof(why2))) {
			return KS_EXIT_FAIL;
		}
		be = &ks_probe_tracefs;
		fprintf(stderr, "kvmscope probe: falling back to the tracefs backend\n");
		if (be->start(&plan, (pid_t)pid, &st, why2, sizeof(why2)) < 0) {
			fprintf(stderr, "kvmscope probe: starting %s with the tracefs backend: %s\n",
				name, why2);
			return KS_EXIT_FAIL;
		}
	}
	fprintf(stderr, "kvmscope probe: %s via %s (%s -> %s)%s; Ctrl-C to stop\n", name, be->name,
		plan.start_event, plan.end_event, pid ? ", one process" : "");
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = KS_EXIT_OK;
	for (;;) {
		struct timespec req = { (time_t)interval,
					(long)((interval - (double)(time_t)interval) * 1e9) };
		if (!stop_probe)
			nanosleep(&req, NULL);   /* a signal cuts it short */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double el = (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
		ks_fault_point("probe_loop");   /* test hook: a signal while running */
		bool last = stop_probe || (duration > 0 && el >= duration);
		struct ks_probe_snapshot snap;
		memset(&snap, 0, sizeof(snap));
		if (be->snapshot(st, &snap) < 0) {
			fprintf(stderr, "kvmscope probe: reading the %s probe failed\n", name);
			rc = KS_EXIT_FAIL;
			break;
		}
		char title[96];
		snprintf(title, sizeof(title), "%s %s at %.1f s:", last ? "final" : "interval", name,
			 el);
		ks_probe_print(stdout, &snap, title);
		fflush(stdout);
		ks_probe_snapshot_free(&snap);
		if (last)
			break;
	}
	be->stop(st);
	return rc;
}
