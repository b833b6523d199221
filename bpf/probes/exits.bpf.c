/* SPDX-License-Identifier: MIT */
/*
 * exits: from kvm:kvm_exit to the same thread's next kvm:kvm_entry — the
 * time KVM spends handling an exit, keyed by exit reason: x86
 * (isa << 32) | exit_reason, arm64 KS_EXIT_ARM64 | ret << 8 | esr_ec.
 * (Pairing entry -> exit instead would measure guest run time.) An exit
 * that went out to the VMM on the way (kvm:kvm_userspace_exit in between)
 * gets KS_EXIT_USER in its key: its span includes the VMM's handling.
 *
 * Each tracepoint has a raw handler (KS_RAW: tp_btf/raw_tp, no record
 * built; x86's exit reason read where the vendor module keeps it, and
 * "+user" from the vCPU's count of KVM_RUN returns instead of a
 * kvm_userspace_exit mark: two programs per exit, not three) and a classic
 * one. Where kvm_exit/kvm_entry never fire (kvm_pvm) or do not
 * exist (KVM-on-Gunyah), or to check those plans against the tracepoints,
 * discovery plans the backend's own functions instead:
 *
 *   x86    fentry -> fexit of the vendor exit handler (svm_handle_exit,
 *          vmx_handle_exit, pvm_handle_exit): the handler alone, a part of
 *          kvm_exit -> kvm_entry; one call per exit that is not completed
 *          on the vCPU run's fast path; key from the vCPU as above, "+user"
 *          when it returns 0 (the exit goes out to the VMM next)
 *   Gunyah fexit -> fentry of gunyah_hypercall_vcpu_run: from Gunyah handing
 *          the vCPU back to the host to the next time the host gives it CPU
 *          time (kvm_exit -> kvm_entry's counterpart); key: the vcpu_run
 *          state (KS_EXIT_GUNYAH)
 */
#include "ks_probe.bpf.h"

#if defined(__TARGET_ARCH_arm64)
/* As kvm_exit's record has them (arch/arm64/kvm/trace_arm.h): ret without the
 * SError bit (ARM_EXCEPTION_CODE), esr_ec only for a trap (else 0). */
static __always_inline __u64 arm64_exit_key(int ret, __u32 esr_ec)
{
	__u32 code = (__u32)ret & 0x7fffffff;
	__u32 ec = code == KS_ARM_EXCEPTION_TRAP ? esr_ec & 0xff : 0;

	return KS_EXIT_ARM64 | ec | (__u64)(code & 0xff) << 8;
}
#endif

SEC("tracepoint/kvm/kvm_exit")
int start_kvm_exit(struct trace_event_raw_kvm_exit___ks *ctx)
{
	__u64 key = KS_EXIT_UNKNOWN;

	if (bpf_core_field_exists(ctx->exit_reason)) {
		key = ctx->exit_reason;
		if (bpf_core_field_exists(ctx->isa))
			key |= (__u64)ctx->isa << 32;
	} else if (bpf_core_field_exists(ctx->esr_ec)) {
		key = KS_EXIT_ARM64 | (ctx->esr_ec & 0xff);
		if (bpf_core_field_exists(ctx->ret))
			key |= (__u64)(ctx->ret & 0xff) << 8;
	}
	ks_span_start(key);
	return 0;
}

/* raw kvm_exit: x86 (vcpu, isa), arm64 (ret, esr_ec, vcpu_pc) */
static __always_inline void exit_raw(__u64 *args, bool btf)
{
#if defined(__TARGET_ARCH_arm64)
	ks_span_start(arm64_exit_key((int)args[0], (__u32)args[1]));
#else
	void *vcpu = (void *)args[0];
	ks_span_start_aux(ks_x86_exit_key(vcpu, (__u32)args[1]), (__u64)vcpu,
			  ks_x86_runs_returned(vcpu, btf));
#endif
}
KS_RAW(start, kvm_exit, kvm_exit, exit_raw)

KS_SPAN_ENDS_AT_KVM_ENTRY(true)

/* ---- the backends' own functions (fentry/fexit: BTF, and a kernel that lets them) */

#if !defined(__TARGET_ARCH_arm64)
/* int X_handle_exit(struct kvm_vcpu *vcpu, fastpath_t fastpath): 0 = to userspace */
static __always_inline void handler_end(__u64 *ctx)
{
	ks_span_end_or(true, (int)ctx[2] == 0 ? KS_EXIT_USER : 0);
}

SEC("fentry/svm_handle_exit")
int start_svm_handle_exit(__u64 *ctx)
{
	ks_span_start(ks_x86_exit_key((void *)ctx[0], KS_X86_ISA_SVM));
	return 0;
}

SEC("fexit/svm_handle_exit")
int end_svm_handle_exit(__u64 *ctx)
{
	handler_end(ctx);
	return 0;
}

SEC("fentry/vmx_handle_exit")
int start_vmx_handle_exit(__u64 *ctx)
{
	ks_span_start(ks_x86_exit_key((void *)ctx[0], KS_X86_ISA_VMX));
	return 0;
}

SEC("fexit/vmx_handle_exit")
int end_vmx_handle_exit(__u64 *ctx)
{
	handler_end(ctx);
	return 0;
}

SEC("fentry/pvm_handle_exit")
int start_pvm_handle_exit(__u64 *ctx)
{
	ks_span_start(ks_x86_exit_key((void *)ctx[0], KS_X86_ISA_PVM));
	return 0;
}

SEC("fexit/pvm_handle_exit")
int end_pvm_handle_exit(__u64 *ctx)
{
	handler_end(ctx);
	return 0;
}
#else
/* The Gunyah driver's vcpu_run hypercall (include/linux/gunyah.h):
 * gunyah_hypercall_vcpu_run(u64 capid, unsigned long *resume_data,
 *                           struct gunyah_hypercall_vcpu_run_resp *resp) */
struct gunyah_hypercall_vcpu_run_resp___ks {
	__u64 sized_state;
} __attribute__((preserve_access_index));

SEC("fexit/gunyah_hypercall_vcpu_run")
int start_gunyah_hypercall_vcpu_run(__u64 *ctx)
{
	struct gunyah_hypercall_vcpu_run_resp___ks *resp = (void *)ctx[2];
	__u64 state = (int)ctx[3] ? 0xff : BPF_CORE_READ(resp, sized_state) & 0xff;

	ks_span_start(KS_EXIT_GUNYAH | state);
	return 0;
}

SEC("fentry/gunyah_hypercall_vcpu_run")
int end_gunyah_hypercall_vcpu_run(__u64 *ctx)
{
	ks_span_end(true);
	return 0;
}
#endif
