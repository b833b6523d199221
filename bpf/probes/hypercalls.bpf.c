/* SPDX-License-Identifier: MIT */
/*
 * hypercalls: from a hypercall's kvm:kvm_exit to the same thread's next
 * kvm:kvm_entry — the time KVM spends handling it — keyed by the hypercall
 * number, which an event fired while handling it supplies:
 *
 *   arm64  kvm_exit with ret ARM_EXCEPTION_TRAP and esr_ec HVC64 (0x16) or
 *          SMC64 (0x17); the SMCCC function ID (r0) from kvm:kvm_hvc_arm64
 *   x86    kvm_exit with reason VMCALL (VMX 18) or VMMCALL (SVM 0x81); the
 *          number (nr) from kvm:kvm_hypercall (KVM_HC_* and unknown ones)
 *
 * Keys (ks_probe_shared.h): KS_HC_NR | number; a hypercall whose number no
 * event gave (SMC64, Xen/Hyper-V hypercalls on x86) keeps the exit's key, as
 * exits.bpf.c encodes it (x86 (isa << 32) | exit_reason, arm64 KS_EXIT_ARM64
 * | ret << 8 | esr_ec). Other exits open no span.
 */
#include "ks_probe.bpf.h"

/* kvm:kvm_hvc_arm64 (arch/arm64/kvm/trace_arm.h) */
struct trace_event_raw_kvm_hvc_arm64___ks {
	struct trace_entry ent;
	unsigned long vcpu_pc;
	unsigned long r0;
	unsigned long imm;
} __attribute__((preserve_access_index));

/* kvm:kvm_hypercall (arch/x86/kvm/trace.h) */
struct trace_event_raw_kvm_hypercall___ks {
	struct trace_entry ent;
	unsigned long nr;
	unsigned long a0, a1, a2, a3;
} __attribute__((preserve_access_index));

SEC("tracepoint/kvm/kvm_exit")
int start_kvm_exit(struct trace_event_raw_kvm_exit___ks *ctx)
{
	__u64 key;

	if (bpf_core_field_exists(ctx->exit_reason)) {
		__u32 reason = ctx->exit_reason, isa = 0;
		if (bpf_core_field_exists(ctx->isa))
			isa = ctx->isa;
		/* without an isa field: 18 is no SVM exit KVM takes, 0x81 no VMX one */
		if (!((reason == KS_VMX_EXIT_VMCALL && isa != KS_X86_ISA_SVM) ||
		      (reason == KS_SVM_EXIT_VMMCALL && isa != KS_X86_ISA_VMX)))
			return 0;
		key = ((__u64)isa << 32) | reason;
	} else if (bpf_core_field_exists(ctx->esr_ec)) {
		__u32 ec = ctx->esr_ec & 0xff;
		int ret = KS_ARM_EXCEPTION_TRAP;
		if (bpf_core_field_exists(ctx->ret))
			ret = ctx->ret;
		if ((ret & 0x7fffffff) != KS_ARM_EXCEPTION_TRAP ||
		    (ec != KS_ESR_EC_HVC64 && ec != KS_ESR_EC_SMC64))
			return 0;
		key = KS_EXIT_ARM64 | ((__u64)(ret & 0xff) << 8) | ec;
	} else {
		return 0;
	}
	ks_span_start(key);
	return 0;
}

SEC("tracepoint/kvm/kvm_entry")
int end_kvm_entry(void *ctx)
{
	ks_span_end(false);   /* most entries follow no hypercall */
	return 0;
}

/* The number, into this thread's open span (if it is a hypercall's). */
static __always_inline void hc_number(__u64 nr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (!ks_wanted(id))
		return;
	struct ks_bpf_start *st = bpf_map_lookup_elem(&starts, &tid);
	if (st && !(st->key & KS_HC_NR)) {
		ks_count(KS_BPF_EVENTS);
		st->key = KS_HC_NR | (nr & KS_HC_NR_MASK);
	}
}

/* Optional: the loader skips each where its event does not exist. */
SEC("tracepoint/kvm/kvm_hvc_arm64")
int mark_kvm_hvc_arm64(struct trace_event_raw_kvm_hvc_arm64___ks *ctx)
{
	if (bpf_core_field_exists(ctx->r0))
		hc_number((__u32)ctx->r0);   /* SMCCC: the function ID is w0 */
	return 0;
}

SEC("tracepoint/kvm/kvm_hypercall")
int mark_kvm_hypercall(struct trace_event_raw_kvm_hypercall___ks *ctx)
{
	if (bpf_core_field_exists(ctx->nr))
		hc_number(ctx->nr);
	return 0;
}
