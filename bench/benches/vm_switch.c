/* SPDX-License-Identifier: MIT */
/*
 * VM switch (the "VM Switch" row of Dall et al.): two VMs share one host
 * CPU and hand a token back and forth with no userspace in the loop. VM A's
 * notification write is an ioeventfd whose eventfd is VM B's irqfd, and
 * B's is A's (one eventfd per direction); both vCPU threads are pinned to
 * the same host CPU and a VM waiting for the token is halted. So each
 * hand-over is: the sender's ioeventfd exit, KVM injecting into the other
 * VM and waking its vCPU thread, the sender halting, the host scheduler
 * switching threads on that CPU, the receiver entering its VM and taking
 * the interrupt. What is measured is that whole path (it contains the VM
 * switch; it cannot be cut out of it), one-way from A's stamp before its
 * write to B's handler entry, and round trip from A's stamp to A's handler
 * having taken the token back.
 *
 * The one-way pairs two VMs' counters. The VMM first asks the kernel for
 * counter offset 0 in both (ks_arch_ops counter_offset_zero), then measures
 * each VM's counter against the host's (clock_ping.h, from the other host
 * CPU, before and after the rounds, each VM alone on the shared CPU): a
 * difference within the calibration's error both times is "verified 0" and
 * not applied; otherwise the mean of the two is subtracted, and the error
 * bound grows by half of how far it moved (a host whose TSC the kernel
 * marked unstable re-bases guest TSCs at every vCPU load: the QEMU
 * testbed's does). Exit counts per round come from both vCPUs' stats fds.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benches.h"
#include "clock_ping.h"

#define TOKEN_GSI 24
#define ARM_WAIT_NS 1000000000ULL   /* VM B arms for its first token within 1 s */

enum { VM_A, VM_B };
enum { BEFORE, AFTER };   /* the calibrations around the rounds */

/* The host thread that calibrates VM A while the run's thread runs A. */
struct pinger {
	struct ks_run *run;
	int at;
	pthread_t th;
	bool started, ok;
};

struct vm_switch {
	uint64_t n, warm, rounds_cal;
	int cpu, cal_cpu;           /* both vCPUs; the calibrating host thread */
	bool pio;                   /* the notification is a port write (else MMIO) */
	uint64_t addr;
	int e_ab, e_ba;             /* A -> B and B -> A */
	struct ks_session b;        /* VM B (VM A is the run's session) */
	bool b_open;
	struct ks_vcpu_thread bt;   /* VM B's vCPU */
	struct pinger pinger;
	uint64_t seq[2];            /* clock ping sequence numbers per VM */
	cpu_set_t saved_cpus;
	bool saved;
	struct ks_stat_expect expect[KS_MAX_CHECKS];
	struct ks_stat_snap b_snap;
	int zeroed[2];
	char zero_how[2][KS_ERR_LEN];
	struct ks_clock_sync cal[2][2];   /* [BEFORE/AFTER][VM] */
	/* [vm][phase begin, end]: all exits, halt exits, KVM_RUN returns */
	uint64_t exits[2][2], halts[2][2], runs[2][2];
};

static struct ks_vcpu *vcpu_of(struct ks_run *run, int vm)
{
	struct vm_switch *p = run->priv;
	return vm == VM_A ? &run->s.vcpu : &p->b.vcpu;
}

/* `from`'s notification signals efd, which raises the token interrupt in `to`. */
static int wire(struct ks_ctx *c, const struct vm_switch *p, struct ks_vm *from, int efd,
		struct ks_vm *to)
{
	if (ks_vm_ioeventfd(from, p->addr, 4, p->pio, efd, true) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", from->err);
		return -1;
	}
	if (ks_vm_route_gsi_to_vector(to, TOKEN_GSI, to->arch->layout->irq_vector) < 0 ||
	    ks_vm_irqfd(to, efd, TOKEN_GSI, true) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", to->err);
		return -1;
	}
	return 0;
}

