/* SPDX-License-Identifier: MIT */
/* VMs, memslots and the fd-based interrupt/IO plumbing (irqfd, ioeventfd),
 * through the device's front (front.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "fault_inject.h"
#include "front.h"
#include "guest_image.h"
#include "vmm.h"

#define VM_ERR(vm, ...) snprintf((vm)->err, sizeof((vm)->err), __VA_ARGS__)

int ks_vm_create(struct ks_kvm *k, struct ks_vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->kvm = k;
	vm->arch = &ks_arch;
	vm->irqchip_fd = -1;
	vm->fd = -1;
	for (int i = 0; i < KS_MAX_SLOTS; i++)
		vm->slots[i].gmem_fd = -1;
	return k->front->vm_create(vm);
}

void ks_vm_destroy(struct ks_vm *vm)
{
	for (int i = 0; i < KS_MAX_SLOTS; i++)
		if (vm->slots[i].hva || vm->slots[i].gmem_fd >= 0)
			ks_memslot_unmap(&vm->slots[i]);
	if (vm->irqchip_fd >= 0)
		close(vm->irqchip_fd);
	vm->irqchip_fd = -1;
	if (vm->kvm)
		vm->kvm->front->vm_destroy(vm);
}

long ks_vm_check_cap(const struct ks_vm *vm, long cap)
{
	return vm->kvm->front->vm_check_cap(vm, cap);
}

/* The memslot_huge test hook: a size no address space has room for. */
#define KS_FAULT_HUGE_SLOT (1ULL << 50)   /* 1 PiB */

