/* SPDX-License-Identifier: MIT */
/*
 * Probe discovery: which kernel events each probe would use on THIS kernel,
 * or precisely why it can't run. Nothing is assumed: tracefs event formats,
 * available_filter_functions, BTF (vmlinux and module split BTF) and the KVM
 * backend (x86 VMX/SVM/PVM, arm64 native, KVM-on-Gunyah) are inspected.
 *
 *   exits       kvm:kvm_exit -> next kvm:kvm_entry, same thread (the handling
 *               cost; NOT perf kvm stat's arm64 entry->exit pairing, which
 *               measures guest run time). Unavailable under PVM (the events
 *               exist but never fire) and KVM-on-Gunyah (no such events).
 *   uexits      kvm:kvm_userspace_exit -> that thread's next ioctl(KVM_RUN)
 *               (syscalls:sys_enter_ioctl, cmd == 0xae80): time the VMM spent
 *               in userspace handling the exit, keyed by KVM_EXIT_*.
 *   hypercalls  x86: kvm_exit(VMCALL/VMMCALL) -> kvm_entry, number from
 *               kvm:kvm_hypercall; arm64: kvm_exit(HVC64/SMC64) -> kvm_entry,
 *               function ID from kvm:kvm_hvc_arm64.
 *   irqfd       injection (kvm:kvm_msi_set_irq / kvm:kvm_set_irq, or the
 *               Gunyah doorbell send) -> kvm:kvm_vcpu_wakeup of the vCPU;
 *               the backends add the stages around it where they exist: the
 *               eventfd write (syscalls:sys_enter_write, 8 bytes) before, the
 *               vCPU's kvm:kvm_entry after (the why says which).
 *   memlend     guest page fault -> re-entry (kvm_page_fault/kvm_guest_fault
 *               -> kvm_entry), or on Gunyah gunyah_handle_page_fault (entry ->
 *               return: the per-fault donation), or under PVM the shadow MMU
 *               fault handler kvm_mmu_page_fault (fentry -> fexit).
 *
 * Also here: the shared, counted tracefs mount (ks_tracefs_acquire/release)
 * and the key names both backends use (KVM_EXIT_*, VMX/SVM exit reasons,
 * arm64 exception classes).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* PATH_MAX, mount(), umount2() with -std=c11 too */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kfiles.h"
#include "privs.h"
#include "probe.h"

/* ------------------------------------------------------------ key names */

static const char *const kvm_exit_names[] = {
	"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO",
	"IRQ_WINDOW_OPEN", "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS",
	"S390_SIEIC", "S390_RESET", "DCR", "NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL",
	"S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR", "SYSTEM_EVENT", "S390_STSI",
	"IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR", "DIRTY_RING_FULL",
	"AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
	"LOONGARCH_IOCSR", "MEMORY_FAULT", "TDX",
};

void ks_kvm_uexit_key(char *buf, size_t len, uint32_t reason, int err)
{
	if (err == -EINTR)
		snprintf(buf, len, "KVM_RUN -EINTR");   /* signal: the VMM re-enters */
	else if (err < 0)
		snprintf(buf, len, "KVM_RUN error %d", err);
	else if (reason < sizeof(kvm_exit_names) / sizeof(kvm_exit_names[0]))
		snprintf(buf, len, "KVM_EXIT_%s", kvm_exit_names[reason]);
	else
		snprintf(buf, len, "KVM_EXIT_%u", reason);
}

struct code_name {
	uint32_t code;
	const char *name;
};

/* Basic exit reasons (arch/x86/include/uapi/asm/vmx.h), as the kernel prints them. */
static const struct code_name vmx_exits[] = {
	{ 0, "EXCEPTION_NMI" }, { 1, "EXTERNAL_INTERRUPT" }, { 2, "TRIPLE_FAULT" },
	{ 3, "INIT_SIGNAL" }, { 4, "SIPI_SIGNAL" }, { 7, "INTERRUPT_WINDOW" },
	{ 8, "NMI_WINDOW" }, { 9, "TASK_SWITCH" }, { 10, "CPUID" }, { 12, "HLT" },
	{ 13, "INVD" }, { 14, "INVLPG" }, { 15, "RDPMC" }, { 16, "RDTSC" }, { 18, "VMCALL" },
	{ 19, "VMCLEAR" }, { 20, "VMLAUNCH" }, { 21, "VMPTRLD" }, { 22, "VMPTRST" },
	{ 23, "VMREAD" }, { 24, "VMRESUME" }, { 25, "VMWRITE" }, { 26, "VMOFF" }, { 27, "VMON" },
	{ 28, "CR_ACCESS" }, { 29, "DR_ACCESS" }, { 30, "IO_INSTRUCTION" }, { 31, "MSR_READ" },
	{ 32, "MSR_WRITE" }, { 33, "INVALID_STATE" }, { 34, "MSR_LOAD_FAIL" },
	{ 36, "MWAIT_INSTRUCTION" }, { 37, "MONITOR_TRAP_FLAG" }, { 39, "MONITOR_INSTRUCTION" },
	{ 40, "PAUSE_INSTRUCTION" }, { 41, "MCE_DURING_VMENTRY" }, { 43, "TPR_BELOW_THRESHOLD" },
	{ 44, "APIC_ACCESS" }, { 45, "EOI_INDUCED" }, { 46, "GDTR_IDTR" }, { 47, "LDTR_TR" },
	{ 48, "EPT_VIOLATION" }, { 49, "EPT_MISCONFIG" }, { 50, "INVEPT" }, { 51, "RDTSCP" },
	{ 52, "PREEMPTION_TIMER" }, { 53, "INVVPID" }, { 54, "WBINVD" }, { 55, "XSETBV" },
	{ 56, "APIC_WRITE" }, { 57, "RDRAND" }, { 58, "INVPCID" }, { 59, "VMFUNC" },
	{ 60, "ENCLS" }, { 61, "RDSEED" }, { 62, "PML_FULL" }, { 63, "XSAVES" },
	{ 64, "XRSTORS" }, { 67, "UMWAIT" }, { 68, "TPAUSE" }, { 74, "BUS_LOCK" },
	{ 75, "NOTIFY" }, { 77, "TDCALL" }, { 84, "MSR_READ_IMM" }, { 85, "MSR_WRITE_IMM" },
};