static int setup(struct ks_run *run, struct ks_result *r)
{
	struct vm_switch *p = run->priv;
	struct ks_ctx *c = run->c;
	struct ks_vm *va = &run->s.vm;
	const struct ks_layout *lay = va->arch->layout;

	if (p->n > lay->samples_cap / 2) {
		snprintf(c->err, sizeof(c->err), "--samples %llu exceeds the guest sample buffer",
			 (unsigned long long)p->n);
		return -1;
	}
	if (ks_session_open(c, &p->b, "vm_switch_echo", true, 1) < 0)
		return -1;
	p->b_open = true;
	struct ks_vm *vb = &p->b.vm;
	/* the guests' ks_notify_kernel: a port where the arch has ports, else MMIO */
	p->pio = lay->kernel_pio_port != 0;
	p->addr = p->pio ? lay->kernel_pio_port : lay->kernel_mmio_gpa;
	p->e_ab = ks_session_eventfd(c, &run->s);
	p->e_ba = p->e_ab < 0 ? -1 : ks_session_eventfd(c, &run->s);
	if (p->e_ba < 0 || wire(c, p, va, p->e_ab, vb) < 0 || wire(c, p, vb, p->e_ba, va) < 0)
		return -1;
	struct ks_mailbox *mbs[2] = { va->mb, vb->mb };
	for (int i = 0; i < 2; i++) {
		mbs[i]->batches = p->n;
		mbs[i]->warmup_batches = p->warm;
		struct ks_vcpu *v = vcpu_of(run, i);
		p->zeroed[i] = va->arch->counter_offset_zero(v, p->zero_how[i], sizeof(p->zero_how[i]));
		if (p->zeroed[i] < 0) {
			snprintf(c->err, sizeof(c->err), "%s", v->err);
			return -1;
		}
	}
	/* per round and VM: one notification exit, one token injected, no
	 * userspace MMIO exit; the stats an arch lacks are left out */
	const struct ks_stat_expect e[KS_MAX_CHECKS] = {
		{ p->pio ? STAT(stat_pio_exits) : STAT(stat_kernel_mmio_exits), 1 },
		{ STAT(stat_irq_injections), 1 },
		{ STAT(stat_mmio_exits), 0 },
	};
	memcpy(p->expect, e, sizeof(e));
	/* VM B is wired up: start it (the run starts VM A after setup) */
	if (ks_vm_start(vb) < 0) {
		snprintf(c->err, sizeof(c->err), "VM B: %s", vb->err);
		return -1;
	}
	return 0;
}

static uint64_t stat_now(struct ks_vcpu *v, const char *name)
{
	uint64_t val;
	int idx = v->has_stats && *name ? ks_stats_index(&v->stats, name) : -1;
	return idx >= 0 && ks_stats_read(&v->stats, idx, &val) == 0 ? val : UINT64_MAX;
}

static void snap(struct ks_run *run, int at)
{
	struct vm_switch *p = run->priv;
	for (int i = 0; i < 2; i++) {
		struct ks_vcpu *v = vcpu_of(run, i);
		p->exits[i][at] = stat_now(v, ks_arch.stat_all_exits);
		p->halts[i][at] = stat_now(v, ks_arch.stat_halt_exits);
		p->runs[i][at] = __atomic_load_n(&v->tally.runs, __ATOMIC_RELAXED);
	}
}

/* From the other CPU: VM A's counter against the host's, then "go". */
static void *ping_a(void *arg)
{
	struct pinger *g = arg;
	struct vm_switch *p = g->run->priv;
	struct ks_mailbox *mb = g->run->s.vm.mb;

	ks_pin_self(p->cal_cpu);
	g->ok = ks_clock_ping(mb, &p->seq[VM_A], NULL, p->rounds_cal, ks_arch.host_ticks,
			      &p->cal[g->at][VM_A]);
	mb->host_go = (uint64_t)g->at + 1;   /* A goes on either way: no hang */
	return NULL;
}

static int pinger_start(struct ks_run *run, int at)
{
	struct vm_switch *p = run->priv;

	p->pinger = (struct pinger){ .run = run, .at = at };
	if (pthread_create(&p->pinger.th, NULL, ping_a, &p->pinger) != 0) {
		snprintf(run->c->err, sizeof(run->c->err), "pthread_create failed");
		return -1;
	}
	p->pinger.started = true;
	return 0;
}

