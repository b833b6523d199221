/* SPDX-License-Identifier: MIT */
/*
 * probe_overhead's bpftrace driver (bench/benches/bpftrace.c) without
 * bpftrace: the one-liners it writes, how it finds bpftrace, and its
 * start/stop protocol against stand-in scripts that behave like bpftrace
 * (attach lines, SIGINT, "@spans: N") or misbehave (fail before attaching,
 * ignore SIGINT). The real bpftrace runs in the x86 testbed test
 * (tests/probe-overhead).
 */
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

#include "arch.h"
#include "bpftrace.h"

static struct ks_probe_plan plan(const char *probe, const char *start, const char *end)
{
	struct ks_probe_plan p;
	memset(&p, 0, sizeof(p));
	p.probe = probe;
	p.available = true;
	snprintf(p.start_event, sizeof(p.start_event), "%s", start);
	snprintf(p.end_event, sizeof(p.end_event), "%s", end);
	return p;
}

static void test_program_uexits(void **state)
{
	struct ks_probe_plan p = plan("uexits", "tracepoint:kvm:kvm_userspace_exit",
				      "tracepoint:syscalls:sys_enter_ioctl");
	char prog[1024], why[256];

	(void)state;
	assert_true(ks_bpftrace_program(&p, 1234, prog, sizeof(prog), why, sizeof(why)));
	assert_non_null(strstr(prog, "tracepoint:kvm:kvm_userspace_exit /pid == 1234/ { "
				     "@start[tid] = nsecs; @reason[tid] = args->reason; }"));
	assert_non_null(strstr(prog, "tracepoint:syscalls:sys_enter_ioctl /pid == 1234 && "
				     "args->cmd == 0xae80 && @start[tid]/"));
	assert_non_null(strstr(prog, "@uexit_ns[@reason[tid]] = hist(nsecs - @start[tid])"));
	assert_non_null(strstr(prog, "@spans = count();"));
	assert_non_null(strstr(prog, "END { clear(@start); clear(@reason); }"));

	p = plan("uexits", "tracepoint:kvm:kvm_userspace_exit", "tracepoint:raw_syscalls:sys_enter");
	assert_true(ks_bpftrace_program(&p, 7, prog, sizeof(prog), why, sizeof(why)));
	assert_non_null(strstr(prog, "tracepoint:raw_syscalls:sys_enter /pid == 7 && args->id == "));
	assert_non_null(strstr(prog, "args->args[1] == 0xae80"));
}

