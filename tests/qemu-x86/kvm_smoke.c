/*
 * kvm_smoke: minimal end-to-end check of /dev/kvm on x86_64, used to prove
 * the QEMU testbed (tests/qemu-x86/testbed.sh).  Static, no dependencies.
 *
 *   kvm_smoke [-n ITERATIONS] [-o FILE.json]
 *
 * Subtests (all must pass):
 *   real   - real-mode guest: 3x `out 0x10` then `hlt`; expects
 *            KVM_EXIT_IO (values 3,2,1) then KVM_EXIT_HLT.
 *   timing - real-mode guest in an `out` loop; clock_gettime around each
 *            KVM_RUN gives the host-side round trip of one IO exit.
 *   long   - 64-bit guest: EFER.LME|LMA, CR4.PAE, CR0.PG via KVM_SET_SREGS,
 *            4-level page tables (4K identity map + a 2M page at 1 GiB);
 *            3x out, movabs of a 64-bit value stored through the 1 GiB
 *            mapping, hlt.  Checks RAX and guest memory.
 *   irqchip - KVM_CREATE_IRQCHIP (+ KVM_CREATE_PIT2), KVM_GET_IRQCHIP, then
 *            the real-mode IO exits with the in-kernel LAPIC present.
 * Exit status: 0 = PASS, 1 = FAIL, 77 = no /dev/kvm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Guest code, assembled by gas into .rodata (never executed on the host). */
extern const unsigned char g16_start[], g16_end[];
extern const unsigned char g16loop_start[], g16loop_end[];
extern const unsigned char g64_start[], g64_end[];
__asm__(".pushsection .rodata\n"
	".code16\n"
	"g16_start:\n"
	"	mov $3, %cx\n"
	"1:	mov %cl, %al\n"
	"	out %al, $0x10\n"
	"	dec %cx\n"
	"	jnz 1b\n"
	"	hlt\n"
	"g16_end:\n"
	"g16loop_start:\n"
	"2:	out %al, $0x11\n"
	"	inc %al\n"
	"	jmp 2b\n"
	"g16loop_end:\n"
	".code64\n"
	"g64_start:\n"
	"	mov $3, %ecx\n"
	"3:	mov %ecx, %eax\n"
	"	out %al, $0x10\n"
	"	dec %ecx\n"
	"	jnz 3b\n"
	"	movabs $0x1122334455667788, %rax\n"
	"	movabs $0x40000100, %rbx\n"
	"	mov %rax, (%rbx)\n"
	"	hlt\n"
	"g64_end:\n"
	".popsection\n");

#define MEM_SIZE (4u << 20)
#define CODE_GPA 0x1000
#define LM_MAGIC 0x1122334455667788ull

static int kvm_fd = -1;
static int failures;

struct vm {
	int fd, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check(int ok, const char *test, const char *what)
{
	printf("  %-8s %-52s %s\n", test, what, ok ? "ok" : "FAILED");
	if (!ok)
		failures++;
}

static const char *exit_name(unsigned r)
{
	switch (r) {
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	default: return "other";
	}
}

/* Create a VM with one 4 MiB memslot at GPA 0 and (optionally an irqchip
 * and) one vCPU.  Returns 0 on success. */
static int vm_create(struct vm *vm, int irqchip, int *irqchip_rc)
{
	memset(vm, 0, sizeof *vm);
	vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		perror("KVM_CREATE_VM");
		return -1;
	}
	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	struct kvm_userspace_memory_region r = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		perror("KVM_SET_USER_MEMORY_REGION");
		return -1;
	}
	if (irqchip) {
		int rc = ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0);
		*irqchip_rc = rc < 0 ? -errno : 0;
		if (rc < 0)
			return -1;
	}
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0) {
		perror("KVM_CREATE_VCPU");
		return -1;
	}
	int sz = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		perror("mmap kvm_run");
		return -1;
	}
	return 0;
}

static void vm_destroy(struct vm *vm)
{
	if (vm->run && vm->run != MAP_FAILED)
		munmap(vm->run, ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, MEM_SIZE);
	if (vm->vcpu > 0)
		close(vm->vcpu);
	if (vm->fd > 0)
		close(vm->fd);
}

static int setup_real_mode(struct vm *vm, const unsigned char *code,
			   size_t len)
{
	struct kvm_sregs s;
	struct kvm_regs regs;

	memcpy(vm->mem + CODE_GPA, code, len);
	if (ioctl(vm->vcpu, KVM_GET_SREGS, &s) < 0)
		return perror("KVM_GET_SREGS"), -1;
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &s) < 0)
		return perror("KVM_SET_SREGS"), -1;
	memset(&regs, 0, sizeof regs);
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	if (ioctl(vm->vcpu, KVM_SET_REGS, &regs) < 0)
		return perror("KVM_SET_REGS"), -1;
	return 0;
}

