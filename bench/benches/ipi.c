/* SPDX-License-Identifier: MIT */
/*
 * Virtual IPI: vCPU 0 sends an IPI (the arch's mechanism: ks_arch_ops
 * ipi_mechanism; arm64: a GICv3 SGI through ICC_SGI1R_EL1; x86: a write of
 * the xAPIC ICR) to vCPU 1, which spins with interrupts enabled and stamps
 * its handler entry. Both vCPUs read the same VM counter, so the one-way
 * latency needs no clock calibration; the round trip ends when vCPU 0 sees
 * the handler's count change. The two vCPUs run on two host threads pinned
 * to different CPUs. Exit counts: the sender traps once per IPI, the
 * target gets one injection per IPI (where the arch counts injections).
 * An arch whose guest offers the "ipi" routine runs it; a backend that
 * runs one vCPU (the Gunyah port) cannot.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "benches.h"

struct ipi {
	uint64_t n, warm;
	int cpu0;
	struct ks_vcpu_thread target;
	struct ks_stat_snap target_snap;
};

/* Per IPI: the sender traps once (its ICR/SGI write) and exits to userspace
 * never; the target takes one injected interrupt. A backend that posts
 * interrupts without injecting (VMX APICv) says not-counted. */
static const struct ks_stat_expect sender_expect[KS_MAX_CHECKS] = {
	{ STAT(stat_all_exits), 1 }, { STAT(stat_mmio_exits), 0 },
};
static const struct ks_stat_expect target_expect[KS_MAX_CHECKS] = {
	{ STAT(stat_irq_injections), 1 },
};

static int setup(struct ks_run *run, struct ks_result *r)
{
	struct ipi *p = run->priv;
	struct ks_mailbox *mb = run->s.vm.mb;

	mb->batches = p->n;
	mb->warmup_batches = p->warm;
	/* one-way samples in the first half of the buffer, round trips in the second */
	if (p->n > run->s.vm.arch->layout->samples_cap / 2) {
		snprintf(run->c->err, sizeof(run->c->err),
			 "--samples %llu exceeds the guest sample buffer", (unsigned long long)p->n);
		return -1;
	}
	return 0;
}

/* vCPU 1 takes IPIs on a thread of its own until stopped; vCPU 0 runs here. */
static int measure(struct ks_run *run, struct ks_result *r)
{
	struct ipi *p = run->priv;
	struct ks_ctx *c = run->c;

	p->cpu0 = c->opts->cpu >= 0 ? c->opts->cpu : 0;
	/* this thread runs vCPU 0 pinned; it gets its CPUs back after */
	cpu_set_t cpus;
	bool saved = pthread_getaffinity_np(pthread_self(), sizeof(cpus), &cpus) == 0;
	if (ks_vcpu_thread_start(run, &p->target, &run->s.vcpu1, p->cpu0 == 0 ? 1 : 0, 0) < 0)
		return -1;
	ks_pin_self(p->cpu0);
	struct ks_vcpu *v = &run->s.vcpu;
	int rc = -1;
	if (ks_run_watchdog(run, v) < 0 ||
	    ks_run_expect(run, v, KS_UC_PHASE_BEGIN, "PHASE_BEGIN") < 0)
		goto out;
	/* vCPU 1 waits for the next IPI: its counts are as still as vCPU 0's */
	ks_checks_begin(&run->s.vcpu1, target_expect, &p->target_snap);
	/* the guest fills the round trips (second half of the samples) in order */
	const struct ks_layout *lay = run->s.vm.arch->layout;
	ks_run_phase_begin(run, sender_expect, p->n,
			   ks_vm_gpa_to_hva(&run->s.vm, lay->samples_gpa + lay->samples_cap / 2 * 8,
					    p->n * 8));
	if (ks_run_expect(run, v, KS_UC_PHASE_END, "PHASE_END") < 0)
		goto out;
	ks_run_phase_end(run, p->n);
	ks_checks_end_peer(&run->s.vcpu1, target_expect, &p->target_snap, p->n,
			   ks_run_result(run), "vcpu1");
	rc = ks_run_expect(run, v, KS_UC_DONE, "DONE");
out:
	ks_vcpu_watchdog_disarm(v);
	ks_vcpu_thread_join(&p->target, true);
	if (saved)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	return rc;
}

static int record(struct ks_run *run, struct ks_result *r)
{
	struct ipi *p = run->priv;
	const uint64_t n = p->n;
	/* the host's layout, never the guest-writable mailbox, says where samples are */
	const struct ks_layout *lay = run->s.vm.arch->layout;
	const uint64_t *ow = ks_vm_gpa_to_hva(&run->s.vm, lay->samples_gpa, lay->samples_cap * 8);
	uint64_t *raw = ow ? malloc(n * sizeof(uint64_t)) : NULL;

	for (uint64_t i = 0; raw && i < n; i++)
		raw[i] = ow[i];
	const char *how = run->s.vm.arch->ipi_mechanism;
	ks_result_param_str(r, "mechanism", how ? how : "not described by this arch");
	ks_result_param_str(r, "target_wait", "spin, interrupts enabled");
	ks_result_param_num(r, "sender_cpu", p->cpu0);
	ks_result_param_num(r, "target_cpu", p->target.cpu);
	ks_record_vcpu_stats(&run->s.vcpu, r);
	return ks_oneway_with_rtt(run, r, raw, ow ? ow + lay->samples_cap / 2 : NULL, n, "ipi_rtt",
				  "IPI send -> the sender sees the target handler's store");
}

static int run_ipi(const struct ks_bench *b, struct ks_ctx *c)
{
	struct ipi p = { .n = ks_default_batches(c, 2000, 200) };
	p.warm = p.n / 10 + 1;
	const struct ks_run_desc d = {
		.unit = "ns", .irqchip = true, .nvcpus = 2,
		.setup = setup, .measure = measure, .record = record, .priv = &p,
	};
	return ks_run(b, c, &d);
}

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	return ks_avail_kvm(b, h, why, len) && ks_avail_vcpus(h, 2, why, len) &&
	       ks_avail_irqchip(b, h, why, len) && ks_avail_host_cpus(h, 2, why, len);
}

KS_BENCH(ipi,
	.name = "ipi", .family = "irq", .order = 520, .in_default = true,
	.what = "virtual IPI one-way: vCPU 0 sends, vCPU 1's handler entry (same VM counter)",
	.routine = "ipi", .available = avail, .run = run_ipi);
