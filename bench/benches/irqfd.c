/* SPDX-License-Identifier: MIT */
/*
 * irqfd interrupt delivery: host writes an eventfd bound with KVM_IRQFD to
 * a GSI routed to the benchmark vector; the guest's handler stamps its
 * counter. One-way latency = guest stamp - host stamp, on one timeline via a
 * clock offset kvmscope measures itself: a shared-memory ping-pong between
 * this thread and the spinning vCPU on another CPU, every round bounding the
 * offset (clock_sync.h), the bounds intersected over the whole run. Round
 * trip = host write -> host sees the handler's count change. The handler
 * also times its EOI (IRQ completion). Two variants: the guest spins with
 * interrupts enabled, or halts (then the in-kernel halt path and halt
 * polling are part of it).
 *
 * A busy host slows the guest down, it does not make it wrong: the host's
 * waits end on the guest's progress (ks_vcpu_thread_wait), slow waits are
 * counted and said, and a sample the calibration contradicts is rejected
 * and counted, never kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benches.h"
#include "clock_sync.h"
#include "fault_inject.h"

#define IRQ_GSI 24
#define CALIB_ROUNDS_AFTER_IRQ 8
#define MIN_SAMPLES 200   /* sampling to a target, the least a round cut by the cap keeps */
#define RACE_TIMEOUT_NS 20000000ULL   /* irq_race hook: the longest linger, 20 ms */

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
	uint64_t n, warm;             /* n: the first round, then all measured */
	size_t cap;                   /* the arrays' room (measured interrupts) */
	int efd;
	int vcpu_cpu, host_cpu;
	struct ks_vcpu_thread t;
	struct ks_clock_sync sync;
	uint64_t seq;                 /* the last ping sent */
	int64_t offset0;              /* after the initial calibration, ticks */
	uint64_t error0;
	/* per measured interrupt: round trip, EOI */
	double *rtt, *eoi;
	/* per kept one-way sample: raw ticks, in ns, its offset error bound */
	uint64_t *raw;
	double *ow_ns, *err_ns;
	size_t nkept;
	uint64_t rejected;             /* below -(error bound): the guest saw it before it was sent */
	uint64_t after_move;           /* kept, against an offset that moved around the interrupt */
	double drift_max;
	uint64_t raced;                /* the irq_race test hook's interrupts */
};

/* `rounds` ping rounds into q->sync; false when a wait gave up (c->err).
 * *moved: a round contradicted the rounds before it (the offset moved). */
static bool calibrate(struct ks_ctx *c, struct irqfd *q, struct ks_mailbox *mb, uint64_t rounds,
		      uint64_t (*ticks)(void), bool *moved)
{
	*moved = false;
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t k = ++q->seq;
		uint64_t h0 = ticks();
		mb->host_seq = k;
		if (!ks_vcpu_thread_wait(&q->t, &mb->guest_seq, k, "answer to a clock ping",
					 NULL, 0)) {
			snprintf(c->err, sizeof(c->err), "clock calibration with the guest failed: %s",
				 q->t.why);
			return false;
		}
		uint64_t h1 = ticks();
		uint64_t g = mb->guest_stamp;   /* stored before guest_seq: the wait acquired it */
		if (!ks_clock_sync_round(&q->sync, h0, g, h1))
			*moved = true;
		ks_vcpu_thread_progress(&q->t);   /* between rounds: no timed window */
	}
	return true;
}

/* Room for n measured interrupts in every array. */
static int grow(struct ks_run *run, struct irqfd *q, size_t n)
{
	double **d[] = { &q->rtt, &q->eoi, &q->ow_ns, &q->err_ns };
	bool ok = true;

	if (n <= q->cap)
		return 0;
	uint64_t *raw = realloc(q->raw, n * sizeof(*raw));
	if (raw)
		q->raw = raw;
	ok = raw != NULL;
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		double *p = realloc(*d[i], n * sizeof(double));
		if (p)
			*d[i] = p;
		ok = ok && p;
	}
	if (!ok) {
		snprintf(run->c->err, sizeof(run->c->err), "out of memory for %zu interrupts", n);
		return -1;
	}
	q->cap = n;
	return 0;
}