static void test_program_exits_and_none(void **state)
{
	struct ks_probe_plan p = plan("exits", "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
	char prog[1024], why[256] = "";

	(void)state;
	assert_true(ks_bpftrace_program(&p, 42, prog, sizeof(prog), why, sizeof(why)));
	assert_non_null(strstr(prog, "tracepoint:kvm:kvm_exit /pid == 42/"));
	assert_non_null(strstr(prog, "tracepoint:kvm:kvm_entry /pid == 42 && @start[tid]/"));
	assert_non_null(strstr(prog, "@exit_ns["));

	/* hypercalls: kvm_exit with the arch's hypercall reason as predicate */
	p = plan("hypercalls", "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
	assert_true(ks_bpftrace_program(&p, 42, prog, sizeof(prog), why, sizeof(why)));
	char want[256];
	snprintf(want, sizeof(want), "tracepoint:kvm:kvm_exit /pid == 42 && %s/",
		 ks_arch.bpftrace_hypercall_exit);
	assert_non_null(strstr(prog, want));
	assert_non_null(strstr(prog, "@hc_ns["));

	/* memlend: the fault event the plan names -> kvm_entry */
	p = plan("memlend", "tracepoint:kvm:kvm_page_fault", "tracepoint:kvm:kvm_entry");
	assert_true(ks_bpftrace_program(&p, 42, prog, sizeof(prog), why, sizeof(why)));
	assert_non_null(strstr(prog, "tracepoint:kvm:kvm_page_fault /pid == 42/"));
	assert_non_null(strstr(prog, "@fault_ns["));

	/* irqfd pairs its stages across threads: no one-liner; nor a plan
	 * made of functions */
	p = plan("irqfd", "tracepoint:kvm:kvm_msi_set_irq", "tracepoint:kvm:kvm_vcpu_wakeup");
	assert_false(ks_bpftrace_program(&p, 42, prog, sizeof(prog), why, sizeof(why)));
	assert_non_null(strstr(why, "no bpftrace one-liner for the irqfd probe"));
	p = plan("memlend", "fentry:kvm_mmu_page_fault", "fexit:kvm_mmu_page_fault");
	assert_false(ks_bpftrace_program(&p, 42, prog, sizeof(prog), why, sizeof(why)));
}

static void test_find(void **state)
{
	char path[4096], why[512] = "";
	char *old_path = strdup(getenv("PATH") ? getenv("PATH") : "");

	(void)state;
	setenv(KS_BPFTRACE_ENV, "/nonexistent/bpftrace", 1);
	assert_false(ks_bpftrace_find(path, sizeof(path), why, sizeof(why)));
	assert_non_null(strstr(why, "KVMSCOPE_BPFTRACE=/nonexistent/bpftrace is not an executable"));

	setenv(KS_BPFTRACE_ENV, "/bin/sh", 1);
	assert_true(ks_bpftrace_find(path, sizeof(path), why, sizeof(why)));
	assert_string_equal(path, "/bin/sh");

	unsetenv(KS_BPFTRACE_ENV);
	setenv("PATH", "/nonexistent", 1);
	assert_false(ks_bpftrace_find(path, sizeof(path), why, sizeof(why)));
	assert_non_null(strstr(why, "none in PATH (/nonexistent)"));
	setenv("PATH", old_path, 1);
	free(old_path);
}

/* A stand-in bpftrace: a shell script in a temporary directory. */
static char *script(const char *body)
{
	char tmpl[] = "/tmp/ks-fake-bpftrace.XXXXXX";
	int fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(tmpl, 0755);
	return strdup(tmpl);
}

static void test_start_stop(void **state)
{
	/* attach lines like bpftrace's (the notification only when asked for),
	 * then wait; SIGINT prints the maps and exits 0 */
	char *bt = script("trap 'echo \"@spans: 42\"; echo; echo \"@uexit_ns[18]:\"; exit 0' INT\n"
			  "echo 'Attaching 3 probes...'\n"
			  "[ -n \"$__BPFTRACE_NOTIFY_PROBES_ATTACHED\" ] && "
			  "echo __BPFTRACE_NOTIFY_PROBES_ATTACHED\n"
			  "while :; do sleep 0.05; done");
	struct ks_bpftrace *t = calloc(1, sizeof(*t));
	char err[512] = "";
	uint64_t spans = 0;

	(void)state;
	assert_int_equal(ks_bpftrace_start(t, bt, "prog", 10, err, sizeof(err)), 0);
	assert_true(t->notified);
	assert_true(t->attach_s > 0 && t->attach_s < 10);
	assert_int_equal(ks_bpftrace_stop(t, 10, &spans, err, sizeof(err)), 0);
	assert_int_equal(spans, 42);
	assert_int_equal(t->pid, -1);
	unlink(bt);
	free(bt);
	free(t);
}

static void test_fails_before_attach(void **state)
{
	char *bt = script("echo 'ERROR: Could not resolve symbol: kvm_userspace_exit'; exit 1");
	struct ks_bpftrace *t = calloc(1, sizeof(*t));
	char err[512] = "";

	(void)state;
	assert_int_equal(ks_bpftrace_start(t, bt, "prog", 10, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bpftrace ended (exit status 1) before attaching: ERROR: "
				    "Could not resolve symbol"));
	unlink(bt);
	free(bt);
	free(t);
}

/* bpftrace 0.17 misses a SIGINT that does not interrupt its epoll_wait(): the
 * driver sends another until it exits. The maps printed at exit hold the
 * count (the last @spans line wins). */
static void test_missed_sigint(void **state)
{
	char *bt = script("n=0\n"
			  "trap 'n=$((n + 1)); [ $n -ge 2 ] && { echo \"@spans: 0\"; "
			  "echo \"@spans: 5\"; exit 0; }' INT\n"
			  "echo __BPFTRACE_NOTIFY_PROBES_ATTACHED\n"
			  "while :; do sleep 0.05; done");
	struct ks_bpftrace *t = calloc(1, sizeof(*t));
	char err[512] = "";
	uint64_t spans = 0;

	(void)state;
	assert_int_equal(ks_bpftrace_start(t, bt, "prog", 10, err, sizeof(err)), 0);
	assert_int_equal(ks_bpftrace_stop(t, 10, &spans, err, sizeof(err)), 0);
	assert_int_equal(spans, 5);
	unlink(bt);
	free(bt);
	free(t);
}

static void test_ignores_sigint(void **state)
{
	char *bt = script("trap '' INT\necho __BPFTRACE_NOTIFY_PROBES_ATTACHED\n"
			  "while :; do sleep 0.05; done");
	struct ks_bpftrace *t = calloc(1, sizeof(*t));
	char err[512] = "";
	uint64_t spans = 7;

	(void)state;
	assert_int_equal(ks_bpftrace_start(t, bt, "prog", 10, err, sizeof(err)), 0);
	assert_int_equal(ks_bpftrace_stop(t, 0.5, &spans, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "did not exit within 0.5 s of SIGINT (1 sent; killed)"));
	assert_int_equal(spans, 0);
	unlink(bt);
	free(bt);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_uexits),
		cmocka_unit_test(test_program_exits_and_none),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_start_stop),
		cmocka_unit_test(test_fails_before_attach),
		cmocka_unit_test(test_missed_sigint),
		cmocka_unit_test(test_ignores_sigint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
