/* SPDX-License-Identifier: MIT */
/*
 * Probe discovery (bpf/discover.c) and the tracefs backend's lifecycle.
 *
 * On this system: where tracefs can be had, discovery must match the KVM
 * backend — under PVM (kvm_pvm without kvm_intel/kvm_amd) `exits` is
 * unavailable because kvm_exit/kvm_entry never fire, and `uexits` is
 * available wherever kvm:kvm_userspace_exit exists. Without tracefs (no
 * root, no CONFIG_TRACING) those tests skip.
 *
 * On fixtures (fake roots built in a temporary directory): VMX/SVM, PVM,
 * arm64 native, KVM-on-Gunyah (and the /hypervisor compatible rule), no
 * KVM, no syscalls:* events, and a tiny BTF blob for the fentry candidates;
 * host facts given as discovery's input instead of detected. Plus the key
 * names.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* PATH_MAX, mount(), umount2() with -std=c11 too */
#endif
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "probe.h"

/* ------------------------------------------------------------ fixtures */

static char root[256];

static void mkdirs(const char *rel)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

static void put(const char *rel, const void *data, size_t len)
{
	char p[1024], dir[1024];
	snprintf(dir, sizeof(dir), "%s", rel);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		mkdirs(dir);
	}
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void put_str(const char *rel, const char *s)
{
	put(rel, s, strlen(s));
}

#define HDR                                                                                  \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"                \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"                \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"        \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

static void event(const char *sys, const char *name, const char *fields)
{
	char rel[256], fmt[2048];
	snprintf(rel, sizeof(rel), "sys/kernel/tracing/events/%s/%s/format", sys, name);
	snprintf(fmt, sizeof(fmt), "name: %s\nID: 1\nformat:\n" HDR "%s\nprint fmt: \"\"\n", name,
		 fields);
	put_str(rel, fmt);
}

static void module(const char *m)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "sys/module/%s/parameters", m);
	mkdirs(rel);
}

static const char x86_exit[] =
	"\tfield:unsigned int exit_reason;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long guest_rip;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u32 isa;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int vcpu_id;\toffset:56;\tsize:4;\tsigned:0;\n";
static const char arm_exit[] =
	"\tfield:int ret;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned int esr_ec;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long vcpu_pc;\toffset:16;\tsize:8;\tsigned:0;\n";
static const char entry[] = "\tfield:unsigned int vcpu_id;\toffset:8;\tsize:4;\tsigned:0;\n";
static const char uexit[] = "\tfield:__u32 reason;\toffset:8;\tsize:4;\tsigned:0;\n"
			    "\tfield:int errno;\toffset:12;\tsize:4;\tsigned:1;\n";
static const char ioctl_enter[] =
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int cmd;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long arg;\toffset:32;\tsize:8;\tsigned:0;\n";
static const char raw_enter[] = "\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;\n"
				"\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;\n";
static const char generic[] = "\tfield:unsigned int x;\toffset:8;\tsize:4;\tsigned:0;\n";

static void common_kvm(void)
{
	module("kvm");
	event("kvm", "kvm_userspace_exit", uexit);
	event("kvm", "kvm_vcpu_wakeup", generic);
	event("kvm", "kvm_set_irq", generic);
	event("syscalls", "sys_enter_ioctl", ioctl_enter);
	event("raw_syscalls", "sys_enter", raw_enter);
}

static void x86_kvm(void)
{
	common_kvm();
	event("kvm", "kvm_exit", x86_exit);
	event("kvm", "kvm_entry", entry);
	event("kvm", "kvm_hypercall", generic);
	event("kvm", "kvm_msi_set_irq", generic);
	event("kvm", "kvm_page_fault", generic);
}

