/* SPDX-License-Identifier: MIT */
/*
 * x86_64 guest entry and interrupt stubs.
 *
 * The host enters at _start in 64-bit mode with paging on, RSP at
 * KS_STACK_TOP, and builds the IDT itself from the stub table below
 * (256 stubs, 16 bytes apart, first at ks_vectors): the guest executes no
 * LIDT/LGDT, which PVM would have to trap.
 */
#include "ks_layout.h"

	.text
	.globl _start
_start:
	mov	$KS_STACK_TOP, %rsp
	xor	%rbp, %rbp
	xor	%edi, %edi			/* vCPU 0: x86 runs one vCPU */
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

/* The benchmark interrupt: save caller-saved registers, call C, iretq. */
irq_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	call	ks_guest_irq
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

	.section .note.GNU-stack, "", %progbits
