/* SPDX-License-Identifier: MIT */
/*
 * The gunyah front (front.h): Gunyah's own Linux driver, /dev/gunyah, its
 * v17 uAPI (gunyah/gunyah_uapi.h). What the driver and the open-source
 * resource manager (RM) do with each call, and the messages they answer
 * with, are in tests/qemu-gunyah/README.md; tests/qemu-gunyah/gunyah_smoke.c
 * is the same sequence in one file.
 *
 *   open /dev/gunyah; CREATE_VM -> VM fd
 *   per slot: CREATE_GUEST_MEM -> fd, mmap it, VM_MAP_MEM at the slot's GPA:
 *     lent (the default: the RM wants isolated VMs) or, for the shared
 *     slot, GUNYAH_MEM_FORCE_SHARE (the host keeps access)
 *   VM_SET_DTB_CONFIG (the DT's place and the room for the RM's overlay)
 *   ADD_FUNCTION vCPU -> vCPU fd, mmap its run page
 *   ADD_FUNCTION irqfd / ioeventfd (before the start: the RM hands out the
 *     doorbell capabilities at VM_START)
 *   start: munmap every lent slot (the driver will not lend a folio the
 *     host maps: -EPERM), VM_START (MEM_LEND/MEM_SHARE, VM_INIT, VM_START)
 *   VCPU_RUN until the guest is done; close: stop, reset, reclaim.
 *
 * Memory can be given only before the start: the open-source RM has no
 * demand paging, so the image parcel (the slot holding the DT) and, with
 * patches/driver-extra-parcels.patch, each other slot as a labelled parcel
 * are handed over at VM_START. The guest enters at the image parcel's
 * first byte, MMU off, x0 = the DT: no registers are set from here.
 *
 * Portable C: the uAPI is plain structs, so this builds (and its exit
 * translation is unit-tested) on any host; only an arm64 kernel running
 * under Gunyah has the device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "front.h"
#include "gunyah/gunyah_uapi.h"
#include "vmm.h"

#define VM_ERR(vm, ...) snprintf((vm)->err, sizeof((vm)->err), __VA_ARGS__)
#define V_ERR(v, ...) snprintf((v)->err, sizeof((v)->err), __VA_ARGS__)

#define NO_LATE_MEMORY "Gunyah's open-source resource manager takes memory only before " \
		       "the VM starts (no demand paging)"

static int gh_open(struct ks_kvm *k)
{
	k->api_version = 0;   /* no version call: the uAPI is v17's (gunyah_uapi.h) */
	k->run_size = 0;      /* per vCPU: KS_GH_VCPU_MMAP_SIZE */
	return 0;
}

/*
 * KVM's capability vocabulary, answered for what /dev/gunyah has an
 * equivalent of: irqfd (a doorbell), ioeventfd (completed in the driver),
 * user memory (guest memory fds), immediate exit. No in-kernel irqchip
 * (Gunyah emulates the GIC itself), no routing, no stats fd, no ONE_REG.
 */
static long gh_check_cap(const struct ks_kvm *k, long cap)
{
	switch (cap) {
	case KVM_CAP_IRQFD:
	case KVM_CAP_IOEVENTFD:
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_IMMEDIATE_EXIT:
		return 1;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
		return 1;   /* secondaries would need the guest's PSCI CPU_ON */
	default:
		return 0;
	}
}

static long gh_vm_check_cap(const struct ks_vm *vm, long cap)
{
	return gh_check_cap(vm->kvm, cap);
}