/* A minimal BTF: int, a FUNC_PROTO and one FUNC per name in fns (NULL-terminated). */
static void btf_with_funcs(const char *rel, const char *const *fns)
{
	unsigned char b[2048];
	uint32_t types[64] = {
		1, 0x01000000u, 4, 32,    /* "int": INT, size 4, + encoding word */
		0, 0x0d000000u, 1,        /* FUNC_PROTO, vlen 0, returns int */
	};
	size_t nt = 7;
	char strs[1024];
	size_t slen = 5;
	memcpy(strs, "\0int\0", 5);
	for (int i = 0; fns[i]; i++) {
		types[nt++] = (uint32_t)slen;   /* FUNC fns[i] -> proto (type 2) */
		types[nt++] = 0x0c000000u;
		types[nt++] = 2;
		memcpy(strs + slen, fns[i], strlen(fns[i]) + 1);
		slen += strlen(fns[i]) + 1;
	}
	struct {
		uint16_t magic;
		uint8_t version, flags;
		uint32_t hdr_len, type_off, type_len, str_off, str_len;
	} h = { 0xeB9F, 1, 0, 24, 0, (uint32_t)(nt * 4), (uint32_t)(nt * 4), (uint32_t)slen };
	memcpy(b, &h, sizeof(h));
	memcpy(b + 24, types, nt * 4);
	memcpy(b + 24 + nt * 4, strs, slen);
	put(rel, b, 24 + nt * 4 + slen);
}

static void btf_with_func(const char *rel, const char *fn)
{
	const char *const fns[] = { fn, NULL };
	btf_with_funcs(rel, fns);
}

static int fixture_setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ks-discover-XXXXXX");
	assert_non_null(mkdtemp(root));
	mkdirs("sys/kernel/tracing/events");
	return 0;
}

static int fixture_teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void plan(const char *probe, struct ks_probe_plan *p, enum ks_kvm_backend *be)
{
	assert_int_equal(ks_probe_discover_at(root, probe, p, be), 0);
	assert_string_equal(p->probe, probe);
	assert_true(strlen(p->why) < sizeof(p->why) - 1);   /* never cut off */
	assert_true(p->why[0] != 0);
}

/* ------------------------------------------------------ fixture tests */

static void test_fixture_svm(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	enum ks_kvm_backend be;

	x86_kvm();
	module("kvm_amd");
	plan("exits", &p, &be);
	assert_int_equal(be, KS_KVM_SVM);
	assert_true(p.available);
	assert_string_equal(p.start_event, "tracepoint:kvm:kvm_exit");
	assert_string_equal(p.end_event, "tracepoint:kvm:kvm_entry");
	assert_non_null(strstr(p.why, "isa"));
	plan("uexits", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.start_event, "tracepoint:kvm:kvm_userspace_exit");
	assert_string_equal(p.end_event, "tracepoint:syscalls:sys_enter_ioctl");
	plan("hypercalls", &p, NULL);
	assert_true(p.available);
	assert_non_null(strstr(p.why, "kvm_hypercall"));
	plan("irqfd", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.start_event, "tracepoint:kvm:kvm_msi_set_irq");
	assert_string_equal(p.end_event, "tracepoint:kvm:kvm_vcpu_wakeup");
	plan("memlend", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.start_event, "tracepoint:kvm:kvm_page_fault");
}

static void test_fixture_vmx(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	enum ks_kvm_backend be;

	x86_kvm();
	module("kvm_intel");
	module("kvm_pvm");   /* loaded too, but VMs would use kvm_intel */
	plan("exits", &p, &be);
	assert_int_equal(be, KS_KVM_VMX);
	assert_true(p.available);
}

static void test_fixture_pvm(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	enum ks_kvm_backend be;

	x86_kvm();
	module("kvm_pvm");
	plan("exits", &p, &be);
	assert_int_equal(be, KS_KVM_PVM);
	assert_false(p.available);   /* no BTF in the fixture: no function to plan instead */
	assert_string_equal(p.why, "kvm_pvm: kvm:kvm_exit/kvm:kvm_entry exist but never fire under "
				   "PVM, and pvm_handle_exit is not in BTF (vmlinux, KVM modules)");
	plan("uexits", &p, NULL);
	assert_true(p.available);
	plan("hypercalls", &p, NULL);
	assert_false(p.available);
	assert_non_null(strstr(p.why, "PVM"));
	/* no BTF in the fixture: memlend has no fentry target */
	plan("memlend", &p, NULL);
	assert_false(p.available);
	btf_with_func("sys/kernel/btf/vmlinux", "kvm_mmu_page_fault");
	plan("memlend", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.start_event, "fentry:kvm_mmu_page_fault");
	assert_string_equal(p.end_event, "fexit:kvm_mmu_page_fault");
}

/* Where kvm_exit/kvm_entry never fire (PVM), exits and hypercalls come from
 * PVM's own functions, found through BTF and kallsyms: planned where fentry
 * can attach to them, else unavailable with the reason. */