/* SVM exit codes (arch/x86/include/uapi/asm/svm.h), as the kernel prints them. */
static const struct code_name svm_exits[] = {
	{ 0x000, "read_cr0" }, { 0x003, "read_cr3" }, { 0x004, "read_cr4" }, { 0x008, "read_cr8" },
	{ 0x010, "write_cr0" }, { 0x013, "write_cr3" }, { 0x014, "write_cr4" },
	{ 0x018, "write_cr8" }, { 0x020, "read_dr0" }, { 0x021, "read_dr1" },
	{ 0x022, "read_dr2" }, { 0x023, "read_dr3" }, { 0x024, "read_dr4" }, { 0x025, "read_dr5" },
	{ 0x026, "read_dr6" }, { 0x027, "read_dr7" }, { 0x030, "write_dr0" },
	{ 0x031, "write_dr1" }, { 0x032, "write_dr2" }, { 0x033, "write_dr3" },
	{ 0x034, "write_dr4" }, { 0x035, "write_dr5" }, { 0x036, "write_dr6" },
	{ 0x037, "write_dr7" }, { 0x040, "DE excp" }, { 0x041, "DB excp" }, { 0x043, "BP excp" },
	{ 0x044, "OF excp" }, { 0x045, "BR excp" }, { 0x046, "UD excp" }, { 0x047, "NM excp" },
	{ 0x048, "DF excp" }, { 0x04a, "TS excp" }, { 0x04b, "NP excp" }, { 0x04c, "SS excp" },
	{ 0x04d, "GP excp" }, { 0x04e, "PF excp" }, { 0x050, "MF excp" }, { 0x051, "AC excp" },
	{ 0x052, "MC excp" }, { 0x053, "XF excp" }, { 0x060, "interrupt" }, { 0x061, "nmi" },
	{ 0x062, "smi" }, { 0x063, "init" }, { 0x064, "vintr" }, { 0x065, "cr0_sel_write" },
	{ 0x066, "read_idtr" }, { 0x067, "read_gdtr" }, { 0x068, "read_ldtr" },
	{ 0x069, "read_rt" }, { 0x06a, "write_idtr" }, { 0x06b, "write_gdtr" },
	{ 0x06c, "write_ldtr" }, { 0x06d, "write_rt" }, { 0x06e, "rdtsc" }, { 0x06f, "rdpmc" },
	{ 0x070, "pushf" }, { 0x071, "popf" }, { 0x072, "cpuid" }, { 0x073, "rsm" },
	{ 0x074, "iret" }, { 0x075, "swint" }, { 0x076, "invd" }, { 0x077, "pause" },
	{ 0x078, "hlt" }, { 0x079, "invlpg" }, { 0x07a, "invlpga" }, { 0x07b, "io" },
	{ 0x07c, "msr" }, { 0x07d, "task_switch" }, { 0x07e, "ferr_freeze" },
	{ 0x07f, "shutdown" }, { 0x080, "vmrun" }, { 0x081, "hypercall" }, { 0x082, "vmload" },
	{ 0x083, "vmsave" }, { 0x084, "stgi" }, { 0x085, "clgi" }, { 0x086, "skinit" },
	{ 0x087, "rdtscp" }, { 0x088, "icebp" }, { 0x089, "wbinvd" }, { 0x08a, "monitor" },
	{ 0x08b, "mwait" }, { 0x08d, "xsetbv" }, { 0x08f, "write_efer_trap" },
	{ 0x090, "write_cr0_trap" }, { 0x094, "write_cr4_trap" }, { 0x098, "write_cr8_trap" },
	{ 0x0a2, "invpcid" }, { 0x0a5, "buslock" }, { 0x0a6, "idle-halt" }, { 0x400, "npf" },
	{ 0x401, "avic_incomplete_ipi" }, { 0x402, "avic_unaccelerated_access" },
	{ 0x403, "vmgexit" }, { 0xffffffff, "invalid_guest_state" },
};

