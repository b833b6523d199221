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

/*
 * Where x86 KVM keeps an exit's reason and a hypercall's number, for the
 * handlers that see only the vCPU (raw kvm_exit, the exit handler
 * functions): what kvm_exit's record gets from the vendor module's
 * get_exit_info(), read directly. Each vendor's struct is in its module's
 * BTF only; a handler guards it with bpf_core_type_exists().
 */
struct kvm_vcpu_arch___ks {
	unsigned long regs[16];   /* VCPU_REGS_RAX = 0 */
	int last_vmentry_cpu;     /* -1 until the vCPU's first entry has run (5.11+) */
} __attribute__((preserve_access_index));

struct kvm_vcpu_stat___ks {
	__u64 fpu_reload;
} __attribute__((preserve_access_index));

struct kvm_vcpu___ks {
	struct kvm_vcpu_arch___ks arch;
	struct kvm_vcpu_stat___ks stat;
} __attribute__((preserve_access_index));

#if !defined(__TARGET_ARCH_arm64)
struct vmcb_control_area___ks {
	__u32 exit_code;   /* u32 (+ exit_code_hi) or u64: the low half either way */
} __attribute__((preserve_access_index));

struct vmcb___ks {
	struct vmcb_control_area___ks control;
} __attribute__((preserve_access_index));

struct vcpu_svm___ks {
	struct kvm_vcpu___ks vcpu;
	struct vmcb___ks *vmcb;
} __attribute__((preserve_access_index));

union vmx_exit_reason___ks {
	__u32 full;
} __attribute__((preserve_access_index));

struct vcpu_vmx___ks {
	struct kvm_vcpu___ks vcpu;
	union vmx_exit_reason___ks exit_reason;
} __attribute__((preserve_access_index));

/* kvm_pvm: its own exit reason (named exit_vector in the RFC series) */
struct vcpu_pvm___ks {
	struct kvm_vcpu___ks vcpu;
	__u32 exit_reason;
	__u32 exit_vector;
} __attribute__((preserve_access_index));

/* The exit's key as exits encodes it (ks_probe_shared.h): (isa << 32) | reason. */
static __always_inline __u64 ks_x86_exit_key(void *vcpu, __u32 isa)
{
	__u32 reason;

	if (isa == KS_X86_ISA_SVM && bpf_core_type_exists(struct vcpu_svm___ks)) {
		struct vcpu_svm___ks *svm =
			(void *)vcpu - bpf_core_field_offset(struct vcpu_svm___ks, vcpu);
		reason = BPF_CORE_READ(svm, vmcb, control.exit_code);
	} else if (isa == KS_X86_ISA_VMX && bpf_core_type_exists(struct vcpu_vmx___ks)) {
		struct vcpu_vmx___ks *vmx =
			(void *)vcpu - bpf_core_field_offset(struct vcpu_vmx___ks, vcpu);
		reason = BPF_CORE_READ(vmx, exit_reason.full);
	} else if (isa == KS_X86_ISA_PVM && bpf_core_type_exists(struct vcpu_pvm___ks)) {
		struct vcpu_pvm___ks *pvm =
			(void *)vcpu - bpf_core_field_offset(struct vcpu_pvm___ks, vcpu);
		if (bpf_core_field_exists(pvm->exit_reason))
			reason = BPF_CORE_READ(pvm, exit_reason);
		else if (bpf_core_field_exists(pvm->exit_vector))
			reason = BPF_CORE_READ(pvm, exit_vector);
		else
			return KS_EXIT_UNKNOWN;
	} else {
		return KS_EXIT_UNKNOWN;
	}
	return (__u64)isa << 32 | reason;
}

/*
 * How many times this vCPU's KVM_RUN has returned: x86 KVM counts them in
 * stat.fpu_reload (kvm_put_guest_fpu(), once at the end of every KVM_RUN).
 * Read with the vCPU at a span's start and end (ks_span_start_aux's aux0,
 * aux1), a change of either says the span went out to the VMM ("+user"; a
 * span the thread's next vCPU ended, after its VM went, too) — what the
 * classic handlers learn from a kvm_userspace_exit mark, without that third
 * tracepoint program per exit. A kernel without the field fails the raw
 * handlers' load (CO-RE), and the classic ones, with the mark, are used.
 */
static __always_inline __u64 ks_x86_runs_returned(void *vcpu, bool btf)
{
	if (btf)   /* tp_btf: vcpu is typed, the field is inside it: a direct load */
		return ((struct kvm_vcpu___ks *)vcpu)->stat.fpu_reload;
	return BPF_CORE_READ((struct kvm_vcpu___ks *)vcpu, stat.fpu_reload);
}

