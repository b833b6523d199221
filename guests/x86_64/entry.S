/* SPDX-License-Identifier: MIT */
/*
 * x86_64 guest entry and interrupt stubs.
 *
 * The host enters every vCPU at _start in 64-bit mode with paging on, RSP
 * at the top of that vCPU's own stack and RDI = its index, and builds the
 * IDT itself from the stub table below (256 stubs, 16 bytes apart, first
 * at ks_vectors): the guest executes no LIDT/LGDT, which PVM would have to
 * trap.
 */
#include "ks_layout.h"

	.text
	.globl _start
_start:
	xor	%rbp, %rbp			/* RSP, RDI (vCPU index): set by the host */
	call	ks_guest_start
1:	hlt
	jmp	1b

/* Vectors that push an error code themselves. */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.balign 16
	.globl ks_vectors
ks_vectors:
	.set vec, 0
	.rept 256
	.balign 16
	.if HAS_ERR(vec) == 0
	pushq	$0
	.endif
	pushq	$vec
	.if vec == KS_IRQ_VECTOR
	jmp	irq_common
	.elseif vec == KS_IPI_VECTOR
	jmp	ipi_common
	.else
	jmp	exc_common
	.endif
	.set vec, vec + 1
	.endr

/* Unexpected exception or interrupt: report vector and RIP, never return. */
exc_common:
	sub	$8, %rsp			/* 16-byte alignment for the call */
	mov	%rsp, %rdi
	call	ks_guest_exception
2:	hlt
	jmp	2b

/*
 * An interrupt handled in C: save the caller-saved registers, call `fn`,
 * restore them, drop the vector and error code, iretq. An interrupt that
 * stopped ks_arch_wait_for_interrupt between enabling interrupts and
 * halting returns after its hlt, not to it (arch.c says why).
 */
#define FRAME_RIP 88				/* 9 registers, vector, error code */
.macro IRQ_TO_C fn
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	lea	ks_halt_begin(%rip), %rax
	cmp	%rax, FRAME_RIP(%rsp)
	jb	1f
	lea	ks_halt_end(%rip), %rax
	cmp	%rax, FRAME_RIP(%rsp)
	jae	1f
	mov	%rax, FRAME_RIP(%rsp)
1:	call	\fn
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp			/* vector and error code */
	iretq
.endm

/* The benchmark interrupt. */
irq_common:
	IRQ_TO_C ks_guest_irq

/* The virtual IPI (vCPU 1 of the ipi benchmark). */
ipi_common:
	IRQ_TO_C ks_guest_ipi

	.section .note.GNU-stack, "", %progbits