/* After `taken` measured interrupts: how many more for the precision
 * target, on every result they give (one-way, round trip, EOI). */
static int next_round(struct ks_run *run, struct irqfd *q, uint64_t taken, uint64_t elapsed,
		      uint64_t *more)
{
	const double *series[3] = { q->ow_ns, q->rtt, q->eoi };
	const size_t ns[3] = { q->nkept, taken, taken };

	*more = ks_precision_more(&run->prec, series, ns, q->halt ? 2 : 3, taken, elapsed);
	return *more ? grow(run, q, taken + *more) : 0;
}

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
	vm->mb->race_timeout_ticks = (uint64_t)((double)run->hz * RACE_TIMEOUT_NS / 1e9);
	return grow(run, q, q->n);
}

/* A failure: say which interrupt and why, and stop the guest now (it may be
 * spinning or halted forever waiting for something that will not come). */
static int fail_at(struct ks_run *run, struct irqfd *q, uint64_t i, const char *why)
{
	char msg[sizeof(run->c->err)];

	snprintf(msg, sizeof(msg), "interrupt %llu of %llu (%llu unexpected deliveries): %s",
		 (unsigned long long)(i + 1), (unsigned long long)(q->warm + q->n),
		 (unsigned long long)run->s.vm.mb->irq_unexpected, why);
	snprintf(run->c->err, sizeof(run->c->err), "%s", msg);
	ks_vcpu_thread_join(&q->t, true);
	return -1;
}

