/* SPDX-License-Identifier: MIT */
/*
 * Guest main: read the job from the mailbox, run it, report.
 *
 * The job is an index into the image's routine table (guest.h): vCPU 0 runs
 * the routine, through the batch loop below for a batch routine; the other
 * vCPUs run its secondary function, or idle. The routines every arch offers
 * are declared here; arch.c declares the arch's own.
 *
 * Timed work follows one pattern everywhere: warm-up batches (not kept),
 * PHASE_BEGIN, the measured batches with each batch's tick delta stored in
 * the shared sample array (no exit to report a sample), PHASE_END, DONE.
 * The host snapshots the vCPU stats at the two phase marks, so the exit
 * counts it cross-checks cover exactly the measured batches. Sampling to a
 * precision target, the measured batches come in rounds: after each, the
 * guest asks the host (a ucall, between batches, never inside one) how many
 * more it wants.
 */
#include "guest.h"

static uint64_t *samples(void)
{
	return (uint64_t *)(uintptr_t)KS_MB->samples_gpa;
}

KS_BATCH_ROUTINE("empty", batch_empty, (void)0);
KS_BATCH_ROUTINE("mmio_write", batch_mmio_write_user,
		 ks_mmio_write32(KS_MB->user_mmio_gpa, (uint32_t)i));
KS_BATCH_ROUTINE("mmio_read", batch_mmio_read_user, (void)ks_mmio_read32(KS_MB->user_mmio_gpa));
KS_BATCH_ROUTINE("mmio_write_kernel", batch_mmio_write_kernel,
		 ks_mmio_write32(KS_MB->kernel_mmio_gpa, 0));

void ks_run_batches(struct ks_mailbox *mb, ks_batch_fn fn)
{
	uint64_t *out = samples();
	uint64_t done = 0;

	for (uint64_t w = 0; w < mb->warmup_batches; w++)
		(void)fn(mb->batch_size);
	ks_ucall(KS_UC_PHASE_BEGIN, 0, 0, 0, 0);
	for (;;) {
		uint64_t n = mb->batches;
		GUEST_ASSERT(n <= mb->samples_cap - done);
		for (uint64_t b = 0; b < n; b++)
			out[done + b] = fn(mb->batch_size);
		done += n;
		if (!mb->adaptive)
			break;
		/* the host sets the next round's batches (0: enough) */
		ks_ucall(KS_UC_SYNC, KS_SYNC_MORE, done, 0, 0);
		if (!mb->batches)
			break;
	}
	ks_ucall(KS_UC_PHASE_END, 0, 0, 0, 0);
	ks_ucall(KS_UC_DONE, done, 0, 0, 0);
}

/*
 * Memory lend / fault-in: for each region the host lends (a fresh memslot at
 * region_gpa), write one byte per stride and time the whole region. The
 * host may raise region_count when it answers a REGION_DONE: more rounds.
 */
static void run_mem_touch(struct ks_mailbox *mb)
{
	uint64_t *out = samples();
	uint64_t r;

	GUEST_ASSERT(mb->region_stride != 0);
	for (r = 0; r < mb->region_count; r++) {
		GUEST_ASSERT(r < mb->samples_cap);
		ks_ucall(KS_UC_SYNC, KS_SYNC_REGION_PLEASE, r, 0, 0);
		volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)mb->region_gpa;
		uint64_t t0 = ks_ticks();
		for (uint64_t off = 0; off < mb->region_size; off += mb->region_stride)
			p[off] = 1;
		uint64_t dt = ks_ticks() - t0;
		out[r] = dt;
		ks_ucall(KS_UC_SYNC, KS_SYNC_REGION_DONE, dt, r, 0);
	}
	ks_ucall(KS_UC_DONE, r, 0, 0, 0);
}
KS_GUEST_ROUTINE("mem_touch", run_mem_touch);

/*
 * Clock calibration: answer one host ping, if there is a new one, with our
 * counter value. The host pings from another CPU while the vCPU spins here,
 * so a round trip is two cache-line transfers, not two exits.
 */
void ks_serve_ping(struct ks_mailbox *mb)
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

volatile uint64_t ks_race_linger_state;

/*
 * The benchmark interrupt. Only the first delivery after the guest armed
 * counts (stamp, EOI cost, irq_count); any other delivery — a duplicate or
 * a stray — is counted apart so the host can report it, never mistaken for
 * the interrupt it is timing. The stamp is ordered before the count for
 * another CPU (arm64 may reorder two stores): the host reads the stamp
 * only after it saw the count.
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
		ks_wmb();
		mb->irq_count = mb->irq_count + 1;
		if (ks_race_linger_state == 1)   /* the irq_race hook's window */
			ks_race_linger_state = 3;
	} else {
		mb->irq_unexpected = mb->irq_unexpected + 1;
	}
}

/*
 * The irq_race test hook, masked window: interrupt i (0-based) was just
 * armed with interrupts masked; linger until the host fired it and it is
 * pending (or the host's timeout passed), so the wait that follows starts
 * with an interrupt that arrived while masked.
 */
static bool race_masked(struct ks_mailbox *mb, uint64_t i)
{
	uint64_t t0 = ks_ticks();
	bool pending = false;

	mb->race_masked = mb->race_masked + 1;
	while (mb->host_fired < i + 1 && ks_ticks() - t0 < mb->race_timeout_ticks)
		ks_pause();
	while (!(pending = ks_arch_irq_pending(mb)) && ks_ticks() - t0 < mb->race_timeout_ticks)
		ks_pause();
	if (pending)
		mb->race_masked_pending = mb->race_masked_pending + 1;
	return pending;
}

