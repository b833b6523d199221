/* SPDX-License-Identifier: MIT */
/*
 * The kvm front (front.h): /dev/kvm, for native KVM and for the
 * KVM-on-Gunyah port (API 13, KVM_SET_DTB_ADDRESS). The kernel's kvm_run
 * page is the exit view itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "front.h"
#include "vmm.h"

#define VM_ERR(vm, ...) snprintf((vm)->err, sizeof((vm)->err), __VA_ARGS__)
#define V_ERR(v, ...) snprintf((v)->err, sizeof((v)->err), __VA_ARGS__)

static int kvm_open(struct ks_kvm *k)
{
	k->api_version = ioctl(k->fd, KVM_GET_API_VERSION, 0);
	/* 12 is upstream; 13 is the KVM-on-Gunyah port (adds KVM_SET_DTB_ADDRESS). */
	if (k->api_version != KVM_API_VERSION &&
	    k->api_version != KS_KVM_API_VERSION_GUNYAH) {
		snprintf(k->err, sizeof(k->err),
			 "unsupported KVM API version %d (kvmscope speaks 12 and 13)",
			 k->api_version);
		errno = ENOTSUP;
		return -1;
	}
	k->run_size = ioctl(k->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (k->run_size <= 0) {
		snprintf(k->err, sizeof(k->err), "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static long kvm_check_cap(const struct ks_kvm *k, long cap)
{
	return ioctl(k->fd, KVM_CHECK_EXTENSION, cap);
}

static long kvm_vm_check_cap(const struct ks_vm *vm, long cap)
{
	return ioctl(vm->fd, KVM_CHECK_EXTENSION, cap);
}

static int kvm_vm_create(struct ks_vm *vm)
{
	/* Type 0 everywhere: the Gunyah port ignores the type anyway. */
	vm->fd = ioctl(vm->kvm->fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		VM_ERR(vm, "KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void kvm_vm_destroy(struct ks_vm *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
}

static int kvm_mem_map(struct ks_vm *vm, struct ks_memslot *s)
{
	if (s->backing == KS_BACKING_GUEST_MEMFD) {
		long flags = kvm_vm_check_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS);
		uint64_t want = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;

		if (flags < 0 || ((uint64_t)flags & want) != want) {
			VM_ERR(vm, "guest_memfd cannot be mapped by the host here "
			       "(KVM_CAP_GUEST_MEMFD_FLAGS=%ld, need MMAP|INIT_SHARED)", flags);
			errno = ENOTSUP;
			return -1;
		}
		struct kvm_create_guest_memfd g = { .size = s->size, .flags = want };
		s->gmem_fd = ioctl(vm->fd, KVM_CREATE_GUEST_MEMFD, &g);
		if (s->gmem_fd < 0) {
			VM_ERR(vm, "KVM_CREATE_GUEST_MEMFD(%llu bytes): %s",
			       (unsigned long long)s->size, strerror(errno));
			return -1;
		}
		s->hva = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, s->gmem_fd, 0);
	} else {
		s->hva = mmap(NULL, s->size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		/* per-4K fault-in, independent of the host's THP policy */
		if (s->hva != MAP_FAILED)
			(void)madvise(s->hva, s->size, MADV_NOHUGEPAGE);
	}
	return 0;   /* vm.c checks s->hva */
}

static int set_region(struct ks_vm *vm, const struct ks_memslot *s, uint64_t size)
{
	if (s->backing == KS_BACKING_GUEST_MEMFD) {
		struct kvm_userspace_memory_region2 r = {
			.slot = s->slot,
			.flags = KVM_MEM_GUEST_MEMFD,
			.guest_phys_addr = s->gpa,
			.memory_size = size,
			.userspace_addr = (uintptr_t)s->hva,
			.guest_memfd_offset = 0,
			.guest_memfd = (uint32_t)s->gmem_fd,
		};
		return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, &r);
	}
	struct kvm_userspace_memory_region r = {
		.slot = s->slot,
		.guest_phys_addr = s->gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)s->hva,
	};
	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static int kvm_mem_set(struct ks_vm *vm, struct ks_memslot *s)
{
	if (set_region(vm, s, s->size) < 0) {
		VM_ERR(vm, "KVM_SET_USER_MEMORY_REGION%s(slot %u, gpa 0x%llx, %llu bytes): %s",
		       s->backing == KS_BACKING_GUEST_MEMFD ? "2" : "", s->slot,
		       (unsigned long long)s->gpa, (unsigned long long)s->size, strerror(errno));
		return -1;
	}
	return 0;
}

static int kvm_mem_unset(struct ks_vm *vm, struct ks_memslot *s)
{
	/* size 0 deletes the slot */
	if (set_region(vm, s, 0) < 0) {
		VM_ERR(vm, "deleting memslot %u: %s", s->slot, strerror(errno));
		return -1;
	}
	return 0;
}

static int kvm_set_dtb(struct ks_vm *vm, uint64_t gpa, uint64_t size)
{
	/* the KVM-on-Gunyah port only (API 13): upstream KVM has no such ioctl */
	struct ks_kvm_dtb_address a = { .guest_phys_addr = gpa, .size = size };

	if (ioctl(vm->fd, KS_KVM_SET_DTB_ADDRESS, &a) < 0) {
		VM_ERR(vm, "KVM_SET_DTB_ADDRESS(0x%llx, %llu): %s", (unsigned long long)gpa,
		       (unsigned long long)size, strerror(errno));
		return -1;
	}
	return 0;
}

static int kvm_vcpu_create(struct ks_vcpu *v)
{
	v->fd = ioctl(v->vm->fd, KVM_CREATE_VCPU, v->id);
	if (v->fd < 0) {
		V_ERR(v, "KVM_CREATE_VCPU(%d): %s", v->id, strerror(errno));
		return -1;
	}
	v->run_size = (size_t)v->vm->kvm->run_size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		V_ERR(v, "mmap of kvm_run: %s", strerror(errno));
		return -1;
	}
	v->kick = &v->run->immediate_exit;
	char serr[96];
	v->has_stats = ks_stats_open(&v->stats, v->fd, serr, sizeof(serr)) == 0;
	if (!v->has_stats)
		snprintf(v->stats_why, sizeof(v->stats_why), "no binary stats fd on this kernel (%.60s)",
			 serr);
	return 0;
}

static void kvm_vcpu_destroy(struct ks_vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	v->run = NULL;
	v->kick = NULL;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

static int kvm_start(struct ks_vm *vm)
{
	return 0;   /* a KVM vCPU runs from its first KVM_RUN */
}

static int kvm_run(struct ks_vcpu *v)
{
	return ioctl(v->fd, KVM_RUN, 0);
}

static int kvm_irqfd(struct ks_vm *vm, int efd, uint32_t gsi, bool assign)
{
	struct kvm_irqfd f = { .fd = (uint32_t)efd, .gsi = gsi,
			       .flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN };
	if (ioctl(vm->fd, KVM_IRQFD, &f) < 0) {
		VM_ERR(vm, "KVM_IRQFD(gsi %u, %s): %s", gsi, assign ? "assign" : "deassign",
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int kvm_ioeventfd(struct ks_vm *vm, uint64_t addr, uint32_t len, bool pio, int efd,
			 bool assign)
{
	struct kvm_ioeventfd io = {
		.addr = addr, .len = len, .fd = efd,
		.flags = (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};
	if (ioctl(vm->fd, KVM_IOEVENTFD, &io) < 0) {
		VM_ERR(vm, "KVM_IOEVENTFD(%s 0x%llx/%u): %s", pio ? "pio" : "mmio",
		       (unsigned long long)addr, len, strerror(errno));
		return -1;
	}
	return 0;
}

const struct ks_front_ops ks_front_kvm = {
	.kind = KS_FRONT_KVM,
	.name = "kvm",
	.device = "/dev/kvm",
	.run_ioctl = "KVM_RUN",
	.open = kvm_open,
	.check_cap = kvm_check_cap,
	.vm_check_cap = kvm_vm_check_cap,
	.vm_create = kvm_vm_create,
	.vm_destroy = kvm_vm_destroy,
	.mem_map = kvm_mem_map,
	.mem_set = kvm_mem_set,
	.mem_unset = kvm_mem_unset,
	.set_dtb = kvm_set_dtb,
	.vcpu_create = kvm_vcpu_create,
	.vcpu_destroy = kvm_vcpu_destroy,
	.start = kvm_start,
	.run = kvm_run,
	.irqfd = kvm_irqfd,
	.ioeventfd = kvm_ioeventfd,
};