static void test_fixture_pvm_functions(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	static const char *const fns[] = { "pvm_handle_exit", "pvm_handle_hypercall", NULL };

	x86_kvm();
	module("kvm_pvm");
	btf_with_funcs("sys/kernel/btf/vmlinux", fns);
	plan("exits", &p, NULL);   /* no kallsyms in the fixture: the trial would decide */
	assert_true(p.available);
	assert_string_equal(p.start_event, "fentry:pvm_handle_exit");
	assert_string_equal(p.end_event, "fexit:pvm_handle_exit");
	assert_non_null(strstr(p.why, "never fire under PVM"));
	assert_non_null(strstr(p.why, "exit_reason"));
	plan("hypercalls", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.start_event, "fentry:pvm_handle_hypercall");
	assert_string_equal(p.end_event, "fexit:pvm_handle_hypercall");
	/* kallsyms as on a kernel whose compiler made pvm_handle_hypercall an .isra copy */
	put_str("proc/kallsyms", "ffffffff81201c52 t pvm_handle_hypercall.isra.0.cold\n"
				 "ffffffff812fa570 t pvm_handle_hypercall.isra.0\n"
				 "ffffffff813009f0 t pvm_handle_exit\n"
				 "ffffffff813009f0 t pvm_handle_exit_irqoff\n");
	plan("exits", &p, NULL);
	assert_true(p.available);
	plan("hypercalls", &p, NULL);
	assert_false(p.available);
	assert_null(strstr(p.why, ".cold"));   /* the variant named is the shortest */
	assert_non_null(strstr(p.why, "exists only as pvm_handle_hypercall.isra.0 "));
	/* not in kallsyms at all (inlined) */
	put_str("proc/kallsyms", "ffffffff813009f0 t pvm_handle_exit_irqoff\n");
	plan("exits", &p, NULL);
	assert_false(p.available);
	assert_non_null(strstr(p.why, "not in /proc/kallsyms"));
}

/* Asked for them (ks_probe_host.functions), SVM and VMX plan their exit
 * handler too: what the testbed validates against the tracepoints. */
static void test_fixture_functions_asked(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	char tracing[300];

	x86_kvm();
	module("kvm_amd");
	btf_with_func("sys/kernel/btf/kvm_amd", "svm_handle_exit");   /* split BTF: no base */
	snprintf(tracing, sizeof(tracing), "%s/sys/kernel/tracing", root);
	struct ks_probe_host h = { .root = root, .tracefs = tracing, .functions = true };
	assert_int_equal(ks_probe_discover_host(&h, "exits", &p), 0);
	assert_false(p.available);   /* module BTF needs vmlinux's as its base */
	btf_with_func("sys/kernel/btf/vmlinux", "svm_handle_exit");
	assert_int_equal(ks_probe_discover_host(&h, "exits", &p), 0);
	assert_true(p.available);
	assert_string_equal(p.start_event, "fentry:svm_handle_exit");
	assert_string_equal(p.end_event, "fexit:svm_handle_exit");
	assert_int_equal(ks_probe_discover_host(&h, "hypercalls", &p), 0);
	assert_true(p.available);
	assert_string_equal(p.start_event, "fentry:svm_handle_exit");
	assert_non_null(strstr(p.why, "VMMCALL"));
	h.functions = false;   /* not asked: the tracepoints */
	assert_int_equal(ks_probe_discover_host(&h, "exits", &p), 0);
	assert_string_equal(p.start_event, "tracepoint:kvm:kvm_exit");
}

static void test_fixture_btf_other_func(void **state)
{
	(void)state;
	struct ks_probe_plan p;

	x86_kvm();
	module("kvm_pvm");
	btf_with_func("sys/kernel/btf/vmlinux", "kvm_mmu_page_faul");   /* a prefix: no match */
	plan("memlend", &p, NULL);
	assert_false(p.available);
}