static int measure(struct ks_run *run, struct ks_result *r)
{
	struct irqfd *q = run->priv;
	struct ks_ctx *c = run->c;
	struct ks_mailbox *mb = run->s.vm.mb;
	const struct ks_arch_ops *arch = run->s.vm.arch;
	const uint64_t warm = q->warm, hz = run->hz;
	uint64_t planned = warm + q->n, t0 = 0, paused = 0;
	bool moved;

	/* The vCPU and this thread must run at once: give them different CPUs. */
	q->vcpu_cpu = c->opts->cpu >= 0 ? c->opts->cpu : (int)(c->host->facts.cpu.online - 1);
	q->host_cpu = q->vcpu_cpu == 0 ? 1 : 0;
	ks_pin_self(q->host_cpu);
	if (ks_vcpu_thread_start(run, &q->t, &run->s.vcpu, q->vcpu_cpu, KS_UC_DONE) < 0)
		return -1;

	if (!calibrate(c, q, mb, c->opts->quick ? 1000 : 5000, arch->host_ticks, &moved)) {
		ks_vcpu_thread_join(&q->t, true);
		return -1;
	}
	q->offset0 = ks_clock_sync_offset(&q->sync);
	q->error0 = ks_clock_sync_error(&q->sync);
	struct ks_stat_expect exp[KS_MAX_CHECKS] = { { STAT(stat_irq_injections), 1 } };
	for (uint64_t i = 0; i < planned; i++) {
		if (i == warm) {
			ks_run_phase_begin(run, exp, planned - warm, NULL);
			t0 = ks_now_ns();
		}
		if (i > warm)
			ks_progress_advance(c->progress, i - warm);
		/* the test hook: linger in a race window, masked and enabled in turn */
		if (ks_fault_take("irq_race")) {
			mb->race_window = q->raced++ % 2 ? KS_RACE_ENABLED : KS_RACE_MASKED;
			mb->race_irq = i + 1;
		} else {
			mb->race_irq = 0;
		}
		uint64_t masked_pending = mb->race_masked_pending;
		__atomic_store_n(&mb->host_go, i + 1, __ATOMIC_RELEASE);
		if (!ks_vcpu_thread_wait(&q->t, &mb->irq_armed, i + 1, "guest arming for it",
					 NULL, 0))
			return fail_at(run, q, i, q->t.why);
		if (q->halt)
			busy_wait_ns(200000);   /* let the vCPU really block in HLT */
		uint64_t one = 1;
		uint64_t h0 = arch->host_ticks();
		if (write(q->efd, &one, sizeof(one)) != sizeof(one)) {
			char why[96];
			snprintf(why, sizeof(why), "write(eventfd): %s", strerror(errno));
			return fail_at(run, q, i, why);
		}
		mb->host_fired = i + 1;
		/* the vCPU may sleep until the interrupt wakes it; but once it saw the
		 * interrupt pending (the irq_race hook's masked window) it must take
		 * it without halting */
		if (!ks_vcpu_thread_wait(&q->t, &mb->irq_count, i + 1, "handler entry (irq_count)",
					 &mb->race_masked_pending,
					 mb->race_irq == i + 1 && mb->race_window == KS_RACE_MASKED ?
					 masked_pending + 1 : UINT64_MAX))
			return fail_at(run, q, i, q->t.why);
		uint64_t h1 = arch->host_ticks();
		/* stored before irq_count by the handler: the wait acquired them */
		uint64_t g = mb->irq_stamp, eoi_ticks = mb->irq_eoi_ticks;
		/* the offset as it is now, after this wake-up: see run_irq_wait() */
		if (!calibrate(c, q, mb, CALIB_ROUNDS_AFTER_IRQ, arch->host_ticks, &moved))
			return fail_at(run, q, i, c->err);
		if (i < warm)
			continue;
		uint64_t k = i - warm;
		q->rtt[k] = ks_ticks_to_ns(h1 - h0, hz);
		q->eoi[k] = ks_ticks_to_ns(eoi_ticks, hz);
		/*
		 * Against the offset as the rounds after the interrupt found it: a
		 * counter offset that moves (a host whose TSC KVM calls unstable
		 * adjusts it whenever the vCPU is loaded, so on every wake-up from
		 * HLT) moved before the handler's stamp, when the vCPU woke.
		 */
		bool contradicts;
		int64_t one_way = ks_clock_sync_one_way(&q->sync, h0, g, &contradicts);
		if (contradicts) {
			q->rejected++;
		} else {
			if (moved)
				q->after_move++;
			q->raw[q->nkept] = (uint64_t)one_way;
			double t = ks_ticks_to_ns(one_way < 0 ? -(uint64_t)one_way : (uint64_t)one_way, hz);
			q->ow_ns[q->nkept] = one_way < 0 ? -t : t;
			q->err_ns[q->nkept++] = ks_ticks_to_ns(ks_clock_sync_error(&q->sync), hz);
			int64_t d = ks_clock_sync_offset(&q->sync) - q->offset0;
			double dn = ks_ticks_to_ns((uint64_t)(d < 0 ? -d : d), hz);
			if (dn > q->drift_max)
				q->drift_max = dn;
		}
		/* the round is over, or the time cap spent (a busy host makes halted
		 * wake-ups slow): decide; the guest answers pings meanwhile */
		uint64_t ts = ks_now_ns(), more;
		if (i + 1 < planned && !(k + 1 >= MIN_SAMPLES &&
					 ks_precision_spent(&run->prec, ts - t0 - paused)))
			continue;
		if (i + 1 < planned)
			planned = i + 1;   /* the cap ended this round early */
		if (next_round(run, q, k + 1, ts - t0 - paused, &more) < 0)
			return fail_at(run, q, i, c->err);
		planned += more;
		q->n = planned - warm;   /* the plan, as failures name it */
		ks_progress_total(c->progress, planned - warm);
		paused += ks_now_ns() - ts;
	}
	q->n = planned - warm;
	ks_run_phase_end(run, q->n);
	/* enough: the guest leaves its ping loop and reports DONE */
	__atomic_store_n(&mb->host_go, KS_IRQ_GO_DONE, __ATOMIC_RELEASE);
	/* the guest answers the last calibration and reports DONE */
	if (ks_vcpu_thread_join(&q->t, false) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", q->t.err);
		return -1;
	}
	if (!q->nkept) {
		snprintf(c->err, sizeof(c->err), "every one-way sample of %llu was rejected: each "
			 "contradicted the clock calibration (guest stamp before the host's write)",
			 (unsigned long long)q->n);
		return -1;
	}
	return 0;
}

