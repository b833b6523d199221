/* SPDX-License-Identifier: MIT */
/*
 * gunyah_smoke: end-to-end check of Gunyah's /dev/gunyah from the primary
 * VM (HLOS) of the Gunyah QEMU testbed (tests/qemu-gunyah/testbed.sh).
 * Static aarch64, links libfdt; the guest (smoke_guest.c) is embedded.
 *
 *   gunyah_smoke [-n EXITS] [-r ROUNDS] [-o FILE.json] [--dtb-out FILE] [--dtb-after FILE]
 *                [--dt-bad KIND] [--no-irq] [--no-gic-reg] [--no-probe-high] [-q]
 *
 *   -n  timed MMIO write exits per run (default 100)
 *   -r  create, run and tear down the VM ROUNDS times (default 1)
 *   --no-gic-reg     leave reg out of the guest DT's GIC node (the RM
 *                    then places the vGIC; the irq test needs the address,
 *                    so it is skipped)
 *   --no-irq         no doorbell / irqfd test
 *   --no-probe-high  do not try an MMIO write above guest RAM
 *   --dtb-out FILE   write the guest DT as built (before the RM's overlay)
 *   --dtb-after FILE after teardown, read the guest DT back from the
 *                    reclaimed memory: as the RM left it, overlay applied
 *   --dt-bad KIND    an experiment, exit 0 whatever happens: break one RM
 *                    rule (no-chosen, memory-node, no-gic, no-vm-config,
 *                    no-padding, no-symbols) and print what VM_START and the
 *                    kernel log say
 *
 * Build: tests/qemu-gunyah/build-smoke.sh OUTDIR (cross-builds the guest,
 * then this with -DSMOKE_GUEST_BIN=... and libfdt from build-gunyah.sh).
 *
 * The ioctl sequence (uAPI: bench/vmm/gunyah/gunyah_uapi.h):
 *   open /dev/gunyah; CREATE_VM; CREATE_GUEST_MEM (1 MiB); mmap it, copy the
 *   guest to offset 0 and the DTB to SMOKE_DTB, munmap (lent memory must
 *   not be mapped by the host); VM_MAP_MEM at SMOKE_BASE (lend, RWX);
 *   VM_SET_DTB_CONFIG; ADD_FUNCTION vCPU 0 (-> vCPU fd, mmap the run page);
 *   ADD_FUNCTION irqfd (eventfd, doorbell label); VM_START; VCPU_RUN until
 *   the VM reports its status (PSCI SYSTEM_OFF); close everything.
 * Each step prints ok/FAILED; then what was measured (exit counts, host
 * time per MMIO exit under TCG, the guest's own ticks, the vendor UID it
 * saw, the doorbell), and the kernel log lines the teardown produced.
 * Exit status: 0 PASS, 1 FAIL, 77 no /dev/gunyah.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <libfdt.h>

#include "../../bench/vmm/gunyah/gunyah_uapi.h"
#include "smoke_abi.h"
#include "hlos_proc.h"

#ifndef __aarch64__
#error "gunyah_smoke.c is for aarch64: build it with tests/qemu-gunyah/build-smoke.sh"
#endif
#ifndef SMOKE_GUEST_BIN
#error "define SMOKE_GUEST_BIN as the path of the guest binary (build-smoke.sh does)"
#endif

/* The guest image, embedded.  .globl: the cross gcc defaults to -fPIE and
 * reaches these through the GOT (see tests/qemu-arm64/README.md). */
extern const unsigned char smoke_guest[], smoke_guest_end[];
__asm__(".pushsection .rodata\n"
	".globl smoke_guest, smoke_guest_end\n"
	".balign 16\n"
	"smoke_guest:\n"
	".incbin \"" SMOKE_GUEST_BIN "\"\n"
	"smoke_guest_end:\n"
	".popsection\n");

#define MAX_SAMPLES 100000

static int failures;
static int quiet;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int check(int ok, const char *step, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ok || !quiet)
		printf("  %-9s %-62s %s\n", step, what, ok ? "ok" : "FAILED");
	if (!ok)
		failures++;
	fflush(stdout);
	return ok;
}

static void on_alarm(int sig)
{
	(void)sig;	/* only to interrupt VCPU_RUN (no SA_RESTART) */
}

/* ------------------------------------------------------------ guest DT */
struct dt_opts {
	int gic_reg;	/* put reg in the GIC node (else the RM allocates) */
	int doorbell;	/* declare the irqfd's doorbell */
	const char *bad;	/* --dt-bad: break one RM rule on purpose */
};

/* --dt-bad KIND: DTs that break one of the RM's rules, to record its answer. */
static const char *const dt_bad_kinds[] = {
	"no-chosen",	/* no /chosen node */
	"memory-node",	/* a /memory@... node (device_type "memory") */
	"no-gic",	/* no interrupt controller at all */
	"no-vm-config",	/* no gunyah-vm-config node */
	"no-padding",	/* packed: no room for the RM's overlay */
	"no-symbols",	/* no __symbols__ node (dtc without -@) */
	NULL,
};
#define BAD(kind) (o->bad && !strcmp(o->bad, kind))

