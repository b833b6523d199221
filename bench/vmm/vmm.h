/* SPDX-License-Identifier: MIT */
/*
 * kvmscope's small VMM over /dev/kvm, in the spirit of the KVM selftests'
 * kvm_util: just enough to boot a micro-guest, run it, service its exits
 * and read its counters. Errors are returned (never exit()): every function
 * that can fail returns 0 or -1 and leaves a message in the object's `err`
 * (or the caller's buffer), naming the ioctl and errno.
 *
 * Arch specifics (page tables, registers, which exit is the ucall doorbell)
 * live behind struct ks_arch_ops (arch.h); the kernel interface (/dev/kvm
 * or Gunyah's /dev/gunyah) behind struct ks_front_ops (front.h). Nothing
 * here is #ifdef'd by arch or by front.
 */
#ifndef KS_VMM_H
#define KS_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <signal.h>
#include <linux/kvm.h>

#include "kvm_uapi_new.h"
#include "ks_guest_abi.h"

#define KS_ERR_LEN 256

/* --- the device: /dev/kvm, or /dev/gunyah --------------------------------- */

struct ks_front_ops;

struct ks_kvm {
	int fd;
	const struct ks_front_ops *front;   /* how this device is driven (front.h) */
	char path[64];        /* the device node opened */
	int api_version;      /* KVM: 12 upstream, 13 on the KVM-on-Gunyah port; gunyah: 0 */
	int run_size;         /* the vCPU run page's size */
	char err[KS_ERR_LEN];
};

/*
 * Open the device at `path` (NULL: automatic, see ks_front_for) with its
 * front. Returns 0, or -1 with errno kept and k->err saying what failed
 * and why; k->front and k->path are set either way.
 */
int ks_kvm_open(struct ks_kvm *k, const char *path);
void ks_kvm_close(struct ks_kvm *k);
long ks_kvm_check_cap(const struct ks_kvm *k, long cap);  /* <0: ioctl failed */

/* Capabilities worth recording in results (name, number). */
struct ks_cap_name {
	const char *name;
	long cap;
};
extern const struct ks_cap_name ks_cap_names[];
extern const size_t ks_cap_names_count;

/* --- VM and memory --------------------------------------------------------- */

enum ks_backing { KS_BACKING_ANON = 0, KS_BACKING_GUEST_MEMFD };

struct ks_memslot {
	uint32_t slot;
	uint64_t gpa;
	uint64_t size;
	enum ks_backing backing;
	void *hva;           /* host mapping; NULL once lent away (below) */
	int gmem_fd;         /* guest_memfd (KVM) or Gunyah guest memory, or -1 */
	bool active;
	/* The host keeps access while the guest runs: what the mailbox and the
	 * samples need. Under Gunyah the other slots are lent: the host gives
	 * up its mapping when the VM starts (`lent`). */
	bool shared;
	bool lent;
};

#define KS_MAX_SLOTS 8
#define KS_SLOT_MAIN   0   /* the guest image, its DT, tables and stacks */
#define KS_SLOT_SHARED 7   /* the mailbox and the samples (layout.shared_*) */

struct ks_vm {
	struct ks_kvm *kvm;
	int fd;
	struct ks_memslot slots[KS_MAX_SLOTS];
	bool irqchip;
	int irqchip_fd;               /* device fd (arm64 vGIC), or -1 */
	struct ks_mailbox *mb;        /* host view of the guest mailbox */
	const struct ks_arch_ops *arch;
	uint32_t guest_backend;       /* enum ks_gbackend told to the guest */
	bool started;                 /* ks_vm_start() done */
	uint64_t start_ns;            /* what starting took (Gunyah: VM_START, the lend included) */
	char err[KS_ERR_LEN];
};

int ks_vm_create(struct ks_kvm *k, struct ks_vm *vm);
void ks_vm_destroy(struct ks_vm *vm);
long ks_vm_check_cap(const struct ks_vm *vm, long cap);

/*
 * Map `size` bytes of fresh host memory and install it as memslot `slot` at
 * `gpa`. Anonymous memory is MADV_NOHUGEPAGE so fault-in is per 4 KiB page
 * whatever the host's THP setting. guest_memfd needs KVM_CAP_GUEST_MEMFD and
 * host-mappable flags (6.18+). Returns 0 or -1 (vm->err).
 */
int ks_vm_add_slot(struct ks_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
		   enum ks_backing backing);
/* The same for memory the host keeps access to while the guest runs. */
int ks_vm_add_shared_slot(struct ks_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size);
/* Install an already mapped slot (its hva/gmem_fd set): what memslot_add times. */
int ks_vm_set_slot(struct ks_vm *vm, struct ks_memslot *s);
int ks_vm_unset_slot(struct ks_vm *vm, struct ks_memslot *s);
int ks_vm_del_slot(struct ks_vm *vm, uint32_t slot);   /* unset + unmap */
int ks_memslot_map(struct ks_vm *vm, struct ks_memslot *s);  /* mmap only */
void ks_memslot_unmap(struct ks_memslot *s);
void *ks_vm_gpa_to_hva(struct ks_vm *vm, uint64_t gpa, uint64_t len);

/* Tell the hypervisor where the guest DT is and how much room it may use
 * to edit it in place (the KVM-on-Gunyah port, Gunyah). */
int ks_vm_set_dtb(struct ks_vm *vm, uint64_t gpa, uint64_t size);
/* Everything is set up: start the VM (Gunyah: VM_START, which lends its
 * memory; KVM: nothing). Before the first run; 0 or -1 (vm->err). */
int ks_vm_start(struct ks_vm *vm);