static int gh_vm_create(struct ks_vm *vm)
{
	vm->fd = ioctl(vm->kvm->fd, KS_GH_CREATE_VM, 0);
	if (vm->fd < 0) {
		VM_ERR(vm, "GUNYAH_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void gh_vm_destroy(struct ks_vm *vm)
{
	/* the last reference: VM_STOP if running, VM_RESET, MEM_RECLAIM */
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
}

static int gh_mem_map(struct ks_vm *vm, struct ks_memslot *s)
{
	if (s->backing == KS_BACKING_GUEST_MEMFD) {
		VM_ERR(vm, "guest_memfd is KVM's: through /dev/gunyah all guest memory is "
		       "Gunyah guest memory");
		errno = ENOTSUP;
		return -1;
	}
	/*
	 * The VMM's own memory (the main slot, the shared one) in 2 MiB folios
	 * where the kernel has them: the RM keeps every entry of a parcel (one
	 * per folio) in its heap, and on platform=qemu that heap shares 640 KiB
	 * with the RM itself: two VMs holding ~36 MiB of 4 KiB folios ran it
	 * out ("sys_brk: invalid brk 0x80522000", then no answer at all). A
	 * benchmark's region keeps 4 KiB folios: the lend of those is measured.
	 */
	bool vmm_own = s->slot == KS_SLOT_MAIN || s->shared;
	struct ks_gh_create_mem_args a = {
		.flags = KS_GH_MEM_CLOEXEC | (vmm_own ? KS_GH_MEM_ALLOW_HUGEPAGE : 0),
		.size = s->size,
	};
	s->gmem_fd = ioctl(vm->kvm->fd, KS_GH_CREATE_GUEST_MEM, &a);
	if (s->gmem_fd < 0) {
		VM_ERR(vm, "GUNYAH_CREATE_GUEST_MEM(%llu bytes): %s", (unsigned long long)s->size,
		       strerror(errno));
		return -1;
	}
	/* MAP_SHARED: the driver refuses private mappings (no COW) */
	s->hva = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, s->gmem_fd, 0);
	return 0;   /* vm.c checks s->hva */
}

static int map_mem(struct ks_vm *vm, const struct ks_memslot *s, bool unmap)
{
	struct ks_gh_map_mem_args a = {
		.guest_addr = s->gpa,
		.flags = (s->shared ? KS_GH_MEM_FORCE_SHARE : KS_GH_MEM_DEFAULT_ACCESS) |
			 KS_GH_MEM_ALLOW_RWX | (unmap ? KS_GH_MEM_UNMAP : 0),
		.guest_mem_fd = (uint32_t)s->gmem_fd,
		.offset = 0,
		.size = s->size,
	};

	if (vm->started) {
		VM_ERR(vm, "GUNYAH_VM_MAP_MEM(slot %u, gpa 0x%llx) after the start: " NO_LATE_MEMORY,
		       s->slot, (unsigned long long)s->gpa);
		errno = ENOTSUP;
		return -1;
	}
	if (ioctl(vm->fd, KS_GH_VM_MAP_MEM, &a) < 0) {
		VM_ERR(vm, "GUNYAH_VM_MAP_MEM(%sgpa 0x%llx, %llu bytes, %s): %s", unmap ? "unmap, " : "",
		       (unsigned long long)s->gpa, (unsigned long long)s->size,
		       s->shared ? "shared" : "lent", strerror(errno));
		return -1;
	}
	return 0;
}

static int gh_mem_set(struct ks_vm *vm, struct ks_memslot *s)
{
	return map_mem(vm, s, false);
}

static int gh_mem_unset(struct ks_vm *vm, struct ks_memslot *s)
{
	return map_mem(vm, s, true);
}

static int gh_set_dtb(struct ks_vm *vm, uint64_t gpa, uint64_t size)
{
	struct ks_gh_vm_dtb_config c = { .guest_phys_addr = gpa, .size = size };

	if (ioctl(vm->fd, KS_GH_VM_SET_DTB_CONFIG, &c) < 0) {
		VM_ERR(vm, "GUNYAH_VM_SET_DTB_CONFIG(0x%llx, %llu): %s", (unsigned long long)gpa,
		       (unsigned long long)size, strerror(errno));
		return -1;
	}
	return 0;
}

static int add_function(struct ks_vm *vm, uint32_t type, void *arg, uint32_t size, bool remove)
{
	struct ks_gh_fn_desc f = { .type = type, .arg_size = size, .arg = (uintptr_t)arg };

	return ioctl(vm->fd, remove ? KS_GH_VM_REMOVE_FUNCTION : KS_GH_VM_ADD_FUNCTION, &f);
}

static int gh_vcpu_create(struct ks_vcpu *v)
{
	struct ks_gh_fn_vcpu_arg va = { .id = (uint32_t)v->id };

	snprintf(v->stats_why, sizeof(v->stats_why),
		 "the Gunyah driver keeps no per-vCPU statistics (no stats fd, debugfs, sysfs "
		 "or trace events)");
	v->fd = add_function(v->vm, KS_GH_FN_VCPU, &va, sizeof(va), false);
	if (v->fd < 0) {
		V_ERR(v, "GUNYAH_VM_ADD_FUNCTION(vCPU %d): %s", v->id, strerror(errno));
		return -1;
	}
	long size = ioctl(v->fd, KS_GH_VCPU_MMAP_SIZE, 0);
	if (size < (long)sizeof(struct ks_gh_vcpu_run)) {
		V_ERR(v, "GUNYAH_VCPU_MMAP_SIZE: %ld%s%s", size, size < 0 ? ", " : "",
		      size < 0 ? strerror(errno) : "");
		return -1;
	}
	v->front_run_size = (size_t)size;
	v->front_run = mmap(NULL, v->front_run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->front_run == MAP_FAILED) {
		v->front_run = NULL;
		V_ERR(v, "mmap of the Gunyah vCPU run page: %s", strerror(errno));
		return -1;
	}
	/* the view the run loop reads: ours, not the kernel's */
	v->run_size = sizeof(struct kvm_run);
	v->run = calloc(1, v->run_size);
	if (!v->run) {
		V_ERR(v, "out of memory");
		return -1;
	}
	v->kick = &((struct ks_gh_vcpu_run *)v->front_run)->immediate_exit;
	v->has_stats = false;
	return 0;
}

static void gh_vcpu_destroy(struct ks_vcpu *v)
{
	if (v->front_run)
		munmap(v->front_run, v->front_run_size);
	v->front_run = NULL;
	free(v->run);
	v->run = NULL;
	v->kick = NULL;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

static int gh_start(struct ks_vm *vm)
{
	/* The host gives up its mapping of everything it lends. */
	for (int i = 0; i < KS_MAX_SLOTS; i++) {
		struct ks_memslot *s = &vm->slots[i];

		if (s->active && !s->shared && s->hva) {
			munmap(s->hva, s->size);
			s->hva = NULL;
			s->lent = true;
		}
	}
	if (ioctl(vm->fd, KS_GH_VM_START, 0) < 0) {
		int e = errno;
		VM_ERR(vm, "GUNYAH_VM_START: %s (the resource manager refused the VM or its "
		       "memory: its messages are on its console, the kernel's in dmesg; the rules "
		       "in tests/qemu-gunyah/README.md)", strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

bool ks_gh_exit(const void *gh_run, struct kvm_run *r, char *note, size_t len)
{
	const struct ks_gh_vcpu_run *g = gh_run;
	static const char *const status[] = { "?", "LOAD_FAILED", "EXITED", "CRASHED" };

	note[0] = 0;
	memset(&r->mmio, 0, sizeof(r->mmio));
	switch (g->exit_reason) {
	case KS_GH_VCPU_EXIT_MMIO:
		r->exit_reason = KVM_EXIT_MMIO;
		r->mmio.phys_addr = g->mmio.phys_addr;
		r->mmio.len = g->mmio.len <= 8 ? g->mmio.len : 8;
		r->mmio.is_write = g->mmio.is_write;
		if (g->mmio.is_write)
			memcpy(r->mmio.data, g->mmio.data, r->mmio.len);
		return true;
	case KS_GH_VCPU_EXIT_STATUS:
		/* the VM is not runnable any more: a system event in KVM's words */
		r->exit_reason = KVM_EXIT_SYSTEM_EVENT;
		r->system_event.type = g->status.status == KS_GH_VM_STATUS_EXITED ?
			KVM_SYSTEM_EVENT_SHUTDOWN : KVM_SYSTEM_EVENT_CRASH;
		snprintf(note, len, "Gunyah VM status %s (%u), the RM's exit type %u",
			 g->status.status < 4 ? status[g->status.status] : "?", g->status.status,
			 g->status.exit_info.type);
		return false;
	case KS_GH_VCPU_EXIT_PAGE_FAULT:
		r->exit_reason = KVM_EXIT_UNKNOWN;
		r->hw.hardware_exit_reason = g->exit_reason;
		snprintf(note, len, "Gunyah page fault at 0x%llx (attempt %d): demand paging, "
			 "which the open-source resource manager does not do",
			 (unsigned long long)g->page_fault.phys_addr, g->page_fault.attempt);
		return false;
	default:
		r->exit_reason = KVM_EXIT_UNKNOWN;
		r->hw.hardware_exit_reason = g->exit_reason;
		snprintf(note, len, "Gunyah exit_reason %u", g->exit_reason);
		return false;
	}
}

void ks_gh_resume(void *gh_run, const struct kvm_run *r)
{
	struct ks_gh_vcpu_run *g = gh_run;

	/* a read's value: the guest gets mmio.len bytes of it */
	if (!g->mmio.is_write)
		memcpy(g->mmio.data, r->mmio.data, sizeof(g->mmio.data));
	g->mmio.resume_action = KS_GH_VCPU_RESUME_HANDLED;
}

static int gh_run(struct ks_vcpu *v)
{
	/* answer the last MMIO exit: the driver reads it when VCPU_RUN enters
	 * (again after an EINTR: harmless if it was already taken) */
	if (v->resume_mmio)
		ks_gh_resume(v->front_run, v->run);
	if (ioctl(v->fd, KS_GH_VCPU_RUN, 0) < 0)
		return -1;
	v->resume_mmio = ks_gh_exit(v->front_run, v->run, v->exit_note, sizeof(v->exit_note));
	return 0;
}

static int gh_irqfd(struct ks_vm *vm, int efd, uint32_t gsi, bool assign)
{
	/*
	 * gsi = the label of a doorbell the guest DT declares (guest_dt.c).
	 * LEVEL: the driver sets the bell's enable and ack masks to bit 0, so
	 * each eventfd signal asserts the line once and the guest's
	 * acknowledge clears it. Without it a bell's flags stay set (Gunyah's
	 * doorbell_send() keeps them until the receiver clears them, which
	 * kvmscope's guest does not): a level SPI then fires without end, and
	 * an edge SPI woke a guest halted in WFI once and never again
	 * (irqfd_halted: 1 of 200 interrupts).
	 */
	struct ks_gh_fn_irqfd_arg a = { .fd = (uint32_t)efd, .label = gsi,
					.flags = KS_GH_IRQFD_FLAGS_LEVEL };

	if (add_function(vm, KS_GH_FN_IRQFD, &a, sizeof(a), !assign) < 0) {
		VM_ERR(vm, "GUNYAH_VM_%s_FUNCTION(irqfd, doorbell label %u): %s",
		       assign ? "ADD" : "REMOVE", gsi, strerror(errno));
		return -1;
	}
	return 0;
}

static int gh_ioeventfd(struct ks_vm *vm, uint64_t addr, uint32_t len, bool pio, int efd,
			bool assign)
{
	struct ks_gh_fn_ioeventfd_arg a = { .addr = addr, .len = len, .fd = efd };

	if (pio) {
		VM_ERR(vm, "no port I/O on arm64: GUNYAH ioeventfds are MMIO");
		errno = ENOTSUP;
		return -1;
	}
	if (add_function(vm, KS_GH_FN_IOEVENTFD, &a, sizeof(a), !assign) < 0) {
		VM_ERR(vm, "GUNYAH_VM_%s_FUNCTION(ioeventfd 0x%llx/%u): %s", assign ? "ADD" : "REMOVE",
		       (unsigned long long)addr, len, strerror(errno));
		return -1;
	}
	return 0;
}

const struct ks_front_ops ks_front_gunyah = {
	.kind = KS_FRONT_GUNYAH,
	.name = "gunyah",
	.device = "/dev/gunyah",
	.run_ioctl = "GUNYAH_VCPU_RUN",
	.open = gh_open,
	.check_cap = gh_check_cap,
	.vm_check_cap = gh_vm_check_cap,
	.vm_create = gh_vm_create,
	.vm_destroy = gh_vm_destroy,
	.mem_map = gh_mem_map,
	.mem_set = gh_mem_set,
	.mem_unset = gh_mem_unset,
	.set_dtb = gh_set_dtb,
	.vcpu_create = gh_vcpu_create,
	.vcpu_destroy = gh_vcpu_destroy,
	.start = gh_start,
	.run = gh_run,
	.irqfd = gh_irqfd,
	.ioeventfd = gh_ioeventfd,
};