#define PHANDLE_GIC 1
#define GIC_NODE "/interrupt-controller@8000000"

static int fdt_prop_cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	uint32_t be[8];

	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, be, n * 4);
}

/*
 * The guest DT, written the way the open-source RM wants it (its rules are
 * in README.md): a gunyah-vm-config node (memory base, proxy-scheduled
 * vCPUs, interrupts config naming the GIC, the doorbell vdevice), a GICv3
 * node, /chosen, no /memory; then a __symbols__ node and 4 KiB of padding
 * (what `dtc -@ -p 4096` adds) so the RM has room for its overlay.
 */
static int build_dt(void *out, size_t outsz, const struct dt_opts *o)
{
	static char buf[16384];
	void *fdt = buf;
	int err = 0, pad;

#define TRY(x) do { if (!err && (x) < 0) err = -1; } while (0)
#define CELLS(name, ...) do { const uint32_t __c[] = { __VA_ARGS__ }; \
	TRY(fdt_prop_cells(fdt, name, __c, sizeof(__c) / 4)); } while (0)
	TRY(fdt_create(fdt, sizeof(buf)));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_string(fdt, "compatible", "kvmscope,gunyah-smoke"));
	TRY(fdt_property_string(fdt, "model", "kvmscope gunyah_smoke guest"));
	CELLS("#address-cells", 2);
	CELLS("#size-cells", 2);
	CELLS("interrupt-parent", PHANDLE_GIC);

	if (!BAD("no-chosen")) {
		TRY(fdt_begin_node(fdt, "chosen"));
		TRY(fdt_end_node(fdt));
	}
	if (BAD("memory-node")) {
		TRY(fdt_begin_node(fdt, "memory@" SMOKE_STR(SMOKE_BASE)));
		TRY(fdt_property_string(fdt, "device_type", "memory"));
		CELLS("reg", 0, SMOKE_BASE, 0, SMOKE_MEM_SIZE);
		TRY(fdt_end_node(fdt));
	}

	TRY(fdt_begin_node(fdt, "cpus"));
	CELLS("#address-cells", 1);
	CELLS("#size-cells", 0);
	TRY(fdt_begin_node(fdt, "cpu@0"));
	TRY(fdt_property_string(fdt, "device_type", "cpu"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
	CELLS("reg", 0);
	TRY(fdt_end_node(fdt));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "psci"));
	{
		static const char c[] = "arm,psci-1.0\0arm,psci-0.2";
		TRY(fdt_property(fdt, "compatible", c, sizeof(c)));
	}
	TRY(fdt_property_string(fdt, "method", "smc"));
	TRY(fdt_end_node(fdt));

	if (!BAD("no-gic")) {
	TRY(fdt_begin_node(fdt, GIC_NODE + 1));
	TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	CELLS("#interrupt-cells", 3);
	CELLS("#address-cells", 2);
	CELLS("#size-cells", 2);
	if (o->gic_reg)
		CELLS("reg", 0, SMOKE_GICD, 0, 0x10000, 0, SMOKE_GICR, 0, 0x20000);
	CELLS("phandle", PHANDLE_GIC);
	TRY(fdt_end_node(fdt));
	}

	if (!BAD("no-vm-config")) {
	TRY(fdt_begin_node(fdt, "gunyah-vm-config"));
	CELLS("#address-cells", 2);
	CELLS("#size-cells", 2);
	TRY(fdt_property_string(fdt, "image-name", "kvmscope-gunyah-smoke"));
	TRY(fdt_property_string(fdt, "os-type", "linux"));
	TRY(fdt_begin_node(fdt, "memory"));
	CELLS("#address-cells", 2);
	CELLS("#size-cells", 2);
	CELLS("base-address", 0, SMOKE_BASE);
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "interrupts"));
	TRY(fdt_property_string(fdt, "config", GIC_NODE));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "vcpus"));
	TRY(fdt_property_string(fdt, "config", "/cpus"));
	TRY(fdt_property_string(fdt, "affinity", "proxy"));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "vdevices"));
	TRY(fdt_property_string(fdt, "generate", "/hypervisor"));
	if (o->doorbell) {
		TRY(fdt_begin_node(fdt, "bell-2a"));
		TRY(fdt_property_string(fdt, "vdevice-type", "doorbell"));
		TRY(fdt_property_string(fdt, "generate", "/hypervisor/bell-2a"));
		CELLS("label", SMOKE_DOORBELL_LABEL);
		CELLS("qcom,label", SMOKE_DOORBELL_LABEL);
		TRY(fdt_property(fdt, "peer-default", NULL, 0));
		TRY(fdt_property(fdt, "source-can-clear", NULL, 0));
		CELLS("interrupts", 0, SMOKE_DOORBELL_SPI, 1);	/* SPI, edge rising */
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));
	TRY(fdt_end_node(fdt));
	}

	if (!BAD("no-symbols")) {
		TRY(fdt_begin_node(fdt, "__symbols__"));
		TRY(fdt_property_string(fdt, "gic", GIC_NODE));
		TRY(fdt_end_node(fdt));
	}

	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
