/* SPDX-License-Identifier: MIT */
/*
 * The /dev/gunyah userspace ABI of Gunyah's v17-style Linux driver, as
 * kvmscope uses it (tests/qemu-gunyah/gunyah_smoke.c, the gunyah backend).
 *
 * Source of the facts (ioctl numbers, struct layouts, enum values): the
 * driver's include/uapi/linux/gunyah.h in the tree
 * github.com/DianKuang0120/Mainline-Kernel-For-OnePlus-Ace5 @ a16fab52 (a
 * Linux 7.2 tree carrying the v17 series; the tarball
 * gunyah-linux-driver-v17-a16fab52.tar.gz in /work/shared/third_party/gunyah
 * on the team's machines).  Re-expressed here in our own words, names
 * prefixed ks_gh_/KS_GH_ so a system <linux/gunyah.h> (none in Debian 12)
 * can coexist; the static asserts pin every size and offset the kernel
 * reads, so a layout slip fails the build instead of the ioctl.
 * Behaviour notes (what the driver and the open-source resource manager do
 * with these) are in tests/qemu-gunyah/README.md.
 */
#ifndef KS_GUNYAH_UAPI_H
#define KS_GUNYAH_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <stddef.h>

#define KS_GH_IOCTL_TYPE 'G'

/* ---- /dev/gunyah ---- */

/* arg must be 0; returns a VM fd (O_CLOEXEC). */
#define KS_GH_CREATE_VM _IO(KS_GH_IOCTL_TYPE, 0x0)

/* guest_memfd-like memory: returns an fd whose pages back guest memory. */
struct ks_gh_create_mem_args {
	__u64 flags;		/* KS_GH_MEM_CLOEXEC | KS_GH_MEM_ALLOW_HUGEPAGE */
	__u64 size;		/* bytes, page aligned */
	__u64 reserved[6];
};
#define KS_GH_MEM_CLOEXEC        (1ULL << 0)
#define KS_GH_MEM_ALLOW_HUGEPAGE (1ULL << 1)
#define KS_GH_CREATE_GUEST_MEM _IOW(KS_GH_IOCTL_TYPE, 0x8, struct ks_gh_create_mem_args)

/* ---- VM fd ---- */

/* Where the guest DT is, and how much room the RM may use to grow it
 * (it applies an overlay in place). */
struct ks_gh_vm_dtb_config {
	__u64 guest_phys_addr;
	__u64 size;
};
#define KS_GH_VM_SET_DTB_CONFIG _IOW(KS_GH_IOCTL_TYPE, 0x2, struct ks_gh_vm_dtb_config)

/* Start the VM (VCPU_RUN starts it too when it was not started). */
#define KS_GH_VM_START _IO(KS_GH_IOCTL_TYPE, 0x3)

/* VM functions: ADD_FUNCTION returns a vCPU fd for KS_GH_FN_VCPU, 0 else. */
enum ks_gh_fn_type {
	KS_GH_FN_VCPU = 1,	/* arg: struct ks_gh_fn_vcpu_arg */
	KS_GH_FN_IRQFD = 2,	/* arg: struct ks_gh_fn_irqfd_arg */
	KS_GH_FN_IOEVENTFD = 3,	/* arg: struct ks_gh_fn_ioeventfd_arg */
};
#define KS_GH_FN_MAX_ARG_SIZE 256

struct ks_gh_fn_vcpu_arg {
	__u32 id;		/* the vCPU's resource label: 0 for the boot vCPU */
};

#define KS_GH_IRQFD_FLAGS_LEVEL (1U << 0)
struct ks_gh_fn_irqfd_arg {
	__u32 fd;		/* an eventfd: each signal rings the doorbell */
	__u32 label;		/* the doorbell's label in the guest DT */
	__u32 flags;		/* KS_GH_IRQFD_FLAGS_LEVEL */
	__u32 padding;
};

#define KS_GH_IOEVENTFD_FLAGS_DATAMATCH (1U << 0)
struct ks_gh_fn_ioeventfd_arg {
	__u64 datamatch;
	__u64 addr;		/* guest MMIO address */
	__u32 len;		/* 1, 2, 4, 8, or 0 = any */
	__s32 fd;		/* eventfd signalled instead of an MMIO exit */
	__u32 flags;		/* KS_GH_IOEVENTFD_FLAGS_DATAMATCH */
	__u32 padding;
};

