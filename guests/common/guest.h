/* SPDX-License-Identifier: MIT */
/*
 * Freestanding runtime shared by every micro-guest, whatever the arch.
 * The arch directory provides ks_arch.h with the inline primitives
 * (counter, doorbell, MMIO, pause) and ks_arch.c with the arch benchmarks.
 */
#ifndef KS_GUEST_H
#define KS_GUEST_H

#include <stdint.h>
#include <stddef.h>
#include "ks_guest_abi.h"
#include "ks_layout.h"
#include "ks_arch.h"

#define KS_MB ((struct ks_mailbox *)(uintptr_t)KS_MAILBOX_GPA)

#define barrier() __asm__ volatile("" ::: "memory")

/* A batch: run the operation n times, return elapsed counter ticks. */
typedef uint64_t (*ks_batch_fn)(uint64_t n);

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

void ks_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void ks_print(const char *s);
__attribute__((noreturn)) void ks_fail(int line, const char *why);
#define GUEST_ASSERT(c) do { if (!(c)) ks_fail(__LINE__, #c); } while (0)

/* Provided by the arch. */
void ks_arch_init(struct ks_mailbox *mb);
ks_batch_fn ks_arch_batch(struct ks_mailbox *mb);  /* NULL: not an arch bench */
void ks_arch_irq_setup(struct ks_mailbox *mb);
/* Virtual IPI (optional per arch: NULL-safe callers check ks_arch_has_ipi). */
int ks_arch_ipi_setup(struct ks_mailbox *mb, uint64_t cpu);  /* 0, or -1: no IPIs */
void ks_arch_send_ipi(uint64_t target_cpu);
void ks_arch_irq_enable(struct ks_mailbox *mb);
void ks_arch_irq_disable(struct ks_mailbox *mb);
void ks_arch_wait_for_interrupt(struct ks_mailbox *mb);
void ks_arch_eoi(struct ks_mailbox *mb);
__attribute__((noreturn)) void ks_arch_hang(void);

/* Called by the arch's interrupt entry for the benchmark vector. */
void ks_guest_irq(void);
/* Called by the arch's interrupt entry for an IPI. */
void ks_guest_ipi(void);
/* Called by the arch's entry code on every vCPU, with its index. */
void ks_guest_start(uint64_t cpu);

#endif
