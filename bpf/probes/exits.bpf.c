/* SPDX-License-Identifier: MIT */
/*
 * exits: from kvm:kvm_exit to the same thread's next kvm:kvm_entry — the
 * time KVM spends handling an exit, keyed by exit reason: x86
 * (isa << 32) | exit_reason, arm64 KS_EXIT_ARM64 | ret << 8 | esr_ec.
 * (Pairing entry -> exit instead would measure guest run time.) An exit
 * that went out to the VMM on the way (kvm:kvm_userspace_exit in between)
 * gets KS_EXIT_USER in its key: its span includes the VMM's handling.
 */
#include "ks_probe.bpf.h"

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

SEC("tracepoint/kvm/kvm_entry")
int end_kvm_entry(void *ctx)
{
	ks_span_end(true);
	return 0;
}

/* Optional: the loader skips it where the event does not exist. */
SEC("tracepoint/kvm/kvm_userspace_exit")
int mark_kvm_userspace_exit(void *ctx)
{
	ks_span_mark(KS_EXIT_USER);
	return 0;
}
