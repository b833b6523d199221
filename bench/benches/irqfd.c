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

/* Spin until *p == want; false on timeout or if the vCPU thread ended. */
static bool wait_eq(volatile uint64_t *p, uint64_t want, struct ks_vcpu_thread *t)
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
static bool calibrate(struct ks_mailbox *mb, uint64_t *seq, struct ks_vcpu_thread *t,
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

/* The benchmark's spec: whether the guest halts or spins while it waits. */
struct irqfd_wait {
	bool halt;
};

/* One irqfd run: the vCPU on a thread of its own, this thread drives. */
struct irqfd {
	bool halt;
	uint64_t n, warm;
	int efd;
	int vcpu_cpu, host_cpu;
	struct ks_vcpu_thread t;
	struct calib cal0;
	/* per measured interrupt: one-way raw ticks, round trip, EOI, offset error */
	uint64_t *raw;
	double *rtt, *eoi, *err_ns;
	double drift_max;
};

static int setup(struct ks_run *run, struct ks_result *r)
{
	struct irqfd *q = run->priv;
	struct ks_vm *vm = &run->s.vm;

	q->efd = ks_session_eventfd(run->c, &run->s);
	if (q->efd < 0)
		return -1;
	if (ks_vm_route_gsi_to_vector(vm, IRQ_GSI, vm->arch->layout->irq_vector) < 0 ||
	    ks_vm_irqfd(vm, q->efd, IRQ_GSI, true) < 0) {
		snprintf(run->c->err, sizeof(run->c->err), "%s", vm->err);
		return -1;
	}
	vm->mb->irq_mode = q->halt ? KS_IRQ_HALT : KS_IRQ_SPIN;
	vm->mb->irq_count_target = q->warm + q->n;
	q->raw = malloc(q->n * sizeof(uint64_t));
	q->rtt = malloc(q->n * sizeof(double));
	q->eoi = malloc(q->n * sizeof(double));
	q->err_ns = malloc(q->n * sizeof(double));
	if (!q->raw || !q->rtt || !q->eoi || !q->err_ns) {
		snprintf(run->c->err, sizeof(run->c->err), "out of memory");
		return -1;
	}
	return 0;
}

static int measure(struct ks_run *run, struct ks_result *r)
{
	struct irqfd *q = run->priv;
	struct ks_ctx *c = run->c;
	struct ks_mailbox *mb = run->s.vm.mb;
	const struct ks_arch_ops *arch = run->s.vm.arch;
	const uint64_t n = q->n, warm = q->warm, hz = run->hz;

	/* The vCPU and this thread must run at once: give them different CPUs. */
	q->vcpu_cpu = c->opts->cpu >= 0 ? c->opts->cpu : (int)(c->host->facts.cpu.online - 1);
	q->host_cpu = q->vcpu_cpu == 0 ? 1 : 0;
	ks_pin_self(q->host_cpu);
	if (ks_vcpu_thread_start(run, &q->t, &run->s.vcpu, q->vcpu_cpu, KS_UC_DONE) < 0)
		return -1;

	struct calib cal = { 0 };
	uint64_t seq = 0;
	if (!calibrate(mb, &seq, &q->t, c->opts->quick ? 1000 : 5000, arch->host_ticks, &q->cal0)) {
		snprintf(c->err, sizeof(c->err), "clock calibration with the guest failed: %s",
			 q->t.finished ? q->t.err : "guest did not answer within 1 s");
		return -1;
	}
	struct ks_stat_expect exp[KS_MAX_CHECKS] = { { STAT(stat_irq_injections), 1 } };
	uint64_t lost = 0;
	for (uint64_t i = 0; i < warm + n; i++) {
		if (i == warm)
			ks_run_phase_begin(run, exp, n, NULL);
		if (i > warm)
			ks_progress_advance(c->progress, i - warm);
		mb->host_go = i + 1;
		if (!wait_eq(&mb->irq_armed, i + 1, &q->t))
			break;
		if (q->halt)
			busy_wait_ns(200000);   /* let the vCPU really block in HLT */
		uint64_t one = 1;
		uint64_t h0 = arch->host_ticks();
		if (write(q->efd, &one, sizeof(one)) != sizeof(one))
			break;
		if (!wait_eq(&mb->irq_count, i + 1, &q->t)) {
			lost++;
			break;
		}
		uint64_t h1 = arch->host_ticks();
		uint64_t g = mb->irq_stamp, eoi_ticks = mb->irq_eoi_ticks;
		/* the offset as it is now, after this wake-up: see run_irq_wait() */
		if (!calibrate(mb, &seq, &q->t, 8, arch->host_ticks, &cal))
			break;
		if (i < warm)
			continue;
		uint64_t k = i - warm;
		q->raw[k] = (uint64_t)(int64_t)(g - (uint64_t)cal.offset - h0);
		q->rtt[k] = ks_ticks_to_ns(h1 - h0, hz);
		q->eoi[k] = ks_ticks_to_ns(eoi_ticks, hz);
		q->err_ns[k] = ks_ticks_to_ns(cal.best_rtt, hz) / 2;
		int64_t d = cal.offset - q->cal0.offset;
		double dn = ks_ticks_to_ns((uint64_t)(d < 0 ? -d : d), hz);
		if (dn > q->drift_max)
			q->drift_max = dn;
	}
	uint64_t got = mb->irq_count > warm ? mb->irq_count - warm : 0;
	bool all = got >= n && !lost;
	if (all)
		ks_run_phase_end(run, n);
	mb->host_go = warm + n + 1;
	if (!all) {
		snprintf(c->err, sizeof(c->err),
			 "only %llu of %llu interrupts arrived (%llu unexpected deliveries)%s%s",
			 (unsigned long long)got, (unsigned long long)n,
			 (unsigned long long)mb->irq_unexpected,
			 q->t.finished ? ": " : " (waited 1 s)", q->t.finished ? q->t.err : "");
		return -1;
	}
	/* the guest answers the last calibration and reports DONE */
	if (ks_vcpu_thread_join(&q->t, false) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", q->t.err);
		return -1;
	}
	return 0;
}

static int record(struct ks_run *run, struct ks_result *r)
{
	struct irqfd *q = run->priv;
	const struct ks_bench *b = run->b;
	struct ks_summary es;
	const uint64_t n = q->n, hz = run->hz;

	ks_summarize(q->err_ns, n, &es);
	if (ks_run_take_ticks(run, r, q->raw, n, 1) < 0) {
		q->raw = NULL;   /* the result owns it */
		return -1;
	}
	q->raw = NULL;
	ks_result_param_str(r, "guest_wait", q->halt ? "hlt" : "spin, interrupts enabled");
	ks_result_param_num(r, "interrupts", (double)n);
	/* deliveries the guest saw beyond the one per write it armed for */
	ks_result_metric(r, "unexpected_interrupts", "count", (double)run->s.vm.mb->irq_unexpected);
	ks_result_param_num(r, "gsi", IRQ_GSI);
	ks_result_param_num(r, "vcpu_cpu", q->vcpu_cpu);
	ks_result_param_num(r, "host_cpu", q->host_cpu);
	/* error bound of each sample's offset: half the best ping round trip */
	ks_result_metric(r, "clock_offset", "ticks", (double)q->cal0.offset);
	ks_result_metric(r, "clock_offset_error", "ns", es.median);
	ks_result_metric(r, "clock_offset_error_max", "ns", es.max);
	ks_result_metric(r, "clock_offset_error_initial", "ns",
			 ks_ticks_to_ns(q->cal0.best_rtt, hz) / 2);
	ks_result_metric(r, "clock_offset_drift_max", "ns", q->drift_max);

	char name_rtt[KS_NAME_LEN];
	snprintf(name_rtt, sizeof(name_rtt), "%s_rtt", b->name);
	struct ks_result *rr = ks_run_add_result(run, name_rtt, "ns",
		"host eventfd write -> host sees the guest handler's store (%s)",
		q->halt ? "guest halted" : "guest spinning");
	if (rr) {
		ks_result_set_samples(rr, q->rtt, n);
		q->rtt = NULL;
	}
	if (!q->halt) {
		struct ks_result *re = ks_run_add_result(run, "eoi", "ns",
			"IRQ completion: the handler's EOI write, timed in the guest");
		if (re) {
			ks_result_param_str(re, "mechanism", run->s.vm.arch->eoi_mechanism);
			ks_result_set_samples(re, q->eoi, n);
			q->eoi = NULL;
		}
	}
	return 0;
}

static void teardown(struct ks_run *run)
{
	struct irqfd *q = run->priv;

	if (q->t.started)
		ks_vcpu_thread_join(&q->t, true);
	ks_pin_self(run->c->opts->cpu);
	free(q->raw);
	free(q->rtt);
	free(q->eoi);
	free(q->err_ns);
}

static int run_irqfd(const struct ks_bench *b, struct ks_ctx *c)
{
	struct irqfd q = {
		.halt = ((const struct irqfd_wait *)b->spec)->halt,
		.n = ks_default_batches(c, 2000, 200),
	};
	q.warm = q.n / 10 + 1;
	const struct ks_run_desc d = {
		.unit = "ns",
		/* KVM-on-Gunyah: no in-kernel irqchip; the irqfd rings a doorbell */
		.irqchip = !c->host->facts.backend.limits.no_irqchip,
		.setup = setup, .measure = measure, .record = record, .teardown = teardown,
		.priv = &q,
	};
	return ks_run(b, c, &d);
}

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	/* a doorbell backend delivers irqfds without an in-kernel irqchip */
	bool doorbell = h->facts.backend.limits.irqfd_is_doorbell;
	if (!ks_avail_kvm(b, h, why, len) ||
	    !ks_avail_cap(h, KVM_CAP_IRQFD, "KVM_CAP_IRQFD", why, len))
		return false;
	if (!doorbell && (!ks_avail_irqchip(b, h, why, len) ||
			  !ks_avail_cap(h, KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", why, len)))
		return false;
	/* a backend that may lose a halted vCPU's wake-up would fail or hang it */
	if (((const struct irqfd_wait *)b->spec)->halt && h->facts.backend.limits.halt_wakeup_lost) {
		snprintf(why, len, "not supported on this backend: a vCPU halted in WFI may miss the "
			 "irqfd's wake-up for good (%s)", "tests/qemu-gunyah/README.md has the runs");
		return false;
	}
	/* the host thread and the waiting vCPU run at once */
	return ks_avail_host_cpus(h, 2, why, len);
}

/* How the guest waits for each interrupt: the two benchmarks' one difference. */
static const struct irqfd_wait spinning = { .halt = false }, halted = { .halt = true };

KS_BENCH(irqfd,
	.name = "irqfd", .family = "irq", .order = 500, .in_default = true,
	.what = "one-way irqfd delivery: host eventfd write -> guest handler entry (guest spinning)",
	.routine = "irq_wait", .available = avail, .run = run_irqfd, .spec = &spinning);

KS_BENCH(irqfd_halted,
	.name = "irqfd_halted", .family = "irq", .order = 510, .in_default = true,
	.what = "one-way irqfd delivery to a halted vCPU: eventfd write -> wake-up -> handler",
	.routine = "irq_wait", .available = avail, .run = run_irqfd, .spec = &halted);
