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
 * | ret << 8 | esr_ec). Other exits open no span. Every tracepoint has a raw
 * handler (KS_RAW) besides the classic one; where the tracepoints never fire
 * (kvm_pvm), discovery plans the backend's functions (below).
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

/* A hypercall's exit, keyed as exits.bpf.c keys it; 0: another exit. */
static __always_inline __u64 x86_hc_key(__u32 reason, __u32 isa)
{
	/* without an isa field: 18 is no SVM exit KVM takes, 0x81 no VMX one */
	if (!((reason == KS_VMX_EXIT_VMCALL && isa != KS_X86_ISA_SVM) ||
	      (reason == KS_SVM_EXIT_VMMCALL && isa != KS_X86_ISA_VMX)))
		return 0;
	return ((__u64)isa << 32) | reason;
}

static __always_inline __u64 arm64_hc_key(int ret, __u32 ec)
{
	ec &= 0xff;
	if ((ret & 0x7fffffff) != KS_ARM_EXCEPTION_TRAP ||
	    (ec != KS_ESR_EC_HVC64 && ec != KS_ESR_EC_SMC64))
		return 0;
	return KS_EXIT_ARM64 | ((__u64)(ret & 0xff) << 8) | ec;
}

SEC("tracepoint/kvm/kvm_exit")
int start_kvm_exit(struct trace_event_raw_kvm_exit___ks *ctx)
{
	__u64 key = 0;

	if (bpf_core_field_exists(ctx->exit_reason)) {
		__u32 isa = 0;
		if (bpf_core_field_exists(ctx->isa))
			isa = ctx->isa;
		key = x86_hc_key(ctx->exit_reason, isa);
	} else if (bpf_core_field_exists(ctx->esr_ec)) {
		int ret = KS_ARM_EXCEPTION_TRAP;
		if (bpf_core_field_exists(ctx->ret))
			ret = ctx->ret;
		key = arm64_hc_key(ret, ctx->esr_ec);
	}
	if (key)
		ks_span_start(key);
	return 0;
}

/* raw kvm_exit: x86 (vcpu, isa), arm64 (ret, esr_ec, vcpu_pc) */
static __always_inline void exit_raw(__u64 *args, bool btf)
{
#if defined(__TARGET_ARCH_arm64)
	__u64 key = arm64_hc_key((int)args[0], (__u32)args[1]);
#else
	__u64 key = ks_x86_exit_key((void *)args[0], (__u32)args[1]);
	key = key & KS_EXIT_UNKNOWN ? 0 : x86_hc_key((__u32)key, (__u32)(key >> 32));
#endif
	if (key)
		ks_span_start(key);
}
KS_RAW(start, kvm_exit, kvm_exit, exit_raw)

/* the span's end; most entries follow no hypercall (not strict) */
KS_KVM_EVENT(end, kvm_entry, ks_span_end(false))

/* The number, into this thread's open span (if it is a hypercall's). */
static __always_inline void hc_number(__u64 nr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (!ks_wanted(id))
		return;
	struct ks_bpf_start *st = bpf_map_lookup_elem(&starts, &tid);
	if (st && st->ts && !(st->key & KS_HC_NR)) {
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

/* raw kvm_hvc_arm64(vcpu_pc, r0, imm) */
static __always_inline void hvc_raw(__u64 *args, bool btf)
{
	hc_number((__u32)args[1]);
}
KS_RAW(mark, kvm_hvc_arm64, kvm_hvc_arm64, hvc_raw)

SEC("tracepoint/kvm/kvm_hypercall")
int mark_kvm_hypercall(struct trace_event_raw_kvm_hypercall___ks *ctx)
{
	if (bpf_core_field_exists(ctx->nr))
		hc_number(ctx->nr);
	return 0;
}

/* raw kvm_hypercall(nr, a0, a1, a2, a3) */
static __always_inline void hypercall_raw(__u64 *args, bool btf)
{
	hc_number(args[0]);
}
KS_RAW(mark, kvm_hypercall, kvm_hypercall, hypercall_raw)

/*
 * The backends' own functions (fentry/fexit): the exit handler's entry ->
 * return for a hypercall's exit (svm_handle_exit: VMMCALL, vmx_handle_exit:
 * VMCALL), or PVM's hypercall handler; the number from the guest's rax.
 */
#if !defined(__TARGET_ARCH_arm64)
static __always_inline void handler_start(__u64 *ctx, __u32 isa, __u32 want)
{
	void *vcpu = (void *)ctx[0];
	__u64 key = ks_x86_exit_key(vcpu, isa);

	if (!(key & KS_EXIT_UNKNOWN) && ((__u32)key & 0xffff) == want)
		ks_span_start(KS_HC_NR | (ks_x86_hc_nr(vcpu) & KS_HC_NR_MASK));
}

SEC("fentry/svm_handle_exit")
int start_svm_handle_exit(__u64 *ctx)
{
	handler_start(ctx, KS_X86_ISA_SVM, KS_SVM_EXIT_VMMCALL);
	return 0;
}

SEC("fexit/svm_handle_exit")
int end_svm_handle_exit(__u64 *ctx)
{
	ks_span_end(false);   /* most exits are no hypercall */
	return 0;
}

SEC("fentry/vmx_handle_exit")
int start_vmx_handle_exit(__u64 *ctx)
{
	handler_start(ctx, KS_X86_ISA_VMX, KS_VMX_EXIT_VMCALL);
	return 0;
}

SEC("fexit/vmx_handle_exit")
int end_vmx_handle_exit(__u64 *ctx)
{
	ks_span_end(false);
	return 0;
}

/* pvm_handle_hypercall(struct kvm_vcpu *vcpu, ...) */
SEC("fentry/pvm_handle_hypercall")
int start_pvm_handle_hypercall(__u64 *ctx)
{
	ks_span_start(KS_HC_NR | (ks_x86_hc_nr((void *)ctx[0]) & KS_HC_NR_MASK));
	return 0;
}

SEC("fexit/pvm_handle_hypercall")
int end_pvm_handle_hypercall(__u64 *ctx)
{
	ks_span_end(true);
	return 0;
}
#endif
