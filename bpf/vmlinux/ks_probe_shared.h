/* SPDX-License-Identifier: MIT */
/*
 * The layout shared by the BPF programs (the .bpf.c files) and their loader
 * (bpf/probe_bpf.c): map values, counters and ring-buffer samples. Plain
 * fixed-size types only, so both sides agree byte for byte.
 */
#ifndef KS_PROBE_SHARED_H
#define KS_PROBE_SHARED_H

#define KS_BPF_HIST_SLOTS 64        /* slot i: [2^i, 2^(i+1)) ns; slot 0 also holds 0 */

/* Value of the per-CPU `stats` map (key: __u64 reason, probe-specific). */
struct ks_bpf_stats {
	__u64 count, sum, min, max;  /* min is meaningful only when count > 0 */
	__u64 hist[KS_BPF_HIST_SLOTS];
};

/* Per-thread open span (`starts` map, key: __u32 thread id). */
struct ks_bpf_start {
	__u64 ts;
	__u64 key;
};

/* One exact span on the optional ring buffer (`samples`). */
struct ks_bpf_sample {
	__u64 start_ns;   /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 dur_ns;
	__u64 key;
	__u32 tid;
	__u32 tgid;
};

/* Indices of the per-CPU `counters` array. */
enum ks_bpf_counter {
	KS_BPF_EVENTS = 0,      /* start and end events that passed the filters */
	KS_BPF_SPANS,           /* spans recorded */
	KS_BPF_OPEN_REPLACED,   /* a start event found its thread's span still open */
	KS_BPF_END_UNMATCHED,   /* an end event with no open span on its thread */
	KS_BPF_LOST_START,      /* `starts` full: span dropped */
	KS_BPF_LOST_STATS,      /* `stats` full: span dropped */
	KS_BPF_LOST_SAMPLE,     /* ring buffer full: sample dropped (stats still kept) */
	KS_BPF_NCOUNTERS
};

/* uexits keys: KVM_EXIT_* reason, or KS_UEXIT_ERRNO | -errno when KVM_RUN failed. */
#define KS_UEXIT_ERRNO (1ULL << 32)

/* exits keys: x86 (isa << 32) | exit_reason (isa 1 = VMX, 2 = SVM);
 * arm64 KS_EXIT_ARM64 | (ret << 8) | esr_ec; KS_EXIT_UNKNOWN when the event
 * has neither; | KS_EXIT_USER when the exit went to userspace before the
 * next entry (kvm_userspace_exit in between). */
#define KS_EXIT_ARM64   (1ULL << 48)
#define KS_EXIT_UNKNOWN (1ULL << 61)
#define KS_EXIT_USER    (1ULL << 62)

/* memlend: "fault", | KS_EXIT_USER when the fault went out to the VMM. */
#define KS_MEMLEND_FAULT 0ULL

#endif