struct ks_gh_fn_desc {
	__u32 type;		/* enum ks_gh_fn_type */
	__u32 arg_size;		/* <= KS_GH_FN_MAX_ARG_SIZE, == sizeof the arg struct */
	__u64 arg;		/* user pointer to the arg struct */
};
#define KS_GH_VM_ADD_FUNCTION    _IOW(KS_GH_IOCTL_TYPE, 0x4, struct ks_gh_fn_desc)
#define KS_GH_VM_REMOVE_FUNCTION _IOW(KS_GH_IOCTL_TYPE, 0x7, struct ks_gh_fn_desc)

/* Bind guest memory (a KS_GH_CREATE_GUEST_MEM fd) at guest_addr. */
#define KS_GH_MEM_DEFAULT_ACCESS 0x0	/* lend (the RM wants isolated VMs) */
#define KS_GH_MEM_FORCE_LEND     0x1
#define KS_GH_MEM_FORCE_SHARE    0x2	/* the host keeps access */
#define KS_GH_MEM_ACCESS_MASK    0x7
#define KS_GH_MEM_ALLOW_READ     (1U << 4)
#define KS_GH_MEM_ALLOW_WRITE    (1U << 5)
#define KS_GH_MEM_ALLOW_EXEC     (1U << 6)
#define KS_GH_MEM_ALLOW_RWX      (KS_GH_MEM_ALLOW_READ | KS_GH_MEM_ALLOW_WRITE | KS_GH_MEM_ALLOW_EXEC)
#define KS_GH_MEM_UNMAP          (1U << 8)	/* remove (part of) a binding */
struct ks_gh_map_mem_args {
	__u64 guest_addr;	/* page aligned */
	__u32 flags;		/* access | ALLOW_* [| UNMAP] */
	__u32 guest_mem_fd;
	__u64 offset;		/* into the guest-memory fd, page aligned */
	__u64 size;		/* page aligned */
};
#define KS_GH_VM_MAP_MEM _IOW(KS_GH_IOCTL_TYPE, 0x9, struct ks_gh_map_mem_args)

/* Initial register values of the boot vCPU (RM RPC VM_SET_BOOT_CONTEXT,
 * 0x56000031, which the open-source RM does not implement). */
enum ks_gh_boot_context_reg_set {
	KS_GH_REG_SET_X = 0,	/* index 0..31 */
	KS_GH_REG_SET_PC = 1,	/* index 0 */
	KS_GH_REG_SET_SP = 2,	/* index 0..2 (SP_EL0..2) */
};
#define KS_GH_BOOT_CONTEXT_REG(set, idx) ((((set) & 0xffU) << 8) | ((idx) & 0xffU))
struct ks_gh_vm_boot_context {
	__u32 reg;		/* KS_GH_BOOT_CONTEXT_REG() */
	__u32 reserved;
	__u64 value;
};
#define KS_GH_VM_SET_BOOT_CONTEXT _IOW(KS_GH_IOCTL_TYPE, 0xa, struct ks_gh_vm_boot_context)

/* ---- vCPU fd ---- */

/* Why the VM stopped (exit_reason KS_GH_VCPU_EXIT_STATUS). */
enum ks_gh_vm_status {
	KS_GH_VM_STATUS_LOAD_FAILED = 1,
	KS_GH_VM_STATUS_EXITED = 2,	/* shutdown/reset: see exit_info */
	KS_GH_VM_STATUS_CRASHED = 3,
};
#define KS_GH_VM_MAX_EXIT_REASON_SIZE 8
struct ks_gh_vm_exit_info {
	__u16 type;		/* the RM's VM_EXITED exit_type, as is */
	__u16 padding;
	__u32 reason_size;
	__u8 reason[KS_GH_VM_MAX_EXIT_REASON_SIZE];	/* little endian, uninterpreted */
};

enum ks_gh_vcpu_exit {
	KS_GH_VCPU_EXIT_UNKNOWN = 0,
	KS_GH_VCPU_EXIT_MMIO = 1,	/* run->mmio */
	KS_GH_VCPU_EXIT_STATUS = 2,	/* run->status: the VM is not runnable any more */
	KS_GH_VCPU_EXIT_PAGE_FAULT = 3,	/* run->page_fault (demand paging only) */
};

