/* SPDX-License-Identifier: MIT */
/*
 * Virtual IPI: vCPU 0 sends an IPI (arm64: a GICv3 SGI through
 * ICC_SGI1R_EL1) to vCPU 1, which spins with interrupts enabled and stamps
 * its handler entry. Both vCPUs read the same VM counter, so the one-way
 * latency needs no clock calibration; the round trip ends when vCPU 0 sees
 * the handler's count change. The two vCPUs run on two host threads pinned
 * to different CPUs. Native KVM only: the Gunyah port runs one vCPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benches.h"

struct target_thread {
	struct ks_ctx *c;
	struct ks_session *s;
	int cpu;
	volatile int finished;
	char err[KS_ERR_LEN];
};

static void *target_main(void *arg)
{
	struct target_thread *t = arg;
	struct ks_ucall uc;

	ks_pin_self(t->cpu);
	if (ks_vcpu_watchdog_arm(&t->s->vcpu1, t->c->opts->watchdog_s) == 0 &&
	    ks_vcpu_run_to_ucall(&t->s->vcpu1, &uc) == 0)
		ks_vcpu_bad_ucall(&t->s->vcpu1, &uc, "nothing (the IPI target never reports)");
	snprintf(t->err, sizeof(t->err), "%s", t->s->vcpu1.err);
	ks_vcpu_watchdog_disarm(&t->s->vcpu1);
	t->finished = 1;
	return NULL;
}

static int run_ipi(const struct ks_bench *b, struct ks_ctx *c)
{
	struct ks_result *r = ks_result_add(c->res, b->name, b->family, "ns");
	struct ks_session s;
	struct target_thread t = { .c = c };
	struct ks_ucall uc;
	pthread_t th;
	int rc = -1;

	if (!r)
		return -1;
	snprintf(r->what, sizeof(r->what), "%s", b->what);
	uint64_t n = ks_default_batches(c, 2000, 200), warm = n / 10 + 1;
	if (ks_session_open_n(c, &s, KS_G_IPI, true, 2) < 0) {
		ks_result_fail(r, "failed", "%s", c->err);
		return -1;
	}
	struct ks_mailbox *mb = s.vm.mb;
	mb->batches = n;
	mb->warmup_batches = warm;
	if (n > mb->samples_cap / 2) {
		ks_result_fail(r, "failed", "--samples %llu exceeds the guest sample buffer",
			       (unsigned long long)n);
		goto out;
	}
	int cpu0 = c->opts->cpu >= 0 ? c->opts->cpu : 0;
	t.s = &s;
	t.cpu = cpu0 == 0 ? 1 : 0;
	if (pthread_create(&th, NULL, target_main, &t) != 0) {
		ks_result_fail(r, "failed", "pthread_create: %s", strerror(errno));
		goto out;
	}
	ks_pin_self(cpu0);
	bool ok = ks_vcpu_watchdog_arm(&s.vcpu, c->opts->watchdog_s) == 0 &&
		  ks_vcpu_run_to_ucall(&s.vcpu, &uc) == 0;
	if (ok && uc.cmd != KS_UC_DONE) {
		ks_vcpu_bad_ucall(&s.vcpu, &uc, "DONE");
		ok = false;
	}
	ks_vcpu_watchdog_disarm(&s.vcpu);
	ks_vcpu_stop(&s.vcpu1, th);
	pthread_join(th, NULL);
	ks_pin_self(c->opts->cpu);
	if (!ok) {
		ks_result_fail(r, ks_interrupted ? "interrupted" : "failed", "%s", s.vcpu.err);
		goto out;
	}

	uint64_t hz = s.vm.arch->guest_tick_hz(&s.vcpu);
	/* the host's layout, never the guest-writable mailbox, says where samples are */
	const struct ks_layout *lay = s.vm.arch->layout;
	const uint64_t *ow = ks_vm_gpa_to_hva(&s.vm, lay->samples_gpa, lay->samples_cap * 8);
	const uint64_t *rt = ow ? ow + lay->samples_cap / 2 : NULL;
	double *ns = malloc(n * sizeof(double)), *rtt = malloc(n * sizeof(double));
	r->raw_ticks = malloc(n * sizeof(uint64_t));
	if (!ow || !ns || !rtt || !r->raw_ticks) {
		free(ns), free(rtt);
		ks_result_fail(r, "failed", "out of memory");
		goto out;
	}
	for (uint64_t i = 0; i < n; i++) {
		ns[i] = ks_ticks_to_ns(ow[i], hz);
		rtt[i] = ks_ticks_to_ns(rt[i], hz);
	}
	memcpy(r->raw_ticks, ow, n * sizeof(uint64_t));
	r->nraw = n;
	r->tick_hz = hz;
	r->ops_per_raw = 1;
	ks_result_set_samples(r, ns, n);
	ks_result_param_str(r, "mechanism", ks_arch_is("arm64") ? "GICv3 SGI 1 via ICC_SGI1R_EL1" :
								  "fixed IPI");
	ks_result_param_str(r, "target_wait", "spin, interrupts enabled");
	ks_result_param_num(r, "sender_cpu", cpu0);
	ks_result_param_num(r, "target_cpu", t.cpu);
	struct ks_result *rr = ks_result_add(c->res, "ipi_rtt", b->family, "ns");
	if (rr) {
		snprintf(rr->what, sizeof(rr->what),
			 "IPI send -> the sender sees the target handler's store");
		ks_result_set_samples(rr, rtt, n);
	} else {
		free(rtt);
	}
	rc = 0;
out:
	ks_session_close(&s);
	return rc;
}

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!ks_avail_kvm(b, h, why, len) || !ks_avail_vcpus(h, 2, why, len) ||
	    !ks_avail_irqchip(b, h, why, len) || !ks_avail_host_cpus(h, 2, why, len))
		return false;
	if (!ks_arch_is("arm64")) {
		snprintf(why, len, "not implemented on %s yet (the x86 guest runs one vCPU)",
			 ks_arch.name);
		return false;
	}
	return true;
}

const struct ks_bench ks_bench_ipi = {
	.name = "ipi", .family = "irq", .in_default = true,
	.what = "virtual IPI one-way: vCPU 0 sends, vCPU 1's handler entry (same VM counter)",
	.available = avail, .run = run_ipi,
};
