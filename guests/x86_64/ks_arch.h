/* SPDX-License-Identifier: MIT */
/* x86_64 guest primitives: inline so the timed loops stay tight. */
#ifndef KS_ARCH_X86_64_H
#define KS_ARCH_X86_64_H

#include <stdint.h>
#include "ks_guest_abi.h"
#include "ks_layout.h"

/* ks_image_header.boot: nothing enters an x86 image at its first byte. */
#define KS_ARCH_IMAGE_BOOT 0

/* TSC read fenced on both sides so the batch boundaries don't drift. */
static inline uint64_t ks_ticks(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void ks_pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* Order two stores as seen by another CPU (x86 is TSO: compiler only). */
static inline void ks_wmb(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Order two loads (x86 is TSO: compiler only). */
static inline void ks_rmb(void)
{
	__asm__ volatile("" ::: "memory");
}

static inline void ks_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port) : "memory");
}

static inline uint32_t ks_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint8_t ks_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* One plain MOV each way, so KVM's emulator decodes a simple access. */
static inline void ks_mmio_write32(uint64_t gpa, uint32_t v)
{
	__asm__ volatile("movl %0, (%1)" :: "a"(v), "r"(gpa) : "memory");
}

static inline uint32_t ks_mmio_read32(uint64_t gpa)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=a"(v) : "r"(gpa) : "memory");
	return v;
}

/*
 * A write the host binds an ioeventfd to (vm_switch): an OUT to the kernel
 * port, which the host matches (ks_layout kernel_pio_port) and x86 counts
 * in io_exits.
 */
static inline void ks_notify_kernel(const struct ks_mailbox *mb)
{
	ks_outl((uint16_t)mb->kernel_pio_port, 0);
}

/* The ucall doorbell: an exit to the VMM on every backend. */
static inline void ks_doorbell(void)
{
	ks_outl(KS_UCALL_PORT, 0);
}

#endif