/* What to do when VCPU_RUN is called again after an MMIO/page-fault exit. */
enum ks_gh_vcpu_resume_action {
	KS_GH_VCPU_RESUME_HANDLED = 0,	/* emulated; for a read, mmio.data holds the value */
	KS_GH_VCPU_RESUME_FAULT = 1,	/* inject the fault into the guest */
	KS_GH_VCPU_RESUME_RETRY = 2,	/* retry the access (memory was added) */
};

/* The page mmap()ed from the vCPU fd (size: KS_GH_VCPU_MMAP_SIZE). */
struct ks_gh_vcpu_run {
	__u8 immediate_exit;	/* in: VCPU_RUN returns -EINTR at once */
	__u8 padding[7];
	__u32 exit_reason;	/* out: enum ks_gh_vcpu_exit */
	union {
		struct {
			__u64 phys_addr;
			__u8 data[8];	/* write: the value; read: fill it in */
			__u32 len;	/* bytes of data that count */
			__u8 is_write;
			__u8 resume_action;	/* enum ks_gh_vcpu_resume_action */
		} mmio;
		struct {
			__u32 status;	/* enum ks_gh_vm_status (an enum in the kernel: 4 bytes) */
			struct ks_gh_vm_exit_info exit_info;
		} status;
		struct {
			__u64 phys_addr;
			__s32 attempt;	/* -ENOENT no memory there, -EPERM wrong permissions */
			__u8 resume_action;
		} page_fault;
	};
};

#define KS_GH_VCPU_RUN       _IO(KS_GH_IOCTL_TYPE, 0x5)
#define KS_GH_VCPU_MMAP_SIZE _IO(KS_GH_IOCTL_TYPE, 0x6)

/* ---- the layout the kernel expects (arm64 and x86_64 LP64 alike) ---- */
#define KS_GH_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " is " #n " bytes in the kernel")
#define KS_GH_ASSERT_OFF(t, m, n) _Static_assert(offsetof(t, m) == (n), #t "." #m " is at " #n)
KS_GH_ASSERT_SIZE(struct ks_gh_create_mem_args, 64);
KS_GH_ASSERT_SIZE(struct ks_gh_vm_dtb_config, 16);
KS_GH_ASSERT_SIZE(struct ks_gh_fn_vcpu_arg, 4);
KS_GH_ASSERT_SIZE(struct ks_gh_fn_irqfd_arg, 16);
KS_GH_ASSERT_SIZE(struct ks_gh_fn_ioeventfd_arg, 32);
KS_GH_ASSERT_OFF(struct ks_gh_fn_ioeventfd_arg, fd, 20);
KS_GH_ASSERT_SIZE(struct ks_gh_fn_desc, 16);
KS_GH_ASSERT_SIZE(struct ks_gh_map_mem_args, 32);
KS_GH_ASSERT_OFF(struct ks_gh_map_mem_args, guest_mem_fd, 12);
KS_GH_ASSERT_SIZE(struct ks_gh_vm_boot_context, 16);
KS_GH_ASSERT_SIZE(struct ks_gh_vm_exit_info, 16);
KS_GH_ASSERT_SIZE(struct ks_gh_vcpu_run, 40);
KS_GH_ASSERT_OFF(struct ks_gh_vcpu_run, exit_reason, 8);
KS_GH_ASSERT_OFF(struct ks_gh_vcpu_run, mmio.phys_addr, 16);
KS_GH_ASSERT_OFF(struct ks_gh_vcpu_run, mmio.data, 24);
KS_GH_ASSERT_OFF(struct ks_gh_vcpu_run, mmio.len, 32);
KS_GH_ASSERT_OFF(struct ks_gh_vcpu_run, mmio.is_write, 36);
KS_GH_ASSERT_OFF(struct ks_gh_vcpu_run, mmio.resume_action, 37);
KS_GH_ASSERT_OFF(struct ks_gh_vcpu_run, status.exit_info, 20);
KS_GH_ASSERT_OFF(struct ks_gh_vcpu_run, page_fault.attempt, 24);
KS_GH_ASSERT_OFF(struct ks_gh_vcpu_run, page_fault.resume_action, 28);

#endif
