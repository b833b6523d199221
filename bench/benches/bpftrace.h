/* SPDX-License-Identifier: MIT */
/*
 * bpftrace as a yardstick for probe_overhead: find it, write the one-liner
 * equivalent to a kvmscope probe, run it as a child (an argv array, never a
 * shell) until its probes are attached, and stop it with SIGINT as a user
 * would. Nothing here pretends: no bpftrace, or no one-liner for a probe,
 * is reported with the reason.
 */
#ifndef KS_BPFTRACE_H
#define KS_BPFTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "probe.h"

#define KS_BPFTRACE_ENV "KVMSCOPE_BPFTRACE"   /* path to the bpftrace to use */

struct ks_bpftrace {
	pid_t pid;
	int fd;               /* read end of its stdout + stderr */
	char out[65536];      /* what it printed, from the start (the rest is drained) */
	size_t nout;
	bool notified;        /* it said all probes are attached (not only "Attaching N probes...") */
	double attach_s;      /* spawn -> attached */
};

/* $KVMSCOPE_BPFTRACE if set, else the first executable bpftrace in PATH. */
bool ks_bpftrace_find(char *path, size_t len, char *why, size_t wlen);

/* The bpftrace program equivalent to `plan` (exits, uexits) for process pid:
 * same start and end events, same pairing per thread, log2 histogram by
 * reason, plus the count @spans; bpftrace prints them at exit. false + why when none. */
bool ks_bpftrace_program(const struct ks_probe_plan *plan, pid_t pid, char *prog, size_t len,
			 char *why, size_t wlen);

/* Spawn `path -e prog` and wait (up to timeout_s) until its probes are
 * attached. 0, or -1 + err (it failed to start, or said why it exited). */
int ks_bpftrace_start(struct ks_bpftrace *bt, const char *path, const char *prog,
		      double timeout_s, char *err, size_t len);

/* SIGINT it (again every 2 s: bpftrace 0.17 can miss one), read what it
 * prints until it exits (SIGKILL after timeout_s),
 * reap it; *spans from its "@spans: N" line (0 if it saw none). 0, or -1 + err. */
int ks_bpftrace_stop(struct ks_bpftrace *bt, double timeout_s, uint64_t *spans, char *err,
		     size_t len);

#endif
