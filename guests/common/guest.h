/* SPDX-License-Identifier: MIT */
/*
 * Freestanding runtime shared by every micro-guest, whatever the arch.
 * The arch directory provides ks_arch.h with the inline primitives
 * (counter, doorbell, MMIO, pause) and arch.c with the arch's routines.
 *
 * What a guest can run is the table of routines its image carries: each
 * routine is declared next to its code with KS_GUEST_BATCH or
 * KS_GUEST_ROUTINE, which places an entry in the section ks_routines; the
 * image header points at the table and the host picks an entry by name.
 * An arch offers a benchmark by declaring its routine, nothing else.
 */
#ifndef KS_GUEST_H
#define KS_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "ks_guest_abi.h"
#include "ks_layout.h"
#include "ks_arch.h"

#define KS_MB ((struct ks_mailbox *)(uintptr_t)KS_MAILBOX_GPA)

/* This image's header (header.c): the routine table is found through it. */
extern const struct ks_image_header ks_image_header;

#define barrier() __asm__ volatile("" ::: "memory")

/* A batch: run the operation n times, return elapsed counter ticks. */
typedef uint64_t (*ks_batch_fn)(uint64_t n);
/* A whole routine: runs the job and reports (ucalls) itself. */
typedef void (*ks_main_fn)(struct ks_mailbox *mb);
/* What the other vCPUs of a routine run (cpu: their index). */
typedef void (*ks_secondary_fn)(struct ks_mailbox *mb, uint64_t cpu);

#define KS_ROUTINE_ENTRY_(id, nm, k, f, sec)                                          \
	static const struct ks_guest_routine ks_routine_##id                          \
		__attribute__((section("ks_routines"), used, aligned(8))) = {        \
			.name = (uintptr_t)(nm), .fn = (uintptr_t)(f),                \
			.secondary = (uintptr_t)(sec), .kind = (k) }

/* Offer `fn` (a ks_batch_fn) as the batch routine named `nm`. */
#define KS_GUEST_BATCH(nm, fn) \
	KS_ROUTINE_ENTRY_(fn, nm, KS_ROUTINE_BATCH, (ks_batch_fn)(fn), 0)
/* Offer `fn` (a ks_main_fn) as the routine named `nm`; other vCPUs idle. */
#define KS_GUEST_ROUTINE(nm, fn) \
	KS_ROUTINE_ENTRY_(fn, nm, KS_ROUTINE_MAIN, (ks_main_fn)(fn), 0)
/* The same, with `sec` (a ks_secondary_fn) on every vCPU but 0. */
#define KS_GUEST_ROUTINE_SMP(nm, fn, sec) \
	KS_ROUTINE_ENTRY_(fn, nm, KS_ROUTINE_MAIN, (ks_main_fn)(fn), (ks_secondary_fn)(sec))

/* Define a batch function whose loop body is one operation. */
#define KS_DEFINE_BATCH(name, body)                                      \
	static uint64_t name(uint64_t n)                                 \
	{                                                                \
		uint64_t t0 = ks_ticks();                                \
		for (uint64_t i = 0; i < n; i++) {                       \
			body;                                            \
			barrier();                                       \
		}                                                        \
		return ks_ticks() - t0;                                  \
	}

/* Define it and offer it as the batch routine `nm`: a batch benchmark's
 * whole guest side. */
#define KS_BATCH_ROUTINE(nm, name, body) \
	KS_DEFINE_BATCH(name, body)      \
	KS_GUEST_BATCH(nm, name)

/* The timed batch loop (main.c), for routines that prepare and then run one. */
void ks_run_batches(struct ks_mailbox *mb, ks_batch_fn fn);
/* Clock calibration (main.c): answer the host's ping, if there is a new one. */
void ks_serve_ping(struct ks_mailbox *mb);

void ks_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void ks_print(const char *s);
__attribute__((noreturn)) void ks_fail(int line, const char *why);
#define GUEST_ASSERT(c) do { if (!(c)) ks_fail(__LINE__, #c); } while (0)

/* Provided by the arch. */
/* Every vCPU, first thing, with its index (x86 PVM: register its VIF page). */
void ks_arch_init(struct ks_mailbox *mb, uint64_t cpu);
void ks_arch_irq_setup(struct ks_mailbox *mb);
/* Virtual IPI: an arch that has them offers the "ipi" routine (ipi.c). */
int ks_arch_ipi_setup(struct ks_mailbox *mb, uint64_t cpu);  /* 0, or -1: no IPIs */
void ks_arch_send_ipi(uint64_t target_cpu);
/* Enable interrupts; one already pending is taken before this returns. */
void ks_arch_irq_enable(struct ks_mailbox *mb);
void ks_arch_irq_disable(struct ks_mailbox *mb);
/*
 * Wait for an interrupt: called with interrupts masked, after the caller
 * checked (masked) that it still has to wait; wakes for an interrupt that is
 * pending or arrives, takes it, returns masked. No interrupt can be lost
 * between the caller's check and the wait. linger_ticks: the irq_race test
 * hook (0 normally): a wait path with a window between enabling interrupts
 * and halting lingers there, enabled, for up to that many counter ticks
 * (ks_race_linger_state says it did); the others have no such window.
 */
void ks_arch_wait_for_interrupt(struct ks_mailbox *mb, uint64_t linger_ticks);
/* The benchmark interrupt is pending (while masked): for the irq_race hook. */
bool ks_arch_irq_pending(struct ks_mailbox *mb);
/* 0; 1 while a wait lingers in its enabled window, 2 after it timed out
 * there, 3 when the interrupt was taken in it (main.c, the irq_race hook). */
extern volatile uint64_t ks_race_linger_state;
void ks_arch_eoi(struct ks_mailbox *mb);
__attribute__((noreturn)) void ks_arch_hang(void);

/* Called by the arch's interrupt entry for the benchmark vector. */
void ks_guest_irq(void);
/* Called by the arch's interrupt entry for an IPI. */
void ks_guest_ipi(void);
/* The virtual IPI benchmark's two sides (ipi.c), for an arch's "ipi" routine. */
void ks_run_ipi(struct ks_mailbox *mb);
void ks_run_ipi_target(struct ks_mailbox *mb, uint64_t cpu);
/* Called by the arch's entry code on every vCPU, with its index. */
void ks_guest_start(uint64_t cpu);

#endif
