/* SPDX-License-Identifier: MIT */
/*
 * irqfd interrupt delivery: host writes an eventfd bound with KVM_IRQFD to
 * a GSI routed to the benchmark vector; the guest's handler stamps its
 * counter. One-way latency = guest stamp - host stamp, on one timeline via a
 * clock offset kvmscope measures itself: a shared-memory ping-pong between
 * this thread and the spinning vCPU on another CPU (NTP-style; the offset's
 * error bound is half the best round trip). Round trip = host write -> host
 * sees the handler's count change. The handler also times its EOI (IRQ
 * completion). Two variants: the guest spins with interrupts enabled, or
 * halts (then the in-kernel halt path and halt polling are part of it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benches.h"

#define IRQ_GSI 24
#define WAIT_NS 1000000000ULL   /* give up on one interrupt after 1 s */

struct vcpu_thread {
	struct ks_ctx *c;
	struct ks_session *s;
	int cpu;
	volatile int finished;
	int rc;
	char err[KS_ERR_LEN * 2];
};

static void *vcpu_main(void *arg)
{
	struct vcpu_thread *t = arg;
	struct ks_vcpu *v = &t->s->vcpu;
	struct ks_ucall uc;

	t->rc = -1;
	ks_pin_self(t->cpu);
	if (ks_vcpu_watchdog_arm(v, t->c->opts->watchdog_s) < 0)
		goto out;
	if (ks_vcpu_run_to_ucall(v, &uc) < 0)
		goto out;
	if (uc.cmd != KS_UC_DONE) {
		ks_vcpu_bad_ucall(v, &uc, "DONE");
		goto out;
	}
	t->rc = 0;
out:
	if (t->rc < 0)
		snprintf(t->err, sizeof(t->err), "%s", v->err);
	ks_vcpu_watchdog_disarm(v);
	t->finished = 1;
	return NULL;
}

/* Spin until *p == want; false on timeout or if the vCPU thread ended. */
static bool wait_eq(volatile uint64_t *p, uint64_t want, struct vcpu_thread *t)
{
	uint64_t t0 = ks_now_ns();
	while (*p != want) {
		if (t->finished || ks_interrupted || ks_now_ns() - t0 > WAIT_NS)
			return false;
		ks_arch.cpu_relax();
	}
	return true;
}

struct calib {
	int64_t offset;       /* guest ticks - host ticks */
	uint64_t best_rtt;    /* ticks */
};

/*
 * NTP-style: host stamps h0, pings, the guest stamps g, the host sees the
 * echo and stamps h1. With symmetric paths g - (h0+h1)/2 is the offset,
 * and it can be wrong by at most (h1-h0)/2: keep the best of `rounds`.
 */
static bool calibrate(struct ks_mailbox *mb, uint64_t *seq, struct vcpu_thread *t,
		      uint64_t rounds, uint64_t (*ticks)(void), struct calib *out)
{
	out->best_rtt = UINT64_MAX;
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t k = ++*seq;
		uint64_t h0 = ticks();
		mb->host_seq = k;
		if (!wait_eq(&mb->guest_seq, k, t))
			return false;
		uint64_t h1 = ticks();
		uint64_t g = __atomic_load_n(&mb->guest_stamp, __ATOMIC_ACQUIRE);
		if (h1 - h0 < out->best_rtt) {
			out->best_rtt = h1 - h0;
			out->offset = (int64_t)(g - (h0 + (h1 - h0) / 2));
		}
	}
	return true;
}

static void busy_wait_ns(uint64_t ns)
{
	uint64_t t0 = ks_now_ns();
	while (ks_now_ns() - t0 < ns)
		ks_arch.cpu_relax();
}