#undef CELLS
#undef TRY
	if (err)
		return -1;
	/* padding: like dtc -p 4096 */
	pad = BAD("no-padding") ? 0 : 4096;
	if (fdt_totalsize(fdt) + pad > outsz)
		return -1;
	if (fdt_open_into(fdt, out, (int)(fdt_totalsize(fdt) + pad)) < 0)
		return -1;
	return (int)fdt_totalsize(out);
#undef BAD
}

/* ------------------------------------------------------------ kernel log */
static int kmsg_fd = -1;

static void kmsg_mark(void)
{
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/* Print the kernel's messages since kmsg_mark(); count the warnings. */
static int kmsg_dump(const char *why, int *warns, int *reclaim_failed)
{
	char rec[2048];
	int n = 0;
	ssize_t len;

	if (kmsg_fd < 0)
		return -1;
	while ((len = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		char *msg;

		if (len < 0)
			continue;	/* overwritten records: keep reading */
		rec[len] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		if (strstr(msg, "WARNING:"))
			(*warns)++;
		if (strstr(msg, "Failed to reclaim"))
			(*reclaim_failed)++;
		if (n++ < 60)
			printf("  kernel    %s: %s\n", why, msg);
	}
	return n;
}

/* ------------------------------------------------------------ one VM */
struct stats {
	unsigned long exits_mmio_w, exits_mmio_r, exits_status, exits_other;
	unsigned long exits_loop, exits_unexpected, exits_high;
	double *samples;
	unsigned long nsamples;
	double t_create, t_start, t_first_exit, t_run_total, t_teardown;
	uint64_t guest_loop_ticks, freq, el, uid[4], smccc_ver;
	uint64_t hello, echo, echo32;
	uint64_t irq_intid, irq_ticks, irq_count;
	int irq_signalled;
	double t_irq_signal;
	uint64_t exc_esr, exc_elr, exc_far, exc_kind, stage;
	int exc;
	int psci_smc_failed, bye;
	uint32_t status, exit_type, exit_reason_size;
	uint8_t exit_reason[8];
	uint64_t high_addr, high_data;
	uint64_t unexpected_addr;
	long memfree_before, memfree_after;
	int kmsg_warns, kmsg_reclaim_failed;
	int ran;	/* VCPU_RUN was called: the guest checks mean something */
	int start_errno;
	char irqs_before[1024], irqs_after[1024];
};

struct opts {
	unsigned long n;
	int rounds;
	int irq, gic_reg, probe_high, share;
	const char *json, *dtb_out, *dtb_after, *bad;
};

static sigjmp_buf sigbus_jmp;
static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(sigbus_jmp, 1);
}

/* After teardown the image parcel is back (if MEM_RECLAIM succeeded): read
 * the guest DT as the RM left it, overlay applied. */
static void dump_final_dtb(int mem, const char *path)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	uint8_t *m;
	FILE *f;

	m = mmap(NULL, SMOKE_MEM_SIZE, PROT_READ, MAP_SHARED, mem, 0);
	if (m == MAP_FAILED) {
		printf("  dtb-after mmap after teardown: %s\n", strerror(errno));
		return;
	}
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1) == 0) {
		const void *dt = m + (SMOKE_DTB - SMOKE_BASE);

		if (fdt_check_header(dt) == 0 && fdt_totalsize(dt) <= SMOKE_DTB_SIZE &&
		    (f = fopen(path, "w"))) {
			fwrite(dt, 1, fdt_totalsize(dt), f);
			fclose(f);
			printf("  dtb-after the guest DT after the RM's overlay: %u bytes -> %s\n",
			       fdt_totalsize(dt), path);
		} else {
			printf("  dtb-after no valid DTB at 0x%x after teardown\n", (unsigned)SMOKE_DTB);
		}
	} else {
		printf("  dtb-after SIGBUS reading guest memory after teardown (still lent)\n");
	}
	sigaction(SIGBUS, &old, NULL);
	munmap(m, SMOKE_MEM_SIZE);
}

