/* SPDX-License-Identifier: MIT */
/*
 * `run --soak N`: the selected suite N times over, probes attached, to show
 * that kvmscope leaks nothing a long session would notice. Before the first
 * iteration and after each one it records what the process holds: open fds,
 * resident memory, BPF objects (bpf-prog/bpf-map/bpf_link/btf fds), perf
 * event fds and tracefs instances; and every benchmark's median per
 * iteration, to show that the numbers stay put as well.
 */
#ifndef KS_SOAK_H
#define KS_SOAK_H

#include <stddef.h>
#include <stdio.h>

#include "json_writer.h"

struct ks_results;

/* What the process holds at one moment. -1: could not be read here. */
struct ks_soak_sample {
	unsigned iteration;     /* 0: before the first iteration */
	double seconds;         /* since the soak started */
	long fds;               /* entries in /proc/self/fd */
	long rss_kib;           /* VmRSS */
	long bpf_progs, bpf_maps, bpf_links, btf;   /* by the fds' anon inode names */
	long perf_events;       /* perf_event fds (ours are opened per benchmark) */
	long tracefs_instances; /* directories in <tracefs>/instances, anyone's */
};

struct ks_soak_series {
	char name[64];
	char unit[16];
	double *medians;        /* one per iteration where it ran ok (NAN otherwise) */
};

struct ks_soak {
	unsigned iterations;    /* asked for */
	unsigned done;          /* completed */
	double t0;              /* CLOCK_MONOTONIC at the start */
	struct ks_soak_sample *samples;   /* done + 1 of them */
	size_t nsamples;
	struct ks_soak_series *series;
	size_t nseries;
};

int ks_soak_init(struct ks_soak *s, unsigned iterations);
void ks_soak_free(struct ks_soak *s);
/* Read what the process holds now into a new sample for `iteration`. */
int ks_soak_sample(struct ks_soak *s, unsigned iteration);
/* Keep this iteration's medians (every ok result with a summary). */
int ks_soak_add_medians(struct ks_soak *s, unsigned iteration, const struct ks_results *rs);
/* Fill one sample from /proc/self (exposed for the unit test). */
void ks_soak_read_self(struct ks_soak_sample *x);

void ks_soak_print(FILE *f, const struct ks_soak *s);
void ks_soak_write_json(jw_t *w, const struct ks_soak *s);

#endif
