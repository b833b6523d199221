/*
 * kvm_smoke: minimal end-to-end check of /dev/kvm on arm64, used to prove
 * the QEMU testbed (tests/qemu-arm64/testbed.sh).  Static, no dependencies.
 *
 *   kvm_smoke [-n ITERATIONS] [-r REPEAT] [-o FILE.json]
 *
 *   -n  timed MMIO exits per guest run (default 1000)
 *   -r  create, run and destroy the main VM REPEAT times (default 1; a
 *       stress test for VM create/destroy; timing from the first round)
 *
 * Build: aarch64-linux-gnu-gcc -static -O2 -o kvm_smoke kvm_smoke.c
 *
 * Steps (each prints ok/FAILED; all but the vGIC ones must pass):
 *   api     KVM_GET_API_VERSION == 12
 *   vm      KVM_CREATE_VM, 1 GiB memslot at IPA 0x40000000
 *   vcpu    KVM_CREATE_VCPU, KVM_ARM_PREFERRED_TARGET, KVM_ARM_VCPU_INIT
 *           with KVM_ARM_VCPU_PSCI_0_2, PC via KVM_SET_ONE_REG
 *   hvc     guest: x0 = 0x80000000 (SMCCC_VERSION), hvc #0 (answered by
 *           KVM in the kernel, no exit)
 *   mmio    guest stores x0 to the unbacked IPA 0x10000000: KVM_EXIT_MMIO,
 *           write, 8 bytes, data = SMCCC version (0x1xxxx)
 *   timing  guest loops N times storing to IPA 0x10000008: each KVM_RUN is
 *           one MMIO exit round trip, timed with CLOCK_MONOTONIC
 *   off     guest: x0 = 0x84000008 (PSCI SYSTEM_OFF), hvc #0:
 *           KVM_EXIT_SYSTEM_EVENT, type KVM_SYSTEM_EVENT_SHUTDOWN
 *   vgic    a second VM with KVM_CREATE_DEVICE(KVM_DEV_TYPE_ARM_VGIC_V3),
 *           distributor/redistributor addresses, KVM_DEV_ARM_VGIC_CTRL_INIT,
 *           then the same guest (hvc, mmio, off) with the vGIC in place.
 *           Reported, and counted as a failure only with KVMSCOPE_NEED_VGIC=1.
 * Exit status: 0 = PASS, 1 = FAIL, 77 = no /dev/kvm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef __aarch64__
#error "kvm_smoke.c (qemu-arm64) is for aarch64: build with aarch64-linux-gnu-gcc -static"
#endif

#define RAM_IPA 0x40000000ull
#define RAM_SIZE (1ull << 30)
#define MMIO_IPA 0x10000000ull	/* unbacked: below RAM, not the vGIC */
#define MMIO_LOOP_IPA (MMIO_IPA + 8)
#define VGIC_DIST_IPA 0x08000000ull
#define VGIC_REDIST_IPA 0x080a0000ull
#define SMCCC_VERSION 0x80000000u
#define PSCI_SYSTEM_OFF 0x84000008u

/*
 * Guest code, assembled by gas into .rodata (never executed on the host);
 * copied to IPA 0x40000000 and entered at EL1h with the MMU off.  Live state
 * stays in x19 and up: KVM's SMCCC handler clobbers x0-x3 on an HVC.
 *   x21 = loop count for the timing loop (set by the host, 0 = skip).
 */
extern const uint32_t guest_start[];
extern const uint64_t guest_len;
/* The labels must be .globl: the cross gcc defaults to -fPIE, so C reaches
 * them through the GOT, and for a file-local asm label the static link
 * leaves that GOT slot 0 (the copy silently had length 0 and the guest ran
 * on zeroed memory). */