/* arm64 exception classes (ESR_ELx_EC_*), as KVM's trace prints them. */
static const struct code_name arm64_ecs[] = {
	{ 0x00, "UNKNOWN" }, { 0x01, "WFx" }, { 0x03, "CP15_32" }, { 0x04, "CP15_64" },
	{ 0x05, "CP14_MR" }, { 0x06, "CP14_LS" }, { 0x07, "FP_ASIMD" }, { 0x08, "CP10_ID" },
	{ 0x09, "PAC" }, { 0x0c, "CP14_64" }, { 0x0d, "BTI" }, { 0x0e, "ILL" },
	{ 0x11, "SVC32" }, { 0x12, "HVC32" }, { 0x13, "SMC32" }, { 0x15, "SVC64" },
	{ 0x16, "HVC64" }, { 0x17, "SMC64" }, { 0x18, "SYS64" }, { 0x19, "SVE" },
	{ 0x1a, "ERET" }, { 0x1c, "FPAC" }, { 0x1d, "SME" }, { 0x1f, "IMP_DEF" },
	{ 0x20, "IABT_LOW" }, { 0x21, "IABT_CUR" }, { 0x22, "PC_ALIGN" }, { 0x24, "DABT_LOW" },
	{ 0x25, "DABT_CUR" }, { 0x26, "SP_ALIGN" }, { 0x27, "MOPS" }, { 0x28, "FP_EXC32" },
	{ 0x2c, "FP_EXC64" }, { 0x2d, "GCS" }, { 0x2f, "SERROR" }, { 0x30, "BREAKPT_LOW" },
	{ 0x31, "BREAKPT_CUR" }, { 0x32, "SOFTSTP_LOW" }, { 0x33, "SOFTSTP_CUR" },
	{ 0x34, "WATCHPT_LOW" }, { 0x35, "WATCHPT_CUR" }, { 0x38, "BKPT32" },
	{ 0x3a, "VECTOR32" }, { 0x3c, "BRK64" },
};

static const char *lookup(const struct code_name *t, size_t n, uint32_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}
#define LOOKUP(t, c) lookup(t, sizeof(t) / sizeof(t[0]), c)

void ks_x86_exit_key(char *buf, size_t len, uint32_t isa, uint32_t exit_reason)
{
	const char *n;

	if (isa == KS_X86_ISA_VMX) {
		n = LOOKUP(vmx_exits, exit_reason & 0xffff);
		const char *failed = (exit_reason & 0x80000000u) ? " FAILED_VMENTRY" : "";
		if (n)
			snprintf(buf, len, "%s%s", n, failed);
		else
			snprintf(buf, len, "vmx:%u%s", exit_reason & 0xffff, failed);
	} else if (isa == KS_X86_ISA_SVM) {
		n = LOOKUP(svm_exits, exit_reason);
		if (n)
			snprintf(buf, len, "%s", n);
		else
			snprintf(buf, len, "svm:0x%x", exit_reason);
	} else {
		snprintf(buf, len, "reason:%u", exit_reason);
	}
}

void ks_arm64_exit_key(char *buf, size_t len, int32_t ret, uint32_t esr_ec)
{
	/* ARM_EXCEPTION_CODE(): bit 31 only says an SError was pending too */
	switch ((uint32_t)ret & 0x7fffffffu) {
	case 0:
		snprintf(buf, len, "IRQ");
		return;
	case 1:
		snprintf(buf, len, "SERROR");
		return;
	case 2: {   /* ARM_EXCEPTION_TRAP: the exception class says which */
		const char *n = LOOKUP(arm64_ecs, esr_ec);
		if (n)
			snprintf(buf, len, "%s", n);
		else
			snprintf(buf, len, "EC_0x%02x", esr_ec);
		return;
	}
	case 3:
		snprintf(buf, len, "ILLEGAL");
		return;
	default:
		snprintf(buf, len, "exception %d", ret);
	}
}

/* ------------------------------------------------- the shared tracefs mount */

/* snprintf for paths: false if it didn't fit (and no truncation warnings) */
static bool path(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

static pthread_mutex_t tfs_lock = PTHREAD_MUTEX_INITIALIZER;
static int tfs_refs;
static bool tfs_mounted_by_us;
static char tfs_dir[PATH_MAX];

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_events(const char *dir)
{
	char p[PATH_MAX];
	path(p, sizeof(p), "%s/events", dir);
	return is_dir(p);
}

/* A mounted tracefs from /proc/mounts (or tracing/ under a mounted debugfs).
 * *seen: a tracefs mount exists, we just can't use it (permissions). */
static bool find_tracefs(char *out, size_t len, bool *seen)
{
	FILE *f = fopen("/proc/mounts", "re");
	char line[1024], dev[256], mnt[PATH_MAX], type[64];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %4095s %63s", dev, mnt, type) != 3)
			continue;
		if (!strcmp(type, "tracefs")) {
			if (has_events(mnt)) {
				path(out, len, "%s", mnt);
				found = true;
			} else if (!*seen) {
				path(out, len, "%s", mnt);   /* where it is, for the message */
				*seen = true;
			}
		} else if (!strcmp(type, "debugfs")) {
			char p[PATH_MAX + 16];
			path(p, sizeof(p), "%s/tracing", mnt);
			if (has_events(p)) {   /* an automount under debugfs */
				path(out, len, "%s", p);
				found = true;
			}
		}
	}
	fclose(f);
	return found;
}