static int pinger_join(struct ks_run *run)
{
	struct vm_switch *p = run->priv;

	pthread_join(p->pinger.th, NULL);
	p->pinger.started = false;
	if (!p->pinger.ok) {
		snprintf(run->c->err, sizeof(run->c->err), "clock calibration with VM A (%s the "
			 "rounds) failed: it did not answer within 1 s",
			 p->pinger.at == BEFORE ? "before" : "after");
		return -1;
	}
	return 0;
}

/* From this thread (on the other CPU): VM B's counter, then "go". */
static int calibrate_b(struct ks_run *run, int at)
{
	struct vm_switch *p = run->priv;
	struct ks_mailbox *mb = p->b.vm.mb;

	if (!ks_clock_ping(mb, &p->seq[VM_B], &p->bt.finished, p->rounds_cal, ks_arch.host_ticks,
			   &p->cal[at][VM_B])) {
		snprintf(run->c->err, sizeof(run->c->err),
			 "clock calibration with VM B (%s the rounds) failed: %s",
			 at == BEFORE ? "before" : "after",
			 p->bt.finished ? p->bt.err : "it did not answer within 1 s");
		return -1;
	}
	mb->host_go = (uint64_t)at + 1;
	return 0;
}

static bool b_armed(struct vm_switch *p)
{
	uint64_t t0 = ks_now_ns();
	while (p->b.vm.mb->irq_armed == 0) {
		if (p->bt.finished || ks_interrupted || ks_now_ns() - t0 > ARM_WAIT_NS)
			return false;
		ks_arch.cpu_relax();
	}
	return true;
}

/* A failed round: where each VM's token count stood, after the reason. */
static void where_were_they(struct ks_run *run)
{
	struct vm_switch *p = run->priv;
	const struct ks_mailbox *m[2] = { run->s.vm.mb, p->b.vm.mb };
	size_t len = strlen(run->c->err);

	for (int i = 0; i < 2 && len < sizeof(run->c->err); i++) {
		snprintf(run->c->err + len, sizeof(run->c->err) - len,
			 "; VM %c: token %llu armed, %llu taken, %llu unexpected", i == VM_A ? 'A' : 'B',
			 (unsigned long long)m[i]->irq_armed, (unsigned long long)m[i]->irq_count,
			 (unsigned long long)m[i]->irq_unexpected);
		len = strlen(run->c->err);
	}
}

/* The measured rounds, VM A on this thread; B's counts snapshot while A is in userspace. */
static int rounds(struct ks_run *run)
{
	struct vm_switch *p = run->priv;
	struct ks_vcpu *va = &run->s.vcpu;
	const struct ks_layout *lay = run->s.vm.arch->layout;

	if (ks_run_watchdog(run, va) < 0 ||
	    ks_run_expect(run, va, KS_UC_PHASE_BEGIN, "PHASE_BEGIN") < 0 || pinger_join(run) < 0)
		return -1;
	snap(run, 0);
	ks_checks_begin(&p->b.vcpu, p->expect, &p->b_snap);
	ks_run_phase_begin(run, p->expect, p->n,
			   ks_vm_gpa_to_hva(&run->s.vm, lay->samples_gpa + lay->samples_cap / 2 * 8,
					    p->n * 8));
	if (ks_run_expect(run, va, KS_UC_PHASE_END, "PHASE_END") < 0)
		return -1;
	ks_run_phase_end(run, p->n);
	ks_checks_end_peer(&p->b.vcpu, p->expect, &p->b_snap, p->n, ks_run_result(run), "vm_b");
	snap(run, 1);
	return 0;
}

/*
 * Both vCPUs on CPU p->cpu, the calibrations from p->cal_cpu: B starts and
 * is calibrated, arms and halts; A is calibrated (B halted) and runs the
 * rounds; then, each alone again, B and A are calibrated once more.
 */
