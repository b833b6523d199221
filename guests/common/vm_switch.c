/* SPDX-License-Identifier: MIT */
/*
 * VM switch, both VMs' sides. Two VMs share one host CPU and hand a token
 * back and forth with no userspace in the loop: each VM's notification
 * write (ks_notify_kernel: an ioeventfd) signals the eventfd that is the
 * other VM's irqfd. A VM waiting for the token is halted, so every hand-over
 * is KVM waking the other VM's vCPU thread and the host scheduler switching
 * to it on that CPU: a VM switch with the notification around it.
 *
 * VM A ("vm_switch") sends and times; VM B ("vm_switch_echo") stamps the
 * token's arrival in its handler and sends it back. Before the first token
 * and after the last, each VM answers the host's clock pings until the host
 * says go (host_go 1, then 2), so the host can put both VMs' counters on
 * one timeline and see whether it held.
 */
#include "guest.h"

/*
 * Halted until the handler has counted token k+1 (it counts only what was
 * armed: mb->irq_armed = k + 1 before the token can arrive). Interrupts are
 * masked but at the halt itself, so a token arriving before the halt wakes
 * it instead of being taken in between and leaving the vCPU halted forever.
 */
static void wait_token(struct ks_mailbox *mb, uint64_t k)
{
	for (;;) {
		ks_arch_irq_disable(mb);
		if (mb->irq_count != k)
			return;
		ks_arch_wait_for_interrupt(mb, 0);
	}
}

/* Clock pings until the host says go `go`. */
static void pings_until(struct ks_mailbox *mb, uint64_t go)
{
	while (mb->host_go != go)
		ks_serve_ping(mb);
}

/* Both VMs: the interrupt set up, masked, then clock pings until "go". */
static void vm_switch_start(struct ks_mailbox *mb)
{
	ks_arch_irq_setup(mb);
	ks_arch_irq_disable(mb);
	pings_until(mb, 1);
}

/*
 * VM A: per round, stamp, send the token, halt until it is back, stamp.
 * Send stamps go to the first half of the sample buffer (the host pairs
 * them with B's arrival stamps), round trips to the second half.
 * PHASE_BEGIN/PHASE_END bracket the measured rounds.
 */
static void run_vm_switch(struct ks_mailbox *mb)
{
	uint64_t *sent = (uint64_t *)(uintptr_t)mb->samples_gpa;
	uint64_t *rtt = sent + mb->samples_cap / 2;
	uint64_t total = mb->warmup_batches + mb->batches;

	GUEST_ASSERT(mb->batches <= mb->samples_cap / 2);
	vm_switch_start(mb);
	for (uint64_t i = 0; i < total; i++) {
		if (i == mb->warmup_batches)
			ks_ucall(KS_UC_PHASE_BEGIN, 0, 0, 0, 0);
		mb->irq_armed = i + 1;
		uint64_t t0 = ks_ticks();
		ks_notify_kernel(mb);
		wait_token(mb, i);
		uint64_t t1 = ks_ticks();
		if (i >= mb->warmup_batches) {
			uint64_t k = i - mb->warmup_batches;
			sent[k] = t0;
			rtt[k] = t1 - t0;
		}
	}
	ks_ucall(KS_UC_PHASE_END, 0, 0, 0, 0);
	pings_until(mb, 2);
	ks_ucall(KS_UC_DONE, mb->batches, 0, 0, 0);
}
KS_GUEST_ROUTINE("vm_switch", run_vm_switch);

/*
 * VM B: per token, halt until it arrives, keep the handler's stamp, send it
 * back. One token more than A sends ends the rounds: the host's own write
 * after A's measured phase, so B's pings and DONE ucall (an exit to
 * userspace) never land inside it.
 */
static void run_vm_switch_echo(struct ks_mailbox *mb)
{
	uint64_t *arrived = (uint64_t *)(uintptr_t)mb->samples_gpa;
	uint64_t total = mb->warmup_batches + mb->batches;

	GUEST_ASSERT(mb->batches <= mb->samples_cap);
	vm_switch_start(mb);
	for (uint64_t k = 0; k <= total; k++) {
		mb->irq_armed = k + 1;   /* the host waits for the first before starting A */
		wait_token(mb, k);
		if (k == total)
			break;
		if (k >= mb->warmup_batches)
			arrived[k - mb->warmup_batches] = mb->irq_stamp;
		ks_notify_kernel(mb);
	}
	pings_until(mb, 2);
	ks_ucall(KS_UC_DONE, mb->batches, 0, 0, 0);
}
KS_GUEST_ROUTINE("vm_switch_echo", run_vm_switch_echo);
