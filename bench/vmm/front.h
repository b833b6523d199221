/* SPDX-License-Identifier: MIT */
/*
 * The one seam between kvmscope's generic VMM (vm.c, vcpu.c) and the kernel
 * interface it drives: a "front". Two exist:
 *
 *   kvm     /dev/kvm: native KVM (x86, arm64 VHE/nVHE/protected) and the
 *           KVM-on-Gunyah port (API 13): front_kvm.c
 *   gunyah  /dev/gunyah: Gunyah's own Linux driver (v17 uAPI,
 *           gunyah/gunyah_uapi.h): front_gunyah.c
 *
 * The front is chosen when the device is opened (ks_kvm_open: a path whose
 * name contains "gunyah" is Gunyah's, anything else KVM's; no path: /dev/kvm
 * when it exists, else /dev/gunyah) and everything after goes through it:
 * creating the VM, giving it memory, the guest DT, vCPUs, starting, running
 * to the next exit, irqfd/ioeventfd, teardown.
 *
 * One exit representation: the run loop (vcpu.c ks_vcpu_run_to_ucall) and
 * the arch's is_doorbell/null_device read a struct kvm_run. The gunyah
 * front keeps one of its own (v->run, not shared with the kernel), fills
 * it from Gunyah's run page after each exit (an MMIO exit becomes
 * KVM_EXIT_MMIO, the VM's status KVM_EXIT_SYSTEM_EVENT) and, on the next
 * run, writes what the loop answered (a read's data) back with
 * resume_action HANDLED. The watchdog and Ctrl-C set the byte v->kick
 * points at: the immediate_exit of whichever run page the kernel reads.
 *
 * A front also answers KVM_CHECK_EXTENSION-style questions for the KVM
 * capabilities it has an equivalent of (the gunyah front: irqfd, ioeventfd,
 * user memory, immediate exit; no in-kernel irqchip), so benchmarks decide
 * availability from what the front reports, never from its name.
 */
#ifndef KS_FRONT_H
#define KS_FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm.h"

enum ks_front_kind {
	KS_FRONT_KVM = 0,
	KS_FRONT_GUNYAH,
};

struct ks_front_ops {
	enum ks_front_kind kind;
	const char *name;          /* "kvm", "gunyah": results record it */
	const char *device;        /* its usual device node */
	const char *run_ioctl;     /* "KVM_RUN", "GUNYAH_VCPU_RUN": for messages */
	/* k->fd is open: the version, the run page size, anything else. */
	int (*open)(struct ks_kvm *k);
	long (*check_cap)(const struct ks_kvm *k, long cap);
	long (*vm_check_cap)(const struct ks_vm *vm, long cap);
	int (*vm_create)(struct ks_vm *vm);
	void (*vm_destroy)(struct ks_vm *vm);   /* closes the VM fd (the slots are gone) */
	/* Host memory for a slot (s->hva, s->gmem_fd), then giving it to the
	 * VM (a memslot, a binding) and taking it back. */
	int (*mem_map)(struct ks_vm *vm, struct ks_memslot *s);
	int (*mem_set)(struct ks_vm *vm, struct ks_memslot *s);
	int (*mem_unset)(struct ks_vm *vm, struct ks_memslot *s);
	/* Where the guest DT is and how much room the hypervisor may use. */
	int (*set_dtb)(struct ks_vm *vm, uint64_t gpa, uint64_t size);
	/* v->fd, v->run (a struct kvm_run), v->kick, the stats if any. */
	int (*vcpu_create)(struct ks_vcpu *v);
	void (*vcpu_destroy)(struct ks_vcpu *v);
	/* After setup, before the first run: 0 with nothing to do on KVM. */
	int (*start)(struct ks_vm *vm);
	/* Run v to its next exit, described in v->run; -1 with errno as the
	 * ioctl left it (EINTR after a kick). */
	int (*run)(struct ks_vcpu *v);
	int (*irqfd)(struct ks_vm *vm, int efd, uint32_t gsi, bool assign);
	int (*ioeventfd)(struct ks_vm *vm, uint64_t addr, uint32_t len, bool pio, int efd,
			 bool assign);
};

extern const struct ks_front_ops ks_front_kvm;
extern const struct ks_front_ops ks_front_gunyah;

/*
 * The device to open and its front, for `path` as the user gave it (NULL:
 * automatic: /dev/kvm when it exists, else /dev/gunyah when it exists,
 * else /dev/kvm, whose error then says why). "kvm" and "gunyah" stand for
 * their usual nodes. *resolved gets the path.
 */
const struct ks_front_ops *ks_front_for(const char *path, const char **resolved);

/*
 * The gunyah front's exit translation, pure so it is unit-tested on any
 * host (struct ks_gh_vcpu_run, gunyah/gunyah_uapi.h, passed as bytes of
 * its page): Gunyah's run page -> the kvm_run view after an exit, with a
 * note for exits that view cannot say all of (the VM's status, a page
 * fault); and the view's answer -> Gunyah's run page before the next run
 * when the last exit was MMIO. ks_gh_exit returns true for an MMIO exit
 * (the next run must resume it).
 */
struct kvm_run;
bool ks_gh_exit(const void *gh_run, struct kvm_run *view, char *note, size_t len);
void ks_gh_resume(void *gh_run, const struct kvm_run *view);

#endif