static int measure(struct ks_run *run, struct ks_result *r)
{
	struct vm_switch *p = run->priv;
	struct ks_ctx *c = run->c;

	p->cpu = c->opts->cpu >= 0 ? c->opts->cpu : (int)(c->host->facts.cpu.online - 1);
	p->cal_cpu = p->cpu == 0 ? 1 : 0;
	p->saved = pthread_getaffinity_np(pthread_self(), sizeof(p->saved_cpus),
					  &p->saved_cpus) == 0;
	ks_pin_self(p->cal_cpu);
	if (ks_vcpu_thread_start(run, &p->bt, &p->b.vcpu, p->cpu, KS_UC_DONE) < 0 ||
	    calibrate_b(run, BEFORE) < 0)
		return -1;
	if (!b_armed(p)) {
		snprintf(c->err, sizeof(c->err), "VM B did not arm for the first token: %s",
			 p->bt.finished ? p->bt.err : "nothing within 1 s");
		return -1;
	}
	if (pinger_start(run, BEFORE) < 0)
		return -1;
	ks_pin_self(p->cpu);
	if (rounds(run) < 0) {
		where_were_they(run);
		return -1;
	}

	/* B's one extra token ends its rounds, outside the measured phase */
	ks_pin_self(p->cal_cpu);
	uint64_t one = 1;
	if (write(p->e_ab, &one, sizeof(one)) != sizeof(one)) {
		snprintf(c->err, sizeof(c->err), "write(eventfd) to end VM B's rounds failed");
		return -1;
	}
	if (calibrate_b(run, AFTER) < 0)
		return -1;
	if (ks_vcpu_thread_join(&p->bt, false) < 0) {
		snprintf(c->err, sizeof(c->err), "VM B: %s", p->bt.err);
		return -1;
	}
	if (pinger_start(run, AFTER) < 0)
		return -1;
	ks_pin_self(p->cpu);
	if (ks_run_expect(run, &run->s.vcpu, KS_UC_DONE, "DONE") < 0)
		return -1;
	return pinger_join(run);
}

/* A per-round count from two snapshots, where the stat exists. */
static void per_round(struct ks_result *r, const char *key, const uint64_t v[2], uint64_t n)
{
	if (v[0] != UINT64_MAX && v[1] != UINT64_MAX)
		ks_result_metric(r, key, "count", (double)(v[1] - v[0]) / (double)n);
}

static int record(struct ks_run *run, struct ks_result *r)
{
	struct vm_switch *p = run->priv;
	const uint64_t n = p->n;
	/* the host's layout, never the guest-writable mailboxes, says where samples are */
	const struct ks_layout *lay = run->s.vm.arch->layout;
	const uint64_t *sent = ks_vm_gpa_to_hva(&run->s.vm, lay->samples_gpa, lay->samples_cap * 8);
	const uint64_t *back = sent ? sent + lay->samples_cap / 2 : NULL;
	const uint64_t *arrived = ks_vm_gpa_to_hva(&p->b.vm, lay->samples_gpa, n * 8);
	uint64_t *raw = sent && arrived ? malloc(n * sizeof(uint64_t)) : NULL;

	/* B's counter minus A's before and after the rounds, and what the
	 * calibrations can tell apart */
	int64_t dm[2];
	uint64_t e[2];
	bool same = true;
	for (int at = BEFORE; at <= AFTER; at++) {
		dm[at] = ks_clock_sync_offset(&p->cal[at][VM_B]) -
			 ks_clock_sync_offset(&p->cal[at][VM_A]);
		e[at] = ks_clock_sync_error(&p->cal[at][VM_A]) +
			ks_clock_sync_error(&p->cal[at][VM_B]);
		same = same && (uint64_t)(dm[at] < 0 ? -dm[at] : dm[at]) <= e[at];
	}
	uint64_t moved = (uint64_t)(dm[AFTER] > dm[BEFORE] ? dm[AFTER] - dm[BEFORE] :
				    dm[BEFORE] - dm[AFTER]);
	int64_t d = same ? 0 : dm[BEFORE] + (dm[AFTER] - dm[BEFORE]) / 2;
	uint64_t err = (e[BEFORE] > e[AFTER] ? e[BEFORE] : e[AFTER]) + (same ? 0 : moved / 2);
	/* a one-way outside (0, round trip) beyond the error cannot have happened:
	 * the counters did not keep one timeline in that round */
	uint64_t impossible = 0;
	for (uint64_t i = 0; raw && i < n; i++) {
		int64_t ow = (int64_t)(arrived[i] - sent[i]) - d;
		raw[i] = (uint64_t)ow;
		impossible += ow < -(int64_t)err || ow > (int64_t)(back[i] + err);
	}
	char how[64];
	snprintf(how, sizeof(how), "ioeventfd (%s 0x%llx) = the other VM's irqfd (GSI %d)",
		 p->pio ? "port" : "MMIO", (unsigned long long)p->addr, TOKEN_GSI);
	ks_result_param_str(r, "mechanism", how);
	ks_result_param_str(r, "waiting_vm", "halted (wait for interrupt)");
	ks_result_param_num(r, "vcpu_cpu", p->cpu);   /* both VMs' vCPU threads */
	ks_result_param_num(r, "calibration_cpu", p->cal_cpu);
	ks_result_param_num(r, "rounds", (double)n);
	bool unstable = impossible || moved > e[BEFORE] + e[AFTER];
	ks_result_param_str(r, "counter_offset", unstable ? "unstable: the VMs' counters moved "
			    "apart during the run" : same ? "0, verified before and after" :
			    "calibrated: the VMs' counters differ");
	bool zeroed = p->zeroed[VM_A] > 0 && p->zeroed[VM_B] > 0;
	ks_result_param_str(r, "counter_offset_set", zeroed ? p->zero_how[VM_A] :
			    p->zero_how[p->zeroed[VM_A] > 0 ? VM_B : VM_A]);
	ks_result_metric(r, "clock_offset", "ticks", (double)d);   /* subtracted */
	ks_result_metric(r, "clock_offset_error_max", "ns", ks_ticks_to_ns(err, run->hz));
	ks_result_metric(r, "clock_offset_drift", "ns", ks_ticks_to_ns(moved, run->hz));
	ks_result_metric(r, "impossible_samples", "count", (double)impossible);
	/* KVM_RUN returns to kvmscope in the measured phase, A's PHASE_END aside */
	ks_result_metric(r, "userspace_exits", "count",
			 (double)(p->runs[VM_A][1] - p->runs[VM_A][0] - 1 +
				  p->runs[VM_B][1] - p->runs[VM_B][0]));
	per_round(r, "vm_a_exits_per_round", p->exits[VM_A], n);
	per_round(r, "vm_b_exits_per_round", p->exits[VM_B], n);
	per_round(r, "vm_a_halt_exits_per_round", p->halts[VM_A], n);
	per_round(r, "vm_b_halt_exits_per_round", p->halts[VM_B], n);
	ks_record_vcpu_stats(&run->s.vcpu, r);
	return ks_oneway_with_rtt(run, r, raw, back, n, "vm_switch_rtt",
				  "VM A's token to VM B and back, both halted on one host CPU");
}