__asm__(".pushsection .rodata\n"
	".globl guest_start, guest_len\n"
	".balign 4\n"
	"guest_start:\n"
	"	mov	x19, #0x10000000\n"	/* MMIO_IPA */
	"	mov	x0, #0x80000000\n"	/* SMCCC_VERSION */
	"	hvc	#0\n"
	"	str	x0, [x19]\n"		/* -> KVM_EXIT_MMIO */
	"	mov	x20, #0\n"
	"	cbz	x21, 2f\n"
	"1:	str	x20, [x19, #8]\n"	/* MMIO_LOOP_IPA */
	"	add	x20, x20, #1\n"
	"	cmp	x20, x21\n"
	"	b.ne	1b\n"
	"2:	mov	x0, #0x0008\n"
	"	movk	x0, #0x8400, lsl #16\n"	/* PSCI_SYSTEM_OFF */
	"	hvc	#0\n"
	"3:	wfi\n"
	"	b	3b\n"
	"guest_end:\n"
	".balign 8\n"
	"guest_len: .quad guest_end - guest_start\n"
	".popsection\n");

#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
		     KVM_REG_ARM_CORE_REG(x))

static int kvm_fd = -1;
static int failures, vgic_failures;
static int quiet;	/* print failed checks only */

struct vm {
	int fd, vcpu, vgic;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int check(int ok, const char *test, const char *what)
{
	if (!ok || !quiet)
		printf("  %-8s %-58s %s\n", test, what, ok ? "ok" : "FAILED");
	if (!ok)
		failures++;
	return ok;
}

static const char *exit_name(unsigned r)
{
	switch (r) {
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SYSTEM_EVENT: return "SYSTEM_EVENT";
	case KVM_EXIT_HYPERCALL: return "HYPERCALL";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_EXCEPTION: return "EXCEPTION";
	case KVM_EXIT_ARM_NISV: return "ARM_NISV";
	default: return "other";
	}
}

static int set_reg(int vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };
	return ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

static int get_reg(int vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };
	return ioctl(vcpu, KVM_GET_ONE_REG, &r);
}

static int vgic_attr(int dev, uint32_t group, uint64_t attr, void *addr)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uintptr_t)addr,
	};
	return ioctl(dev, KVM_SET_DEVICE_ATTR, &a);
}

/* VM + 1 GiB memslot (+ vGICv3 if asked) + one initialised vCPU with the
 * guest code loaded and PC set.  tag prefixes the check lines. */
