/* SPDX-License-Identifier: MIT */
/*
 * Guest main: read the job from the mailbox, run it, report.
 *
 * Timed work follows one pattern everywhere: warm-up batches (not kept),
 * PHASE_BEGIN, the measured batches with each batch's tick delta stored in
 * the shared sample array (no exit to report a sample), PHASE_END, DONE.
 * The host snapshots the vCPU stats at the two phase marks, so the exit
 * counts it cross-checks cover exactly the measured batches.
 */
#include "guest.h"

static uint64_t *samples(void)
{
	return (uint64_t *)(uintptr_t)KS_MB->samples_gpa;
}

KS_DEFINE_BATCH(batch_empty, (void)0)
KS_DEFINE_BATCH(batch_mmio_write_user, ks_mmio_write32(KS_MB->user_mmio_gpa, (uint32_t)i))
KS_DEFINE_BATCH(batch_mmio_read_user, (void)ks_mmio_read32(KS_MB->user_mmio_gpa))
KS_DEFINE_BATCH(batch_mmio_write_kernel, ks_mmio_write32(KS_MB->kernel_mmio_gpa, 0))
KS_DEFINE_BATCH(batch_mmio_read_kernel, (void)ks_mmio_read32(KS_MB->kernel_mmio_read_gpa))

static void run_batches(struct ks_mailbox *mb, ks_batch_fn fn)
{
	uint64_t *out = samples();
	uint64_t n = mb->batches;

	GUEST_ASSERT(n <= mb->samples_cap);
	for (uint64_t w = 0; w < mb->warmup_batches; w++)
		(void)fn(mb->batch_size);
	ks_ucall(KS_UC_PHASE_BEGIN, 0, 0, 0, 0);
	for (uint64_t b = 0; b < n; b++)
		out[b] = fn(mb->batch_size);
	ks_ucall(KS_UC_PHASE_END, 0, 0, 0, 0);
	ks_ucall(KS_UC_DONE, n, 0, 0, 0);
}

/*
 * Memory lend / fault-in: for each region the host lends (a fresh memslot at
 * region_gpa), write one byte per stride and time the whole region.
 */
static void run_mem_touch(struct ks_mailbox *mb)
{
	uint64_t *out = samples();

	GUEST_ASSERT(mb->region_count <= mb->samples_cap);
	GUEST_ASSERT(mb->region_stride != 0);
	for (uint64_t r = 0; r < mb->region_count; r++) {
		ks_ucall(KS_UC_SYNC, KS_SYNC_REGION_PLEASE, r, 0, 0);
		volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)mb->region_gpa;
		uint64_t t0 = ks_ticks();
		for (uint64_t off = 0; off < mb->region_size; off += mb->region_stride)
			p[off] = 1;
		uint64_t dt = ks_ticks() - t0;
		out[r] = dt;
		ks_ucall(KS_UC_SYNC, KS_SYNC_REGION_DONE, dt, r, 0);
	}
	ks_ucall(KS_UC_DONE, mb->region_count, 0, 0, 0);
}

/*
 * Clock calibration: answer one host ping, if there is a new one, with our
 * counter value. The host pings from another CPU while the vCPU spins here,
 * so a round trip is two cache-line transfers, not two exits.
 */
static void serve_ping(struct ks_mailbox *mb)
{
	uint64_t s = mb->host_seq;

	if (s != mb->guest_seq) {
		mb->guest_stamp = ks_ticks();
		ks_wmb();
		mb->guest_seq = s;
	} else {
		ks_pause();
	}
}

/*
 * The benchmark interrupt. Only the first delivery after the guest armed
 * counts (stamp, EOI cost, irq_count); any other delivery — a duplicate or
 * a stray — is counted apart so the host can report it, never mistaken for
 * the interrupt it is timing.
 */
void ks_guest_irq(void)
{
	struct ks_mailbox *mb = KS_MB;
	uint64_t now = ks_ticks();

	uint64_t t0 = ks_ticks();
	ks_arch_eoi(mb);
	uint64_t t1 = ks_ticks();
	if (mb->irq_count < mb->irq_armed) {
		mb->irq_stamp = now;
		mb->irq_eoi_ticks = t1 - t0;
		barrier();
		mb->irq_count = mb->irq_count + 1;
	} else {
		mb->irq_unexpected = mb->irq_unexpected + 1;
	}
}

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
 * to the second.
 */