static void teardown(struct ks_run *run)
{
	struct vm_switch *p = run->priv;

	if (p->pinger.started)
		pthread_join(p->pinger.th, NULL);   /* it gives up within 1 s */
	if (p->bt.started)
		ks_vcpu_thread_join(&p->bt, true);
	if (p->b_open)
		ks_session_close(&p->b);
	if (p->saved)
		pthread_setaffinity_np(pthread_self(), sizeof(p->saved_cpus), &p->saved_cpus);
}

static int run_vm_switch(const struct ks_bench *b, struct ks_ctx *c)
{
	struct vm_switch p = {
		.n = ks_default_batches(c, 2000, 200),
		.rounds_cal = c->opts->quick ? 1000 : 5000,
	};
	p.warm = p.n / 10 + 1;
	const struct ks_run_desc d = {
		.unit = "ns", .irqchip = true,
		.setup = setup, .measure = measure, .record = record, .teardown = teardown,
		.priv = &p,
	};
	return ks_run(b, c, &d);
}

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	return ks_avail_ioeventfd(b, h, why, len) && ks_avail_irqchip(b, h, why, len) &&
	       ks_avail_cap(h, KVM_CAP_IRQFD, "KVM_CAP_IRQFD", why, len) &&
	       ks_avail_cap(h, KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", why, len) &&
	       ks_guest_has_routine("vm_switch_echo", why, len) &&
	       /* the calibration pings from the other CPU while a vCPU spins */
	       ks_avail_host_cpus(h, 2, why, len);
}

KS_BENCH(vm_switch,
	.name = "vm_switch", .family = "irq", .order = 530, .in_default = true,
	.what = "VM switch one-way: two VMs on one host CPU, VM A's ioeventfd is VM B's irqfd "
		"(both halted)",
	.routine = "vm_switch", .available = avail, .run = run_vm_switch);
