/* SPDX-License-Identifier: MIT */
/*
 * The one header both sides of a probe read: the BPF programs
 * (bpf/probes/X.bpf.c) and userspace (the descriptors bpf/probes/X.c, both
 * backends, the key names). It holds the layout of the maps and ring-buffer
 * samples and every key encoding: a key is a __u64 a start event chooses; a
 * descriptor's key_name() turns it into the name both backends report, and
 * the tracefs backend encodes what it decodes from a record the same way, so
 * the two backends cannot drift apart. Plain fixed-size types only.
 */
#ifndef KS_PROBE_SHARED_H
#define KS_PROBE_SHARED_H

#ifndef __bpf__
#include <linux/types.h>   /* the BPF side has them from vmlinux.h */
#endif

#define KS_BPF_HIST_SLOTS 64        /* slot i: [2^i, 2^(i+1)) ns; slot 0 also holds 0 */

/* Value of the per-CPU `stats` map (key: __u64 reason, probe-specific). */
struct ks_bpf_stats {
	__u64 count, sum, min, max;  /* min is meaningful only when count > 0 */
	__u64 hist[KS_BPF_HIST_SLOTS];
};

/* The per-CPU `slots` array: the first KS_BPF_SLOTS keys a CPU sees each get
 * a slot (by a hash of the key; a taken slot sends its other keys to the
 * `stats` hash), so the common keys cost an array lookup, not a hash one. */
#define KS_BPF_SLOTS 32
struct ks_bpf_slot {
	__u64 key;
	__u64 used;
	struct ks_bpf_stats s;
};

static inline __u32 ks_bpf_slot_of(__u64 key)
{
	return (__u32)(((key ^ (key >> 29) ^ (key >> 47)) * 0x9E3779B97F4A7C15ULL) >> 59);
}

/* Per-thread span (`starts` map, key: __u32 thread id): made at the
 * thread's first start event, then reused; ts 0: no span open. */
struct ks_bpf_start {
	__u64 ts;
	__u64 key;
	__u64 aux[2];   /* a probe's own (exits, x86: the vCPU and its KVM_RUN returns at the
			 * start) */
};

/* One exact span on the optional ring buffer (`samples`). */
struct ks_bpf_sample {
	__u64 start_ns;   /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 dur_ns;
	__u64 key;
	__u32 tid;
	__u32 tgid;
};

/* The per-CPU `counters` value (one entry): c[] by these indices. */
enum ks_bpf_counter {
	KS_BPF_EVENTS = 0,      /* events that passed the filters and made no span: a
				 * replaced start, an unmatched end, a mark that
				 * numbered a span; a probe whose descriptor says
				 * bpf_counts_events (irqfd) counts all of its here.
				 * A recorded span's start and end are counted from
				 * `stats`, an open one's start from `starts` */
	KS_BPF_OPEN_REPLACED,   /* a start event found its thread's span still open */
	KS_BPF_END_UNMATCHED,   /* an end event with no open span on its thread */
	KS_BPF_LOST_START,      /* `starts` full: span dropped */
	KS_BPF_LOST_STATS,      /* `stats` full: span dropped */
	KS_BPF_LOST_SAMPLE,     /* ring buffer full: sample dropped (stats still kept) */
	KS_BPF_NCOUNTERS
};

struct ks_bpf_counters {
	__u64 c[KS_BPF_NCOUNTERS];
};

/* ---- facts about KVM the keys are made of ---- */

#define KS_KVM_RUN 0xAE80u   /* _IO(KVMIO, 0x80): the ioctl that ends a uexits span */

/* x86 kvm_exit: its isa field, and the hypercall exit reasons */
#define KS_X86_ISA_VMX 1
#define KS_X86_ISA_SVM 2
#define KS_X86_ISA_PVM 3           /* kvmscope's own: kvm_pvm's exit reasons (the kernel's
				    * kvm_exit has only 1 and 2) */
#define KS_VMX_EXIT_VMCALL 18      /* arch/x86/include/uapi/asm/vmx.h */
#define KS_SVM_EXIT_VMMCALL 0x81   /* arch/x86/include/uapi/asm/svm.h */

/* arm64 kvm_exit: ret (ARM_EXCEPTION_*; bit 31: an SError was pending too) and
 * esr_ec (ESR_ELx_EC_*) */
#define KS_ARM_EXCEPTION_TRAP 2
#define KS_ESR_EC_HVC64 0x16
#define KS_ESR_EC_SMC64 0x17

/* ---- key encodings, per probe ---- */

/* uexits: KVM_EXIT_* reason, or KS_UEXIT_ERRNO | -errno when KVM_RUN failed. */
#define KS_UEXIT_ERRNO (1ULL << 32)

/* exits: x86 (isa << 32) | exit_reason (isa 1 = VMX, 2 = SVM, 3 = PVM, 0 = the event
 * has no isa field); arm64 KS_EXIT_ARM64 | (ret << 8) | esr_ec; KVM-on-Gunyah
 * KS_EXIT_GUNYAH | vcpu_run state (GUNYAH_VCPU_*: include/linux/gunyah.h of
 * the Gunyah driver series, struct gunyah_hypercall_vcpu_run_resp); KS_EXIT_UNKNOWN when
 * the event has neither; | KS_EXIT_USER when the exit went to userspace before
 * the next entry (kvm_userspace_exit in between). */
#define KS_EXIT_ARM64   (1ULL << 48)
#define KS_EXIT_GUNYAH  (1ULL << 49)   /* | the vcpu_run hypercall's state, 0xff: it failed */
#define KS_EXIT_UNKNOWN (1ULL << 61)
#define KS_EXIT_USER    (1ULL << 62)

/* hypercalls: KS_HC_NR | the number (SMCCC function ID, KVM_HC_*), else the
 * exit's key as exits encodes it (no event gave a number). */
#define KS_HC_NR      (1ULL << 60)
#define KS_HC_NR_MASK ((1ULL << 48) - 1)

/* memlend: "fault", | KS_EXIT_USER when the fault went out to the VMM. */
#define KS_MEMLEND_FAULT 0ULL

/* irqfd: one key per pair of stages */
#define KS_IRQFD_WRITE_INJECT  0
#define KS_IRQFD_INJECT_WAKEUP 1
#define KS_IRQFD_WAKEUP_ENTRY  2
#define KS_IRQFD_WRITE_ENTRY   3
#define KS_IRQFD_INJECT_ENTRY  4

#endif