int ks_memslot_map(struct ks_vm *vm, struct ks_memslot *s)
{
	s->gmem_fd = -1;
	if (ks_fault_take("memslot_huge"))
		s->size = KS_FAULT_HUGE_SLOT;   /* the real mmap (and its ENOMEM) follows */
	s->hva = MAP_FAILED;
	s->lent = false;
	if (vm->kvm->front->mem_map(vm, s) < 0) {
		s->hva = NULL;
		return -1;
	}
	if (s->hva == MAP_FAILED) {
		int e = errno;
		s->hva = NULL;
		VM_ERR(vm, "mmap of %llu bytes for memslot %u: %s",
		       (unsigned long long)s->size, s->slot, strerror(e));
		if (s->gmem_fd >= 0)
			close(s->gmem_fd);
		s->gmem_fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

void ks_memslot_unmap(struct ks_memslot *s)
{
	if (s->hva && !s->lent)
		munmap(s->hva, s->size);
	if (s->gmem_fd >= 0)
		close(s->gmem_fd);
	s->hva = NULL;
	s->gmem_fd = -1;
}

int ks_vm_set_slot(struct ks_vm *vm, struct ks_memslot *s)
{
	if (vm->kvm->front->mem_set(vm, s) < 0)
		return -1;
	s->active = true;
	return 0;
}

int ks_vm_unset_slot(struct ks_vm *vm, struct ks_memslot *s)
{
	if (vm->kvm->front->mem_unset(vm, s) < 0)
		return -1;
	s->active = false;
	return 0;
}

static int add_slot(struct ks_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
		    enum ks_backing backing, bool shared)
{
	if (slot >= KS_MAX_SLOTS || vm->slots[slot].hva) {
		VM_ERR(vm, "memslot %u is out of range or in use", slot);
		errno = EINVAL;
		return -1;
	}
	struct ks_memslot *s = &vm->slots[slot];
	*s = (struct ks_memslot){ .slot = slot, .gpa = gpa, .size = size,
				  .backing = backing, .gmem_fd = -1, .shared = shared };
	if (ks_memslot_map(vm, s) < 0)
		return -1;
	if (ks_vm_set_slot(vm, s) < 0) {
		int e = errno;
		ks_memslot_unmap(s);
		errno = e;
		return -1;
	}
	return 0;
}

int ks_vm_add_slot(struct ks_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
		   enum ks_backing backing)
{
	return add_slot(vm, slot, gpa, size, backing, false);
}

int ks_vm_add_shared_slot(struct ks_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size)
{
	return add_slot(vm, slot, gpa, size, KS_BACKING_ANON, true);
}

int ks_vm_del_slot(struct ks_vm *vm, uint32_t slot)
{
	if (slot >= KS_MAX_SLOTS || !vm->slots[slot].hva)
		return 0;
	struct ks_memslot *s = &vm->slots[slot];
	int rc = s->active ? ks_vm_unset_slot(vm, s) : 0;
	ks_memslot_unmap(s);
	return rc;
}

void *ks_vm_gpa_to_hva(struct ks_vm *vm, uint64_t gpa, uint64_t len)
{
	for (int i = 0; i < KS_MAX_SLOTS; i++) {
		struct ks_memslot *s = &vm->slots[i];
		/* no overflow whatever gpa/len are: they may come from the guest */
		if (s->hva && gpa >= s->gpa && len <= s->size && gpa - s->gpa <= s->size - len)
			return (uint8_t *)s->hva + (gpa - s->gpa);
	}
	return NULL;
}

int ks_vm_create_irqchip(struct ks_vm *vm)
{
	if (vm->arch->create_irqchip(vm) < 0)
		return -1;
	vm->irqchip = true;
	return 0;
}

int ks_vm_irqfd(struct ks_vm *vm, int efd, uint32_t gsi, bool assign)
{
	return vm->kvm->front->irqfd(vm, efd, gsi, assign);
}

int ks_vm_ioeventfd(struct ks_vm *vm, uint64_t addr, uint32_t len, bool pio, int efd,
		    bool assign)
{
	return vm->kvm->front->ioeventfd(vm, addr, len, pio, efd, assign);
}

int ks_vm_set_dtb(struct ks_vm *vm, uint64_t gpa, uint64_t size)
{
	return vm->kvm->front->set_dtb(vm, gpa, size);
}

int ks_vm_start(struct ks_vm *vm)
{
	uint64_t t0 = ks_now_ns();

	if (vm->started)
		return 0;
	if (vm->kvm->front->start(vm) < 0)
		return -1;
	vm->start_ns = ks_now_ns() - t0;
	vm->started = true;
	return 0;
}

int ks_vm_route_gsi_to_vector(struct ks_vm *vm, uint32_t gsi, uint32_t vector)
{
	return vm->arch->route_gsi(vm, gsi, vector);
}

/* The image embedded in kvmscope, as a view at its load address. */
static struct ks_image_view embedded_image(const struct ks_layout *l)
{
	return (struct ks_image_view){ .mem = ks_guest_image, .gpa = l->image_gpa,
				       .len = (uint64_t)(ks_guest_image_end - ks_guest_image) };
}

/* Availability: whether the embedded image offers routine `name`. */
bool ks_guest_has_routine(const char *name, char *why, size_t len)
{
	const struct ks_layout *l = ks_arch.layout;
	struct ks_image_view v = embedded_image(l);
	struct ks_image_header h;
	struct ks_guest_routine r;
	char err[KS_ERR_LEN];

	if (ks_image_header_read(&v, l->image_gpa, l->image_max, &h, err, sizeof(err)) < 0) {
		snprintf(why, len, "embedded %.230s", err);
		return false;
	}
	int i = ks_image_routine_find(&v, &h, name, &r, err, sizeof(err));
	if (i == -1)
		snprintf(why, len, "no %s guest routine '%s'", ks_arch.name, name);
	else if (i < 0)
		snprintf(why, len, "embedded %.230s", err);
	return i >= 0;
}

int ks_vm_routine(struct ks_vm *vm, const char *name)
{
	const struct ks_layout *l = vm->arch->layout;
	struct ks_image_view v = { .gpa = l->image_gpa, .len = l->image_max };
	struct ks_image_header h;
	struct ks_guest_routine r;
	char err[KS_ERR_LEN];

	/* the copy in guest memory, read as the untrusted input it is */
	v.mem = ks_vm_gpa_to_hva(vm, v.gpa, v.len);
	if (!v.mem) {
		VM_ERR(vm, "guest image GPA 0x%llx is outside guest memory",
		       (unsigned long long)l->image_gpa);
		return -1;
	}
	if (ks_image_header_read(&v, l->image_gpa, l->image_max, &h, err, sizeof(err)) < 0) {
		VM_ERR(vm, "loaded %.230s", err);
		return -1;
	}
	int i = ks_image_routine_find(&v, &h, name, &r, err, sizeof(err));
	if (i == -1)
		VM_ERR(vm, "no %s guest routine '%s'", vm->arch->name, name);
	else if (i < 0)
		VM_ERR(vm, "loaded %.230s", err);
	return i;
}

int ks_vm_load_guest(struct ks_vm *vm)
{
	const struct ks_layout *l = vm->arch->layout;
	struct ks_image_view img = embedded_image(l);
	size_t len = (size_t)img.len;
	struct ks_image_header h;
	char err[KS_ERR_LEN];

	if (ks_vm_add_slot(vm, KS_SLOT_MAIN, l->main_slot_gpa, l->main_slot_size,
			   KS_BACKING_ANON) < 0)
		return -1;
	/* the mailbox and the samples: memory both sides see while the guest
	 * runs (under Gunyah the main slot is lent: the host loses it) */
	if (l->shared_size &&
	    ks_vm_add_shared_slot(vm, KS_SLOT_SHARED, l->shared_gpa, l->shared_size) < 0)
		return -1;
	/* The embedded image must be for this layout: checked once, here. */
	if (ks_image_header_read(&img, l->image_gpa, l->image_max, &h, err, sizeof(err)) < 0) {
		VM_ERR(vm, "embedded %.230s", err);
		return -1;
	}
	void *dst = ks_vm_gpa_to_hva(vm, l->image_gpa, len);
	if (!dst) {
		VM_ERR(vm, "guest image GPA 0x%llx is outside guest memory",
		       (unsigned long long)l->image_gpa);
		return -1;
	}
	memcpy(dst, ks_guest_image, len);
	if (vm->arch->load_guest(vm, &h) < 0)
		return -1;
	vm->mb = ks_vm_gpa_to_hva(vm, l->mailbox_gpa, sizeof(*vm->mb));
	if (!vm->mb) {
		VM_ERR(vm, "mailbox GPA 0x%llx is outside guest memory",
		       (unsigned long long)l->mailbox_gpa);
		return -1;
	}
	struct ks_mailbox *mb = vm->mb;
	mb->magic = KS_ABI_MAGIC;
	mb->abi_version = KS_ABI_VERSION;
	mb->backend = vm->guest_backend;
	mb->samples_gpa = l->samples_gpa;
	mb->samples_cap = l->samples_cap;
	mb->user_pio_port = l->user_pio_port;
	mb->user_mmio_gpa = l->user_mmio_gpa;
	mb->kernel_pio_port = l->kernel_pio_port;
	mb->kernel_mmio_gpa = l->kernel_mmio_gpa;
	mb->kernel_pio_in_port = l->kernel_pio_in_port;
	mb->kernel_mmio_read_gpa = l->kernel_mmio_read_gpa;
	mb->region_gpa = l->region_gpa;
	mb->irq_vector = l->irq_vector;
	return 0;
}