static void run_ipi(struct ks_mailbox *mb)
{
	uint64_t *oneway = samples(), *rtt = samples() + mb->samples_cap / 2;
	uint64_t total = mb->warmup_batches + mb->batches;

	GUEST_ASSERT(mb->batches <= mb->samples_cap / 2);
	if (ks_arch_ipi_setup(mb, 0) < 0)
		ks_fail(__LINE__, "no IPIs on this arch");
	while (!mb->secondary_ready)
		ks_pause();
	for (uint64_t i = 0; i < total; i++) {
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
	ks_ucall(KS_UC_DONE, mb->batches, 0, 0, 0);
}

/* vCPU 1 in the IPI benchmark: take IPIs forever (the host stops it). */
static void run_ipi_target(struct ks_mailbox *mb, uint64_t cpu)
{
	if (ks_arch_ipi_setup(mb, cpu) == 0) {
		ks_arch_irq_enable(mb);
		mb->secondary_ready = 1;
	}
	for (;;)
		ks_pause();
}

/*
 * irqfd: before each interrupt, answer clock pings until the host says go
 * (the host calibrates right after every interrupt, so a vCPU that was
 * descheduled or migrated while halted is measured against the clock
 * offset it actually has), then arm and wait.
 */
static void run_irq_wait(struct ks_mailbox *mb)
{
	ks_arch_irq_setup(mb);
	for (uint64_t i = 0; i < mb->irq_count_target; i++) {
		while (mb->host_go != i + 1)
			serve_ping(mb);
		mb->irq_armed = i + 1;
		if (mb->irq_mode == KS_IRQ_HALT) {
			while (mb->irq_count == i)
				ks_arch_wait_for_interrupt(mb);
		} else {
			ks_arch_irq_enable(mb);
			while (mb->irq_count == i)
				ks_pause();
		}
	}
	/* the host's calibration after the last interrupt */
	while (mb->host_go != mb->irq_count_target + 1)
		serve_ping(mb);
	ks_arch_irq_disable(mb);
	ks_ucall(KS_UC_DONE, mb->irq_count, 0, 0, 0);
}

/*
 * Self-tests of the message channel: what a buggy or hostile guest could
 * send. The host must print the text harmlessly, name the corruption, fail
 * this benchmark only, and neither crash nor hang.
 */
static void run_bad_ucall(struct ks_mailbox *mb)
{
	static const char evil[] = "\x1b[2J\x1b]0;owned\x07\nkvmscope run: forged line\r";
	char *m = mb->ucall.msg;
	size_t i = 0;

	/* terminal escapes, a newline, then non-ASCII to the end: no NUL at all */
	for (; i < sizeof(evil) - 1 && i < sizeof(mb->ucall.msg); i++)
		m[i] = evil[i];
	for (; i < sizeof(mb->ucall.msg); i++)
		m[i] = (char)(0x80 | i);
	ks_ucall(KS_UC_PRINT, 0, 0, 0, 0);
	ks_ucall(0xdeadbeefcafef00dULL, 0x1111, 0x2222, 0x3333, 0x4444);
}

static void run_bad_mailbox(struct ks_mailbox *mb)
{
	mb->magic = 0;
	mb->abi_version = 0xffffffffULL;
	mb->samples_gpa = ~0ULL;   /* where a trusting host would read samples */
	mb->samples_cap = ~0ULL;
	ks_ucall(KS_UC_PHASE_BEGIN, 0, 0, 0, 0);
}

static void ks_guest_main(void)
{
	struct ks_mailbox *mb = KS_MB;
	ks_batch_fn fn;

	if (mb->magic != KS_ABI_MAGIC || mb->abi_version != KS_ABI_VERSION)
		ks_fail(__LINE__, "mailbox magic/version mismatch");
	ks_arch_init(mb);

	switch (mb->bench) {
	case KS_G_EMPTY:
		run_batches(mb, batch_empty);
		break;
	case KS_G_MMIO_WRITE:
		run_batches(mb, batch_mmio_write_user);
		break;
	case KS_G_MMIO_READ:
		run_batches(mb, batch_mmio_read_user);
		break;
	case KS_G_MMIO_WRITE_KERNEL:
		run_batches(mb, batch_mmio_write_kernel);
		break;
	case KS_G_MMIO_READ_KERNEL:
		run_batches(mb, batch_mmio_read_kernel);
		break;
	case KS_G_IDENTIFY:
		ks_ucall(KS_UC_DONE, 0, 0, 0, 0);
		break;
	case KS_G_IPI:
		run_ipi(mb);
		break;
	case KS_G_MEM_TOUCH:
		run_mem_touch(mb);
		break;
	case KS_G_IRQ_WAIT:
		run_irq_wait(mb);
		break;
	case KS_G_BAD_UCALL:
		run_bad_ucall(mb);
		break;
	case KS_G_BAD_MAILBOX:
		run_bad_mailbox(mb);
		break;
	case KS_G_HANG:
		for (;;)
			ks_pause();
	default:
		fn = ks_arch_batch(mb);
		if (!fn)
			ks_fail(__LINE__, "benchmark not implemented for this arch");
		run_batches(mb, fn);
		break;
	}
	for (;;)
		ks_ucall(KS_UC_DONE, 0, 0, 0, 0);
}

void ks_guest_start(uint64_t cpu)
{
	if (cpu == 0)
		ks_guest_main();
	if (KS_MB->bench == KS_G_IPI)
		run_ipi_target(KS_MB, cpu);
	/* other secondary vCPUs have nothing to do */
	for (;;)
		ks_pause();
}