/* Wait (masked, see ks_arch_wait_for_interrupt) until interrupt i was taken. */
static void halt_until(struct ks_mailbox *mb, uint64_t i, bool race_enabled)
{
	while (mb->irq_count == i) {
		ks_race_linger_state = 0;
		ks_arch_wait_for_interrupt(mb, race_enabled ? mb->race_timeout_ticks : 0);
		if (race_enabled && ks_race_linger_state) {
			mb->race_enabled = mb->race_enabled + 1;
			if (ks_race_linger_state == 3)
				mb->race_enabled_delivered = mb->race_enabled_delivered + 1;
			race_enabled = false;
		}
		ks_race_linger_state = 0;
	}
}

/*
 * irqfd: before each interrupt, answer clock pings until the host says go
 * (the host calibrates right after every interrupt, so a vCPU that was
 * descheduled or migrated while halted is measured against the clock
 * offset it actually has), then arm and wait. Spinning, interrupts are
 * enabled before arming; halting, they are masked while the guest arms and
 * checks, and the arch's wait enables them without a window (the classic
 * "cli; check; sti; hlt": an interrupt taken between an unmasked check and
 * the halt would leave the vCPU asleep with nothing to wake it).
 */
static void run_irq_wait(struct ks_mailbox *mb)
{
	uint64_t go;

	ks_arch_irq_setup(mb);
	for (uint64_t i = 0;; i++) {
		bool halt = mb->irq_mode == KS_IRQ_HALT;

		if (halt)
			ks_arch_irq_disable(mb);
		else
			ks_arch_irq_enable(mb);
		/* pings until the host says go for this one, or that it has enough */
		while ((go = mb->host_go) != i + 1 && go != KS_IRQ_GO_DONE)
			ks_serve_ping(mb);
		if (go == KS_IRQ_GO_DONE)
			break;
		ks_rmb();   /* the host wrote race_irq before host_go */
		uint64_t window = mb->race_irq == i + 1 ? mb->race_window : 0;
		if (window == KS_RACE_MASKED)
			ks_arch_irq_disable(mb);
		mb->irq_armed = i + 1;
		bool pending = window == KS_RACE_MASKED && race_masked(mb, i);
		if (halt) {
			halt_until(mb, i, window == KS_RACE_ENABLED);
		} else {
			ks_arch_irq_enable(mb);
			/* an interrupt pending when they were enabled was taken by now */
			if (pending && mb->irq_count == i)
				ks_fail(__LINE__, "lost interrupt: pending while masked, "
					"not taken when interrupts were enabled");
			while (mb->irq_count == i)
				ks_pause();
		}
	}
	ks_arch_irq_disable(mb);
	ks_ucall(KS_UC_DONE, mb->irq_count, 0, 0, 0);
}
KS_GUEST_ROUTINE("irq_wait", run_irq_wait);

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
KS_GUEST_ROUTINE("bad_ucall", run_bad_ucall);

static void run_bad_mailbox(struct ks_mailbox *mb)
{
	mb->magic = 0;
	mb->abi_version = 0xffffffffULL;
	mb->samples_gpa = ~0ULL;   /* where a trusting host would read samples */
	mb->samples_cap = ~0ULL;
	ks_ucall(KS_UC_PHASE_BEGIN, 0, 0, 0, 0);
}
KS_GUEST_ROUTINE("bad_mailbox", run_bad_mailbox);

/* Self-test: spin forever without exiting (the host's watchdog stops it). */
static void run_hang(struct ks_mailbox *mb)
{
	for (;;)
		ks_pause();
}
KS_GUEST_ROUTINE("hang", run_hang);

/* The host picked routine mb->routine of this image's table. */
static const struct ks_guest_routine *the_routine(struct ks_mailbox *mb)
{
	if (mb->routine >= ks_image_header.nroutines)
		ks_fail(__LINE__, "no such routine in this image");
	return &((const struct ks_guest_routine *)(uintptr_t)ks_image_header.routines)[mb->routine];
}

static void ks_guest_main(void)
{
	struct ks_mailbox *mb = KS_MB;

	if (mb->magic != KS_ABI_MAGIC || mb->abi_version != KS_ABI_VERSION)
		ks_fail(__LINE__, "mailbox magic/version mismatch");
	ks_arch_init(mb, 0);

	const struct ks_guest_routine *r = the_routine(mb);
	if (r->kind == KS_ROUTINE_BATCH)
		ks_run_batches(mb, (ks_batch_fn)(uintptr_t)r->fn);
	else
		((ks_main_fn)(uintptr_t)r->fn)(mb);
	for (;;)
		ks_ucall(KS_UC_DONE, 0, 0, 0, 0);
}

void ks_guest_start(uint64_t cpu)
{
	if (cpu == 0)
		ks_guest_main();
	ks_arch_init(KS_MB, cpu);   /* vCPU 0's ran in ks_guest_main */
	const struct ks_guest_routine *r = the_routine(KS_MB);
	if (r->secondary)
		((ks_secondary_fn)(uintptr_t)r->secondary)(KS_MB, cpu);
	/* nothing for this vCPU to do */
	for (;;)
		ks_pause();
}