static int handle_mmio(struct ks_gh_vcpu_run *run, struct stats *s, const struct opts *o,
		       int evfd)
{
	uint64_t a = run->mmio.phys_addr, d = 0, off;

	run->mmio.resume_action = KS_GH_VCPU_RESUME_HANDLED;
	if (run->mmio.is_write) {
		s->exits_mmio_w++;
		memcpy(&d, run->mmio.data, run->mmio.len <= 8 ? run->mmio.len : 8);
	} else {
		s->exits_mmio_r++;
	}
	if (a >= SMOKE_MMIO_HIGH && a < SMOKE_MMIO_HIGH + 0x1000) {
		s->exits_high++;
		s->high_addr = a;
		s->high_data = d;
		return 0;
	}
	if (a < SMOKE_MMIO || a >= SMOKE_MMIO + 0x1000) {
		s->exits_unexpected++;
		s->unexpected_addr = a;
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		return 0;
	}
	off = a - SMOKE_MMIO;
	if (!run->mmio.is_write) {
		uint64_t v = 0;

		switch (off) {
		case SMOKE_READ: v = SMOKE_MAGIC; break;
		case SMOKE_READ32: v = SMOKE_MAGIC32; break;
		case SMOKE_COUNT: v = o->n; break;
		case SMOKE_IRQ_SPI: v = (o->irq && o->gic_reg) ? SMOKE_DOORBELL_SPI : 0; break;
		case SMOKE_GICD_REG: v = SMOKE_GICD; break;
		case SMOKE_GICR_REG: v = SMOKE_GICR; break;
		case SMOKE_PROBE_HIGH: v = o->probe_high; break;
		default: s->exits_unexpected++; s->unexpected_addr = a; break;
		}
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		memcpy(run->mmio.data, &v, run->mmio.len <= 8 ? run->mmio.len : 8);
		return 0;
	}
	switch (off) {
	case SMOKE_HELLO: s->hello = d; break;
	case SMOKE_ECHO: s->echo = d; break;
	case SMOKE_READ32_ECHO: s->echo32 = d; break;
	case SMOKE_EL: s->el = d; break;
	case SMOKE_FREQ: s->freq = d; break;
	case SMOKE_LOOP: s->exits_loop++; return 1;	/* timed */
	case SMOKE_LOOP_TICKS: s->guest_loop_ticks = d; break;
	case SMOKE_UID0: case SMOKE_UID1: case SMOKE_UID2: case SMOKE_UID3:
		s->uid[(off - SMOKE_UID0) / 8] = d;
		break;
	case SMOKE_SMCCC_VER: s->smccc_ver = d; break;
	case SMOKE_IRQ_ARM:
		/* ring the doorbell before the vCPU runs again */
		if (evfd >= 0) {
			uint64_t one = 1;

			s->t_irq_signal = now();
			s->irq_signalled = write(evfd, &one, sizeof(one)) == sizeof(one);
		}
		break;
	case SMOKE_IRQ_INTID: s->irq_intid = d; break;
	case SMOKE_IRQ_TICKS: s->irq_ticks = d; break;
	case SMOKE_IRQ_COUNT: s->irq_count = d; break;
	case SMOKE_STAGE: s->stage = d; break;
	case SMOKE_EXC_ESR: s->exc = 1; s->exc_esr = d; break;
	case SMOKE_EXC_ELR: s->exc_elr = d; break;
	case SMOKE_EXC_FAR: s->exc_far = d; break;
	case SMOKE_EXC_KIND: s->exc_kind = d; break;
	case SMOKE_BYE: s->bye = 1; break;
	case SMOKE_PSCI_SMC_FAILED: s->psci_smc_failed = 1; break;
	default: s->exits_unexpected++; s->unexpected_addr = a; break;
	}
	return 0;
}

