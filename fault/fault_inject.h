/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: a TEST HOOK, compiled into every build and inert unless
 * the environment variable KVMSCOPE_FAULT arms it. The reliability tests use
 * it to make rare failures happen on demand, through the real code paths
 * around them (the run loop's retry, a memslot's error path, a signal at a
 * chosen moment), on a real /dev/kvm.
 *
 *   KVMSCOPE_FAULT=SPEC[,SPEC...]
 *     kvm_run_eintr:N     the next N KVM_RUN calls fail with EINTR (guest not entered)
 *     kvm_run_eagain:N    the next N KVM_RUN calls fail with EAGAIN
 *     memslot_huge:N      the next N memslot mappings ask for 1 PiB (a real mmap
 *                         that fails with ENOMEM)
 *     bpf_load:N          the next N BPF program loads fail with EPERM
 *     sigint@POINT[:K]    raise SIGINT (sigterm@: SIGTERM) in this process the
 *                         K-th time (default 1st) it passes POINT: vm_setup,
 *                         mid_bench, results_write, probe_attach, probe_loop
 *
 * N defaults to 1. An armed hook says so on stderr once, and the results
 * file records it (run.fault_injection), so a faulted run is never mistaken
 * for a measurement. A malformed spec is reported and ignored.
 */
#ifndef KS_FAULT_INJECT_H
#define KS_FAULT_INJECT_H

#include <stdbool.h>

/* Consume one shot of counted fault `name`; true: inject it now. */
bool ks_fault_take(const char *name);
/* Passing `point`: raise the signal armed for it, if this is the pass. */
void ks_fault_point(const char *point);
/* The armed spec (KVMSCOPE_FAULT), or NULL when nothing is armed. */
const char *ks_fault_spec(void);

#endif
