/* SPDX-License-Identifier: MIT */
/*
 * memlend (x86): from kvm:kvm_page_fault (a guest's nested/EPT page fault
 * reached KVM) to the same thread's next kvm:kvm_entry — the cost of
 * resolving one stage-2 fault, first touches included. Key "fault"; a fault
 * that went out to the VMM on the way (MMIO to an unbacked GPA also arrives
 * as a nested page fault) gets KS_EXIT_USER: "fault+user".
 */
#include "ks_probe.bpf.h"

SEC("tracepoint/kvm/kvm_page_fault")
int start_kvm_page_fault(void *ctx)
{
	ks_span_start(KS_MEMLEND_FAULT);
	return 0;
}

/* arm64: kvm:kvm_guest_fault */
SEC("tracepoint/kvm/kvm_guest_fault")
int start_kvm_guest_fault(void *ctx)
{
	ks_span_start(KS_MEMLEND_FAULT);
	return 0;
}

#if defined(__TARGET_ARCH_arm64)
static __always_inline void fault_raw(__u64 *args, bool btf)
{
	ks_span_start(KS_MEMLEND_FAULT);
}
KS_RAW(start, kvm_guest_fault, kvm_guest_fault, fault_raw)
#else
/* raw kvm_page_fault(vcpu, fault_address, error_code): "+user" from the vCPU's
 * count of KVM_RUN returns (ks_x86_runs_returned), as exits does */
static __always_inline void fault_raw(__u64 *args, bool btf)
{
	ks_span_start_aux(KS_MEMLEND_FAULT, args[0], ks_x86_runs_returned((void *)args[0], btf));
}
KS_RAW(start, kvm_page_fault, kvm_page_fault, fault_raw)
#endif

KS_SPAN_ENDS_AT_KVM_ENTRY(false)

/*
 * Where kvm_entry never fires (kvm_pvm) or KVM has no fault tracepoint
 * (KVM-on-Gunyah), discovery names a fault-handling function instead: the
 * span is its entry -> return on the same thread; the loader sets the
 * function from the plan (fentry/fexit with BTF, else kprobe/kretprobe).
 */
SEC("fentry")
int start_fentry(void *ctx)
{
	ks_span_start(KS_MEMLEND_FAULT);
	return 0;
}

SEC("fexit")
int end_fexit(void *ctx)
{
	ks_span_end(true);
	return 0;
}

SEC("kprobe")
int start_kprobe(void *ctx)
{
	ks_span_start(KS_MEMLEND_FAULT);
	return 0;
}

SEC("kretprobe")
int end_kretprobe(void *ctx)
{
	ks_span_end(true);
	return 0;
}