/*
 * The same, read at a span's end (kvm_entry), with one case a count cannot
 * tell: a vCPU freed and a new one allocated at the same address (the next
 * VM on the same thread) whose count equals the old one's at its exit (both
 * in their first KVM_RUN). x86 sets last_vmentry_cpu only after an entry
 * ran, after kvm_entry fired: -1 here is a vCPU's first entry ever, so the
 * span open on this thread belonged to an earlier vCPU and went out to the
 * VMM. ~0 then makes the end's value differ from any start's.
 */
static __always_inline __u64 ks_x86_runs_at_entry(void *vcpu, bool btf)
{
	struct kvm_vcpu___ks *v = vcpu;

	if (bpf_core_field_exists(v->arch.last_vmentry_cpu) &&
	    (btf ? v->arch.last_vmentry_cpu : BPF_CORE_READ(v, arch.last_vmentry_cpu)) == -1)
		return ~0ULL;
	return ks_x86_runs_returned(vcpu, btf);
}

/* A hypercall's number: the guest's rax, as KVM reads it. */
static __always_inline __u64 ks_x86_hc_nr(void *vcpu)
{
	return BPF_CORE_READ((struct kvm_vcpu___ks *)vcpu, arch.regs[0]);
}
#endif

/* The registers sys_enter's raw arguments point at: a syscall's arguments. */
#if defined(__TARGET_ARCH_arm64)
struct pt_regs___ks {
	__u64 regs[31];
} __attribute__((preserve_access_index));
#define KS_SYSCALL_ARG(r, n, btf) \
	((btf) ? ((struct pt_regs___ks *)(r))->regs[n] : BPF_CORE_READ((struct pt_regs___ks *)(r), regs[n]))
#define KS_SYSCALL_ARG1(r, btf) KS_SYSCALL_ARG(r, 1, btf)
#define KS_SYSCALL_ARG2(r, btf) KS_SYSCALL_ARG(r, 2, btf)
#else
struct pt_regs___ks {
	unsigned long si;
	unsigned long dx;
} __attribute__((preserve_access_index));
/* btf (tp_btf): regs is typed, its fields load directly */
#define KS_SYSCALL_ARG1(r, btf) \
	((btf) ? ((struct pt_regs___ks *)(r))->si : BPF_CORE_READ((struct pt_regs___ks *)(r), si))
#define KS_SYSCALL_ARG2(r, btf) \
	((btf) ? ((struct pt_regs___ks *)(r))->dx : BPF_CORE_READ((struct pt_regs___ks *)(r), dx))
#endif

/* ---- knobs, set by the loader before load (.rodata) ---- */
const volatile __u32 targ_tgid = 0;     /* 0: every process */
const volatile bool samples_on = false; /* emit each span on `samples` */

/*
 * Spans open right now, all threads (.bss). A probe whose end event fires
 * far more often than its start (memlend, hypercalls: every kvm_entry, one
 * fault or hypercall in thousands) returns at once while none is open: one
 * load, no helper call, no map lookup. A span left open by a thread that
 * went away keeps it above 0: the end events then take the slow path,
 * still correct.
 */
__u64 ks_open_spans = 0;

/* ---- maps ---- */
/* Preallocated (tracing programs want that): starts ~1 MiB; stats 512 keys x
 * 544 B per possible CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);   /* threads that ever opened a span */
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
	__uint(max_entries, KS_BPF_SLOTS);
	__type(key, __u32);
	__type(value, struct ks_bpf_slot);
} slots SEC(".maps");

/* All counters in one per-CPU value: one lookup bumps any of them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ks_bpf_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);   /* the loader enlarges it when samples are on */
} samples SEC(".maps");

/* A zeroed value to create `stats` entries from (too big for the stack). */
struct ks_bpf_stats ks_zero_stats = {};

static __always_inline struct ks_bpf_counters *ks_counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

