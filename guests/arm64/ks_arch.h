/* SPDX-License-Identifier: MIT */
/* arm64 guest primitives: inline so the timed loops stay tight. */
#ifndef KS_ARCH_ARM64_H
#define KS_ARCH_ARM64_H

#include <stdint.h>
#include "ks_guest_abi.h"
#include "ks_layout.h"

/* ks_image_header.boot: `b .+KS_ENTRY_OFFSET` (B imm26, in words), with
 * guest.ld putting _start there; Gunyah's RM enters at the image's first
 * byte, so the first instruction goes to _start. The upper word is 0 (a
 * UDF that is never reached). */
#define KS_ARCH_IMAGE_BOOT (0x14000000ULL | (KS_ENTRY_OFFSET >> 2))

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

/*
 * A write the host binds an ioeventfd to (vm_switch): a store to the
 * kernel MMIO window (no port I/O here; counted in mmio_exit_kernel).
 */
static inline void ks_notify_kernel(const struct ks_mailbox *mb)
{
	ks_mmio_write32(mb->kernel_mmio_gpa, 0);
}

static inline void ks_doorbell(void)
{
	ks_mmio_write32(KS_UCALL_GPA, 0);
}

#endif
