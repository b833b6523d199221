/* SPDX-License-Identifier: MIT */
/*
 * In-kernel probes: where the time goes inside the host kernel.
 *
 * A probe (exits, uexits, hypercalls, irqfd, memlend) measures spans
 * between two kernel events on the same thread — e.g. uexits: from
 * kvm_userspace_exit to the vCPU thread's next KVM_RUN entry — keyed by a
 * reason (exit reason, hypercall number, stage), and aggregates them into
 * log2 histograms plus exact count/sum/min/max per key.
 *
 * Two backends implement the same probes: eBPF (CO-RE programs, histograms
 * in the kernel) and tracefs (raw events recorded and decoded with
 * libtraceevent, paired in userspace). Which events a probe uses is decided
 * at start by discovery — a kernel's events are never assumed — and every
 * backend leaves tracefs and BPF state as it found it when stopped.
 */
#ifndef KS_PROBE_H
#define KS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define KS_HIST_SLOTS 64   /* slot i: values in [2^i, 2^(i+1)) ns; slot 0 also holds 0 */
#define KS_PROBE_KEY_LEN 48

struct ks_probe_key_stats {
	char key[KS_PROBE_KEY_LEN];   /* e.g. "KVM_EXIT_IO", "hvc", "inject->wakeup" */
	uint64_t count, sum_ns, min_ns, max_ns;
	uint64_t hist[KS_HIST_SLOTS];
};

/* Cumulative since start: a backend fills it, the caller frees it. */
struct ks_probe_snapshot {
	struct ks_probe_key_stats *keys;
	size_t nkeys;
	uint64_t events;        /* raw events seen */
	uint64_t lost;          /* events the backend dropped (ring/buffer overruns) */
	uint64_t unpaired;      /* start events without an end (or the reverse) */
};

void ks_probe_snapshot_free(struct ks_probe_snapshot *s);
/* Add one span to the snapshot's key (creating it): used by userspace pairing. */
int ks_probe_snapshot_add(struct ks_probe_snapshot *s, const char *key, uint64_t ns);

enum ks_probe_backend_kind { KS_PB_AUTO = 0, KS_PB_BPF, KS_PB_TRACEFS };

/* What a probe would use on this kernel, from discovery. */
struct ks_probe_plan {
	const char *probe;        /* "uexits" */
	bool available;
	char start_event[96];     /* e.g. "tracepoint:kvm:kvm_userspace_exit" */
	char end_event[96];       /* e.g. "tracepoint:syscalls:sys_enter_ioctl" */
	char why[256];            /* why unavailable, or notes (e.g. "kvm_exit exists but never fires under PVM") */
};

/* One backend: the same five probes, same data model. */
struct ks_probe_backend {
	const char *name;          /* "bpf", "tracefs" */
	/* Can this backend run here at all? If not, why (missing BTF, no root, ...). */
	bool (*usable)(char *why, size_t len);
	/* Start `plan` for `pid` (0: all processes). */
	int (*start)(const struct ks_probe_plan *plan, pid_t pid, void **state, char *err,
		     size_t errlen);
	int (*snapshot)(void *state, struct ks_probe_snapshot *out);
	/* Detach everything and restore what start changed. Idempotent. */
	void (*stop)(void *state);
};

extern const struct ks_probe_backend ks_probe_bpf;      /* bpf/probe_bpf.c */
extern const struct ks_probe_backend ks_probe_tracefs;  /* bpf/probe_tracefs.c */

/* BPF when usable (unless tracefs is asked for), else tracefs; NULL + why. */
const struct ks_probe_backend *ks_probe_pick(enum ks_probe_backend_kind want, char *why,
					     size_t len);

extern const char *const ks_probe_names[];   /* "exits", "uexits", ... NULL-terminated */

/* Discovery (bpf/discover.c): fill the plan for `probe` on this kernel. */
int ks_probe_discover(const char *probe, struct ks_probe_plan *plan);

/* Histograms and tables (bpf/hist.c), bpftrace style. */
void ks_probe_print(FILE *f, const struct ks_probe_snapshot *s, const char *title);
/* Approximate quantile from a key's log2 histogram (upper bucket bound, clamped to max). */
uint64_t ks_probe_quantile(const struct ks_probe_key_stats *k, double q);

#endif