/* For the rare paths (anomalies, drops) and probes with their own logic. */
static __always_inline void ks_count(__u32 idx)
{
	struct ks_bpf_counters *c = ks_counters();

	if (c && idx < KS_BPF_NCOUNTERS)
		c->c[idx]++;
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

/* One span into its key's slot, else `stats` (and `samples` when asked
 * for): one array lookup for a CPU's first KS_BPF_SLOTS keys.
 * Spans are counted there; the events a ks_span_* span stands for (its
 * start and its end) are counted from them in userspace. */
static __always_inline void ks_record(__u64 key, __u64 start, __u64 dur, __u64 pid_tgid)
{
	__u32 idx = ks_bpf_slot_of(key);
	struct ks_bpf_slot *sl = bpf_map_lookup_elem(&slots, &idx);
	struct ks_bpf_stats *s = NULL;

	if (sl && sl->used && sl->key == key) {
		s = &sl->s;
	} else if (sl && !sl->used) {   /* this CPU's first key here: it is this slot's */
		sl->key = key;
		sl->used = 1;
		s = &sl->s;
	} else {
		s = bpf_map_lookup_elem(&stats, &key);
	}
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

/*
 * Open a span on this thread under `key` (a still-open one is replaced).
 * A thread's entry in `starts` is made once and then reused in place (ts 0:
 * no span open), so the common path is one hash lookup: no update, no
 * delete, no bucket lock, no counter: a span's two events are counted from
 * `stats` (userspace), only anomalies here.
 */
static __always_inline void ks_span_start_aux(__u64 key, __u64 aux0, __u64 aux1)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (!ks_wanted(id))
		return;
	__u64 now = bpf_ktime_get_ns();
	struct ks_bpf_start *st = bpf_map_lookup_elem(&starts, &tid);
	if (st) {
		if (st->ts) {
			struct ks_bpf_counters *c = ks_counters();
			if (c) {
				c->c[KS_BPF_OPEN_REPLACED]++;
				c->c[KS_BPF_EVENTS]++;   /* the start replaced */
			}
		}
		if (!st->ts)
			__sync_fetch_and_add(&ks_open_spans, 1);
		st->key = key;
		st->aux[0] = aux0;
		st->aux[1] = aux1;
		st->ts = now;
		return;
	}
	struct ks_bpf_start n = { .key = key, .ts = now, .aux = { aux0, aux1 } };
	if (bpf_map_update_elem(&starts, &tid, &n, BPF_NOEXIST))
		ks_count(KS_BPF_LOST_START);
	else
		__sync_fetch_and_add(&ks_open_spans, 1);
}

static __always_inline void ks_span_start(__u64 key)
{
	ks_span_start_aux(key, 0, 0);
}

/* OR `flag` into this thread's open span's key, if it has one. */
static __always_inline void ks_span_mark(__u64 flag)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (!ks_wanted(id))
		return;
	struct ks_bpf_start *st = bpf_map_lookup_elem(&starts, &tid);
	if (st && st->ts)
		st->key |= flag;
}

/* Close this thread's open span, if any, its key | `flag`; id: this thread's
 * bpf_get_current_pid_tgid(), already read by the caller. `strict`: an end
 * event is expected to have a start (uexits, exits), so one without counts as
 * unpaired; else (memlend: most kvm_entry events follow no fault) it is not
 * even an event. */
static __always_inline void ks_span_end_aux(__u64 id, bool strict, __u64 flag, __u64 aux0,
					    __u64 aux1, __u64 flag_if_aux_differs)
{
	__u32 tid = (__u32)id;

	if ((!strict && !ks_open_spans) || !ks_wanted(id))
		return;
	/* the clock only once a span is there to close: most end events (every
	 * kvm_entry, for memlend and hypercalls) close nothing, and reading it
	 * is not free (a helper call; an emulated clocksource in a VM) */
	struct ks_bpf_start *st = bpf_map_lookup_elem(&starts, &tid);
	if (!st || !st->ts) {
		if (strict) {
			struct ks_bpf_counters *c = ks_counters();
			if (c) {
				c->c[KS_BPF_EVENTS]++;
				c->c[KS_BPF_END_UNMATCHED]++;
			}
		}
		return;
	}
	__u64 now = bpf_ktime_get_ns();
	bool differs = st->aux[0] != aux0 || st->aux[1] != aux1;
	__u64 ts = st->ts, key = st->key | flag | (differs ? flag_if_aux_differs : 0);
	st->ts = 0;
	__sync_fetch_and_add(&ks_open_spans, -1);
	ks_record(key, ts, now > ts ? now - ts : 0, id);
}

static __always_inline void ks_span_end_id(__u64 id, bool strict, __u64 flag)
{
	ks_span_end_aux(id, strict, flag, 0, 0, 0);
}

static __always_inline void ks_span_end_or(bool strict, __u64 flag)
{
	if (!strict && !ks_open_spans)   /* before the helper call */
		return;
	ks_span_end_id(bpf_get_current_pid_tgid(), strict, flag);
}

