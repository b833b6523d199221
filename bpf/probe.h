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
 *
 * Each probe is one descriptor (bpf/probes/X.c, see probe_desc.h) listed in
 * bpf/probes/probes.def; this header is the interface the rest of kvmscope
 * uses, and names no probe.
 */
#ifndef KS_PROBE_H
#define KS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ks_probe_shared.h"   /* key encodings and the KVM facts they are made of */

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
	uint64_t open;          /* spans open right now (a start whose end has not come) */
	uint64_t out_of_order;  /* irqfd: a stage seen before the one it follows */
	char attach[24];        /* how the backend attached: "tp_btf", "raw_tp",
				 * "tracepoint", "fentry", "kprobe" (BPF), "ftrace
				 * instance" (tracefs) */
};

void ks_probe_snapshot_free(struct ks_probe_snapshot *s);
/* Add one span to the snapshot's key (creating it): used by userspace pairing. */
int ks_probe_snapshot_add(struct ks_probe_snapshot *s, const char *key, uint64_t ns);

enum ks_probe_backend_kind { KS_PB_AUTO = 0, KS_PB_BPF, KS_PB_TRACEFS };

/* What a probe would use on this kernel, from discovery. */
struct ks_probe_plan {
	const char *probe;        /* "uexits" */
	bool available;           /* on this system: a backend attached it when discovery tried */
	char start_event[96];     /* e.g. "tracepoint:kvm:kvm_userspace_exit" */
	char end_event[96];       /* e.g. "tracepoint:syscalls:sys_enter_ioctl" */
	char why[512];            /* why unavailable, or notes (e.g. "kvm_exit exists but never fires under PVM") */
	char proven[64];          /* how discovery's trial attached it: "bpf tp_btf", "tracefs
				   * ftrace instance"; "" when not tried */
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

/* "exits", "uexits", ... NULL-terminated: bpf/probes/probes.def, in its order */
extern const char *const ks_probe_names[];

/* Exact samples from the BPF backend (off by default): one per span, from a
 * ring buffer, next to the in-kernel histograms (which never miss one). */
struct ks_probe_sample {
	const char *key;          /* as in the snapshot, e.g. "KVM_EXIT_IO" */
	uint64_t start_ns;        /* CLOCK_MONOTONIC */
	uint64_t dur_ns;
	uint32_t tid, tgid;
};
/* A negative return stops the draining (and is returned). */
typedef int (*ks_probe_sample_fn)(void *ctx, const struct ks_probe_sample *s);
/* For the following starts: a sample ring of `bytes` (a power of two >= 4096), 0 = off. */
void ks_probe_bpf_set_samples(size_t bytes);
/* Deliver the samples so far, waiting up to timeout_ms (0: don't wait) for the first.
 * Returns how many, or -errno (-ENOENT: samples were off at start). A sample
 * that found the ring full is counted in the snapshot's `lost`. */
int ks_probe_bpf_poll_samples(void *state, ks_probe_sample_fn fn, void *ctx, int timeout_ms);

/* Discovery (bpf/discover.c): fill the plan for `probe` on this kernel, with the
 * host facts given to ks_probe_set_host() (none: detected). */
int ks_probe_discover(const char *probe, struct ks_probe_plan *plan);

/* Histograms and tables (bpf/hist.c), bpftrace style. */
void ks_probe_print(FILE *f, const struct ks_probe_snapshot *s, const char *title);
/* Approximate quantile from a key's log2 histogram (upper bucket bound, clamped to max). */
uint64_t ks_probe_quantile(const struct ks_probe_key_stats *k, double q);

/*
 * Discovery's input: the host facts (bpf/discover.c).
 */
/* The KVM backend (it decides which events fire). Results files and
 * `kvmscope info` name it otherwise: bench/host_facts_discovery.h maps the
 * host facts' backend onto this. */
enum ks_kvm_backend {
	KS_KVM_DETECT = 0, /* not given: discovery detects it (its fallback detector) */
	KS_KVM_NONE,       /* KVM not loaded */
	KS_KVM_VMX,        /* kvm_intel */
	KS_KVM_SVM,        /* kvm_amd */
	KS_KVM_PVM,        /* kvm_pvm alone: kvm_exit/kvm_entry exist but never fire */
	KS_KVM_X86,        /* x86 kvm_exit format, vendor module not visible */
	KS_KVM_ARM64,      /* native arm64 KVM (VHE/nVHE/pKVM) */
	KS_KVM_GUNYAH,     /* the KVM-on-Gunyah port: no kvm_exit/kvm_entry */
	KS_KVM_UNKNOWN,
};
const char *ks_kvm_backend_name(enum ks_kvm_backend be);

enum ks_host_btf {
	KS_BTF_LOOK = 0,   /* not given: read <root>/sys/kernel/btf/vmlinux when needed */
	KS_BTF_PRESENT,    /* /sys/kernel/btf/vmlinux exists (its content is still read) */
	KS_BTF_ABSENT,     /* no kernel BTF: no fentry/fexit plans, the BPF backend says so */
};

/*
 * What discovery takes as given about the host, instead of finding it out
 * itself. A zeroed struct (or a NULL pointer) gives nothing: every field
 * is then found by discovery's own fallback detector, as fixture tests and
 * callers that pass nothing want. The host-facts module fills it once and
 * hands it to ks_probe_set_host() (or to each ks_probe_discover_host()).
 */
struct ks_probe_host {
	enum ks_kvm_backend backend;   /* KS_KVM_DETECT: from <root>'s DT, /sys/module and kvm events */
	const char *tracefs;           /* the tracing directory (has events/); NULL: located (and
					* mounted for the time of discovery if nobody has) with
					* ks_tracefs_acquire(), or <root>/sys/kernel/tracing with a root */
	enum ks_host_btf btf;
	const char *root;              /* prefix of every kernel file read (fixtures: <root>/sys/...,
					* <root>/proc/device-tree); NULL or "": this system */
	bool untried;                  /* this system: don't prove a plan by attaching it (a
					* backend's start + stop, once per process); "available"
					* then only means the kernel's files allow it */
	bool functions;                /* plan exits/hypercalls from the backend's own exit
					* handler functions (fentry/fexit) even where their
					* tracepoints fire: to validate those plans against the
					* tracepoints on the same run */
};

/* For ks_probe_discover() and the backends from now on (copied; NULL: back to
 * detecting everything). Not thread-safe against concurrent discovery. */
void ks_probe_set_host(const struct ks_probe_host *h);
/* Discovery with these facts (NULL: those set with ks_probe_set_host(), else none).
 * Returns 0, or -errno (tracefs unusable: plan->why says why; unknown probe: -EINVAL). */
int ks_probe_discover_host(const struct ks_probe_host *h, const char *probe,
			   struct ks_probe_plan *plan);
/* The backend as given by ks_probe_set_host(), else detected on this system now. */
enum ks_kvm_backend ks_probe_host_backend(void);
/*
 * ks_probe_discover() against another root (test fixtures: <root>/sys/kernel/tracing,
 * <root>/sys/module, <root>/proc/device-tree, <root>/sys/kernel/btf), never mounting,
 * with nothing else given; root NULL or "" is this system. `backend` (may be NULL)
 * receives what was detected. Returns as ks_probe_discover_host().
 */
int ks_probe_discover_at(const char *root, const char *probe, struct ks_probe_plan *plan,
			 enum ks_kvm_backend *backend);

/*
 * Where tracefs is: the one place that looks. A mounted tracefs from /proc/mounts
 * (or tracing/ under a mounted debugfs) whose events/ we can see: 0 and its
 * directory; one mounted we cannot use: -EACCES and where; none: -ENOENT. Never mounts,
 * and never names another kvmscope's private mount (kvmscope-tracefs.*).
 */
int ks_tracefs_locate(char *dir, size_t len);
/* The same against another root (<root>/proc/mounts, <root><mount>/events: the
 * host facts' fixtures); dir is the mount point as the mount table says it. */
int ks_tracefs_locate_at(const char *root, char *dir, size_t len);
/*
 * The tracefs mount, shared and counted within this process: one of kvmscope's own
 * that no other process sees (a detached mount reached through /proc/self/fd/N)
 * where it may mount, else ks_tracefs_locate()'s, else (no fsmount in this kernel)
 * a mount on a private directory kvmscope-tracefs.XXXXXX under /run, which
 * ks_tracefs_locate() skips. The last release drops what acquire mounted. dir
 * receives the tracing directory (only meaningful inside this process).
 */
int ks_tracefs_acquire(char *dir, size_t len, char *err, size_t errlen);
void ks_tracefs_release(void);
bool ks_tracefs_mounted_by_us(void);

/* Key names both backends use (bpf/keys.c); KS_KVM_RUN, KS_X86_ISA_*: ks_probe_shared.h */
/* "KVM_EXIT_IO"; err < 0 (KVM_RUN failed): "KVM_RUN -EINTR" / "KVM_RUN error -N" */
void ks_kvm_uexit_key(char *buf, size_t len, uint32_t reason, int err);
/* VMX: "IO_INSTRUCTION" (basic reason, " FAILED_VMENTRY" if bit 31); SVM: "io", "npf" */
void ks_x86_exit_key(char *buf, size_t len, uint32_t isa, uint32_t exit_reason);
/* arm64 kvm_exit(ret, esr_ec): traps by exception class ("HVC64", "DABT_LOW", "WFx"),
 * else "IRQ", "SERROR", "ILLEGAL" */
void ks_arm64_exit_key(char *buf, size_t len, int32_t ret, uint32_t esr_ec);

#endif