int ks_tracefs_acquire(char *dir, size_t len, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&tfs_lock);
	if (tfs_refs > 0 && has_events(tfs_dir)) {
		tfs_refs++;
		goto out;
	}
	tfs_refs = 0;
	tfs_mounted_by_us = false;
	bool seen = false;
	if (!find_tracefs(tfs_dir, sizeof(tfs_dir), &seen)) {
		if (seen) {
			int e = errno;
			char why[300];
			ks_access_why(tfs_dir, R_OK | X_OK, why, sizeof(why));
			snprintf(err, errlen, "tracefs is mounted but not accessible: %s", why);
			rc = -(e ? e : EACCES);
			goto out;
		}
		path(tfs_dir, sizeof(tfs_dir), "/sys/kernel/tracing");
		if (!is_dir(tfs_dir)) {
			snprintf(err, errlen, "tracefs is not mounted and %s does not exist "
				 "(kernel without CONFIG_TRACING?)", tfs_dir);
			rc = -ENOENT;
			goto out;
		}
		if (mount("nodev", tfs_dir, "tracefs", 0, NULL) < 0) {
			rc = -errno;
			snprintf(err, errlen, "tracefs is not mounted and mounting it at %s failed: %s%s",
				 tfs_dir, strerror(errno),
				 errno == EPERM ? " (mounting needs CAP_SYS_ADMIN: run as root, or "
						  "mount it first: mount -t tracefs nodev "
						  "/sys/kernel/tracing)" : "");
			goto out;
		}
		if (!has_events(tfs_dir)) {
			umount2(tfs_dir, MNT_DETACH);
			snprintf(err, errlen, "tracefs mounted at %s has no events/ (no trace events "
				 "in this kernel?)", tfs_dir);
			rc = -ENOENT;
			goto out;
		}
		tfs_mounted_by_us = true;
	}
	tfs_refs = 1;
out:
	if (rc == 0)
		path(dir, len, "%s", tfs_dir);
	pthread_mutex_unlock(&tfs_lock);
	return rc;
}

void ks_tracefs_release(void)
{
	pthread_mutex_lock(&tfs_lock);
	if (tfs_refs > 0 && --tfs_refs == 0 && tfs_mounted_by_us) {
		/* a lazy unmount: a straggling open file must not keep it pinned */
		umount2(tfs_dir, MNT_DETACH);
		tfs_mounted_by_us = false;
	}
	pthread_mutex_unlock(&tfs_lock);
}

bool ks_tracefs_mounted_by_us(void)
{
	pthread_mutex_lock(&tfs_lock);
	bool r = tfs_refs > 0 && tfs_mounted_by_us;
	pthread_mutex_unlock(&tfs_lock);
	return r;
}

/* ------------------------------------------------------ looking around */

struct disc {
	char root[PATH_MAX];      /* "" for this system */
	char tracing[PATH_MAX];   /* the tracefs directory */
	enum ks_kvm_backend be;
	bool kvm_events;          /* events/kvm exists */
	/* available_filter_functions: NULL when unreadable (errno in aff_errno) */
	char *aff;
	int aff_errno;
	bool aff_loaded;
	char *btf_vmlinux;        /* whole files, loaded on demand */
	size_t btf_vmlinux_len;
	bool btf_loaded;
};