static int run_irqfd(const struct ks_bench *b, struct ks_ctx *c)
{
	const bool halt = b->spec != NULL;   /* spec marks the halted variant */
	char name_rtt[KS_NAME_LEN];
	struct ks_result *r = ks_result_add(c->res, b->name, b->family, "ns");
	struct ks_session s;
	struct vcpu_thread t = { .c = c };
	pthread_t th;
	bool started = false;
	int rc = -1;

	if (!r)
		return -1;
	/* Adding the _rtt and eoi results may move c->res->items (realloc): r is
	 * found again by its index before it is used after those adds. */
	const size_t r_idx = (size_t)(r - c->res->items);
	snprintf(r->what, sizeof(r->what), "%s", b->what);
	uint64_t n = ks_default_batches(c, 2000, 200), warm = n / 10 + 1;
	/* KVM-on-Gunyah: no in-kernel irqchip; the irqfd rings a doorbell */
	bool chip = !c->host->backend.limits.no_irqchip;
	if (ks_session_open(c, &s, KS_G_IRQ_WAIT, chip) < 0) {
		ks_result_fail(r, "failed", "%s", c->err);
		return -1;
	}
	struct ks_mailbox *mb = s.vm.mb;
	const struct ks_arch_ops *arch = s.vm.arch;
	int efd = ks_session_eventfd(c, &s);
	if (efd < 0 || ks_vm_route_gsi_to_vector(&s.vm, IRQ_GSI, arch->layout->irq_vector) < 0 ||
	    ks_vm_irqfd(&s.vm, efd, IRQ_GSI, true) < 0) {
		ks_result_fail(r, "failed", "%s", efd < 0 ? c->err : s.vm.err);
		goto out;
	}
	mb->irq_mode = halt ? KS_IRQ_HALT : KS_IRQ_SPIN;
	mb->irq_count_target = warm + n;

	/* The vCPU and this thread must run at once: give them different CPUs. */
	int vcpu_cpu = c->opts->cpu >= 0 ? c->opts->cpu : (int)(c->host->nr_cpus - 1);
	int host_cpu = vcpu_cpu == 0 ? 1 : 0;
	t.s = &s;
	t.cpu = vcpu_cpu;
	ks_pin_self(host_cpu);
	if (pthread_create(&th, NULL, vcpu_main, &t) != 0) {
		ks_result_fail(r, "failed", "pthread_create: %s", strerror(errno));
		goto out;
	}
	started = true;

	struct calib cal0 = { 0 }, cal = { 0 };
	uint64_t seq = 0;
	uint64_t hz = arch->guest_tick_hz(&s.vcpu);
	if (!hz)
		hz = c->host->guest_tick_hz;
	if (!calibrate(mb, &seq, &t, c->opts->quick ? 1000 : 5000, arch->host_ticks, &cal0)) {
		ks_result_fail(r, "failed", "clock calibration with the guest failed: %s",
			       t.finished ? t.err : "guest did not answer within 1 s");
		goto out;
	}

	double *oneway = malloc(n * sizeof(double)), *rtt = malloc(n * sizeof(double));
	double *eoi = malloc(n * sizeof(double)), *err_ns = malloc(n * sizeof(double));
	uint64_t *raw = malloc(n * sizeof(uint64_t));
	if (!oneway || !rtt || !eoi || !raw || !err_ns) {
		free(oneway), free(rtt), free(eoi), free(raw), free(err_ns);
		ks_result_fail(r, "failed", "out of memory");
		goto out;
	}
	struct ks_stat_expect exp[KS_MAX_CHECKS] = { { STAT(stat_irq_injections), 1 } };
	struct ks_stat_snap snap;
	uint64_t lost = 0;
	double drift_max = 0;
	for (uint64_t i = 0; i < warm + n; i++) {
		if (i == warm) {
			ks_checks_begin(&s.vcpu, exp, &snap);
			ks_perf_phase_begin(c);
			ks_progress_phase(c->progress, n, NULL);
		}
		if (i > warm)
			ks_progress_advance(c->progress, i - warm);
		mb->host_go = i + 1;
		if (!wait_eq(&mb->irq_armed, i + 1, &t))
			break;
		if (halt)
			busy_wait_ns(200000);   /* let the vCPU really block in HLT */
		uint64_t one = 1;
		uint64_t h0 = arch->host_ticks();
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			break;
		if (!wait_eq(&mb->irq_count, i + 1, &t)) {
			lost++;
			break;
		}
		uint64_t h1 = arch->host_ticks();
		uint64_t g = mb->irq_stamp, eoi_ticks = mb->irq_eoi_ticks;
		/* the offset as it is now, after this wake-up: see run_irq_wait() */
		if (!calibrate(mb, &seq, &t, 8, arch->host_ticks, &cal))
			break;
		if (i < warm)
			continue;
		uint64_t k = i - warm;
		int64_t ow = (int64_t)(g - (uint64_t)cal.offset - h0);
		raw[k] = (uint64_t)ow;
		oneway[k] = (ow < 0 ? -1.0 : 1.0) * ks_ticks_to_ns((uint64_t)(ow < 0 ? -ow : ow), hz);
		rtt[k] = ks_ticks_to_ns(h1 - h0, hz);
		eoi[k] = ks_ticks_to_ns(eoi_ticks, hz);
		err_ns[k] = ks_ticks_to_ns(cal.best_rtt, hz) / 2;
		int64_t d = cal.offset - cal0.offset;
		double dn = ks_ticks_to_ns((uint64_t)(d < 0 ? -d : d), hz);
		if (dn > drift_max)
			drift_max = dn;
	}
	ks_perf_phase_end(c, r);
	mb->host_go = warm + n + 1;
	uint64_t got = mb->irq_count > warm ? mb->irq_count - warm : 0;
	if (got < n || lost) {
		free(oneway), free(rtt), free(eoi), free(raw), free(err_ns);
		ks_result_fail(r, ks_interrupted ? "interrupted" : "failed",
			       "only %llu of %llu interrupts arrived (%llu unexpected deliveries)%s%s",
			       (unsigned long long)got, (unsigned long long)n,
			       (unsigned long long)mb->irq_unexpected,
			       t.finished ? ": " : " (waited 1 s)", t.finished ? t.err : "");
		goto out;
	}
	ks_checks_end(&s.vcpu, exp, &snap, n, r);
	struct ks_summary es;
	ks_summarize(err_ns, n, &es);
	free(err_ns);

	r->raw_ticks = raw;
	r->nraw = n;
	r->tick_hz = hz;
	r->ops_per_raw = 1;
	ks_result_set_samples(r, oneway, n);
	ks_result_param_str(r, "guest_wait", halt ? "hlt" : "spin, interrupts enabled");
	ks_result_param_num(r, "interrupts", (double)n);
	/* deliveries the guest saw beyond the one per write it armed for */
	ks_result_metric(r, "unexpected_interrupts", "count", (double)mb->irq_unexpected);
	ks_result_param_num(r, "gsi", IRQ_GSI);
	ks_result_param_num(r, "vcpu_cpu", vcpu_cpu);
	ks_result_param_num(r, "host_cpu", host_cpu);
	/* error bound of each sample's offset: half the best ping round trip */
	ks_result_metric(r, "clock_offset", "ticks", (double)cal0.offset);
	ks_result_metric(r, "clock_offset_error", "ns", es.median);
	ks_result_metric(r, "clock_offset_error_max", "ns", es.max);
	ks_result_metric(r, "clock_offset_error_initial", "ns",
			 ks_ticks_to_ns(cal0.best_rtt, hz) / 2);
	ks_result_metric(r, "clock_offset_drift_max", "ns", drift_max);

	snprintf(name_rtt, sizeof(name_rtt), "%s_rtt", b->name);
	struct ks_result *rr = ks_result_add(c->res, name_rtt, b->family, "ns");
	if (rr) {
		snprintf(rr->what, sizeof(rr->what),
			 "host eventfd write -> host sees the guest handler's store (%s)",
			 halt ? "guest halted" : "guest spinning");
		ks_result_set_samples(rr, rtt, n);
	} else {
		free(rtt);
	}
	if (!halt) {
		struct ks_result *re = ks_result_add(c->res, "eoi", "irq", "ns");
		if (re) {
			snprintf(re->what, sizeof(re->what),
				 "IRQ completion: the handler's EOI write, timed in the guest");
			ks_result_param_str(re, "mechanism", "xAPIC EOI register (MMIO), in-kernel LAPIC");
			ks_result_set_samples(re, eoi, n);
		} else {
			free(eoi);
		}
	} else {
		free(eoi);
	}
	rc = 0;
out:
	if (started) {
		if (!t.finished && rc < 0)
			ks_vcpu_stop(&s.vcpu, th);
		pthread_join(th, NULL);
		if (rc == 0 && t.rc < 0) {
			r = &c->res->items[r_idx];
			ks_result_fail(r, "failed", "%s", t.err);
			rc = -1;
		}
	}
	ks_pin_self(c->opts->cpu);
	ks_session_close(&s);
	return rc;
}

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	/* a doorbell backend delivers irqfds without an in-kernel irqchip */
	bool doorbell = h->backend.limits.irqfd_is_doorbell;
	if (!ks_avail_kvm(b, h, why, len) ||
	    !ks_avail_cap(h, KVM_CAP_IRQFD, "KVM_CAP_IRQFD", why, len))
		return false;
	if (!doorbell && (!ks_avail_irqchip(b, h, why, len) ||
			  !ks_avail_cap(h, KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", why, len)))
		return false;
	/* the host thread and the waiting vCPU run at once */
	return ks_avail_host_cpus(h, 2, why, len);
}

static const int halted_marker = 1;

const struct ks_bench ks_bench_irqfd = {
	.name = "irqfd", .family = "irq", .in_default = true,
	.what = "one-way irqfd delivery: host eventfd write -> guest handler entry (guest spinning)",
	.available = avail, .run = run_irqfd, .spec = NULL,
};
const struct ks_bench ks_bench_irqfd_halted = {
	.name = "irqfd_halted", .family = "irq", .in_default = true,
	.what = "one-way irqfd delivery to a halted vCPU: eventfd write -> wake-up -> handler",
	.available = avail, .run = run_irqfd, .spec = &halted_marker,
};
