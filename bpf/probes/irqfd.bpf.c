/* SPDX-License-Identifier: MIT */
/*
 * irqfd: one injected interrupt's stages, in order, across two threads —
 *
 *   write   syscalls:sys_enter_write of 8 bytes (the eventfd write; optional)
 *   inject  kvm:kvm_msi_set_irq / kvm:kvm_set_irq (the plan's start event;
 *           irqfd_wakeup runs it in the writer's thread), or a kprobe
 *   wakeup  kvm:kvm_vcpu_wakeup (the plan's end event; a halted vCPU only)
 *   entry   kvm:kvm_entry: back in the guest (optional)
 *
 * The writer's thread and the vCPU thread differ, so stages are paired by
 * order, not by thread: one interrupt in flight at a time (as the irqfd
 * benchmarks do: the next write waits for the guest's handler), one vCPU.
 * Each field of the shared state has one writing side (the writer's thread:
 * write/inject fields; the vCPU thread: wakeup/done fields), so no lock.
 *
 * Keys: KS_IRQFD_* (ks_probe_shared.h; "write->inject", ...). A stage pair whose end is
 * earlier than its start, or an injection when writes are seen but none is
 * pending, counts in `ooo` (out of order); a write that never got injected
 * and a wakeup with no interrupt in flight count as unpaired.
 */
#include "ks_probe.bpf.h"

struct irqfd_state {
	__u64 write_pending, ts_write, writes_seen;    /* writer side */
	__u64 seq_inject, ts_inject, ts_inject_write;  /* writer side */
	__u64 seq_wakeup, ts_wakeup, seq_done;         /* vCPU side */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irqfd_state);
} irqfd_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ooo SEC(".maps");

/* syscalls:sys_enter_write: common header, __syscall_nr, one u64 per arg */
struct ks_sys_enter_write {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__u64 fd;
	__u64 buf;
	__u64 count;
};

static __always_inline struct irqfd_state *irqfd_get(__u64 *id)
{
	__u32 zero = 0;

	*id = bpf_get_current_pid_tgid();
	if (!ks_wanted(*id))
		return NULL;
	return bpf_map_lookup_elem(&irqfd_state, &zero);
}

static __always_inline void irqfd_ooo(void)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&ooo, &zero);

	if (c)
		(*c)++;
}

static __always_inline void irqfd_pair(__u64 key, __u64 from, __u64 to, __u64 id)
{
	if (to < from) {
		irqfd_ooo();
		return;
	}
	ks_record(key, from, to - from, id);
}

static __always_inline void on_write(void)
{
	__u64 id;
	struct irqfd_state *s = irqfd_get(&id);

	if (!s)
		return;
	ks_count(KS_BPF_EVENTS);
	if (s->write_pending)
		ks_count(KS_BPF_OPEN_REPLACED);   /* the previous write was never injected */
	s->ts_write = bpf_ktime_get_ns();
	s->write_pending = 1;
	s->writes_seen = 1;
}

/*
 * The write stage stays the classic per-syscall tracepoint in every flavor
 * (the loader takes mark_X__btf/__raw as the flavor's): raw sys_enter would
 * run this program on every syscall of every process, sys_enter_write
 * checks the syscall number in the kernel first and runs it on writes only.
 */
#define WRITE_MARK(name)                                                                 \
	SEC("tracepoint/syscalls/sys_enter_write")                                        \
	int name(struct ks_sys_enter_write *ctx)                                          \
	{                                                                                  \
		if (ctx->count == 8)                                                       \
			on_write();                                                        \
		return 0;                                                                  \
	}
WRITE_MARK(mark_sys_enter_write)
WRITE_MARK(mark_sys_enter_write__btf)
WRITE_MARK(mark_sys_enter_write__raw)

static __always_inline void on_inject(void)
{
	__u64 id, now = bpf_ktime_get_ns();
	struct irqfd_state *s = irqfd_get(&id);

	if (!s)
		return;
	ks_count(KS_BPF_EVENTS);
	__u64 seq = *(volatile __u64 *)&s->seq_inject;
	if (seq != *(volatile __u64 *)&s->seq_done) {
		if (!s->write_pending)
			return;   /* one in flight already: a second event of the same injection */
		/* a new write since: the one in flight was done without an entry
		 * event (kvm_pvm has no kvm_entry) */
		s->seq_done = seq;
	}
	__u64 tw = 0;
	if (s->write_pending) {
		tw = s->ts_write;
		s->write_pending = 0;
		irqfd_pair(KS_IRQFD_WRITE_INJECT, tw, now, id);
	} else if (s->writes_seen) {
		irqfd_ooo();   /* injected, but its write was not seen first */
	}
	s->ts_inject = now;
	s->ts_inject_write = tw;
	__sync_fetch_and_add(&s->seq_inject, 1);   /* publishes the stamps above */
}

KS_KVM_EVENT(start, kvm_msi_set_irq, on_inject())
KS_KVM_EVENT(start, kvm_set_irq, on_inject())

SEC("kprobe")
int start_kprobe(void *ctx)
{
	on_inject();
	return 0;
}

static __always_inline void on_wakeup(void)
{
	__u64 id, now = bpf_ktime_get_ns();
	struct irqfd_state *s = irqfd_get(&id);

	if (!s)
		return;
	ks_count(KS_BPF_EVENTS);
	__u64 seq = *(volatile __u64 *)&s->seq_inject;
	if (seq == s->seq_done) {
		ks_count(KS_BPF_END_UNMATCHED);   /* woken, but no interrupt in flight */
		return;
	}
	if (s->seq_wakeup == seq)
		return;   /* woken again before entering: the first one counts */
	irqfd_pair(KS_IRQFD_INJECT_WAKEUP, s->ts_inject, now, id);
	s->ts_wakeup = now;
	s->seq_wakeup = seq;
}

KS_KVM_EVENT(end, kvm_vcpu_wakeup, on_wakeup())

static __always_inline void on_entry(void)
{
	__u64 id;
	struct irqfd_state *s = irqfd_get(&id);

	if (!s)
		return;
	__u64 seq = *(volatile __u64 *)&s->seq_inject;
	if (seq == s->seq_done)
		return;   /* an entry with no interrupt in flight: not ours */
	/* the clock only for an entry that ends something: every exit's entry
	 * passes here, and reading it is not free */
	__u64 now = bpf_ktime_get_ns();
	ks_count(KS_BPF_EVENTS);
	if (s->seq_wakeup == seq)
		irqfd_pair(KS_IRQFD_WAKEUP_ENTRY, s->ts_wakeup, now, id);
	else
		irqfd_pair(KS_IRQFD_INJECT_ENTRY, s->ts_inject, now, id);
	if (s->ts_inject_write)
		irqfd_pair(KS_IRQFD_WRITE_ENTRY, s->ts_inject_write, now, id);
	s->seq_done = seq;
}

KS_KVM_EVENT(mark, kvm_entry, on_entry())
