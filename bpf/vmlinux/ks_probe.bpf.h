/* SPDX-License-Identifier: MIT */
/*
 * What every kvmscope BPF program shares: CO-RE flavors of the tracepoint
 * context structs it reads (matched by name, minus the ___ks suffix, against
 * the running kernel's BTF: vmlinux or the kvm module), the maps, and span
 * pairing + in-kernel aggregation.
 *
 * A span opens on a start event and closes on the next end event of the
 * same thread; its duration goes into the per-CPU `stats` map under the
 * key the start event chose: count, sum, min, max and a log2 histogram.
 * Only the loader sums the CPUs, so the hot path takes no lock and no atomic.
 */
#ifndef KS_PROBE_BPF_H
#define KS_PROBE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "ks_probe_shared.h"

/* ---- tracepoint contexts (CO-RE: only the fields used are relocated) ---- */

/* kvm:kvm_userspace_exit (virt/kvm, every arch). */
struct trace_event_raw_kvm_userspace_exit___ks {
	struct trace_entry ent;
	__u32 reason;
	int errno;
} __attribute__((preserve_access_index));

/* kvm:kvm_exit: x86 (exit_reason, isa, ...) or arm64 (ret, esr_ec, vcpu_pc). */
struct trace_event_raw_kvm_exit___ks {
	struct trace_entry ent;
	unsigned int exit_reason;   /* x86 */
	unsigned long guest_rip;    /* x86 */
	__u32 isa;                  /* x86: 1 VMX, 2 SVM */
	int ret;                    /* arm64: ARM_EXCEPTION_* */
	unsigned int esr_ec;        /* arm64 */
	unsigned long vcpu_pc;      /* arm64 */
} __attribute__((preserve_access_index));

/* syscalls:sys_enter_ioctl: the syscall tracepoints' fixed ABI (no BTF type
 * exists for them): common header, __syscall_nr, then one u64 slot per arg. */
struct ks_sys_enter_ioctl {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__u64 fd;
	__u64 cmd;
	__u64 arg;
};

/* raw_syscalls:sys_enter */
struct ks_raw_sys_enter {
	__u64 common;
	__s64 id;
	__u64 args[6];
};

/* ---- knobs, set by the loader before load (.rodata) ---- */
const volatile __u32 targ_tgid = 0;     /* 0: every process */
const volatile bool samples_on = false; /* emit each span on `samples` */

/* ---- maps ---- */
/* Preallocated (tracing programs want that): starts ~1 MiB; stats 512 keys x
 * 544 B per possible CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);   /* threads with an open span */
	__type(key, __u32);
	__type(value, struct ks_bpf_start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 512);     /* keys: exit reasons (x2 for +user) */
	__type(key, __u64);
	__type(value, struct ks_bpf_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KS_BPF_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);   /* the loader enlarges it when samples are on */
} samples SEC(".maps");

/* A zeroed value to create `stats` entries from (too big for the stack). */
struct ks_bpf_stats ks_zero_stats = {};

static __always_inline void ks_count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		(*c)++;
}

/* floor(log2(v)), 0 for v < 2: matches the userspace slot_of(). */
static __always_inline __u32 ks_log2(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xFFFFFFFFULL) << 5; v >>= s; r |= s;
	s = (v > 0xFFFF) << 4; v >>= s; r |= s;
	s = (v > 0xFF) << 3; v >>= s; r |= s;
	s = (v > 0xF) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (__u32)(v >> 1);
	return r;
}

static __always_inline bool ks_wanted(__u64 pid_tgid)
{
	return !targ_tgid || (__u32)(pid_tgid >> 32) == targ_tgid;
}

static __always_inline void ks_record(__u64 key, __u64 start, __u64 dur, __u64 pid_tgid)
{
	struct ks_bpf_stats *s = bpf_map_lookup_elem(&stats, &key);

	if (!s) {
		bpf_map_update_elem(&stats, &key, &ks_zero_stats, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&stats, &key);
		if (!s) {
			ks_count(KS_BPF_LOST_STATS);
			return;
		}
	}
	if (!s->count || dur < s->min)
		s->min = dur;
	if (dur > s->max)
		s->max = dur;
	s->count++;
	s->sum += dur;
	__u32 slot = ks_log2(dur);
	/* Keep clang from folding the mask into ks_log2's ORs: older verifiers
	 * (6.1) lose the bound through them. */
	asm volatile("" : "+r"(slot));
	s->hist[slot & (KS_BPF_HIST_SLOTS - 1)]++;
	ks_count(KS_BPF_SPANS);

	if (samples_on) {
		struct ks_bpf_sample *e = bpf_ringbuf_reserve(&samples, sizeof(*e), 0);

		if (!e) {
			ks_count(KS_BPF_LOST_SAMPLE);
			return;
		}
		e->start_ns = start;
		e->dur_ns = dur;
		e->key = key;
		e->tid = (__u32)pid_tgid;
		e->tgid = (__u32)(pid_tgid >> 32);
		bpf_ringbuf_submit(e, 0);
	}
}

/* Open a span on this thread under `key` (a still-open one is replaced). */
static __always_inline void ks_span_start(__u64 key)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (!ks_wanted(id))
		return;
	ks_count(KS_BPF_EVENTS);
	struct ks_bpf_start *st = bpf_map_lookup_elem(&starts, &tid);
	if (st) {
		ks_count(KS_BPF_OPEN_REPLACED);
		st->key = key;
		st->ts = bpf_ktime_get_ns();
		return;
	}
	struct ks_bpf_start n = { .key = key, .ts = bpf_ktime_get_ns() };
	if (bpf_map_update_elem(&starts, &tid, &n, BPF_NOEXIST))
		ks_count(KS_BPF_LOST_START);
}

/* OR `flag` into this thread's open span's key, if it has one. */
static __always_inline void ks_span_mark(__u64 flag)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (!ks_wanted(id))
		return;
	struct ks_bpf_start *st = bpf_map_lookup_elem(&starts, &tid);
	if (st)
		st->key |= flag;
}

/* Close this thread's open span, if any. `strict`: an end event is expected
 * to have a start (uexits, exits), so one without counts as unpaired; else
 * (memlend: most kvm_entry events follow no fault) it is not even an event. */
static __always_inline void ks_span_end(bool strict)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (!ks_wanted(id))
		return;
	struct ks_bpf_start *st = bpf_map_lookup_elem(&starts, &tid);
	if (!st) {
		if (strict) {
			ks_count(KS_BPF_EVENTS);
			ks_count(KS_BPF_END_UNMATCHED);
		}
		return;
	}
	ks_count(KS_BPF_EVENTS);
	__u64 ts = st->ts, key = st->key;
	bpf_map_delete_elem(&starts, &tid);
	ks_record(key, ts, now > ts ? now - ts : 0, id);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#endif