static int vm_create(struct vm *vm, const char *tag, int with_vgic,
		     int *vgic_rc)
{
	char what[96];
	memset(vm, 0, sizeof *vm);
	vm->fd = vm->vcpu = vm->vgic = -1;

	vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (!check(vm->fd >= 0, tag, "KVM_CREATE_VM")) {
		perror("KVM_CREATE_VM");
		return -1;
	}
	vm->mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		check(0, tag, "mmap 1 GiB of guest RAM");
		perror("mmap");
		return -1;
	}
	struct kvm_userspace_memory_region mr = {
		.slot = 0, .guest_phys_addr = RAM_IPA, .memory_size = RAM_SIZE,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (!check(ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &mr) == 0, tag,
		   "memslot 0: 1 GiB at IPA 0x40000000")) {
		perror("KVM_SET_USER_MEMORY_REGION");
		return -1;
	}
	if (!check(guest_len > 0 && guest_len < 4096, tag,
		   "guest code copied to IPA 0x40000000"))
		return -1;
	memcpy(vm->mem, guest_start, guest_len);

	if (with_vgic) {
		struct kvm_create_device cd = {
			.type = KVM_DEV_TYPE_ARM_VGIC_V3,
			.flags = KVM_CREATE_DEVICE_TEST,
		};
		int t = ioctl(vm->fd, KVM_CREATE_DEVICE, &cd);
		cd.flags = 0;
		*vgic_rc = ioctl(vm->fd, KVM_CREATE_DEVICE, &cd) < 0 ? -errno : 0;
		printf("  %-8s KVM_CREATE_DEVICE_TEST: %s\n", tag,
		       t == 0 ? "supported" : strerror(errno));
		if (!check(*vgic_rc == 0, tag,
			   "KVM_CREATE_DEVICE(KVM_DEV_TYPE_ARM_VGIC_V3)")) {
			printf("  %-8s KVM_CREATE_DEVICE: %s\n", tag,
			       strerror(-*vgic_rc));
			return -1;
		}
		vm->vgic = cd.fd;
		uint64_t dist = VGIC_DIST_IPA, redist = VGIC_REDIST_IPA;
		int a = vgic_attr(vm->vgic, KVM_DEV_ARM_VGIC_GRP_ADDR,
				  KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
		a |= vgic_attr(vm->vgic, KVM_DEV_ARM_VGIC_GRP_ADDR,
			       KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
		if (!check(a == 0, tag, "vGIC dist 0x08000000, redist 0x080a0000"))
			return -1;
	}

	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (!check(vm->vcpu >= 0, tag, "KVM_CREATE_VCPU 0")) {
		perror("KVM_CREATE_VCPU");
		return -1;
	}
	long mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->run_size = mmap_size > 0 ? (size_t)mmap_size : 0;
	vm->run = mmap_size > 0 ? mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, vm->vcpu, 0) : MAP_FAILED;
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		check(0, tag, "mmap kvm_run");
		return -1;
	}

	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof init);
	int p = ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &init);
	snprintf(what, sizeof what, "KVM_ARM_PREFERRED_TARGET (target %u)",
		 init.target);
	if (!check(p == 0, tag, what))
		return -1;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (!check(ioctl(vm->vcpu, KVM_ARM_VCPU_INIT, &init) == 0, tag,
		   "KVM_ARM_VCPU_INIT with KVM_ARM_VCPU_PSCI_0_2")) {
		perror("KVM_ARM_VCPU_INIT");
		return -1;
	}
	if (with_vgic) {
		uint32_t nr_irqs = 128;
		int a = vgic_attr(vm->vgic, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0,
				  &nr_irqs);
		a |= vgic_attr(vm->vgic, KVM_DEV_ARM_VGIC_GRP_CTRL,
			       KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
		if (!check(a == 0, tag, "vGIC NR_IRQS=128 + KVM_DEV_ARM_VGIC_CTRL_INIT")) {
			perror("KVM_SET_DEVICE_ATTR");
			return -1;
		}
	}
	int s = set_reg(vm->vcpu, CORE_REG(regs.pc), RAM_IPA);
	uint64_t pc = 0, pstate = 0;
	s |= get_reg(vm->vcpu, CORE_REG(regs.pc), &pc);
	get_reg(vm->vcpu, CORE_REG(regs.pstate), &pstate);
	snprintf(what, sizeof what,
		 "KVM_SET_ONE_REG pc = 0x%llx (pstate 0x%llx)",
		 (unsigned long long)pc, (unsigned long long)pstate);
	if (!check(s == 0 && pc == RAM_IPA, tag, what))
		return -1;
	return 0;
}

static void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->vgic >= 0)
		close(vm->vgic);
	if (vm->mem)
		munmap(vm->mem, RAM_SIZE);
	if (vm->fd >= 0)
		close(vm->fd);
}

/* A guest stuck inside KVM (e.g. looping on exceptions the kernel handles
 * itself) never exits: a SIGALRM watchdog interrupts KVM_RUN after
 * RUN_WATCHDOG_S seconds so the step fails with a PC instead of hanging. */