static void test_fixture_arm64(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	enum ks_kvm_backend be;

	common_kvm();
	event("kvm", "kvm_exit", arm_exit);
	event("kvm", "kvm_entry", generic);
	event("kvm", "kvm_hvc_arm64", generic);
	event("kvm", "kvm_guest_fault", generic);
	plan("exits", &p, &be);
	assert_int_equal(be, KS_KVM_ARM64);
	assert_true(p.available);
	assert_non_null(strstr(p.why, "esr_ec"));
	assert_non_null(strstr(p.why, "perf kvm stat"));
	plan("hypercalls", &p, NULL);
	assert_true(p.available);
	assert_non_null(strstr(p.why, "kvm_hvc_arm64"));
	plan("irqfd", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.start_event, "tracepoint:kvm:kvm_set_irq");
	plan("memlend", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.start_event, "tracepoint:kvm:kvm_guest_fault");
}

static void test_fixture_gunyah(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	enum ks_kvm_backend be;

	common_kvm();
	put("proc/device-tree/hypervisor/compatible", "qcom,gunyah-hypervisor\0", 23);
	plan("exits", &p, &be);
	assert_int_equal(be, KS_KVM_GUNYAH);
	assert_false(p.available);
	assert_non_null(strstr(p.why, "Gunyah"));
	assert_non_null(strstr(p.why, "gunyah_hypercall_vcpu_run is not in BTF"));
	btf_with_func("sys/kernel/btf/vmlinux", "gunyah_hypercall_vcpu_run");
	plan("exits", &p, NULL);   /* the vcpu_run hypercall: return -> next call */
	assert_true(p.available);
	assert_string_equal(p.start_event, "fexit:gunyah_hypercall_vcpu_run");
	assert_string_equal(p.end_event, "fentry:gunyah_hypercall_vcpu_run");
	plan("uexits", &p, NULL);
	assert_true(p.available);
	plan("hypercalls", &p, NULL);
	assert_false(p.available);
	assert_non_null(strstr(p.why, "never reach KVM"));
	plan("irqfd", &p, NULL);   /* no available_filter_functions in the fixture */
	assert_false(p.available);
	assert_non_null(strstr(p.why, "kvm_set_irq"));
	put_str("sys/kernel/tracing/available_filter_functions",
		"gunyah_vcpu_run [gunyah]\ngunyah_hypercall_bell_send\ngunyah_handle_page_fault [gunyah]\n");
	plan("irqfd", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.start_event, "kprobe:gunyah_hypercall_bell_send");
	plan("memlend", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.start_event, "kprobe:gunyah_handle_page_fault");
	assert_string_equal(p.end_event, "kretprobe:gunyah_handle_page_fault");
}

/* The /hypervisor compatible decides Gunyah exactly or versioned, as
 * detect_arm64.c does: a string that merely contains "gunyah" does not. */
static void test_fixture_gunyah_compat_rule(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	enum ks_kvm_backend be;
	static const char versioned[] = "qcom,gunyah-hypervisor-1.0\0qcom,gunyah-hypervisor\0simple-bus";
	static const char plain[] = "gunyah-hypervisor";   /* unterminated: the last string may be */
	static const char other[] = "vendor,not-gunyah\0qcom,gunyah-hypervisorx\0simple-bus\0";

	common_kvm();
	event("kvm", "kvm_exit", arm_exit);
	event("kvm", "kvm_entry", generic);
	put("proc/device-tree/hypervisor/compatible", versioned, sizeof(versioned));
	plan("exits", &p, &be);
	assert_int_equal(be, KS_KVM_GUNYAH);
	put("proc/device-tree/hypervisor/compatible", plain, sizeof(plain) - 1);
	plan("exits", &p, &be);
	assert_int_equal(be, KS_KVM_GUNYAH);
	put("proc/device-tree/hypervisor/compatible", other, sizeof(other));
	plan("exits", &p, &be);
	assert_int_equal(be, KS_KVM_ARM64);   /* the substring rule said Gunyah */
	assert_true(p.available);
}

/* The host facts are an input: what the caller gives wins over what the
 * fallback detector would find. */
