/* SPDX-License-Identifier: MIT */
/*
 * Host facts from a fixture root (a made-up /proc and /sys): tracefs and
 * BTF found as `kvmscope info` describes them, the KVM modules' parameters
 * sorted by module then name, the kernel command line and CPU model; the
 * backend vocabulary both ways, and its mapping to probe discovery's enum.
 * Then this system's facts, collected once, written by the one environment
 * writer that the results file and `info --json` share.
 */
#define _GNU_SOURCE
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

#include "bench.h"
#include "host_facts_discovery.h"
#include "json_writer.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char p[256], dir[320];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(dir), 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_root(void **state)
{
	snprintf(root, sizeof(root), "%s/ks-facts.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_fixture(void **state)
{
	struct ks_host_facts f;

	put("/proc/cmdline", "console=ttyS0 kvm.halt_poll_ns=0\n");
	put("/proc/cpuinfo", "processor\t: 0\nmodel name\t: Made-up CPU @ 2.00GHz\n");
	put("/sys/kernel/tracing/events/kvm/enable", "0\n");
	put("/sys/kernel/btf/vmlinux", "BTF");
	put("/sys/module/kvm/parameters/tdp_mmu", "Y\n");
	put("/sys/module/kvm/parameters/halt_poll_ns", "0\n");
	put("/sys/module/kvm_pvm/parameters/nested", "1\n");
	put("/sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n");
	ks_host_facts_collect(&f, root);
	assert_string_equal(f.kernel.cmdline, "console=ttyS0 kvm.halt_poll_ns=0");
	assert_string_equal(f.cpu.model, "Made-up CPU @ 2.00GHz");
	assert_false(f.cpu.has_max_freq);
	assert_string_equal(f.tracing.dir, "/sys/kernel/tracing");
	assert_string_equal(f.tracing.state, "mounted at /sys/kernel/tracing");
	assert_true(f.tracing.kvm_events);
	assert_true(f.tracing.btf_vmlinux);
	assert_string_equal(f.clocksource, "tsc");
	/* by module in ks_kvm_modules order, then by name */
	assert_int_equal(f.nparams, 3);
	assert_string_equal(f.params[0].name, "halt_poll_ns");
	assert_string_equal(f.params[1].name, "tdp_mmu");
	assert_string_equal(f.params[2].module, "kvm_pvm");
	assert_string_equal(ks_host_facts_param(&f, "kvm", "halt_poll_ns"), "0");
	assert_null(ks_host_facts_param(&f, "kvm_intel", "ept"));
	assert_true(ks_host_facts_module(&f, "kvm"));
	assert_true(ks_host_facts_module(&f, "kvm_pvm"));
	assert_false(ks_host_facts_module(&f, "kvm_intel"));
	assert_false(ks_host_facts_module(&f, "gunyah"));
	assert_false(ks_host_facts_module(&f, "not_a_hypervisor"));
	assert_int_equal(f.backend.id, KS_BACKEND_UNKNOWN);   /* the probe's job */
	ks_host_facts_free(&f);

	/* no tracefs mounted, the mount point there */
	char p[256];
	snprintf(p, sizeof(p), "rm -rf '%s/sys/kernel/tracing'/* '%s/sys/kernel/btf'", root, root);
	assert_int_equal(system(p), 0);
	ks_host_facts_collect(&f, root);
	assert_string_equal(f.tracing.dir, "");
	assert_string_equal(f.tracing.state,
			    "not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
	assert_false(f.tracing.kvm_events);
	assert_false(f.tracing.btf_vmlinux);
	ks_host_facts_free(&f);

	/* the mount table decides, as in probe discovery: tracefs where it is
	 * mounted, else tracing/ under debugfs; one without events/ is unreadable */
	put("/proc/mounts", "sysfs /sys sysfs rw 0 0\n"
			    "tracefs /mnt/tr tracefs rw 0 0\n"
			    "debugfs /sys/kernel/debug debugfs rw 0 0\n");
	put("/sys/kernel/debug/tracing/events/kvm/enable", "0\n");
	ks_host_facts_collect(&f, root);
	assert_string_equal(f.tracing.dir, "/sys/kernel/debug/tracing");
	assert_string_equal(f.tracing.state, "mounted at /sys/kernel/debug/tracing");
	assert_true(f.tracing.kvm_events);
	ks_host_facts_free(&f);
	put("/proc/mounts", "tracefs /mnt/tr tracefs rw 0 0\n");
	ks_host_facts_collect(&f, root);
	assert_string_equal(f.tracing.dir, "");
	assert_string_equal(f.tracing.state, "mounted, but its events/ cannot be read by this user");
	ks_host_facts_free(&f);
}

static void test_vocabulary(void **state)
{
	for (int i = 0; i < KS_BACKEND_COUNT; i++) {
		enum ks_backend_id id = (enum ks_backend_id)i;
		assert_int_equal(ks_backend_from_name(ks_backend_name(id)), id);
		assert_true(ks_backend_label(id)[0]);
	}
	assert_string_equal(ks_backend_name(KS_BACKEND_KVM_NVHE), "kvm-nvhe");
	assert_string_equal(ks_backend_name(KS_BACKEND_COUNT), "unknown");
	assert_int_equal(ks_backend_from_name("xen"), KS_BACKEND_UNKNOWN);
	assert_int_equal(ks_backend_from_name(NULL), KS_BACKEND_UNKNOWN);
	/* what discovery would be told */
	assert_int_equal(ks_kvm_backend_of(KS_BACKEND_PVM), KS_KVM_PVM);
	assert_int_equal(ks_kvm_backend_of(KS_BACKEND_KVM_PROTECTED), KS_KVM_ARM64);
	assert_int_equal(ks_kvm_backend_of(KS_BACKEND_KVM_GUNYAH), KS_KVM_GUNYAH);
	/* /dev/gunyah: no KVM, no kvm events for the probes */
	assert_int_equal(ks_kvm_backend_of(KS_BACKEND_GUNYAH), KS_KVM_NONE);
	assert_string_equal(ks_backend_name(KS_BACKEND_KVM_GUNYAH), "kvm-gunyah");
	assert_string_equal(ks_backend_name(KS_BACKEND_GUNYAH), "gunyah");
	assert_int_equal(ks_kvm_backend_of(KS_BACKEND_UNKNOWN), KS_KVM_DETECT);
	assert_string_equal(ks_backend_label(KS_BACKEND_SVM),
			    ks_kvm_backend_name(ks_kvm_backend_of(KS_BACKEND_SVM)));
}

/* This system, through the writer results files and `info --json` share. */
static void test_environment_writer(void **state)
{
	struct ks_host h;
	char *buf = NULL;
	size_t len = 0;

	memset(&h, 0, sizeof(h));
	ks_host_facts_collect(&h.facts, NULL);
	h.kvm_err[0] = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	jw_t *w = jw_new(f, 0);
	jw_begin_object(w);
	ks_json_environment(w, &h);
	jw_end_object(w);
	assert_int_equal(jw_finish(w), 0);
	fclose(f);
	static const char *const keys[] = { "\"arch\"", "\"hostname\"", "\"kernel\"", "\"cpu\"",
					    "\"backend\"", "\"kvm\"", "\"module_parameters\"",
					    "\"clock\"", "\"memory\"", "\"tracing\"" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strstr(buf, keys[i]))
			fail_msg("the environment lacks %s: %s", keys[i], buf);
	free(buf);
	ks_host_facts_free(&h.facts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fixture, setup_root, remove_root),
		cmocka_unit_test(test_vocabulary),
		cmocka_unit_test(test_environment_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
