/* SPDX-License-Identifier: MIT */
/* arm64 guest primitives: inline so the timed loops stay tight. */
#ifndef KS_ARCH_ARM64_H
#define KS_ARCH_ARM64_H

#include <stdint.h>
#include "ks_layout.h"

#define ks_read_sysreg(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_)); v_; })
#define ks_write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)) : "memory")

/* The virtual counter, with isb on both sides so reads don't float. */
static inline uint64_t ks_ticks(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) :: "memory");
	return v;
}

static inline void ks_pause(void)
{
	__asm__ volatile("yield" ::: "memory");
}

static inline void ks_wmb(void)
{
	__asm__ volatile("dmb ishst" ::: "memory");
}

static inline void ks_rmb(void)
{
	__asm__ volatile("dmb ishld" ::: "memory");
}

/* Single-register accesses, so KVM gets a valid ISS (no emulation needed). */
static inline void ks_mmio_write32(uint64_t gpa, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" :: "r"(v), "r"(gpa) : "memory");
}

static inline uint32_t ks_mmio_read32(uint64_t gpa)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(gpa) : "memory");
	return v;
}

static inline void ks_doorbell(void)
{
	ks_mmio_write32(KS_UCALL_GPA, 0);
}

#endif