static void test_host_facts_given(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	char tracing[300];

	x86_kvm();
	module("kvm_intel");   /* the detector would say VMX */
	btf_with_func("sys/kernel/btf/vmlinux", "kvm_mmu_page_fault");
	snprintf(tracing, sizeof(tracing), "%s/sys/kernel/tracing", root);

	struct ks_probe_host h = { .backend = KS_KVM_PVM, .root = root };
	assert_int_equal(ks_probe_discover_host(&h, "exits", &p), 0);
	assert_false(p.available);
	assert_non_null(strstr(p.why, "never fire under PVM"));
	assert_int_equal(ks_probe_discover_host(&h, "memlend", &p), 0);
	assert_true(p.available);
	assert_string_equal(p.start_event, "fentry:kvm_mmu_page_fault");
	/* no BTF, says the caller: no fentry plan, though the file is there */
	h.btf = KS_BTF_ABSENT;
	assert_int_equal(ks_probe_discover_host(&h, "memlend", &p), 0);
	assert_false(p.available);
	assert_non_null(strstr(p.why, "not in BTF"));

	/* a tracefs directory given: read there, whatever the root */
	struct ks_probe_host t = { .backend = KS_KVM_VMX, .tracefs = tracing,
				   .root = "/nonexistent-root" };
	assert_int_equal(ks_probe_discover_host(&t, "exits", &p), 0);
	assert_true(p.available);
	assert_string_equal(p.start_event, "tracepoint:kvm:kvm_exit");

	/* set once for every later discovery (and the backends) */
	ks_probe_set_host(&h);
	assert_int_equal(ks_probe_host_backend(), KS_KVM_PVM);
	assert_int_equal(ks_probe_discover("exits", &p), 0);
	assert_false(p.available);
	assert_non_null(strstr(p.why, "PVM"));
	ks_probe_set_host(NULL);   /* back to detecting */

	/* nothing given: the fallback detector */
	struct ks_probe_host none = { .root = root };
	assert_int_equal(ks_probe_discover_host(&none, "exits", &p), 0);
	assert_true(p.available);
}

static void test_fixture_gunyah_without_dt(void **state)
{
	(void)state;
	struct ks_probe_plan p;

	common_kvm();   /* KVM and kvm_userspace_exit, but no kvm_exit */
	plan("exits", &p, NULL);
	assert_false(p.available);
	assert_non_null(strstr(p.why, "no kvm:kvm_exit"));
}

static void test_fixture_no_kvm(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	enum ks_kvm_backend be;

	for (int i = 0; ks_probe_names[i]; i++) {
		plan(ks_probe_names[i], &p, &be);
		assert_int_equal(be, KS_KVM_NONE);
		assert_false(p.available);
	}
	plan("exits", &p, NULL);
	assert_non_null(strstr(p.why, "KVM is not loaded"));
}

static void test_fixture_raw_syscalls(void **state)
{
	(void)state;
	struct ks_probe_plan p;

	module("kvm");
	module("kvm_amd");
	event("kvm", "kvm_userspace_exit", uexit);
	event("raw_syscalls", "sys_enter", raw_enter);
	plan("uexits", &p, NULL);
	assert_true(p.available);
	assert_string_equal(p.end_event, "tracepoint:raw_syscalls:sys_enter");
}

static void test_unknown_probe(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	assert_int_equal(ks_probe_discover_at(root, "nope", &p, NULL), -EINVAL);
	assert_false(p.available);
}

/* ------------------------------------------------------------ key names */

static void test_keys(void **state)
{
	(void)state;
	char k[KS_PROBE_KEY_LEN];

	ks_kvm_uexit_key(k, sizeof(k), 2, 0);
	assert_string_equal(k, "KVM_EXIT_IO");
	ks_kvm_uexit_key(k, sizeof(k), 6, 0);
	assert_string_equal(k, "KVM_EXIT_MMIO");
	ks_kvm_uexit_key(k, sizeof(k), 17, 0);
	assert_string_equal(k, "KVM_EXIT_INTERNAL_ERROR");
	ks_kvm_uexit_key(k, sizeof(k), 2, -EINTR);
	assert_string_equal(k, "KVM_RUN -EINTR");
	ks_kvm_uexit_key(k, sizeof(k), 999, 0);
	assert_string_equal(k, "KVM_EXIT_999");

	ks_x86_exit_key(k, sizeof(k), KS_X86_ISA_VMX, 30);
	assert_string_equal(k, "IO_INSTRUCTION");
	ks_x86_exit_key(k, sizeof(k), KS_X86_ISA_VMX, 0x80000021u);
	assert_string_equal(k, "INVALID_STATE FAILED_VMENTRY");
	ks_x86_exit_key(k, sizeof(k), KS_X86_ISA_SVM, 0x7b);
	assert_string_equal(k, "io");
	ks_x86_exit_key(k, sizeof(k), KS_X86_ISA_SVM, 0x400);
	assert_string_equal(k, "npf");
	ks_x86_exit_key(k, sizeof(k), KS_X86_ISA_SVM, 0x81);
	assert_string_equal(k, "hypercall");

	ks_arm64_exit_key(k, sizeof(k), 2, 0x16);
	assert_string_equal(k, "HVC64");
	ks_arm64_exit_key(k, sizeof(k), 2, 0x24);
	assert_string_equal(k, "DABT_LOW");
	ks_arm64_exit_key(k, sizeof(k), 0, 0);
	assert_string_equal(k, "IRQ");
	ks_arm64_exit_key(k, sizeof(k), (int32_t)0x80000002u, 0x01);   /* SError pending too */
	assert_string_equal(k, "WFx");
}

