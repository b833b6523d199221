/* SPDX-License-Identifier: MIT */
/*
 * Virtual IPI, both sides. An arch whose guest can send IPIs offers them as
 * its "ipi" routine (KS_GUEST_ROUTINE_SMP("ipi", ks_run_ipi,
 * ks_run_ipi_target) in its arch.c), built on ks_arch_ipi_setup and
 * ks_arch_send_ipi.
 */
#include "guest.h"

/* Runs on vCPU 1 for each IPI: stamp first, then complete it. */
void ks_guest_ipi(void)
{
	struct ks_mailbox *mb = KS_MB;
	uint64_t now = ks_ticks();

	ks_arch_eoi(mb);
	mb->ipi_stamp = now;
	ks_wmb();
	mb->ipi_count = mb->ipi_count + 1;
}

/*
 * Virtual IPI, on vCPU 0: send one IPI to vCPU 1 (spinning with interrupts
 * enabled), wait for its handler's count. Both vCPUs read the same VM
 * counter, so handler stamp - send stamp is the one-way latency with no
 * calibration; the round trip is until vCPU 0 sees the count change.
 * One-way samples go to the first half of the sample buffer, round trips
 * to the second; PHASE_BEGIN/PHASE_END bracket the measured IPIs.
 */
void ks_run_ipi(struct ks_mailbox *mb)
{
	uint64_t *oneway = (uint64_t *)(uintptr_t)mb->samples_gpa;
	uint64_t *rtt = oneway + mb->samples_cap / 2;
	uint64_t total = mb->warmup_batches + mb->batches;

	GUEST_ASSERT(mb->batches <= mb->samples_cap / 2);
	if (ks_arch_ipi_setup(mb, 0) < 0)
		ks_fail(__LINE__, "no IPIs on this arch");
	while (!mb->secondary_ready)
		ks_pause();
	for (uint64_t i = 0; i < total; i++) {
		/* the host counts both vCPUs' exits over the measured IPIs */
		if (i == mb->warmup_batches)
			ks_ucall(KS_UC_PHASE_BEGIN, 0, 0, 0, 0);
		uint64_t t0 = ks_ticks();
		ks_arch_send_ipi(1);
		while (mb->ipi_count == i)
			ks_pause();
		uint64_t t1 = ks_ticks();
		if (i >= mb->warmup_batches) {
			uint64_t k = i - mb->warmup_batches;
			oneway[k] = mb->ipi_stamp - t0;
			rtt[k] = t1 - t0;
		}
	}
	ks_ucall(KS_UC_PHASE_END, 0, 0, 0, 0);
	ks_ucall(KS_UC_DONE, mb->batches, 0, 0, 0);
}

/* vCPU 1 in the IPI benchmark: take IPIs forever (the host stops it). */
void ks_run_ipi_target(struct ks_mailbox *mb, uint64_t cpu)
{
	if (ks_arch_ipi_setup(mb, cpu) == 0) {
		ks_arch_irq_enable(mb);
		mb->secondary_ready = 1;
	}
	for (;;)
		ks_pause();
}
