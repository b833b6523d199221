/* SPDX-License-Identifier: MIT */
/*
 * KVM UAPI definitions newer than Debian 12's <linux/kvm.h> (6.1 headers).
 *
 * This is the one place for them. Each is guarded so a newer system header
 * wins, and each says which kernel added it. Values are ABI: copied from
 * the kernel's include/uapi/linux/kvm.h, never guessed.
 */
#ifndef KS_KVM_UAPI_NEW_H
#define KS_KVM_UAPI_NEW_H

#include <linux/kvm.h>
#include <linux/types.h>

/* 6.8: memslots with a guest_memfd behind them. */
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 231
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES 235
#endif
#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD (1UL << 2)
#endif
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif
#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif

/* 6.18: host-mappable guest_memfd; the cap returns the valid flags. */
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP (1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED (1ULL << 1)
#endif

/*
 * 6.4 (arm64): one counter offset for the whole VM, virtual and physical
 * counters alike (KVM_CAP_COUNTER_OFFSET; include/uapi/linux/kvm.h and
 * arch/arm64/include/uapi/asm/kvm.h). Named ks_ here: the struct lives in
 * the arm64 asm header, which an x86 build does not have.
 */
#ifndef KVM_CAP_COUNTER_OFFSET
#define KVM_CAP_COUNTER_OFFSET 227
#endif
struct ks_kvm_arm_counter_offset {
	__u64 counter_offset;
	__u64 reserved;
};
#define KS_KVM_ARM_SET_COUNTER_OFFSET _IOW(KVMIO, 0xb5, struct ks_kvm_arm_counter_offset)

/*
 * KVM-on-Gunyah RFC port (arm64): API version 13 and the ioctl that tells
 * Gunyah where the guest's device tree lives. Not upstream.
 */
#define KS_KVM_API_VERSION_GUNYAH 13
struct ks_kvm_dtb_address {
	__u64 guest_phys_addr;
	__u64 size;
};
#define KS_KVM_SET_DTB_ADDRESS _IOW(KVMIO, 0x50, struct ks_kvm_dtb_address)

#endif