static void pathf(const struct disc *d, char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void pathf(const struct disc *d, char *out, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	path(out, len, "%s%s", d->root, rel);
}

/* Read a whole file (binary safe, NUL-terminated). NULL + errno on failure. */
static char *slurp(const char *p, size_t *lenp)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *b;

	if (fd < 0)
		return NULL;
	b = malloc(cap);
	while (b) {
		if (n + 1 >= cap) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				errno = ENOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			free(b);
			b = NULL;
			errno = e;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (b) {
		b[n] = 0;
		if (lenp)
			*lenp = n;
	}
	return b;
}

static char *event_format(const struct disc *d, const char *sys, const char *ev)
{
	char p[PATH_MAX];
	path(p, sizeof(p), "%s/events/%s/%s/format", d->tracing, sys, ev);
	return slurp(p, NULL);
}

static bool has_event(const struct disc *d, const char *sys, const char *ev)
{
	char p[PATH_MAX];
	path(p, sizeof(p), "%s/events/%s/%s", d->tracing, sys, ev);
	return is_dir(p);
}

static bool event_has_field(const struct disc *d, const char *sys, const char *ev,
			    const char *field)
{
	char *f = event_format(d, sys, ev);
	bool r = f && ks_kf_format_has_field(f, field);
	free(f);
	return r;
}

/* available_filter_functions: "name", "name [module]" or "name [module]\tops" lines. */
static bool aff_has(struct disc *d, const char *fn)
{
	if (!d->aff_loaded) {
		char p[PATH_MAX];
		path(p, sizeof(p), "%s/available_filter_functions", d->tracing);
		d->aff = slurp(p, NULL);
		d->aff_errno = d->aff ? 0 : errno;
		d->aff_loaded = true;
	}
	return ks_kf_aff_has(d->aff, fn);
}

/* ---- BTF: is there a FUNC named `fn`?  vmlinux, then the modules' split BTF */

/* Where BTF has FUNC `fn`: "vmlinux", a module name, or NULL. */
static const char *btf_func_home(struct disc *d, const char *fn, const char *const *mods)
{
	char p[PATH_MAX];
	if (!d->btf_loaded) {
		pathf(d, p, sizeof(p), "/sys/kernel/btf/vmlinux");
		d->btf_vmlinux = slurp(p, &d->btf_vmlinux_len);
		d->btf_loaded = true;
	}
	if (!d->btf_vmlinux)
		return NULL;
	if (ks_kf_btf_has_func(d->btf_vmlinux, d->btf_vmlinux_len, NULL, 0, fn))
		return "vmlinux";
	for (int i = 0; mods && mods[i]; i++) {
		size_t len;
		pathf(d, p, sizeof(p), "/sys/kernel/btf/%s", mods[i]);
		char *m = slurp(p, &len);
		bool hit = m && ks_kf_btf_has_func(m, len, d->btf_vmlinux, d->btf_vmlinux_len, fn);
		free(m);
		if (hit)
			return mods[i];
	}
	return NULL;
}

static const char *const kvm_mods[] = { "kvm", "kvm_intel", "kvm_amd", "kvm_pvm", "gunyah",
					"gunyah_rsc_mgr", NULL };

static bool module_present(const struct disc *d, const char *m)
{
	char p[PATH_MAX];
	pathf(d, p, sizeof(p), "/sys/module/%s", m);
	return is_dir(p);
}

static bool gunyah_in_dt(const struct disc *d)
{
	char p[PATH_MAX];
	size_t len = 0;
	pathf(d, p, sizeof(p), "/proc/device-tree/hypervisor/compatible");
	char *c = slurp(p, &len);
	/* a list of NUL-separated strings: "qcom,gunyah-hypervisor\0gunyah-hypervisor" */
	bool r = ks_kf_compat_has(c, len, "gunyah");
	free(c);
	return r;
}

static void detect_backend(struct disc *d)
{
	d->kvm_events = has_event(d, "kvm", "kvm_userspace_exit") || has_event(d, "kvm", "kvm_exit");
	if (gunyah_in_dt(d)) {
		d->be = KS_KVM_GUNYAH;
	} else if (module_present(d, "kvm_intel")) {
		d->be = KS_KVM_VMX;
	} else if (module_present(d, "kvm_amd")) {
		d->be = KS_KVM_SVM;
	} else if (module_present(d, "kvm_pvm")) {
		d->be = KS_KVM_PVM;
	} else if (has_event(d, "kvm", "kvm_exit")) {
		if (event_has_field(d, "kvm", "kvm_exit", "esr_ec"))
			d->be = KS_KVM_ARM64;
		else if (event_has_field(d, "kvm", "kvm_exit", "exit_reason"))
			d->be = KS_KVM_X86;   /* vendor module not visible in /sys/module */
		else
			d->be = KS_KVM_UNKNOWN;
	} else if (d->kvm_events || module_present(d, "kvm")) {
		/* KVM without kvm_exit: the Gunyah port (no DT node visible?) or unknown */
		d->be = has_event(d, "kvm", "kvm_hvc_arm64") ? KS_KVM_ARM64 : KS_KVM_UNKNOWN;
	} else {
		d->be = KS_KVM_NONE;
	}
}

const char *ks_kvm_backend_name(enum ks_kvm_backend be)
{
	switch (be) {
	case KS_KVM_NONE: return "none";
	case KS_KVM_VMX: return "x86 VMX (kvm_intel)";
	case KS_KVM_SVM: return "x86 SVM (kvm_amd)";
	case KS_KVM_PVM: return "x86 PVM (kvm_pvm)";
	case KS_KVM_X86: return "x86";
	case KS_KVM_ARM64: return "arm64 native KVM";
	case KS_KVM_GUNYAH: return "arm64 KVM-on-Gunyah";
	default: return "unknown";
	}
}

/* ------------------------------------------------------------ the plans */

static void plan_set(struct ks_probe_plan *p, bool avail, const char *start, const char *end)
{
	p->available = avail;
	snprintf(p->start_event, sizeof(p->start_event), "%s", start ? start : "");
	snprintf(p->end_event, sizeof(p->end_event), "%s", end ? end : "");
}

static void why(struct ks_probe_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(struct ks_probe_plan *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
}

static bool x86(enum ks_kvm_backend be)
{
	return be == KS_KVM_VMX || be == KS_KVM_SVM || be == KS_KVM_X86;
}

static bool no_kvm(struct disc *d, struct ks_probe_plan *p)
{
	if (d->be != KS_KVM_NONE && d->kvm_events)
		return false;
	plan_set(p, false, NULL, NULL);
	if (d->be == KS_KVM_NONE)
		why(p, "KVM is not loaded (no /sys/module/kvm, no kvm:* events)");
	else
		why(p, "no kvm:* trace events in this kernel (%s/events/kvm)", d->tracing);
	return true;
}

static void plan_exits(struct disc *d, struct ks_probe_plan *p)
{
	if (d->be == KS_KVM_PVM) {
		/* exact reason: the events are there, they just never fire */
		plan_set(p, false, "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
		why(p, "kvm_pvm: kvm:kvm_exit/kvm:kvm_entry exist but never fire under PVM");
		return;
	}
	if (d->be == KS_KVM_GUNYAH) {
		plan_set(p, false, NULL, NULL);
		why(p, "KVM-on-Gunyah: no kvm:kvm_exit/kvm:kvm_entry events (guest traps are "
		       "handled inside Gunyah at EL2; only WFI, MMIO and page faults reach KVM)");
		return;
	}
	if (no_kvm(d, p))
		return;
	bool ex = has_event(d, "kvm", "kvm_exit"), en = has_event(d, "kvm", "kvm_entry");
	if (!ex || !en) {
		plan_set(p, false, NULL, NULL);
		why(p, "no kvm:%s event in this kernel (a KVM port without exit tracepoints, e.g. "
		       "KVM-on-Gunyah)", !ex ? "kvm_exit" : "kvm_entry");
		return;
	}
	plan_set(p, true, "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
	const char *split = has_event(d, "kvm", "kvm_userspace_exit")
				    ? "; exits that went to userspace on the way are keyed '<reason>+user'"
				    : "";
	if (d->be == KS_KVM_ARM64)
		why(p, "arm64: kvm_exit -> next kvm_entry on the same thread (handling cost, not perf "
		       "kvm stat's entry->exit pairing); key: exception class (esr_ec) of traps, "
		       "else IRQ/SERROR/ILLEGAL%s", split);
	else if (event_has_field(d, "kvm", "kvm_exit", "isa"))
		why(p, "%s: kvm_exit -> next kvm_entry on the same thread; key: exit_reason "
		       "decoded by the event's isa field (VMX or SVM codes)%s",
		    ks_kvm_backend_name(d->be), split);
	else
		why(p, "%s: kvm_exit -> next kvm_entry on the same thread; key: exit_reason "
		       "(no isa field: decoded as %s)%s", ks_kvm_backend_name(d->be),
		    d->be == KS_KVM_SVM ? "SVM" : "VMX", split);
}

static void plan_uexits(struct disc *d, struct ks_probe_plan *p)
{
	if (!has_event(d, "kvm", "kvm_userspace_exit")) {
		if (no_kvm(d, p))
			return;
		plan_set(p, false, NULL, NULL);
		why(p, "no kvm:kvm_userspace_exit event in this kernel");
		return;
	}
	if (has_event(d, "syscalls", "sys_enter_ioctl") &&
	    event_has_field(d, "syscalls", "sys_enter_ioctl", "cmd")) {
		plan_set(p, true, "tracepoint:kvm:kvm_userspace_exit",
			 "tracepoint:syscalls:sys_enter_ioctl");
		why(p, "end: the same thread's next ioctl(KVM_RUN) (cmd == 0xae80); key: "
		       "KVM_EXIT_* from the reason field");
	} else if (has_event(d, "raw_syscalls", "sys_enter")) {
		plan_set(p, true, "tracepoint:kvm:kvm_userspace_exit",
			 "tracepoint:raw_syscalls:sys_enter");
		why(p, "no syscalls:sys_enter_ioctl (CONFIG_FTRACE_SYSCALLS?): end is raw_syscalls:"
		       "sys_enter with id == __NR_ioctl and args[1] == KVM_RUN, checked in "
		       "userspace (every syscall is traced: costly without a pid)");
	} else {
		plan_set(p, false, "tracepoint:kvm:kvm_userspace_exit", NULL);
		why(p, "no syscall entry event (syscalls:sys_enter_ioctl or raw_syscalls:sys_enter) "
		       "to see the next KVM_RUN");
	}
}

static void plan_hypercalls(struct disc *d, struct ks_probe_plan *p)
{
	if (d->be == KS_KVM_PVM) {
		plan_set(p, false, NULL, NULL);
		why(p, "kvm_pvm: kvm:kvm_exit/kvm:kvm_entry never fire under PVM, PVM's own "
		       "hypercalls (int $0x1b) emit no event, and kvm:kvm_hypercall only covers "
		       "KVM_HC_*, which PVM does not handle");
		return;
	}
	if (d->be == KS_KVM_GUNYAH) {
		plan_set(p, false, NULL, NULL);
		why(p, "KVM-on-Gunyah: guest HVCs (PSCI, SMCCC) are handled inside Gunyah and "
		       "never reach KVM");
		return;
	}
	if (no_kvm(d, p))
		return;
	bool ex = has_event(d, "kvm", "kvm_exit"), en = has_event(d, "kvm", "kvm_entry");
	if (d->be == KS_KVM_ARM64) {
		bool hvc = has_event(d, "kvm", "kvm_hvc_arm64");
		if (!ex || !en || !hvc) {
			plan_set(p, false, NULL, NULL);
			why(p, "missing kvm:%s", !ex ? "kvm_exit" : !en ? "kvm_entry" : "kvm_hvc_arm64");
			return;
		}
		plan_set(p, true, "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
		why(p, "arm64: kvm_exit with esr_ec HVC64 (0x16) or SMC64 (0x17) -> next kvm_entry "
		       "on the same thread; key: SMCCC function ID (r0) from kvm:kvm_hvc_arm64");
		return;
	}
	if (x86(d->be) || d->be == KS_KVM_UNKNOWN) {
		if (!ex || !en) {
			plan_set(p, false, NULL, NULL);
			why(p, "missing kvm:%s", !ex ? "kvm_exit" : "kvm_entry");
			return;
		}
		bool nr = has_event(d, "kvm", "kvm_hypercall");
		plan_set(p, true, "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
		why(p, "x86: kvm_exit with reason VMCALL (VMX 18) or VMMCALL (SVM 0x81) -> next "
		       "kvm_entry on the same thread; key: %s",
		    nr ? "hypercall number (nr) from kvm:kvm_hypercall (KVM_HC_*)"
		       : "exit reason (no kvm:kvm_hypercall event for the number)");
		return;
	}
	plan_set(p, false, NULL, NULL);
	why(p, "unknown KVM backend");
}

static void plan_irqfd(struct disc *d, struct ks_probe_plan *p)
{
	if (d->be == KS_KVM_GUNYAH) {
		if (aff_has(d, "gunyah_hypercall_bell_send") && has_event(d, "kvm", "kvm_vcpu_wakeup")) {
			plan_set(p, true, "kprobe:gunyah_hypercall_bell_send",
				 "tracepoint:kvm:kvm_vcpu_wakeup");
			why(p, "KVM-on-Gunyah: irqfd injection rings a Gunyah doorbell (no "
			       "kvm:kvm_set_irq); doorbell send -> the vCPU's wakeup (unverified on "
			       "vendor kernels); key: inject->wakeup");
		} else {
			plan_set(p, false, NULL, NULL);
			why(p, "KVM-on-Gunyah: injection bypasses kvm_set_irq (no kvm:kvm_set_irq "
			       "event) and %s",
			    !d->aff ? "available_filter_functions is unreadable, so the doorbell "
				      "function can't be found"
				    : aff_has(d, "gunyah_hypercall_bell_send")
					      ? "there is no kvm:kvm_vcpu_wakeup event"
					      : "gunyah_hypercall_bell_send is not a traceable function");
		}
		return;
	}
	if (no_kvm(d, p))
		return;
	const char *inject = NULL;
	if (x86(d->be) || d->be == KS_KVM_PVM) {
		if (has_event(d, "kvm", "kvm_msi_set_irq"))
			inject = "tracepoint:kvm:kvm_msi_set_irq";
		else if (has_event(d, "kvm", "kvm_set_irq"))
			inject = "tracepoint:kvm:kvm_set_irq";
	} else if (has_event(d, "kvm", "kvm_set_irq")) {
		inject = "tracepoint:kvm:kvm_set_irq";
	}
	if (!inject || !has_event(d, "kvm", "kvm_vcpu_wakeup")) {
		plan_set(p, false, NULL, NULL);
		why(p, "missing %s", !inject ? "an injection event (kvm:kvm_set_irq / kvm:kvm_msi_set_irq)"
					     : "kvm:kvm_vcpu_wakeup");
		return;
	}
	plan_set(p, true, inject, "tracepoint:kvm:kvm_vcpu_wakeup");
	/* the optional stages around inject -> wakeup: both backends add these when
	 * the events exist (the write as an 8-byte write() of the target's threads) */
	bool wr = has_event(d, "syscalls", "sys_enter_write") &&
		  event_has_field(d, "syscalls", "sys_enter_write", "count");
	bool en = d->be != KS_KVM_PVM && has_event(d, "kvm", "kvm_entry");
	why(p, "stages: %s -> inject (%s) -> wakeup (halted vCPU) -> %s; paired by order "
	       "across threads (one interrupt in flight, one vCPU); keys: %sinject->wakeup%s",
	    wr ? "write (sys_enter_write, 8 bytes)" : "[no write stage]", inject + 15,
	    en ? "entry (kvm_entry)" : d->be == KS_KVM_PVM ? "[no entry: PVM]" : "[no kvm_entry]",
	    wr ? "write->inject, " : "", en ? ", wakeup|inject->entry" : "");
	if (wr && en) {
		size_t l = strlen(p->why);
		snprintf(p->why + l, sizeof(p->why) - l, ", write->entry");
	}
}

static void plan_memlend(struct disc *d, struct ks_probe_plan *p)
{
	if (d->be == KS_KVM_GUNYAH) {
		const char *fn = "gunyah_handle_page_fault";
		const char *home = btf_func_home(d, fn, kvm_mods);
		if (home) {
			plan_set(p, true, "fentry:gunyah_handle_page_fault",
				 "fexit:gunyah_handle_page_fault");
			why(p, "KVM-on-Gunyah: each first guest touch faults and KVM donates the folio "
			       "(gunyah_hypercall_memextent_donate inside); BTF in %s; key: donate", home);
		} else if (aff_has(d, fn)) {
			plan_set(p, true, "kprobe:gunyah_handle_page_fault",
				 "kretprobe:gunyah_handle_page_fault");
			why(p, "KVM-on-Gunyah: per-fault donation, entry -> return (no BTF for it: "
			       "kprobes); key: donate");
		} else {
			plan_set(p, false, NULL, NULL);
			why(p, "KVM-on-Gunyah: %s is not traceable here (%s; no BTF FUNC either)", fn,
			    d->aff ? "not in available_filter_functions"
				   : "available_filter_functions unreadable");
		}
		return;
	}
	if (no_kvm(d, p))
		return;
	if (d->be == KS_KVM_PVM) {
		const char *fn = "kvm_mmu_page_fault";
		const char *home = btf_func_home(d, fn, kvm_mods);
		if (!home) {
			plan_set(p, false, NULL, NULL);
			why(p, "kvm_pvm: kvm_entry never fires, so a fault can't be paired with the "
			       "re-entry, and %s is not in BTF for fentry/fexit", fn);
			return;
		}
		plan_set(p, true, "fentry:kvm_mmu_page_fault", "fexit:kvm_mmu_page_fault");
		why(p, "kvm_pvm: kvm_entry never fires; the shadow MMU fault handler instead, entry -> "
		       "return (BTF in %s; fentry/fexit: BPF backend only%s); key: fault",
		    home, d->aff ? "" : "; available_filter_functions unreadable, so not verified "
					"as attachable");
		return;
	}
	const char *fault = d->be == KS_KVM_ARM64 ? "kvm_guest_fault" : "kvm_page_fault";
	if (!has_event(d, "kvm", fault) || !has_event(d, "kvm", "kvm_entry")) {
		plan_set(p, false, NULL, NULL);
		why(p, "missing kvm:%s", !has_event(d, "kvm", fault) ? fault : "kvm_entry");
		return;
	}
	char s[96];
	snprintf(s, sizeof(s), "tracepoint:kvm:%s", fault);
	plan_set(p, true, s, "tracepoint:kvm:kvm_entry");
	why(p, "%s -> next kvm_entry on the same thread (stage-2 / nested page fault-in of "
	       "guest memory; on native KVM this is what memory lending compares with); key: "
	       "fault", fault);
}

static int discover(struct disc *d, const char *probe, struct ks_probe_plan *plan)
{
	detect_backend(d);
	if (!strcmp(probe, "exits"))
		plan_exits(d, plan);
	else if (!strcmp(probe, "uexits"))
		plan_uexits(d, plan);
	else if (!strcmp(probe, "hypercalls"))
		plan_hypercalls(d, plan);
	else if (!strcmp(probe, "irqfd"))
		plan_irqfd(d, plan);
	else if (!strcmp(probe, "memlend"))
		plan_memlend(d, plan);
	else {
		why(plan, "unknown probe '%s'", probe);
		return -EINVAL;
	}
	return 0;
}

static void disc_free(struct disc *d)
{
	free(d->aff);
	free(d->btf_vmlinux);
}

static const char *canonical(const char *probe)
{
	for (int i = 0; ks_probe_names[i]; i++)
		if (!strcmp(ks_probe_names[i], probe))
			return ks_probe_names[i];
	return probe;
}

int ks_probe_discover_at(const char *root, const char *probe, struct ks_probe_plan *plan,
			 enum ks_kvm_backend *backend)
{
	struct disc d;
	int rc;

	memset(plan, 0, sizeof(*plan));
	memset(&d, 0, sizeof(d));
	if (!probe) {
		snprintf(plan->why, sizeof(plan->why), "no probe named");
		return -EINVAL;
	}
	plan->probe = canonical(probe);
	if (root && *root) {
		snprintf(d.root, sizeof(d.root), "%s", root);
		snprintf(d.tracing, sizeof(d.tracing), "%s/sys/kernel/tracing", root);
		rc = discover(&d, probe, plan);
	} else {
		char err[200];
		rc = ks_tracefs_acquire(d.tracing, sizeof(d.tracing), err, sizeof(err));
		if (rc < 0) {
			why(plan, "%s", err);
			return rc;
		}
		rc = discover(&d, probe, plan);
		ks_tracefs_release();
	}
	if (backend)
		*backend = d.be;
	disc_free(&d);
	return rc;
}

int ks_probe_discover(const char *probe, struct ks_probe_plan *plan)
{
	return ks_probe_discover_at(NULL, probe, plan, NULL);
}