static int run_vm(const struct opts *o, struct stats *s, int round)
{
	static uint8_t dtb[SMOKE_DTB_SIZE];
	struct dt_opts dto = { .gic_reg = o->gic_reg, .doorbell = o->irq, .bad = o->bad };
	size_t glen = (size_t)(smoke_guest_end - smoke_guest);
	int gh = -1, vm = -1, mem = -1, vcpu = -1, evfd = -1, ok = 0, dtlen;
	struct ks_gh_vcpu_run *run = MAP_FAILED;
	long run_size = 0;
	uint8_t *m = MAP_FAILED;
	double t0, t1;
	char step[16];

	snprintf(step, sizeof(step), "r%d", round);
	memset(s, 0, sizeof(*s));
	kmsg_mark();	/* the driver's messages about this VM, printed by report() */
	gunyah_irqs(s->irqs_before, sizeof(s->irqs_before));
	s->samples = calloc(MAX_SAMPLES, sizeof(double));
	s->memfree_before = meminfo_kb("MemFree");

	dtlen = build_dt(dtb, sizeof(dtb), &dto);
	if (!check(dtlen > 0, step, "guest DT built (libfdt, %d bytes with 4 KiB padding)", dtlen))
		goto out;
	if (o->dtb_out && round == 0) {
		FILE *f = fopen(o->dtb_out, "w");

		if (f) {
			fwrite(dtb, 1, (size_t)dtlen, f);
			fclose(f);
		}
	}

	gh = open("/dev/gunyah", O_RDWR | O_CLOEXEC);
	if (!check(gh >= 0, step, "open /dev/gunyah %s", gh >= 0 ? "" : strerror(errno)))
		goto out;
	t0 = now();
	vm = ioctl(gh, KS_GH_CREATE_VM, 0);
	if (!check(vm >= 0, step, "GUNYAH_CREATE_VM -> fd %d %s", vm, vm >= 0 ? "" : strerror(errno)))
		goto out;
	{
		struct ks_gh_create_mem_args a = { .flags = KS_GH_MEM_CLOEXEC, .size = SMOKE_MEM_SIZE };

		mem = ioctl(gh, KS_GH_CREATE_GUEST_MEM, &a);
	}
	if (!check(mem >= 0, step, "GUNYAH_CREATE_GUEST_MEM %d KiB -> fd %d %s", SMOKE_MEM_SIZE / 1024,
		   mem, mem >= 0 ? "" : strerror(errno)))
		goto out;
	m = mmap(NULL, SMOKE_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem, 0);
	if (!check(m != MAP_FAILED, step, "mmap guest memory (MAP_SHARED) %s",
		   m == MAP_FAILED ? strerror(errno) : ""))
		goto out;
	memcpy(m, smoke_guest, glen);
	memcpy(m + (SMOKE_DTB - SMOKE_BASE), dtb, (size_t)dtlen);
	/* Lent memory must not stay mapped by the host: the driver refuses to
	 * lend a folio that is (or could be) mapped (-EPERM).  --share keeps
	 * the mapping: the binding is shared, the host may look. */
	if (!o->share) {
		munmap(m, SMOKE_MEM_SIZE);
		m = MAP_FAILED;
	}
	check(1, step, "guest (%zu bytes) at 0x%x, DTB at 0x%x, %s", glen, SMOKE_BASE, SMOKE_DTB,
	      o->share ? "kept mapped (--share)" : "munmap");
	{
		struct ks_gh_map_mem_args a = {
			.guest_addr = SMOKE_BASE,
			.flags = (o->share ? KS_GH_MEM_FORCE_SHARE : KS_GH_MEM_DEFAULT_ACCESS) |
				 KS_GH_MEM_ALLOW_RWX,
			.guest_mem_fd = (uint32_t)mem, .offset = 0, .size = SMOKE_MEM_SIZE,
		};

		int r = ioctl(vm, KS_GH_VM_MAP_MEM, &a);

		if (!check(r == 0, step, "GUNYAH_VM_MAP_MEM 0x%x+%d KiB (%s, RWX) %s", SMOKE_BASE,
			   SMOKE_MEM_SIZE / 1024, o->share ? "share" : "lend", r == 0 ? "" : strerror(errno)))
			goto out;
	}
	{
		struct ks_gh_vm_dtb_config c = { .guest_phys_addr = SMOKE_DTB, .size = SMOKE_DTB_SIZE };

		if (!check(ioctl(vm, KS_GH_VM_SET_DTB_CONFIG, &c) == 0, step,
			   "GUNYAH_VM_SET_DTB_CONFIG 0x%x size 0x%x", (unsigned)SMOKE_DTB, SMOKE_DTB_SIZE))
			goto out;
	}
	{
		struct ks_gh_fn_vcpu_arg va = { .id = 0 };
		struct ks_gh_fn_desc f = { .type = KS_GH_FN_VCPU, .arg_size = sizeof(va),
					   .arg = (uintptr_t)&va };

		vcpu = ioctl(vm, KS_GH_VM_ADD_FUNCTION, &f);
	}
	if (!check(vcpu >= 0, step, "GUNYAH_VM_ADD_FUNCTION vcpu 0 -> fd %d %s", vcpu,
		   vcpu >= 0 ? "" : strerror(errno)))
		goto out;
	run_size = ioctl(vcpu, KS_GH_VCPU_MMAP_SIZE, 0);
	run = run_size > 0 ? mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0)
			   : MAP_FAILED;
	if (!check(run != MAP_FAILED, step, "GUNYAH_VCPU_MMAP_SIZE %ld, mmap the run page", run_size))
		goto out;
	if (o->irq) {
		evfd = eventfd(0, EFD_CLOEXEC);
		struct ks_gh_fn_irqfd_arg ia = { .fd = (uint32_t)evfd, .label = SMOKE_DOORBELL_LABEL };
		struct ks_gh_fn_desc f = { .type = KS_GH_FN_IRQFD, .arg_size = sizeof(ia),
					   .arg = (uintptr_t)&ia };
		int r = ioctl(vm, KS_GH_VM_ADD_FUNCTION, &f);

		if (!check(r == 0, step, "GUNYAH_VM_ADD_FUNCTION irqfd, doorbell label 0x%x %s",
			   SMOKE_DOORBELL_LABEL, r == 0 ? "" : strerror(errno))) {
			close(evfd);
			evfd = -1;
		}
	}
	t1 = now();
	s->t_create = t1 - t0;

	t0 = now();
	alarm(60);
	ok = ioctl(vm, KS_GH_VM_START, 0) == 0;
	s->start_errno = ok ? 0 : errno;
	alarm(0);
	s->t_start = now() - t0;
	if (o->bad) {
		/* an experiment: what does the RM say to this DT? (report.c prints the log) */
		printf("  %-9s --dt-bad %s: GUNYAH_VM_START %s\n", step, o->bad,
		       ok ? "succeeded (the RM accepted it)" : strerror(s->start_errno));
		if (!ok)
			goto out;
	} else if (!check(ok, step, "GUNYAH_VM_START (%.1f ms) %s", s->t_start * 1e3,
			  ok ? "" : strerror(errno))) {
		goto out;
	}
	ok = 0;

	/* Run until the VM is gone; every return of VCPU_RUN is one exit. */
	s->ran = 1;
	t0 = now();
	for (;;) {
		double a, b;
		int r, timed;

		alarm(30);
		a = now();
		r = ioctl(vcpu, KS_GH_VCPU_RUN, 0);
		b = now();
		alarm(0);
		if (!s->t_first_exit)
			s->t_first_exit = b - t0;
		if (r < 0) {
			check(0, step, "GUNYAH_VCPU_RUN: %s (stuck guest? %lu exits so far)",
			      strerror(errno), s->exits_mmio_r + s->exits_mmio_w);
			goto out;
		}
		if (run->exit_reason == KS_GH_VCPU_EXIT_MMIO) {
			timed = handle_mmio(run, s, o, evfd);
			if (timed && s->nsamples < MAX_SAMPLES)
				s->samples[s->nsamples++] = b - a;
			continue;
		}
		if (run->exit_reason == KS_GH_VCPU_EXIT_STATUS) {
			s->exits_status++;
			s->status = run->status.status;
			s->exit_type = run->status.exit_info.type;
			s->exit_reason_size = run->status.exit_info.reason_size;
			memcpy(s->exit_reason, run->status.exit_info.reason, 8);
			break;
		}
		s->exits_other++;
		check(0, step, "unexpected exit_reason %u (page fault at 0x%llx?)", run->exit_reason,
		      (unsigned long long)run->page_fault.phys_addr);
		goto out;
	}
	s->t_run_total = now() - t0;
	ok = 1;
	if (o->share && m != MAP_FAILED) {
		/* the VM still exists: the host reads shared guest memory live
		 * (the RM has applied its overlay to the DT in place) */
		const void *dt = m + (SMOKE_DTB - SMOKE_BASE);

		check(fdt_check_header(dt) == 0 && (int)fdt_totalsize(dt) != dtlen, step,
		      "host reads shared guest memory live: DT %d -> %u bytes (RM overlay)",
		      dtlen, fdt_check_header(dt) == 0 ? fdt_totalsize(dt) : 0);
	}