/* Run until the next exit; returns exit reason or -1. */
static int vm_run(struct vm *vm)
{
	if (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
		perror("KVM_RUN");
		return -1;
	}
	return vm->run->exit_reason;
}

static int io_value(struct vm *vm)
{
	return *((uint8_t *)vm->run + vm->run->io.data_offset);
}

/* Expect 3 IO exits to port 0x10 with values 3,2,1. */
static int expect_io_321(struct vm *vm, const char *test)
{
	int ok = 1;
	for (int i = 3; i >= 1; i--) {
		int r = vm_run(vm);
		int good = r == KVM_EXIT_IO &&
			   vm->run->io.direction == KVM_EXIT_IO_OUT &&
			   vm->run->io.port == 0x10 && vm->run->io.size == 1 &&
			   io_value(vm) == i;
		if (!good) {
			printf("  %s: exit %d (%s)", test, r,
			       r >= 0 ? exit_name(r) : "error");
			if (r == KVM_EXIT_IO)
				printf(" port 0x%x val %d", vm->run->io.port,
				       io_value(vm));
			if (r == KVM_EXIT_FAIL_ENTRY)
				printf(" hw reason 0x%llx", (unsigned long long)
				       vm->run->fail_entry.hardware_entry_failure_reason);
			if (r == KVM_EXIT_INTERNAL_ERROR)
				printf(" suberror %u",
				       vm->run->internal.suberror);
			printf("\n");
			ok = 0;
			break;
		}
	}
	return ok;
}

static int test_real(void)
{
	struct vm vm;
	int ok = vm_create(&vm, 0, NULL) == 0 &&
		 setup_real_mode(&vm, g16_start, g16_end - g16_start) == 0;
	check(ok, "real", "create VM, 4 MiB memslot, vCPU, real-mode regs");
	if (ok) {
		ok = expect_io_321(&vm, "real");
		check(ok, "real", "KVM_EXIT_IO x3 (port 0x10, values 3,2,1)");
	}
	if (ok) {
		int r = vm_run(&vm);
		ok = r == KVM_EXIT_HLT;
		check(ok, "real", "then KVM_EXIT_HLT");
		if (!ok)
			printf("  real: got exit %d (%s)\n", r,
			       r >= 0 ? exit_name(r) : "error");
	}
	vm_destroy(&vm);
	return ok;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct timing {
	int n;
	double first_us, min_us, med_us, p90_us, mean_us, max_us;
	double create_ms;
};

static int test_timing(int n, struct timing *t)
{
	struct vm vm;
	double t0 = now();
	int ok = vm_create(&vm, 0, NULL) == 0 &&
		 setup_real_mode(&vm, g16loop_start,
				 g16loop_end - g16loop_start) == 0;
	t->create_ms = (now() - t0) * 1e3;
	double *lat = calloc(n, sizeof *lat);
	t->n = 0;
	if (ok && lat) {
		double a = now();
		int r = vm_run(&vm);
		t->first_us = (now() - a) * 1e6;
		ok = r == KVM_EXIT_IO && vm.run->io.port == 0x11;
		for (int i = 0; ok && i < n; i++) {
			a = now();
			r = vm_run(&vm);
			lat[i] = (now() - a) * 1e6;
			if (r != KVM_EXIT_IO || vm.run->io.port != 0x11) {
				printf("  timing: iteration %d exit %d\n", i, r);
				ok = 0;
			}
			t->n = i + 1;
		}
	}
	if (ok) {
		double sum = 0;
		for (int i = 0; i < n; i++)
			sum += lat[i];
		qsort(lat, n, sizeof *lat, cmp_double);
		t->min_us = lat[0];
		t->med_us = lat[n / 2];
		t->p90_us = lat[n * 9 / 10];
		t->max_us = lat[n - 1];
		t->mean_us = sum / n;
		printf("  timing   IO exit round trip over %d KVM_RUNs (us): "
		       "min %.1f median %.1f p90 %.1f mean %.1f max %.1f "
		       "(first %.1f)\n", n, t->min_us, t->med_us, t->p90_us,
		       t->mean_us, t->max_us, t->first_us);
	}
	check(ok, "timing", "IO exit loop");
	free(lat);
	vm_destroy(&vm);
	return ok;
}

static int setup_long_mode(struct vm *vm)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + 0x2000);
	uint64_t *pdpt = (uint64_t *)(vm->mem + 0x3000);
	uint64_t *pd0 = (uint64_t *)(vm->mem + 0x4000);
	uint64_t *pd1 = (uint64_t *)(vm->mem + 0x5000);
	uint64_t *pt0 = (uint64_t *)(vm->mem + 0x6000);
	const uint64_t P = 1, RW = 2, PS = 0x80;

	memcpy(vm->mem + CODE_GPA, g64_start, g64_end - g64_start);
	pml4[0] = 0x3000 | P | RW;
	pdpt[0] = 0x4000 | P | RW;		/* VA 0..1G   -> pd0 */
	pdpt[1] = 0x5000 | P | RW;		/* VA 1G..2G  -> pd1 */
	pd0[0] = 0x6000 | P | RW;		/* VA 0..2M   -> 4K pages */
	for (int i = 0; i < 512; i++)
		pt0[i] = (uint64_t)i << 12 | P | RW;
	pd1[0] = 0x200000 | P | RW | PS;	/* VA 1G -> PA 2M, 2M page */

	struct kvm_sregs s;
	if (ioctl(vm->vcpu, KVM_GET_SREGS, &s) < 0)
		return perror("KVM_GET_SREGS"), -1;
	struct kvm_segment cs = {
		.base = 0, .limit = 0xffffffff, .selector = 0x8,
		.type = 0xb, .present = 1, .dpl = 0, .db = 0, .s = 1,
		.l = 1, .g = 1,
	};
	struct kvm_segment ds = cs;
	ds.selector = 0x10;
	ds.type = 0x3;
	ds.l = 0;
	ds.db = 1;
	s.cs = cs;
	s.ds = s.es = s.fs = s.gs = s.ss = ds;
	s.cr3 = 0x2000;
	s.cr4 = 1u << 5;				/* PAE */
	s.cr0 = 0x80000000u | 0x20 | 0x10 | 0x1;	/* PG NE ET PE */
	s.efer = 0x100 | 0x400;				/* LME LMA */
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &s) < 0)
		return perror("KVM_SET_SREGS (long mode)"), -1;

	struct kvm_regs regs;
	memset(&regs, 0, sizeof regs);
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	if (ioctl(vm->vcpu, KVM_SET_REGS, &regs) < 0)
		return perror("KVM_SET_REGS"), -1;
	return 0;
}