int ks_vm_create_irqchip(struct ks_vm *vm);
int ks_vm_irqfd(struct ks_vm *vm, int efd, uint32_t gsi, bool assign);
int ks_vm_ioeventfd(struct ks_vm *vm, uint64_t addr, uint32_t len, bool pio,
		    int efd, bool assign);
/* Route `gsi` to an MSI/interrupt that lands on `vector` of vCPU 0. */
int ks_vm_route_gsi_to_vector(struct ks_vm *vm, uint32_t gsi, uint32_t vector);

/* Copy the embedded guest image in, build page tables/descriptors, fill the
 * mailbox header. Done once per VM, before vCPUs are created. */
int ks_vm_load_guest(struct ks_vm *vm);
/* The index of routine `name` in the loaded image's table (what the guest is
 * told to run: mailbox.routine), read back and checked from guest memory;
 * -1 with vm->err ("no <arch> guest routine '<name>'", or what is wrong). */
int ks_vm_routine(struct ks_vm *vm, const char *name);
/* Does the image embedded in kvmscope offer routine `name`? If not, why:
 * "no <arch> guest routine '<name>'". */
bool ks_guest_has_routine(const char *name, char *why, size_t len);

/* --- binary stats (KVM_GET_STATS_FD) ---------------------------------------- */

struct ks_stat_desc {
	char name[64];
	uint32_t flags;
	uint32_t offset;     /* into the data block */
	uint32_t size;       /* number of u64 */
};

struct ks_stats {
	int fd;
	uint32_t count;
	uint64_t data_offset;
	struct ks_stat_desc *desc;
};

int ks_stats_open(struct ks_stats *st, int owner_fd, char *err, size_t errlen);
void ks_stats_close(struct ks_stats *st);
int ks_stats_index(const struct ks_stats *st, const char *name); /* -1: absent */
int ks_stats_read(const struct ks_stats *st, int idx, uint64_t *val);

/* --- vCPUs ------------------------------------------------------------------- */

/* What the run loop did with the exits it serviced itself. */
struct ks_exit_tally {
	uint64_t runs;          /* KVM_RUN calls */
	uint64_t pio_user;      /* null-device PIO exits serviced */
	uint64_t mmio_user;     /* null-device MMIO exits serviced */
	uint64_t ucalls;
	uint64_t eintr;         /* KVM_RUN returned EINTR (signal/kick) */
	uint64_t eagain;
};

struct ks_vcpu {
	struct ks_vm *vm;
	int id;
	int fd;
	struct kvm_run *run;    /* the exit as the run loop reads it (front.h) */
	size_t run_size;
	void *front_run;        /* the front's own run page, if not `run` (Gunyah) */
	size_t front_run_size;
	volatile uint8_t *kick; /* the immediate_exit byte the kernel reads */
	bool resume_mmio;       /* the last exit was MMIO: the next run answers it */
	char exit_note[160];    /* what the front could not say in `run` */
	struct ks_stats stats;
	bool has_stats;
	char stats_why[128];    /* why not (no stats fd on this kernel, no such thing) */
	struct ks_exit_tally tally;
	/* Optional host-side round-trip timing of null-device exits: */
	uint64_t *host_rt_ns;   /* caller-owned buffer, or NULL */
	size_t host_rt_cap;
	size_t host_rt_n;
	/* Watchdog: a one-shot timer kicks the running thread at the deadline. */
	double watchdog_s;
	uint64_t deadline_ns;   /* CLOCK_MONOTONIC; 0 = none (atomic: another thread may push it) */
	pthread_mutex_t wd_lock;   /* arm, disarm and touch may come from two threads */
	bool wd_armed;
	timer_t wd_timer;
	pid_t wd_tid;
	volatile sig_atomic_t stop;   /* another thread asked the loop to end */
	char err[KS_ERR_LEN];
};

int ks_vcpu_create(struct ks_vm *vm, struct ks_vcpu *v, int id);
void ks_vcpu_destroy(struct ks_vcpu *v);

/* Arm the watchdog for the calling thread: if the guest makes no progress
 * report (ucall) for `seconds`, KVM_RUN is interrupted and the run loop
 * fails with a "guest hung" message. Each ks_vcpu_run_to_ucall() call
 * starts a fresh window. */
int ks_vcpu_watchdog_arm(struct ks_vcpu *v, double seconds);
void ks_vcpu_watchdog_disarm(struct ks_vcpu *v);
/* From any thread: the guest made progress that shows in shared memory, not
 * in ucalls (a guest that answers pings and takes interrupts): a fresh
 * window, as a ucall would give. A no-op when the watchdog is not armed. */
void ks_vcpu_watchdog_touch(struct ks_vcpu *v);

/*
 * Run until the guest makes a ucall (copied to *uc). Null-device PIO/MMIO
 * exits (the user_pio_port / user_mmio_gpa of the mailbox) are serviced and
 * counted here — they are the "exit to userspace" benchmarks' round trips.
 * Any other exit, a guest exception or assertion, the watchdog, or a
 * Ctrl-C fail with v->err describing it (exit reason, guest RIP, vector).
 */
int ks_vcpu_run_to_ucall(struct ks_vcpu *v, struct ks_ucall *uc);

/* From another thread: make the run loop on thread `runner` return -1. */
void ks_vcpu_stop(struct ks_vcpu *v, pthread_t runner);

/* A ucall other than what the caller expected, as an error message. */
void ks_vcpu_bad_ucall(struct ks_vcpu *v, const struct ks_ucall *uc, const char *expected);

/* Process-wide: set by SIGINT/SIGTERM; running vCPUs are kicked out. */
extern volatile sig_atomic_t ks_interrupted;
void ks_vmm_install_signal_handlers(void);

uint64_t ks_now_ns(void);   /* CLOCK_MONOTONIC_RAW */

#endif
