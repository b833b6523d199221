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
 * restore them, drop the vector and error code, iretq. An interrupt taken
 * inside a halt's critical region (ks_pvm_halt, ks_sti_halt below: after
 * interrupts were enabled, before HLT halted) must not return into the HLT,
 * which would then sleep with nothing left to wake it: it resumes at the
 * region's end instead, as if the HLT had woken.
 */
#define FRAME_RIP 88				/* 9 registers, vector, error code */
.macro HALT_REGION begin, end
	lea	\begin(%rip), %rax
	cmp	%rax, FRAME_RIP(%rsp)
	jb	.Lout\@
	lea	\end(%rip), %rax
	cmp	%rax, FRAME_RIP(%rsp)
	jae	.Lout\@
	mov	%rax, FRAME_RIP(%rsp)
.Lout\@:
.endm
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
	HALT_REGION ks_pvm_halt_begin, ks_pvm_halt_end
	HALT_REGION ks_sti_halt_begin, ks_sti_halt_end
	call	\fn
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

/*
 * void ks_pvm_halt(volatile uint8_t *vif, uint64_t linger_ticks,
 *                  volatile uint64_t *linger_state)
 *
 * Wait for an interrupt on PVM: called with interrupts masked (VIF byte 0
 * clear), returns with them masked again. PVM has no STI shadow, so
 * "enable, then HLT" loses the wake-up two ways: an interrupt that arrived
 * while VIF was clear is only marked pending (VIF byte 1) and a plain store
 * of VIF does not deliver it; and an interrupt delivered between the store
 * and HLT is handled, then HLT sleeps with nothing left to wake it. No PVM
 * hypercall enables and halts at once. So: [begin, end) is a critical
 * region: set VIF; if an interrupt is pending, take it with a hypercall
 * exit (PVM delivers it on the way back) instead of halting; else HLT.
 * irq_common moves an interrupt that lands inside the region to `end`.
 *
 * linger_ticks (the irq_race test hook; 0 normally): stay in the region,
 * interrupts enabled, for up to that many TSC ticks before the HLT, so the
 * interrupt lands in the window. *linger_state: 1 while lingering, 2 after
 * it timed out (the handler sets 3 when the interrupt landed in it).
 */
	.text
	.globl ks_pvm_halt
ks_pvm_halt:
	mov	%rdx, %r9
	.globl ks_pvm_halt_begin
ks_pvm_halt_begin:
	movb	$1, (%rdi)
	cmpb	$0, 1(%rdi)
	jne	3f
	test	%rsi, %rsi
	jz	2f
	movq	$1, (%r9)
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	lea	(%rax,%rsi), %r8		/* the linger's deadline */
1:	pause
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	cmp	%r8, %rax
	jb	1b
	movq	$2, (%r9)
2:	hlt
	.globl ks_pvm_halt_end
ks_pvm_halt_end:
	movb	$0, (%rdi)			/* irq_common preserved %rdi */
	ret
3:	push	%rbx
	push	%rdi
	mov	$KS_PVM_HC_NOP_PROBE, %eax	/* any hypercall: PVM delivers on the way back */
	xor	%ebx, %ebx
	int	$0x1b
	pop	%rdi
	pop	%rbx
	movb	$0, (%rdi)
	ret

/*
 * void ks_sti_halt(void): wait for an interrupt where STI has its shadow;
 * called masked, returns masked. The shadow makes "sti; hlt" race-free, but
 * nested SVM under TCG was seen delivering inside it: an interrupt saved at
 * the HLT resumes after it (HALT_REGION), not into it.
 */
	.globl ks_sti_halt
ks_sti_halt:
	sti
ks_sti_halt_begin:
	hlt
ks_sti_halt_end:
	cli
	ret

	.section .note.GNU-stack, "", %progbits
