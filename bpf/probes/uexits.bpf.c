/* SPDX-License-Identifier: MIT */
/*
 * uexits: from kvm:kvm_userspace_exit (KVM_RUN is about to return to the
 * VMM) to the same thread's next KVM_RUN ioctl — the time a VMM spends
 * handling an exit in userspace, keyed by the exit reason (KVM_EXIT_*), or
 * by KS_UEXIT_ERRNO | -errno when KVM_RUN failed (-EINTR: a signal).
 *
 * Two interchangeable end events; the loader loads the one the plan names:
 * syscalls:sys_enter_ioctl (cmd == KVM_RUN) or raw_syscalls:sys_enter. Each
 * event has a raw handler (tp_btf/raw_tp: the tracepoint's arguments, no
 * record built; both ends are then the raw sys_enter, id == __NR_ioctl,
 * checked first since it runs for every syscall) and a classic one.
 */
#include "ks_probe.bpf.h"

#if defined(__TARGET_ARCH_arm64)
#define KS_NR_IOCTL 29
#else
#define KS_NR_IOCTL 16
#endif

static __always_inline void uexit_start(__u32 reason, int err)
{
	ks_span_start(err < 0 ? KS_UEXIT_ERRNO | (__u64)(__u32)-err : (__u64)reason);
}

SEC("tracepoint/kvm/kvm_userspace_exit")
int start_kvm_userspace_exit(struct trace_event_raw_kvm_userspace_exit___ks *ctx)
{
	uexit_start(ctx->reason, ctx->errno);
	return 0;
}

/* kvm_userspace_exit(__u32 reason, int errno) */
static __always_inline void uexit_start_raw(__u64 *args, bool btf)
{
	uexit_start((__u32)args[0], (int)args[1]);
}
KS_RAW(start, kvm_userspace_exit, kvm_userspace_exit, uexit_start_raw)

SEC("tracepoint/syscalls/sys_enter_ioctl")
int end_sys_enter_ioctl(struct ks_sys_enter_ioctl *ctx)
{
	if ((__u32)ctx->cmd == KS_KVM_RUN)
		ks_span_end(true);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int end_raw_sys_enter(struct ks_raw_sys_enter *ctx)
{
	if (ctx->id == KS_NR_IOCTL && (__u32)ctx->args[1] == KS_KVM_RUN)
		ks_span_end(true);
	return 0;
}

/* sys_enter(struct pt_regs *regs, long id): ioctl(fd, KVM_RUN, 0) */
static __always_inline void kvm_run_raw(__u64 *args, bool btf)
{
	if (args[1] != KS_NR_IOCTL)   /* every syscall comes here: the cheapest test first */
		return;
	__u64 id = bpf_get_current_pid_tgid();
	if (ks_wanted(id) && (__u32)KS_SYSCALL_ARG1(args[0], btf) == KS_KVM_RUN)
		ks_span_end_id(id, true, 0);
}
KS_RAW(end, sys_enter_ioctl, sys_enter, kvm_run_raw)
KS_RAW(end, sys_enter, sys_enter, kvm_run_raw)