static __always_inline void ks_span_end(bool strict)
{
	ks_span_end_or(strict, 0);
}

/*
 * One handler, two cheap ways in (libbpf-tools' order): tp_btf (BTF-typed
 * raw tracepoint, Linux 5.5) and raw_tp (4.17). Both run the handler on the
 * tracepoint's raw arguments — `args[i]`, each a u64, the same for both —
 * with no trace record built; fn(args, btf): btf says a pointer argument is
 * typed (tp_btf), so its fields may be loaded directly instead of with
 * bpf_probe_read_kernel(). A probe names the classic tracepoint it
 * stands in for: KS_RAW(start, kvm_exit, kvm_exit, fn) defines
 * start_kvm_exit__btf and start_kvm_exit__raw on the raw tracepoint
 * kvm_exit; the loader (probe_bpf.c) picks them over the classic
 * SEC("tracepoint/...") program start_kvm_exit when this kernel's BTF shows
 * the raw arguments the handler reads (bpf/raw_args.c), else falls back.
 */
#define KS_RAW(role, event, rawtp, fn)                                                    \
	SEC("tp_btf/" #rawtp)                                                              \
	int role##_##event##__btf(__u64 *ctx)                                              \
	{                                                                                  \
		fn(ctx, true);                                                             \
		return 0;                                                                  \
	}                                                                                  \
	SEC("raw_tp/" #rawtp)                                                              \
	int role##_##event##__raw(__u64 *ctx)                                              \
	{                                                                                  \
		fn(ctx, false);                                                            \
		return 0;                                                                  \
	}

/*
 * A kvm event whose handler reads none of its arguments: the classic
 * tracepoint program and the raw pair (KS_RAW) all run `call` (a statement).
 */
#define KS_KVM_EVENT(role, event, call)                                                   \
	SEC("tracepoint/kvm/" #event)                                                      \
	int role##_##event(void *ctx)                                                      \
	{                                                                                  \
		call;                                                                      \
		return 0;                                                                  \
	}                                                                                  \
	static __always_inline void role##_##event##_raw(__u64 *args, bool btf)            \
	{                                                                                  \
		call;                                                                      \
	}                                                                                  \
	KS_RAW(role, event, event, role##_##event##_raw)

/*
 * A span that ends at the thread's next kvm:kvm_entry (exits, memlend): the
 * classic and raw end handlers, and the "+user" mark. strict: an entry with
 * no span open is an error worth counting (see ks_span_end_id). On x86 the
 * raw end reads "+user" from the vCPU (its KVM_RUN returned since the span
 * started: ks_x86_runs_returned), so only arm64 needs the mark's raw handler.
 */
#if defined(__TARGET_ARCH_arm64)
#define KS_ENTRY_RAW_END(strict, args, btf) ks_span_end(strict)
#define KS_USERSPACE_EXIT_MARK KS_KVM_EVENT(mark, kvm_userspace_exit, ks_span_mark(KS_EXIT_USER))
#else
#define KS_ENTRY_RAW_END(strict, args, btf)                                               \
	ks_span_end_aux(bpf_get_current_pid_tgid(), strict, 0, args[0],                    \
			ks_x86_runs_at_entry((void *)args[0], btf), KS_EXIT_USER)
#define KS_USERSPACE_EXIT_MARK                                                            \
	SEC("tracepoint/kvm/kvm_userspace_exit")                                           \
	int mark_kvm_userspace_exit(void *ctx)                                             \
	{                                                                                  \
		ks_span_mark(KS_EXIT_USER);                                                \
		return 0;                                                                  \
	}
#endif

#define KS_SPAN_ENDS_AT_KVM_ENTRY(strict)                                                 \
	SEC("tracepoint/kvm/kvm_entry")                                                    \
	int end_kvm_entry(void *ctx)                                                       \
	{                                                                                  \
		ks_span_end(strict);                                                       \
		return 0;                                                                  \
	}                                                                                  \
	static __always_inline void entry_raw(__u64 *args, bool btf)                      \
	{                                                                                  \
		if (!(strict) && !ks_open_spans)   /* before reading the vCPU */           \
			return;                                                            \
		KS_ENTRY_RAW_END(strict, args, btf);                                       \
	}                                                                                  \
	KS_RAW(end, kvm_entry, kvm_entry, entry_raw)                                       \
	/* optional: the loader skips it where the event does not exist */                 \
	KS_USERSPACE_EXIT_MARK

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#endif