static int test_long(void)
{
	struct vm vm;
	int ok = vm_create(&vm, 0, NULL) == 0 && setup_long_mode(&vm) == 0;
	check(ok, "long", "KVM_SET_SREGS: EFER.LME|LMA, CR4.PAE, CR0.PG");
	if (ok) {
		ok = expect_io_321(&vm, "long");
		check(ok, "long", "KVM_EXIT_IO x3 from 64-bit code");
	}
	if (ok) {
		int r = vm_run(&vm);
		ok = r == KVM_EXIT_HLT;
		check(ok, "long", "then KVM_EXIT_HLT");
		if (!ok)
			printf("  long: got exit %d (%s)\n", r,
			       r >= 0 ? exit_name(r) : "error");
	}
	if (ok) {
		struct kvm_regs regs;
		struct kvm_sregs s;
		ioctl(vm.vcpu, KVM_GET_REGS, &regs);
		ioctl(vm.vcpu, KVM_GET_SREGS, &s);
		uint64_t stored;
		memcpy(&stored, vm.mem + 0x200100, sizeof stored);
		check(regs.rax == LM_MAGIC, "long",
		      "RAX holds 64-bit movabs value");
		check(stored == LM_MAGIC, "long",
		      "store via 1 GiB VA landed at GPA 0x200100");
		check((s.efer & 0x500) == 0x500 && s.cs.l, "long",
		      "EFER.LMA and CS.L still set at HLT");
		ok = regs.rax == LM_MAGIC && stored == LM_MAGIC;
	}
	vm_destroy(&vm);
	return ok;
}