out:
	t0 = now();
	if (m != MAP_FAILED)
		munmap(m, SMOKE_MEM_SIZE);
	if (run != MAP_FAILED)
		munmap(run, (size_t)run_size);
	if (evfd >= 0)
		close(evfd);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);	/* the last VM reference: stop, reset, reclaim */
	s->t_teardown = now() - t0;
	if (mem >= 0 && o->dtb_after && round == 0 && s->ran)
		dump_final_dtb(mem, o->dtb_after);
	if (mem >= 0)
		close(mem);
	if (gh >= 0)
		close(gh);
	usleep(200000);	/* let the kernel log settle */
	s->memfree_after = meminfo_kb("MemFree");
	gunyah_irqs(s->irqs_after, sizeof(s->irqs_after));
	return ok;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void uid_string(const uint64_t r[4], char *out, size_t len)
{
	/* SMCCC returns the UID as four 32-bit words in w0..w3, bytes in memory
	 * order (the kernel's arch_is_gunyah_guest() compares them that way). */
	uint8_t b[16];

	for (int i = 0; i < 4; i++) {
		uint32_t w = (uint32_t)r[i];

		memcpy(b + 4 * i, &w, 4);
	}
	/* uuid_t byte order as Linux prints %pUb */
	snprintf(out, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
}

static int report(const struct opts *o, struct stats *s, int round, FILE *json)
{
	char step[16], uid[40];
	double med = 0, mn = 0, mx = 0, mean = 0;
	int ok_before = failures;
	/* An abort on the probe above RAM is an answer, not a failure. */
	int probe_abort = s->exc && s->stage == 0x41 && s->exc_far == SMOKE_MMIO_HIGH;

	snprintf(step, sizeof(step), "r%d", round);
	if (!s->ran)
		goto timings;
	if (s->exc && !probe_abort)
		check(0, step, "guest took exception vector %llu: ESR 0x%llx ELR 0x%llx FAR 0x%llx",
		      (unsigned long long)s->exc_kind, (unsigned long long)s->exc_esr,
		      (unsigned long long)s->exc_elr, (unsigned long long)s->exc_far);
	check(s->hello == SMOKE_DTB, step, "guest entered at 0x%x with x0 = DTB 0x%llx", SMOKE_BASE,
	      (unsigned long long)s->hello);
	check(s->echo == SMOKE_MAGIC, step, "MMIO read (8 bytes) answered, echoed 0x%llx",
	      (unsigned long long)s->echo);
	check(s->echo32 == SMOKE_MAGIC32, step, "MMIO read (4 bytes) answered, echoed 0x%llx",
	      (unsigned long long)s->echo32);
	check(s->el == 1, step, "guest runs at EL%llu", (unsigned long long)s->el);
	check(s->exits_loop == o->n, step, "%lu timed MMIO write exits seen (of %lu)", s->exits_loop, o->n);
	uid_string(s->uid, uid, sizeof(uid));
	check(s->uid[0] != 0xffffffffull && s->uid[0] != 0, step, "SMCCC vendor-hyp UID %s", uid);
	check(1, step, "SMCCC_VERSION 0x%llx", (unsigned long long)s->smccc_ver);
	if (o->irq && o->gic_reg)
		check(s->irq_count == 1 && s->irq_intid == SMOKE_DOORBELL_SPI + 32, step,
		      "irqfd -> doorbell -> guest INTID %llu, %llu interrupt(s), %llu ticks",
		      (unsigned long long)s->irq_intid, (unsigned long long)s->irq_count,
		      (unsigned long long)s->irq_ticks);
	if (o->probe_high) {
		char what[96];

		if (s->exits_high)
			snprintf(what, sizeof(what), "exit to the VMM");
		else if (probe_abort)
			snprintf(what, sizeof(what), "abort in the guest, ESR 0x%llx",
				 (unsigned long long)s->exc_esr);
		else
			snprintf(what, sizeof(what), "neither exit nor abort");
		printf("  %-9s %-62s %s\n", step, "MMIO write above RAM (0xC0000000):", what);
	}
	check(s->exits_unexpected == 0, step, "no unexpected MMIO (last 0x%llx)",
	      (unsigned long long)s->unexpected_addr);
	check(s->bye && !s->psci_smc_failed, step, "PSCI SYSTEM_OFF over SMC");
	check(s->exits_status == 1 && s->status == KS_GH_VM_STATUS_EXITED, step,
	      "VM status exit: status %u, exit type %u, reason %u bytes %02x%02x%02x%02x",
	      s->status, s->exit_type, s->exit_reason_size, s->exit_reason[0], s->exit_reason[1],
	      s->exit_reason[2], s->exit_reason[3]);

timings:
	if (s->nsamples) {
		qsort(s->samples, s->nsamples, sizeof(double), cmp_double);
		med = s->samples[s->nsamples / 2];
		mn = s->samples[0];
		mx = s->samples[s->nsamples - 1];
		for (unsigned long i = 0; i < s->nsamples; i++)
			mean += s->samples[i];
		mean /= (double)s->nsamples;
	}
	printf("  %-9s exits: %lu MMIO writes, %lu MMIO reads, %lu status, %lu above RAM, %lu other\n",
	       step, s->exits_mmio_w, s->exits_mmio_r, s->exits_status, s->exits_high, s->exits_other);
	printf("  %-9s MMIO write exit round trip (host, VCPU_RUN): median %.1f us, min %.1f, max %.1f, mean %.1f (n=%lu, TCG)\n",
	       step, med * 1e6, mn * 1e6, mx * 1e6, mean * 1e6, s->nsamples);
	if (s->freq && o->n)
		printf("  %-9s same, seen by the guest (CNTVCT at %llu Hz): %.1f us per exit\n", step,
		       (unsigned long long)s->freq, (double)s->guest_loop_ticks / (double)s->freq / (double)o->n * 1e6);
	printf("  %-9s create %.1f ms, VM_START %.1f ms, first exit %.1f ms, run %.1f ms, teardown %.1f ms\n",
	       step, s->t_create * 1e3, s->t_start * 1e3, s->t_first_exit * 1e3, s->t_run_total * 1e3,
	       s->t_teardown * 1e3);
	printf("  %-9s /proc/interrupts before: %s\n", step, s->irqs_before);
	printf("  %-9s /proc/interrupts after:  %s\n", step, s->irqs_after);
	s->kmsg_warns = 0;
	s->kmsg_reclaim_failed = 0;
	kmsg_dump("log", &s->kmsg_warns, &s->kmsg_reclaim_failed);
	printf("  %-9s MemFree %ld kB before, %ld kB after (%+ld kB); %d kernel WARNING(s), image parcel %s\n",
	       step, s->memfree_before, s->memfree_after, s->memfree_after - s->memfree_before,
	       s->kmsg_warns, s->kmsg_reclaim_failed ? "NOT reclaimed (leaked)" : "reclaimed");

	if (json) {
		fprintf(json, "%s    {\"round\": %d, \"ok\": %s,\n", round ? ",\n" : "", round,
			failures == ok_before ? "true" : "false");
		fprintf(json, "     \"exits\": {\"mmio_write\": %lu, \"mmio_read\": %lu, \"status\": %lu, \"timed\": %lu, \"above_ram\": %lu, \"unexpected\": %lu},\n",
			s->exits_mmio_w, s->exits_mmio_r, s->exits_status, s->exits_loop, s->exits_high,
			s->exits_unexpected);
		fprintf(json, "     \"mmio_exit_us\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f, \"mean\": %.3f, \"n\": %lu},\n",
			med * 1e6, mn * 1e6, mx * 1e6, mean * 1e6, s->nsamples);
		fprintf(json, "     \"guest\": {\"cntfrq\": %llu, \"loop_ticks\": %llu, \"el\": %llu, \"dtb\": \"0x%llx\", \"vendor_hyp_uid\": \"%s\", \"smccc_version\": \"0x%llx\"},\n",
			(unsigned long long)s->freq, (unsigned long long)s->guest_loop_ticks,
			(unsigned long long)s->el, (unsigned long long)s->hello, uid,
			(unsigned long long)s->smccc_ver);
		fprintf(json, "     \"irq\": {\"tested\": %s, \"signalled\": %s, \"intid\": %llu, \"count\": %llu, \"ticks\": %llu},\n",
			o->irq && o->gic_reg ? "true" : "false", s->irq_signalled ? "true" : "false",
			(unsigned long long)s->irq_intid, (unsigned long long)s->irq_count,
			(unsigned long long)s->irq_ticks);
		fprintf(json, "     \"mmio_above_ram\": \"%s\",\n",
			!o->probe_high ? "not tried" : s->exits_high ? "exit" : probe_abort ? "guest abort" : "none");
		fprintf(json, "     \"vm_status\": {\"status\": %u, \"exit_type\": %u},\n", s->status, s->exit_type);
		fprintf(json, "     \"ms\": {\"create\": %.3f, \"start\": %.3f, \"first_exit\": %.3f, \"run\": %.3f, \"teardown\": %.3f},\n",
			s->t_create * 1e3, s->t_start * 1e3, s->t_first_exit * 1e3, s->t_run_total * 1e3,
			s->t_teardown * 1e3);
		fprintf(json, "     \"teardown\": {\"memfree_delta_kb\": %ld, \"kernel_warnings\": %d, \"parcel_reclaimed\": %s}}",
			s->memfree_after - s->memfree_before, s->kmsg_warns,
			s->kmsg_reclaim_failed ? "false" : "true");
	}
	free(s->samples);
	return failures == ok_before;
}

int main(int argc, char **argv)
{
	struct opts o = { .n = 100, .rounds = 1, .irq = 1, .gic_reg = 1, .probe_high = 1 };
	struct sigaction sa = { .sa_handler = on_alarm };
	FILE *json = NULL;
	char json_tmp[4096];
	struct stats s;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			o.n = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			o.rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			o.json = argv[++i];
		else if (!strcmp(argv[i], "--dtb-out") && i + 1 < argc)
			o.dtb_out = argv[++i];
		else if (!strcmp(argv[i], "--dtb-after") && i + 1 < argc)
			o.dtb_after = argv[++i];
		else if (!strcmp(argv[i], "--dt-bad") && i + 1 < argc) {
			o.bad = argv[++i];
			int known = 0;
			for (int k = 0; dt_bad_kinds[k]; k++)
				known |= !strcmp(o.bad, dt_bad_kinds[k]);
			if (!known) {
				fprintf(stderr, "gunyah_smoke: --dt-bad: unknown kind '%s'\n", o.bad);
				return 2;
			}
		} else if (!strcmp(argv[i], "--no-irq"))
			o.irq = 0;
		else if (!strcmp(argv[i], "--no-gic-reg"))
			o.gic_reg = 0;
		else if (!strcmp(argv[i], "--no-probe-high"))
			o.probe_high = 0;
		else if (!strcmp(argv[i], "--share"))
			o.share = 1;
		else if (!strcmp(argv[i], "-q"))
			quiet = 1;
		else {
			fprintf(stderr, "usage: %s [-n EXITS] [-r ROUNDS] [-o FILE.json] [--dtb-out FILE] "
				"[--dtb-after FILE] [--dt-bad KIND] [--no-irq] [--no-gic-reg] "
				"[--no-probe-high] [--share] [-q]\n", argv[0]);
			return 2;
		}
	}
	if (o.n > MAX_SAMPLES || o.rounds < 1) {
		fprintf(stderr, "gunyah_smoke: -n at most %d, -r at least 1\n", MAX_SAMPLES);
		return 2;
	}
	if (access("/dev/gunyah", F_OK) != 0) {
		printf("SKIP: no /dev/gunyah (Gunyah's driver not loaded, or not a Gunyah VM)\n");
		return 77;
	}
	sigaction(SIGALRM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.json) {
		/* written whole, then renamed: a reader never sees half a file */
		snprintf(json_tmp, sizeof(json_tmp), "%s.tmp", o.json);
		json = fopen(json_tmp, "w");
		if (!json) {
			fprintf(stderr, "gunyah_smoke: %s: %s\n", o.json, strerror(errno));
			return 2;
		}
		fprintf(json, "{\"tool\": \"gunyah_smoke\", \"backend\": \"gunyah\", \"timings\": \"TCG (emulated)\",\n \"exits_requested\": %lu, \"rounds\": [\n", o.n);
	}
	printf("gunyah_smoke: %d round(s), %lu timed exits each, irq test %s\n", o.rounds, o.n,
	       o.irq && o.gic_reg ? "on" : "off");
	if (o.bad) {
		int w = 0, rf = 0;

		run_vm(&o, &s, 0);
		kmsg_dump("log", &w, &rf);
		free(s.samples);
		if (json)
			fclose(json);
		printf("gunyah_smoke: --dt-bad %s: VM_START %s\n", o.bad,
		       s.start_errno ? strerror(s.start_errno) : "succeeded");
		return 0;	/* an experiment, not a check */
	}
	for (int r = 0; r < o.rounds; r++) {
		run_vm(&o, &s, r);
		report(&o, &s, r, json);
	}
	if (json) {
		fprintf(json, "\n ],\n \"pass\": %s}\n", failures ? "false" : "true");
		if (fclose(json) != 0 || rename(json_tmp, o.json) != 0)
			fprintf(stderr, "gunyah_smoke: writing %s: %s\n", o.json, strerror(errno));
	}
	printf("gunyah_smoke: %s (%d failed check(s))\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