/* ------------------------------------------------------------ this system */

static bool have_tracefs(void)
{
	char dir[512], err[256];
	if (ks_tracefs_acquire(dir, sizeof(dir), err, sizeof(err)) < 0) {
		print_message("tracefs unavailable, skipping: %s\n", err);
		return false;
	}
	ks_tracefs_release();
	return true;
}

static bool exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static void test_this_system(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	enum ks_kvm_backend be;

	if (!have_tracefs())
		skip();
	int rc = ks_probe_discover_at(NULL, "exits", &p, &be);
	assert_int_equal(rc, 0);
	print_message("backend: %s; exits: %s (%s)\n", ks_kvm_backend_name(be),
		      p.available ? "available" : "unavailable", p.why);
	if (exists("/sys/module/kvm_pvm") && !exists("/sys/module/kvm_intel") &&
	    !exists("/sys/module/kvm_amd")) {
		assert_int_equal(be, KS_KVM_PVM);
		assert_false(p.available);
		assert_non_null(strstr(p.why, "never fire under PVM"));
	} else if (be == KS_KVM_VMX || be == KS_KVM_SVM) {
		assert_true(p.available);
	}

	/* ks_probe_discover() is the same thing for this system */
	struct ks_probe_plan q;
	assert_int_equal(ks_probe_discover("exits", &q), 0);
	assert_int_equal(q.available, p.available);
	assert_string_equal(q.why, p.why);

	assert_int_equal(ks_probe_discover("uexits", &p), 0);
	print_message("uexits: %s (%s)\n", p.available ? "available" : "unavailable", p.why);
	char ev[4200], dir[4096], err[256];
	/* the one way tracefs is found: where discovery looked */
	char located[4096];
	int mounted = ks_tracefs_locate(located, sizeof(located));
	assert_int_equal(ks_tracefs_acquire(dir, sizeof(dir), err, sizeof(err)), 0);
	snprintf(ev, sizeof(ev), "%s/events/kvm/kvm_userspace_exit", dir);
	bool have_uexit = exists(ev);
	if (ks_tracefs_mounted_by_us()) {   /* ours, which nobody else can see or find */
		char again[4096];
		int now = ks_tracefs_locate(again, sizeof(again));
		assert_int_equal(now, mounted);
		if (now == 0)
			assert_string_equal(again, located);
		assert_string_not_equal(again, dir);
	} else {   /* we may not mount: someone's tracefs, used as it is */
		assert_int_equal(mounted, 0);
		assert_string_equal(located, dir);
	}
	if (geteuid() == 0)   /* root mounts its own (fsmount), unless the kernel lacks it */
		print_message("tracefs: %s (%s)\n", dir,
			      ks_tracefs_mounted_by_us() ? "kvmscope's own" : "the system's");
	ks_tracefs_release();
	assert_false(ks_tracefs_mounted_by_us());
	if (have_uexit) {
		assert_true(p.available);
		assert_string_equal(p.start_event, "tracepoint:kvm:kvm_userspace_exit");
	}
	/* every probe gets an answer */
	for (int i = 0; ks_probe_names[i]; i++) {
		assert_int_equal(ks_probe_discover(ks_probe_names[i], &p), 0);
		assert_true(p.why[0] != 0);
	}
}

/* Discovery never over-promises: every probe it calls available here
 * attaches with a backend (it was tried), and one it found refused says so. */