static int test_irqchip(int *irqchip_rc, int *pit_rc)
{
	struct vm vm;
	*irqchip_rc = -ENOSYS;
	*pit_rc = -ENOSYS;
	int ok = vm_create(&vm, 1, irqchip_rc) == 0;
	check(ok, "irqchip", "KVM_CREATE_IRQCHIP + vCPU");
	if (ok) {
		struct kvm_pit_config pc = { .flags = 0 };
		*pit_rc = ioctl(vm.fd, KVM_CREATE_PIT2, &pc) < 0 ? -errno : 0;
		check(*pit_rc == 0, "irqchip", "KVM_CREATE_PIT2");
		struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
		int g = ioctl(vm.fd, KVM_GET_IRQCHIP, &chip);
		check(g == 0, "irqchip", "KVM_GET_IRQCHIP (PIC master)");
		struct kvm_irq_level lvl = { .irq = 4, .level = 1 };
		int l = ioctl(vm.fd, KVM_IRQ_LINE, &lvl);
		lvl.level = 0;
		l |= ioctl(vm.fd, KVM_IRQ_LINE, &lvl);
		check(l == 0, "irqchip", "KVM_IRQ_LINE raise/lower irq 4");
		/* With an in-kernel LAPIC, HLT is handled in the kernel, so
		 * only check the IO exits. */
		ok = g == 0 && l == 0 && *pit_rc == 0 &&
		     setup_real_mode(&vm, g16_start, g16_end - g16_start) == 0 &&
		     expect_io_321(&vm, "irqchip");
		check(ok, "irqchip", "KVM_EXIT_IO x3 with in-kernel irqchip");
	} else {
		printf("  irqchip: KVM_CREATE_IRQCHIP: %s\n",
		       strerror(-*irqchip_rc));
	}
	vm_destroy(&vm);
	return ok;
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
	int n = 1000, c;
	const char *out = NULL;

	while ((c = getopt(argc, argv, "n:o:")) != -1) {
		if (c == 'n')
			n = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else if (c == 'o')
			out = optarg;
		else {
			fprintf(stderr, "usage: %s [-n N] [-o FILE.json]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	char npt[32], nested[32], avic[32], uname_r[128] = "n/a";
	read_line("/sys/module/kvm_amd/parameters/npt", npt, sizeof npt);
	read_line("/sys/module/kvm_amd/parameters/nested", nested,
		  sizeof nested);
	read_line("/sys/module/kvm_amd/parameters/avic", avic, sizeof avic);
	read_line("/proc/sys/kernel/osrelease", uname_r, sizeof uname_r);
	int btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	int kvm_btf = access("/sys/kernel/btf/kvm", R_OK) == 0;
	printf("kvm_smoke: kernel %s, kvm_amd npt=%s nested=%s avic=%s, "
	       "/sys/kernel/btf/vmlinux %s, /sys/kernel/btf/kvm %s\n",
	       uname_r, npt, nested, avic, btf ? "present" : "absent",
	       kvm_btf ? "present" : "absent");

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		printf("kvm_smoke: SKIP: open /dev/kvm: %s\n", strerror(errno));
		return 77;
	}
	int api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	printf("kvm_smoke: KVM_GET_API_VERSION = %d\n", api);
	check(api == KVM_API_VERSION, "api", "KVM_GET_API_VERSION == 12");
	printf("kvm_smoke: caps: IRQCHIP=%d USER_MEMORY=%d NR_VCPUS=%d "
	       "MAX_VCPUS=%d NESTED_STATE=%d\n",
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS),
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NESTED_STATE));

	struct timing t = { 0 };
	int irqchip_rc, pit_rc;
	int real_ok = test_real();
	int timing_ok = test_timing(n, &t);
	int long_ok = test_long();
	int irq_ok = test_irqchip(&irqchip_rc, &pit_rc);

	if (out) {
		FILE *f = fopen(out, "w");
		if (f) {
			fprintf(f,
				"{\n  \"kernel\": \"%s\",\n  \"api_version\": %d,\n"
				"  \"npt\": \"%s\",\n  \"btf_vmlinux\": %s,\n"
				"  \"real_mode\": %s,\n  \"long_mode\": %s,\n"
				"  \"irqchip\": %s,\n  \"irqchip_rc\": %d,\n"
				"  \"pit2_rc\": %d,\n"
				"  \"vm_create_ms\": %.3f,\n"
				"  \"io_exit_us\": {\"n\": %d, \"first\": %.2f, "
				"\"min\": %.2f, \"median\": %.2f, \"p90\": %.2f, "
				"\"mean\": %.2f, \"max\": %.2f},\n"
				"  \"pass\": %s\n}\n",
				uname_r, api, npt, btf ? "true" : "false",
				real_ok ? "true" : "false",
				long_ok ? "true" : "false",
				irq_ok ? "true" : "false", irqchip_rc, pit_rc,
				t.create_ms, t.n, t.first_us, t.min_us,
				t.med_us, t.p90_us, t.mean_us, t.max_us,
				failures ? "false" : "true");
			fclose(f);
			printf("kvm_smoke: wrote %s\n", out);
		} else {
			printf("kvm_smoke: cannot write %s: %s\n", out,
			       strerror(errno));
			failures++;
		}
	}
	(void)timing_ok;
	printf("kvm_smoke: %s (real %s, long %s, irqchip %s, timing %s)\n",
	       failures ? "FAIL" : "PASS", real_ok ? "ok" : "FAIL",
	       long_ok ? "ok" : "FAIL", irq_ok ? "ok" : "FAIL",
	       timing_ok ? "ok" : "FAIL");
	return failures ? 1 : 0;
}
