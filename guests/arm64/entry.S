/* SPDX-License-Identifier: MIT */
/*
 * arm64 guest entry and exception vectors.
 *
 * Every vCPU enters _start at EL1 with the MMU off: KVM sets its PC here
 * (PC is the only boot context the KVM-on-Gunyah port honours), Gunyah's
 * resource manager enters at the image's first byte, whose branch
 * (ks_image_header.boot) comes here. So the guest sets up everything else
 * itself: stack from the vCPU index, VBAR, then the MMU and caches with the
 * host-built tables.
 */
#include "ks_layout.h"

	.section .text.boot, "ax"
	.globl _start
_start:
	mrs	x19, mpidr_el1
	and	x19, x19, #0xff			/* vCPU index (Aff0) */
	ldr	x2, =KS_STACK_TOP
	mov	x3, #KS_STACK_SIZE
	msub	x2, x19, x3, x2
	mov	sp, x2
	adr	x2, ks_vectors
	msr	vbar_el1, x2
	ldr	x2, =KS_MAIR_VALUE
	msr	mair_el1, x2
	ldr	x2, =KS_TCR_VALUE
	msr	tcr_el1, x2
	ldr	x2, =KS_PGTABLE_GPA
	msr	ttbr0_el1, x2
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x2, =KS_SCTLR_VALUE
	msr	sctlr_el1, x2
	isb
	mov	x0, x19
	bl	ks_guest_start
1:	wfi
	b	1b

	.text
/* 16 vectors of 0x80 bytes; only "current EL, SPx, IRQ" is expected. */
	.balign 0x800
	.globl ks_vectors
ks_vectors:
	.set idx, 0
	.rept 16
	.balign 0x80
	.if idx == 5
	b	irq_entry
	.else
	mov	x0, #idx
	b	exc_common
	.endif
	.set idx, idx + 1
	.endr

exc_common:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	bl	ks_guest_exception
2:	wfi
	b	2b

/* The benchmark interrupt: save caller-saved registers, call C, eret. */
irq_entry:
	sub	sp, sp, #176
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	str	x30, [sp, #160]
	bl	ks_arch_irq_entry
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x29, [sp, #144]
	ldr	x30, [sp, #160]
	add	sp, sp, #176
	eret

	.ltorg
	.section .note.GNU-stack, "", %progbits
