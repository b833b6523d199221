/* SPDX-License-Identifier: MIT */
/*
 * The narrow interface between the generic VMM and one architecture.
 * Exactly one implementation is linked into kvmscope (chosen by CMake):
 * bench/vmm/x86_64/ or bench/vmm/arm64/. The kernel interface the VMM
 * drives (/dev/kvm, /dev/gunyah) is the other seam: front.h.
 */
#ifndef KS_ARCH_H
#define KS_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "host_facts.h"
#include "vmm.h"

/* Where things are in guest physical memory (from the arch's ks_layout.h). */
struct ks_layout {
	uint64_t main_slot_gpa, main_slot_size;
	uint64_t image_gpa, image_max;    /* where the embedded guest image goes */
	/* Memory the host reads while the guest runs (the mailbox, the
	 * samples): a slot of its own, shared, where the backend lends the
	 * main slot away (Gunyah); 0: they are in the main slot. */
	uint64_t shared_gpa, shared_size;
	uint64_t mailbox_gpa;
	uint64_t samples_gpa, samples_cap;
	uint64_t region_gpa, region_max;
	uint64_t user_mmio_gpa, kernel_mmio_gpa;
	uint64_t kernel_mmio_read_gpa;   /* an in-kernel emulated register (vGIC/LAPIC) */
	uint64_t user_pio_port, kernel_pio_port, kernel_pio_in_port; /* 0: no PIO */
	uint32_t irq_vector;
	uint32_t msr_index;   /* a harmless MSR the kernel emulates (x86), or 0 */
};

struct ks_arch_ops {
	const char *name;
	const struct ks_layout *layout;
	/* Detect the backend; never fails (unknown is an answer). `guest_seen`
	 * is what a guest reported (ks_arch.format_identity), or NULL. */
	void (*detect_backend)(const struct ks_kvm *k, const char *guest_seen,
			       struct ks_backend_info *bi);
	/* Turn KS_G_IDENTIFY's guest_info words into text. */
	void (*format_identity)(const uint64_t info[8], char *buf, size_t len);
	/* The image is in place (validated): lay out page tables, descriptors,
	 * device tree, the arch's mailbox fields. */
	int (*load_guest)(struct ks_vm *vm, const struct ks_image_header *h);
	/* Registers, CPUID, LAPIC: make vCPU `v` start at the guest entry. */
	int (*vcpu_setup)(struct ks_vcpu *v);
	/* Is this exit the guest's ucall doorbell? */
	bool (*is_doorbell)(const struct kvm_run *run);
	/* Service a null-device exit; false if it isn't one. *is_mmio set. */
	bool (*null_device)(struct ks_vm *vm, struct kvm_run *run, bool *is_mmio);
	/* Create the in-kernel interrupt controller (before vCPUs). */
	int (*create_irqchip)(struct ks_vm *vm);
	/* Give every VM the in-kernel interrupt controller where the backend has
	 * one, not only the benchmarks that use it: on this arch a VM without one
	 * takes a slower exit path than any real VMM's (arm64: session.c). */
	bool irqchip_always;
	/* After all vCPUs exist, before the first KVM_RUN (arm64: vGIC init). */
	int (*irqchip_ready)(struct ks_vm *vm);
	/* Route an irqfd GSI to the benchmark vector on vCPU 0. */
	int (*route_gsi)(struct ks_vm *vm, uint32_t gsi, uint32_t vector);
	/* Make vCPU `v`'s interrupt controller accept interrupts (after irqchip). */
	int (*irq_setup_vcpu)(struct ks_vcpu *v);
	/* Append "rip=... " style context for an error message. */
	void (*describe_vcpu)(struct ks_vcpu *v, char *buf, size_t len);
	/* Spin-wait hint (x86: PAUSE). */
	void (*cpu_relax)(void);
	/* Host-side counter comparable with the guest's (x86: TSC). */
	uint64_t (*host_ticks)(void);
	/* Guest counter frequency in Hz, or 0 if unknown. */
	uint64_t (*guest_tick_hz)(struct ks_vcpu *v);
	/*
	 * Make the counter v's guest reads equal the host's (offset 0), where
	 * this kernel lets the VMM set it; before v first runs. 1: done, `how`
	 * names the interface; 0: not possible here, `how` says why; -1 with
	 * v->err: the kernel refused. Two VMs so set read one counter.
	 */
	int (*counter_offset_zero)(struct ks_vcpu *v, char *how, size_t len);
	/* The no-op hypercall used on this backend: its number and, in
	 * *insn, the instruction; 0 with *insn NULL if there is none. */
	uint64_t (*hypercall)(uint32_t guest_backend, const char **insn);
	/* Is `ret` what that hypercall returns when it works (its documented
	 * "not implemented" answer, or SMCCC_VERSION's 1.x)? */
	bool (*hypercall_ret_ok)(uint32_t guest_backend, int64_t ret);
	/* Exception vector number to a name ("#UD"), NULL if none. */
	const char *(*vector_name)(uint64_t vector);
	/* vCPU stat names that count each kind of exit ("" if none), and
	 * the ones the ucall doorbell itself bumps (besides stat_all_exits). */
	const char *stat_pio_exits, *stat_mmio_exits, *stat_kernel_mmio_exits,
		   *stat_all_exits, *stat_hypercalls, *stat_halt_exits,
		   *stat_irq_injections, *stat_doorbell;
	/* What the guest does, as results record it ("mechanism" params). */
	const char *counter;         /* the counter both sides read: "tsc", "cntvct" */
	const char *eoi_mechanism;   /* how the guest's handler completes an interrupt */
	const char *ipi_mechanism;   /* how the guest sends an IPI; NULL: it has none */
	/* How bpftrace one-liners see this arch: the ioctl syscall's number
	 * (raw_syscalls:sys_enter's id) and kvm:kvm_exit's exit-reason field. */
	int syscall_nr_ioctl;
	const char *kvm_exit_reason_field;
	/* kvm:kvm_exit's predicate for a hypercall exit (the hypercalls probe's
	 * one-liner) */
	const char *bpftrace_hypercall_exit;
};

extern const struct ks_arch_ops ks_arch;

/* The embedded guest image (guests/CMakeLists.txt). */
extern const uint8_t ks_guest_image[];
extern const uint8_t ks_guest_image_end[];

#endif
