/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: a TEST HOOK, compiled into every build and inert unless
 * the environment variable KVMSCOPE_FAULT arms it. The reliability tests use
 * it to make rare failures happen on demand, through the real code paths
 * around them (the run loop's retry, a memslot's error path, a signal at a
 * chosen moment), on a real /dev/kvm.
 *
 *   KVMSCOPE_FAULT=SPEC[,SPEC...]
 *     kvm_run_eintr:N     every N-th KVM_RUN call fails with EINTR (the guest is
 *                         not entered); N=1: every call
 *     kvm_run_eagain:N    every N-th KVM_RUN call fails with EAGAIN
 *     irq_race:N          every N-th interrupt of irqfd/irqfd_halted, the guest
 *                         lingers in a race window of its wait path while the
 *                         host fires (alternately: interrupts still masked, and
 *                         enabled before the halt where the wait path has such
 *                         a point): a lost wake-up there hangs the benchmark
 *     memslot_huge:K      the K-th memslot mapping asks for 1 PiB (a real mmap
 *                         that fails with ENOMEM); the host's scratch VM at start
 *                         maps the 1st, the first benchmark's VM the 2nd
 *     bpf_load:K          the K-th BPF program load fails with EPERM
 *     sigint@POINT[:K]    raise SIGINT (sigterm@: SIGTERM) in this process the
 *                         K-th time it passes POINT: vm_setup, mid_bench,
 *                         results_write, probe_attach, probe_loop
 *
 * N and K default to 1. An armed hook says so on stderr once, and the
 * results file records it (run.fault_injection), so a faulted run is never
 * mistaken for a measurement. A malformed spec is reported and ignored.
 */
#ifndef KS_FAULT_INJECT_H
#define KS_FAULT_INJECT_H

#include <stdbool.h>

/* Passing the site of fault `name`: true when it is to be injected now. */
bool ks_fault_take(const char *name);
/* Passing `point`: raise the signal armed for it, if this is the pass. */
void ks_fault_point(const char *point);
/* The armed spec (KVMSCOPE_FAULT), or NULL when nothing is armed. */
const char *ks_fault_spec(void);

#endif