static int record(struct ks_run *run, struct ks_result *r)
{
	struct irqfd *q = run->priv;
	const struct ks_bench *b = run->b;
	const struct ks_mailbox *mb = run->s.vm.mb;
	struct ks_summary es;
	const uint64_t n = q->n, hz = run->hz;

	ks_summarize(q->err_ns, q->nkept, &es);
	if (ks_run_take_ticks(run, r, q->raw, q->nkept, 1) < 0) {
		q->raw = NULL;   /* the result owns it */
		return -1;
	}
	q->raw = NULL;
	ks_result_param_str(r, "guest_wait", q->halt ? "hlt" : "spin, interrupts enabled");
	ks_result_param_num(r, "interrupts", (double)n);
	ks_result_param_num(r, "gsi", IRQ_GSI);
	ks_result_param_num(r, "vcpu_cpu", q->vcpu_cpu);
	ks_result_param_num(r, "host_cpu", q->host_cpu);
	/* deliveries the guest saw beyond the one per write it armed for */
	ks_result_metric(r, "unexpected_interrupts", "count", (double)mb->irq_unexpected);
	/* the offset and each kept sample's error bound: half the width of the
	 * intersection of every ping round's interval so far */
	ks_result_metric(r, "clock_offset", "ticks", (double)q->offset0);
	ks_result_metric(r, "clock_offset_error", "ns", es.median);
	ks_result_metric(r, "clock_offset_error_max", "ns", es.max);
	ks_result_metric(r, "clock_offset_error_initial", "ns", ks_ticks_to_ns(q->error0, hz));
	ks_result_metric(r, "clock_offset_drift_max", "ns", q->drift_max);
	ks_result_metric(r, "clock_offset_moves", "count", (double)q->sync.resets);
	ks_result_metric(r, "clock_offset_move_max", "ns", ks_ticks_to_ns(q->sync.max_jump, hz));
	ks_result_metric(r, "samples_after_offset_move", "count", (double)q->after_move);
	ks_result_metric(r, "clock_ping_rounds", "count", (double)q->sync.rounds);
	/* samples the calibration contradicts are rejected, counted, never kept */
	ks_result_metric(r, "rejected_samples", "count", (double)q->rejected);
	if (q->rejected) {
		char why[64];
		snprintf(why, sizeof(why), "%llu one-way below -(its clock error bound)",
			 (unsigned long long)q->rejected);
		ks_result_param_str(r, "rejected", why);
	}
	/* a busy host: the waits for the guest that took over 1 ms */
	ks_result_metric(r, "slow_waits", "count", (double)q->t.waits.slow);
	ks_result_metric(r, "longest_wait", "ns", (double)q->t.waits.longest_ns);
	if (q->t.waits.slow) {
		char busy[64];
		snprintf(busy, sizeof(busy), "%llu of %llu waits over 1 ms, longest %.1f ms",
			 (unsigned long long)q->t.waits.slow, (unsigned long long)q->t.waits.waits,
			 (double)q->t.waits.longest_ns / 1e6);
		ks_result_param_str(r, "host_busy", busy);
	}
	if (q->raced) {   /* the irq_race test hook: what the guest did */
		ks_result_metric(r, "race_masked", "count", (double)mb->race_masked);
		ks_result_metric(r, "race_masked_pending", "count", (double)mb->race_masked_pending);
		ks_result_metric(r, "race_enabled", "count", (double)mb->race_enabled);
		ks_result_metric(r, "race_enabled_delivered", "count",
				 (double)mb->race_enabled_delivered);
	}

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
	free(q->ow_ns);
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