#define RUN_WATCHDOG_S 20
static volatile sig_atomic_t watchdog_fired;
static void on_alarm(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

static int run_once(struct vm *vm)
{
	int r;
	for (;;) {
		r = ioctl(vm->vcpu, KVM_RUN, 0);
		if (r == 0 || errno != EINTR)
			return r;
		if (watchdog_fired) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

static void dump_regs(struct vm *vm, const char *tag)
{
	static const struct { const char *name; uint64_t id; } regs[] = {
		{ "pc", CORE_REG(regs.pc) },
		{ "pstate", CORE_REG(regs.pstate) },
		{ "x0", CORE_REG(regs.regs[0]) },
		{ "x19", CORE_REG(regs.regs[19]) },
		{ "x20", CORE_REG(regs.regs[20]) },
		{ "x21", CORE_REG(regs.regs[21]) },
		{ "elr_el1", CORE_REG(elr_el1) },
		/* ESR_EL1 (op0 3, op1 0, CRn 5, CRm 2, op2 0) and VBAR_EL1 */
		{ "esr_el1", ARM64_SYS_REG(3, 0, 5, 2, 0) },
		{ "far_el1", ARM64_SYS_REG(3, 0, 6, 0, 0) },
		{ "vbar_el1", ARM64_SYS_REG(3, 0, 12, 0, 0) },
	};
	printf("  %-8s registers:", tag);
	for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		uint64_t v = 0;
		if (get_reg(vm->vcpu, regs[i].id, &v) == 0)
			printf(" %s=0x%llx", regs[i].name, (unsigned long long)v);
	}
	printf("\n");
}

static void describe_exit(struct vm *vm, const char *tag)
{
	struct kvm_run *k = vm->run;
	uint64_t pc = 0;
	get_reg(vm->vcpu, CORE_REG(regs.pc), &pc);
	printf("  %-8s exit %u (%s) at pc 0x%llx", tag, k->exit_reason,
	       exit_name(k->exit_reason), (unsigned long long)pc);
	if (k->exit_reason == KVM_EXIT_MMIO)
		printf(", mmio %s 0x%llx len %u", k->mmio.is_write ? "write" : "read",
		       (unsigned long long)k->mmio.phys_addr, k->mmio.len);
	if (k->exit_reason == KVM_EXIT_FAIL_ENTRY)
		printf(", hw reason 0x%llx",
		       (unsigned long long)k->fail_entry.hardware_entry_failure_reason);
	printf("\n");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct timing {
	int n;
	double first_us, min_us, med_us, p90_us, mean_us, max_us;
};

/* Run the guest: hvc SMCCC_VERSION, MMIO store of x0, n timed MMIO exits,
 * PSCI SYSTEM_OFF.  Returns 1 when every step passed. */
static int run_guest(struct vm *vm, const char *tag, int n, struct timing *t,
		     uint64_t *smccc_version)
{
	struct kvm_run *k = vm->run;
	char what[96];
	int ok = 1;

	if (set_reg(vm->vcpu, CORE_REG(regs.regs[21]), n) != 0) {
		check(0, tag, "KVM_SET_ONE_REG x21");
		return 0;
	}
	watchdog_fired = 0;
	alarm(RUN_WATCHDOG_S);
	/* 1+2: the hvc is handled in the kernel; the first exit to us is the
	 * MMIO store carrying its result. */
	int r = run_once(vm);
	int mmio = r == 0 && k->exit_reason == KVM_EXIT_MMIO &&
		   k->mmio.is_write && k->mmio.phys_addr == MMIO_IPA &&
		   k->mmio.len == 8;
	if (!check(mmio, tag, "KVM_EXIT_MMIO: 8-byte write to IPA 0x10000000")) {
		if (r < 0)
			printf("  %-8s KVM_RUN: %s\n", tag, strerror(errno));
		else
			describe_exit(vm, tag);
		dump_regs(vm, tag);
		alarm(0);
		return 0;
	}
	uint64_t v;
	memcpy(&v, k->mmio.data, sizeof v);
	*smccc_version = v;
	snprintf(what, sizeof what,
		 "hvc SMCCC_VERSION answered in-kernel: x0 = 0x%llx (v%llu.%llu)",
		 (unsigned long long)v, (unsigned long long)(v >> 16),
		 (unsigned long long)(v & 0xffff));
	ok &= check(v >> 16 == 1 && v >> 32 == 0, tag, what);

	/* 3: timed MMIO exit round trips. */
	if (n > 0) {
		double *us = calloc(n, sizeof *us);
		int got = 0, bad = 0;
		for (int i = 0; i < n && us; i++) {
			double t0 = now();
			r = run_once(vm);
			double t1 = now();
			uint64_t d;
			memcpy(&d, k->mmio.data, sizeof d);
			if (r != 0 || k->exit_reason != KVM_EXIT_MMIO ||
			    k->mmio.phys_addr != MMIO_LOOP_IPA || d != (uint64_t)i) {
				bad = 1;
				if (r < 0)
					printf("  %-8s KVM_RUN: %s\n", tag,
					       strerror(errno));
				else
					describe_exit(vm, tag);
				dump_regs(vm, tag);
				break;
			}
			us[got++] = (t1 - t0) * 1e6;
		}
		snprintf(what, sizeof what,
			 "%d MMIO exits to IPA 0x10000008, data 0..%d", n, n - 1);
		ok &= check(!bad && got == n, tag, what);
		if (t && got > 0 && !quiet) {
			t->n = got;
			t->first_us = us[0];
			double sum = 0;
			for (int i = 0; i < got; i++)
				sum += us[i];
			t->mean_us = sum / got;
			qsort(us, got, sizeof *us, cmp_double);
			t->min_us = us[0];
			t->med_us = us[got / 2];
			t->p90_us = us[(int)(got * 0.9)];
			t->max_us = us[got - 1];
			printf("  %-8s MMIO exit round trip (host view, us): first %.1f "
			       "min %.1f median %.1f p90 %.1f mean %.1f max %.1f\n",
			       tag, t->first_us, t->min_us, t->med_us, t->p90_us,
			       t->mean_us, t->max_us);
		}
		free(us);
		if (bad) {
			alarm(0);
			return 0;
		}
	}

	/* 4: PSCI SYSTEM_OFF. */
	r = run_once(vm);
	int off = r == 0 && k->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
		  k->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN;
	snprintf(what, sizeof what,
		 "hvc PSCI SYSTEM_OFF: KVM_EXIT_SYSTEM_EVENT type %u",
		 r == 0 && k->exit_reason == KVM_EXIT_SYSTEM_EVENT ?
		 k->system_event.type : 0);
	if (!check(off, tag, what)) {
		if (r < 0)
			printf("  %-8s KVM_RUN: %s\n", tag, strerror(errno));
		else
			describe_exit(vm, tag);
		dump_regs(vm, tag);
	}
	alarm(0);
	return ok && off;
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	snprintf(buf, len, "n/a");
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	int n = 1000, repeat = 1, c;
	const char *out = NULL;

	while ((c = getopt(argc, argv, "n:o:r:")) != -1) {
		if (c == 'n')
			n = atoi(optarg) >= 0 ? atoi(optarg) : 0;
		else if (c == 'r')
			repeat = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else if (c == 'o')
			out = optarg;
		else {
			fprintf(stderr, "usage: %s [-n N] [-r REPEAT] [-o FILE.json]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;	/* no SA_RESTART: KVM_RUN returns EINTR */
	sigaction(SIGALRM, &sa, NULL);

	char uname_r[128], mode_param[32];
	const char *mode = getenv("KVMSCOPE_KVM_MODE");
	read_line("/proc/sys/kernel/osrelease", uname_r, sizeof uname_r);
	read_line("/sys/module/kvm_arm/parameters/mode", mode_param,
		  sizeof mode_param);
	printf("kvm_smoke: kernel %s, KVM mode (boot log) %s\n", uname_r,
	       mode ? mode : "unknown");

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		printf("kvm_smoke: SKIP: open /dev/kvm: %s\n", strerror(errno));
		return 77;
	}
	int api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	printf("kvm_smoke: KVM_GET_API_VERSION = %d\n", api);
	check(api == KVM_API_VERSION, "api", "KVM_GET_API_VERSION == 12");
	int ipa = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	printf("kvm_smoke: caps: ARM_VM_IPA_SIZE=%d PSCI_0_2=%d NR_VCPUS=%d "
	       "MAX_VCPUS=%d IRQCHIP=%d PMU_V3=%d PTRAUTH_ADDRESS=%d SVE=%d "
	       "ONE_REG=%d\n", ipa,
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PSCI_0_2),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PMU_V3),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PTRAUTH_ADDRESS),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_SVE),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ONE_REG));

	/* Main VM: no irqchip. */
	struct vm vm;
	struct timing t = { 0 };
	uint64_t smccc = 0, vgic_smccc = 0;
	int main_ok = 1;
	double create_ms = 0, t_rep = now();
	for (int r = 0; r < repeat && main_ok; r++) {
		quiet = r > 0;	/* later rounds print failures only */
		double t0 = now();
		main_ok = vm_create(&vm, "vm", 0, NULL) == 0;
		create_ms = (now() - t0) * 1e3;
		if (main_ok)
			main_ok = run_guest(&vm, "guest", n, &t, &smccc);
		vm_destroy(&vm);
		if (!main_ok && repeat > 1)
			printf("  %-8s round %d of %d FAILED\n", "repeat", r + 1,
			       repeat);
	}
	quiet = 0;
	if (repeat > 1)
		printf("  %-8s %d VM create/run/destroy rounds: %s "
		       "(%.1f ms per round)\n", "repeat", repeat,
		       main_ok ? "ok" : "FAILED", (now() - t_rep) * 1e3 / repeat);

	/* Second VM with a vGICv3: reported separately. */
	int before = failures, vgic_rc = -ENOSYS;
	int vgic_ok = vm_create(&vm, "vgic", 1, &vgic_rc) == 0 &&
		      run_guest(&vm, "vgic", 0, NULL, &vgic_smccc);
	vm_destroy(&vm);
	vgic_failures = failures - before;
	failures = before;
	int need_vgic = getenv("KVMSCOPE_NEED_VGIC") &&
			!strcmp(getenv("KVMSCOPE_NEED_VGIC"), "1");
	if (need_vgic)
		failures += vgic_failures;

	if (out) {
		FILE *f = fopen(out, "w");
		if (f) {
			fprintf(f,
				"{\n  \"kernel\": \"%s\",\n  \"kvm_mode\": \"%s\",\n"
				"  \"api_version\": %d,\n  \"ipa_size\": %d,\n"
				"  \"smccc_version\": %llu,\n"
				"  \"guest\": %s,\n  \"vgic_v3\": %s,\n"
				"  \"vgic_v3_create_rc\": %d,\n"
				"  \"vm_create_ms\": %.3f,\n"
				"  \"mmio_exit_us\": {\"n\": %d, \"first\": %.2f, "
				"\"min\": %.2f, \"median\": %.2f, \"p90\": %.2f, "
				"\"mean\": %.2f, \"max\": %.2f},\n"
				"  \"pass\": %s\n}\n",
				uname_r, mode ? mode : "unknown", api, ipa,
				(unsigned long long)smccc,
				main_ok ? "true" : "false",
				vgic_ok ? "true" : "false", vgic_rc, create_ms,
				t.n, t.first_us, t.min_us, t.med_us, t.p90_us,
				t.mean_us, t.max_us,
				failures ? "false" : "true");
			fclose(f);
			printf("kvm_smoke: wrote %s\n", out);
		} else {
			printf("kvm_smoke: cannot write %s: %s\n", out,
			       strerror(errno));
			failures++;
		}
	}
	printf("kvm_smoke: %s (mode %s, guest %s, vgic-v3 %s%s)\n",
	       failures ? "FAIL" : "PASS", mode ? mode : "unknown",
	       main_ok ? "ok" : "FAIL", vgic_ok ? "ok" : "FAIL",
	       vgic_ok || need_vgic ? "" : " (not required)");
	return failures ? 1 : 0;
}