static void test_available_attaches(void **state)
{
	(void)state;
	const struct ks_probe_backend *const backends[] = { &ks_probe_bpf, &ks_probe_tracefs };
	char why[256], err[512];
	int usable = 0;

	if (!have_tracefs() || geteuid() != 0)
		skip();
	for (int k = 0; k < 2; k++)
		usable += backends[k]->usable(why, sizeof(why));
	if (!usable) {
		print_message("no probe backend usable, skipping\n");
		skip();
	}
	for (int i = 0; ks_probe_names[i]; i++) {
		struct ks_probe_plan p;
		assert_int_equal(ks_probe_discover(ks_probe_names[i], &p), 0);
		print_message("%s: %s (%s)\n", p.probe, p.available ? "available" : "unavailable",
			      p.why);
		if (!p.available) {
			/* a plan the files allowed but no backend took says what they said */
			if (p.start_event[0] && strstr(p.why, "refused when tried"))
				assert_true(strstr(p.why, "bpf: ") || strstr(p.why, "tracefs: "));
			continue;
		}
		bool attached = false;
		for (int k = 0; k < 2 && !attached; k++) {
			void *st = NULL;
			if (!backends[k]->usable(why, sizeof(why)))
				continue;
			if (backends[k]->start(&p, getpid(), &st, err, sizeof(err)) == 0) {
				backends[k]->stop(st);
				attached = true;
			} else {
				print_message("  %s: %s\n", backends[k]->name, err);
			}
		}
		assert_true(attached);
	}
	/* untried: the kernel's files only (what discovery said before it tried) */
	struct ks_probe_host h = { .untried = true };
	struct ks_probe_plan p;
	assert_int_equal(ks_probe_discover_host(&h, "uexits", &p), 0);
}

/* The tracefs backend: start, snapshot, stop twice; the instance must be gone. */
static void test_tracefs_lifecycle(void **state)
{
	(void)state;
	struct ks_probe_plan p;
	char why[256], err[256];

	if (!have_tracefs() || geteuid() != 0)
		skip();
	if (!ks_probe_tracefs.usable(why, sizeof(why))) {
		print_message("tracefs backend unusable, skipping: %s\n", why);
		skip();
	}
	assert_int_equal(ks_probe_discover("uexits", &p), 0);
	if (!p.available)
		skip();
	void *st = NULL;
	int rc = ks_probe_tracefs.start(&p, getpid(), &st, err, sizeof(err));
	if (rc < 0)
		print_message("start: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(st);

	char dir[512], inst[700];
	assert_int_equal(ks_tracefs_acquire(dir, sizeof(dir), err, sizeof(err)), 0);
	struct stat ns;
	assert_int_equal(stat("/proc/self/ns/pid", &ns), 0);
	snprintf(inst, sizeof(inst), "%s/instances/kvmscope-%d-uexits-0-ns%llu", dir, (int)getpid(),
		 (unsigned long long)ns.st_ino);
	assert_true(exists(inst));

	struct ks_probe_snapshot s;
	assert_int_equal(ks_probe_tracefs.snapshot(st, &s), 0);
	assert_int_equal(s.nkeys, 0);   /* no VM here */
	assert_int_equal(s.lost, 0);
	ks_probe_snapshot_free(&s);

	ks_probe_tracefs.stop(st);
	ks_probe_tracefs.stop(st);   /* idempotent */
	ks_probe_tracefs.stop(NULL);
	assert_false(exists(inst));
	ks_tracefs_release();

	/* probes the tracefs backend doesn't implement yet say so */
	struct ks_probe_plan h = { .probe = "irqfd", .available = true,
				   .start_event = "tracepoint:kvm:kvm_set_irq",
				   .end_event = "tracepoint:kvm:kvm_vcpu_wakeup" };
	st = NULL;
	assert_true(ks_probe_tracefs.start(&h, 0, &st, err, sizeof(err)) < 0);
	assert_null(st);
	assert_non_null(strstr(err, "not implemented in the tracefs backend yet"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fixture_svm, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_vmx, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_pvm, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_btf_other_func, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_pvm_functions, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_functions_asked, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_arm64, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_gunyah, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_gunyah_without_dt, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_gunyah_compat_rule, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_host_facts_given, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_no_kvm, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_raw_syscalls, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_probe, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_this_system),
		cmocka_unit_test(test_available_attaches),
		cmocka_unit_test(test_tracefs_lifecycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
