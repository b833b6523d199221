/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_detect.c - unit tests for bench/vmm/arm64/detect_arm64.{h,c}.
 *
 * Evidence comes from FIXTURE files in tests/fixtures/arm64/ (see its
 * README: written for these tests, not captured from boards) and from
 * inline strings for the contradiction, garbage and size cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect_arm64.h"

#ifndef KS_FIXTURES_DIR
#error "KS_FIXTURES_DIR must name tests/fixtures/arm64"
#endif

/* --- helpers ------------------------------------------------------------ */

/* Read a fixture; the buffer is NUL-terminated (not counted in *len). */
static char *fixture(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", KS_FIXTURES_DIR, name);
	f = fopen(path, "rb");
	if (!f) {
		print_error("cannot open fixture %s\n", path);
		fail();
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static struct ks_arm64_evidence ev(int api)
{
	struct ks_arm64_evidence e;

	memset(&e, 0, sizeof(e));
	e.api_version = api;
	return e;
}

/* Every result must be well-formed, whatever the input. */
static void check_sane(const struct ks_arm64_backend *b)
{
	static const char *const names[] = {
		KS_ARM64_KVM_VHE, KS_ARM64_KVM_NVHE, KS_ARM64_KVM_PROTECTED,
		KS_ARM64_KVM_GUNYAH, KS_ARM64_GUNYAH, KS_ARM64_NO_EL2, KS_ARM64_UNKNOWN,
	};
	int ok = 0;

	assert_true(strnlen(b->name, sizeof(b->name)) < sizeof(b->name));
	assert_true(strnlen(b->detail, sizeof(b->detail)) < sizeof(b->detail));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok |= strcmp(b->name, names[i]) == 0;
	if (!ok) {
		print_error("bad backend name '%s'\n", b->name);
		fail();
	}
	assert_true(b->confidence >= 0);
	if (strcmp(b->name, KS_ARM64_UNKNOWN) != 0)
		assert_true(b->confidence >= 1);
	/* detail is printable ASCII */
	for (const char *p = b->detail; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

static struct ks_arm64_backend classify(const struct ks_arm64_evidence *e)
{
	struct ks_arm64_backend b;

	memset(&b, 0x5a, sizeof(b)); /* classify must overwrite everything */
	ks_arm64_classify(e, &b);
	check_sane(&b);
	return b;
}

#define assert_name(b, n) assert_string_equal((b).name, (n))
#define assert_detail_has(b, s) do { \
	if (!strstr((b).detail, (s))) { \
		print_error("detail '%s' lacks '%s'\n", (b).detail, (s)); \
		fail(); \
	} } while (0)
#define assert_detail_lacks(b, s) do { \
	if (strstr((b).detail, (s))) { \
		print_error("detail '%s' has '%s'\n", (b).detail, (s)); \
		fail(); \
	} } while (0)

/* --- Gunyah -------------------------------------------------------------- */

/*
 * The two fronts over one Gunyah: its own driver's /dev/gunyah ("gunyah")
 * and KVM fronting it ("kvm-gunyah"). What the Gunyah QEMU testbed's HLOS
 * shows (tests/qemu-gunyah/README.md): /dev/gunyah, the RM's /hypervisor
 * compatible, "CPU: All CPU(s) started at EL1", "HYP mode not available",
 * no /dev/kvm, and Gunyah's UID in a guest.
 */
static const char testbed_compat[] = "qcom,gunyah-hypervisor-1.0\0qcom,gunyah-hypervisor\0simple-bus";
static const char testbed_log[] = "CPU: All CPU(s) started at EL1\n"
				  "kvm [1]: HYP mode not available\n";

static void test_gunyah_front(void **state)
{
	struct ks_arm64_evidence e = ev(-1);
	struct ks_arm64_backend b;

	(void)state;
	e.front_gunyah = 1;
	e.gunyah_dev = "/dev/gunyah (char 10:124)";
	e.dt_hyp_compat = testbed_compat;
	e.dt_hyp_compat_len = sizeof(testbed_compat);
	e.bootlog = testbed_log;
	b = classify(&e);
	assert_name(b, KS_ARM64_GUNYAH);
	assert_detail_has(b, "/dev/gunyah (char 10:124)");
	assert_detail_has(b, "DT /hypervisor 'qcom,gunyah-hypervisor-1.0'");
	assert_detail_lacks(b, "/dev/kvm unusable");   /* not the device driven */
	assert_int_equal(b.confidence, 2);
	e.guest_uid = KS_ARM64_UID_GUNYAH;
	b = classify(&e);
	assert_name(b, KS_ARM64_GUNYAH);
	assert_detail_has(b, "guest UID is Gunyah's");
	assert_int_equal(b.confidence, 3);

	/* the same board through /dev/kvm: the port (API 13) */
	e.front_gunyah = 0;
	e.api_version = 13;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	assert_detail_has(b, "API 13");
	assert_detail_has(b, "/dev/gunyah (char 10:124)");

	/* /dev/kvm asked for where there is none: still Gunyah's, through KVM */
	e.api_version = -1;
	e.guest_uid = NULL;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	assert_detail_has(b, "/dev/kvm unusable");
}

/* /dev/gunyah opened, yet everything else says native KVM: contradiction
 * shown, not hidden. */
static void test_gunyah_front_contradicted(void **state)
{
	struct ks_arm64_evidence e = ev(-1);
	struct ks_arm64_backend b;

	(void)state;
	e.front_gunyah = 1;
	e.gunyah_dev = "/dev/gunyah (char 10:124)";
	e.bootlog = "CPU: All CPU(s) started at EL2\nkvm [1]: VHE mode initialized successfully\n";
	e.guest_uid = KS_ARM64_UID_KVM;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_VHE);
	assert_detail_has(b, "CONTRADICTED by: /dev/gunyah (char 10:124)");
}

static void test_gunyah_all_evidence(void **state)
{
	struct ks_arm64_evidence e = ev(13);
	struct ks_arm64_backend b;
	char *compat, *log;
	size_t clen;

	(void)state;
	compat = fixture("fixture-gunyah-hypervisor-compatible.bin", &clen);
	log = fixture("fixture-gunyah-rb3gen2-dmesg.txt", NULL);
	e.dt_hyp_compat = compat;
	e.dt_hyp_compat_len = clen;
	e.bootlog = log;
	e.cmdline = "root=/dev/sda1 rw console=ttyMSM0,115200n8";
	e.guest_uid = KS_ARM64_UID_GUNYAH;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	/* API 13, DT, two boot lines, guest UID */
	assert_int_equal(b.confidence, 5);
	assert_detail_has(b, "API 13");
	assert_detail_has(b, "qcom,gunyah-hypervisor");
	assert_detail_has(b, "Running under Gunyah");
	assert_detail_has(b, "KVM for Gunyah");
	assert_detail_has(b, "guest UID");
	/* Linux at EL1 is consistent with Gunyah, not a contradiction */
	assert_detail_has(b, "consistent");
	assert_detail_lacks(b, "CONTRADICTED");
	free(compat);
	free(log);
}

static void test_gunyah_single_pieces(void **state)
{
	struct ks_arm64_evidence e;
	struct ks_arm64_backend b;
	char *compat;
	size_t clen;

	(void)state;
	/* API version alone */
	e = ev(13);
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	assert_int_equal(b.confidence, 1);

	/* DT alone (new and old compatible names) */
	e = ev(-1);
	compat = fixture("fixture-gunyah-hypervisor-compatible.bin", &clen);
	e.dt_hyp_compat = compat;
	e.dt_hyp_compat_len = clen;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	assert_int_equal(b.confidence, 1);
	assert_detail_has(b, "/dev/kvm unusable");
	free(compat);

	compat = fixture("fixture-gunyah-hypervisor-compatible-old.bin", &clen);
	e.dt_hyp_compat = compat;
	e.dt_hyp_compat_len = clen;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	free(compat);

	/* bare "qcom,gunyah-hypervisor" with no trailing NUL */
	e.dt_hyp_compat = "qcom,gunyah-hypervisor";
	e.dt_hyp_compat_len = strlen("qcom,gunyah-hypervisor");
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);

	/* each boot line alone */
	e = ev(-1);
	e.bootlog = "[    0.2] Running under Gunyah hypervisor 48/v1\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	e.bootlog = "KVM for Gunyah is available!";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);

	/* guest UID alone, upper case, braces, spaces */
	e = ev(-1);
	e.guest_uid = " {C1D58FCD-A453-5FDB-9265-CE36673D5F14}\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	assert_int_equal(b.confidence, 1);
}

static void test_gunyah_with_no_hyp_line(void **state)
{
	struct ks_arm64_evidence e = ev(13);
	struct ks_arm64_backend b;

	(void)state;
	e.bootlog = "kvm [1]: HYP mode not available\nKVM for Gunyah is available!\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	assert_int_equal(b.confidence, 2);
	assert_detail_has(b, "consistent");
	assert_detail_lacks(b, "CONTRADICTED");
}

/* --- native KVM modes ----------------------------------------------------- */

static void test_vhe(void **state)
{
	struct ks_arm64_evidence e = ev(12);
	struct ks_arm64_backend b;
	char *log = fixture("fixture-vhe-dmesg.txt", NULL);

	(void)state;
	e.bootlog = log;
	e.guest_uid = KS_ARM64_UID_KVM;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_VHE);
	/* API 12, mode line, EL2 line, KVM UID */
	assert_int_equal(b.confidence, 4);
	assert_detail_has(b, "VHE mode initialized successfully");
	assert_detail_lacks(b, "CONTRADICTED");
	free(log);
}

static void test_nvhe(void **state)
{
	struct ks_arm64_evidence e = ev(12);
	struct ks_arm64_backend b;
	char *log = fixture("fixture-nvhe-dmesg.txt", NULL);
	char *cl = fixture("fixture-nvhe-cmdline.txt", NULL);

	(void)state;
	e.bootlog = log;
	e.cmdline = cl;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_NVHE);
	assert_int_equal(b.confidence, 3);
	assert_detail_has(b, "Hyp nVHE");
	/* the log decided; the agreeing cmdline is not counted or mentioned */
	assert_detail_lacks(b, "cmdline");
	free(log);
	free(cl);

	log = fixture("fixture-nvhe-old-dmesg.txt", NULL);
	e = ev(12);
	e.bootlog = log;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_NVHE);
	assert_detail_has(b, "Hyp mode initialized");
	free(log);

	/* hVHE (nVHE hyp with E2H set) counts as nVHE */
	e = ev(12);
	e.bootlog = "[    0.1] kvm [1]: Hyp hVHE mode initialized successfully\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_NVHE);
}

static void test_protected(void **state)
{
	struct ks_arm64_evidence e = ev(12);
	struct ks_arm64_backend b;
	char *log = fixture("fixture-protected-dmesg.txt", NULL);
	char *cl = fixture("fixture-protected-cmdline.txt", NULL);

	(void)state;
	e.bootlog = log;
	e.cmdline = cl;
	b = classify(&e);
	/* "Protected nVHE mode ..." contains "VHE mode ..." but is not VHE */
	assert_name(b, KS_ARM64_KVM_PROTECTED);
	assert_int_equal(b.confidence, 3);
	free(log);
	free(cl);
}

static void test_no_el2(void **state)
{
	struct ks_arm64_evidence e = ev(-1);
	struct ks_arm64_backend b;
	char *log = fixture("fixture-no-el2-dmesg.txt", NULL);

	(void)state;
	e.bootlog = log;
	b = classify(&e);
	assert_name(b, KS_ARM64_NO_EL2);
	assert_int_equal(b.confidence, 2);
	assert_detail_has(b, "HYP mode not available");
	free(log);
}

static void test_mode_word_boundary(void **state)
{
	struct ks_arm64_evidence e = ev(-1);
	struct ks_arm64_backend b;

	(void)state;
	e.bootlog = "xVHE mode initialized successfully\nfooVHE mode initialized successfully";
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	e.bootlog = "VHE mode initialized successfully"; /* at the very start */
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_VHE);
	e.bootlog = "<6>[    0.037683] kvm [1]: VHE mode initialized successfully\r\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_VHE);
}

/* --- command line: weak evidence ----------------------------------------- */

static void test_cmdline_fallback(void **state)
{
	struct ks_arm64_evidence e = ev(12);
	struct ks_arm64_backend b;
	char *cl = fixture("fixture-nvhe-cmdline.txt", NULL);

	(void)state;
	/* no boot log at all */
	e.cmdline = cl;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_NVHE);
	assert_int_equal(b.confidence, 2);
	assert_detail_has(b, "kvm-arm.mode=nvhe");
	assert_detail_has(b, "boot log unavailable");
	assert_detail_has(b, "may have refused");
	assert_detail_has(b, "mode from cmdline only");
	free(cl);

	/* a boot log without a mode line (ring buffer wrapped) */
	e.bootlog = "[ 9999.1] usb 1-1: new high-speed USB device\n";
	e.cmdline = "ro kvm_arm.mode=protected"; /* '_' and '-' are equivalent */
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_PROTECTED);
	assert_detail_has(b, "no KVM mode line");

	/* the last occurrence wins, as in the kernel */
	e.bootlog = NULL;
	e.cmdline = "kvm-arm.mode=protected kvm-arm.mode=nvhe";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_NVHE);

	/* id_aa64mmfr1.vh=0 forces nVHE */
	e.cmdline = "id_aa64mmfr1.vh=0";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_NVHE);

	/* kvm-arm.mode=none: KVM off, and nothing to classify by */
	e = ev(-1);
	e.cmdline = "kvm-arm.mode=none";
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	assert_detail_has(b, "kvm-arm.mode=none");

	/* nonsense value */
	e.cmdline = "kvm-arm.mode=turbo";
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	assert_detail_has(b, "not understood");
}

static void test_cmdline_refused(void **state)
{
	struct ks_arm64_evidence e = ev(12);
	struct ks_arm64_backend b;
	char *log = fixture("fixture-vhe-dmesg.txt", NULL);

	(void)state;
	/* asked for pKVM, but the kernel came up in VHE: the log wins */
	e.bootlog = log;
	e.cmdline = "kvm-arm.mode=protected";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_VHE);
	assert_int_equal(b.confidence, 3);
	assert_detail_has(b, "not honoured");
	free(log);
}

static void test_api12_only(void **state)
{
	struct ks_arm64_evidence e = ev(12);
	struct ks_arm64_backend b;

	(void)state;
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	assert_int_equal(b.confidence, 1);
	assert_detail_has(b, "native KVM, mode undetermined");

	e.guest_uid = KS_ARM64_UID_KVM;
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	assert_int_equal(b.confidence, 2);
}

/* --- contradictions --------------------------------------------------------- */

static void test_contradictions(void **state)
{
	struct ks_arm64_evidence e;
	struct ks_arm64_backend b;
	char *compat, *vhe;
	size_t clen;

	(void)state;
	compat = fixture("fixture-gunyah-hypervisor-compatible.bin", &clen);
	vhe = fixture("fixture-vhe-dmesg.txt", NULL);

	/* RB3 Gen2 in "KVM mode" with a stale Gunyah /hypervisor node: 3 vs 1 */
	e = ev(12);
	e.dt_hyp_compat = compat;
	e.dt_hyp_compat_len = clen;
	e.bootlog = vhe;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_VHE);
	assert_int_equal(b.confidence, 3);
	assert_detail_has(b, "CONTRADICTED");
	assert_detail_has(b, "DT /hypervisor");

	/* 1 vs 1: the API version breaks the tie */
	e = ev(13);
	e.bootlog = "kvm [1]: VHE mode initialized successfully\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	assert_detail_has(b, "CONTRADICTED");
	assert_detail_has(b, "VHE mode");

	/* 1 vs 1 without API: the guest UID breaks the tie */
	e = ev(-1);
	e.dt_hyp_compat = compat;
	e.dt_hyp_compat_len = clen;
	e.guest_uid = KS_ARM64_UID_KVM;
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN); /* KVM, but which mode? */
	assert_detail_has(b, "CONTRADICTED");

	/* 1 vs 1 with nothing to break the tie */
	e = ev(-1);
	e.dt_hyp_compat = compat;
	e.dt_hyp_compat_len = clen;
	e.bootlog = "CPU: All CPU(s) started at EL2\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	assert_int_equal(b.confidence, 0);
	assert_detail_has(b, "disagrees");
	assert_detail_has(b, "gunyah:");
	assert_detail_has(b, "kvm:");

	/* the guest saw KVM, the host looks like Gunyah everywhere else */
	e = ev(13);
	e.dt_hyp_compat = compat;
	e.dt_hyp_compat_len = clen;
	e.guest_uid = KS_ARM64_UID_KVM;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	assert_int_equal(b.confidence, 2);
	assert_detail_has(b, "CONTRADICTED by: guest UID is KVM's");

	/* /dev/kvm works (API 12) but the kernel says there is no EL2 */
	e = ev(12);
	e.bootlog = "kvm [1]: HYP mode not available\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	assert_detail_has(b, "no-el2:");
	e.bootlog = "kvm [1]: HYP mode not available\nkvm [1]: VHE mode initialized successfully\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_VHE);
	assert_detail_has(b, "CONTRADICTED by: log 'HYP mode not available'");

	/* two boots' logs concatenated: the last mode line wins, noted */
	e = ev(12);
	e.bootlog = "kvm [1]: Hyp nVHE mode initialized successfully\n"
		    "kvm [1]: VHE mode initialized successfully\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_VHE);
	assert_detail_has(b, "several KVM mode lines");

	/* a foreign /hypervisor node and a strange API version are notes */
	free(compat);
	compat = fixture("fixture-xen-hypervisor-compatible.bin", &clen);
	e = ev(7);
	e.dt_hyp_compat = compat;
	e.dt_hyp_compat_len = clen;
	e.guest_uid = "01234567-89ab-cdef-0123-456789abcdef";
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	assert_detail_has(b, "xen,xen-4.17");
	assert_detail_has(b, "not Gunyah");
	assert_detail_has(b, "unexpected KVM API 7");
	assert_detail_has(b, "not recognised");

	free(compat);
	free(vhe);
}

/* --- robustness ------------------------------------------------------------ */

static void test_null_and_empty(void **state)
{
	struct ks_arm64_evidence e = ev(-1);
	struct ks_arm64_backend b;

	(void)state;
	b = classify(NULL);
	assert_name(b, KS_ARM64_UNKNOWN);
	ks_arm64_classify(&e, NULL); /* must not crash */

	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	assert_int_equal(b.confidence, 0);
	assert_detail_has(b, "no decisive evidence");

	e.dt_hyp_compat = "";
	e.dt_hyp_compat_len = 0;
	e.cmdline = "";
	e.bootlog = "";
	e.guest_uid = "";
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);

	/* a length that stops before the name is complete */
	e.dt_hyp_compat = "qcom,gunyah-hypervisor";
	e.dt_hyp_compat_len = 4;
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);

	/* NUL-only compatible, and a length with a NULL pointer */
	e.dt_hyp_compat = "\0\0\0";
	e.dt_hyp_compat_len = 3;
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	e.dt_hyp_compat = NULL;
	e.dt_hyp_compat_len = 1000;
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);

	/* whitespace-only cmdline, lone newlines in the log */
	e.cmdline = " \t\n ";
	e.bootlog = "\n\n\n";
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
}

/* The compatible buffer is exactly its length: no NUL after it. */
static void test_compat_not_terminated(void **state)
{
	static const char name[] = "gunyah-hypervisor";
	struct ks_arm64_evidence e = ev(-1);
	struct ks_arm64_backend b;
	char *c = malloc(sizeof(name) - 1);

	(void)state;
	assert_non_null(c);
	memcpy(c, name, sizeof(name) - 1);
	e.dt_hyp_compat = c;
	e.dt_hyp_compat_len = sizeof(name) - 1;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	/* versioned name */
	free(c);
	c = malloc(21);
	assert_non_null(c);
	memcpy(c, "gunyah-hypervisor-1.0", 21);
	e.dt_hyp_compat = c;
	e.dt_hyp_compat_len = 21;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_GUNYAH);
	/* a near miss is not Gunyah */
	memcpy(c, "gunyah-hypervisorX1.", 20);
	e.dt_hyp_compat_len = 20;
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	free(c);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static void fill_garbage(char *p, size_t n, uint32_t *seed, bool printable)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t r = lcg(seed);

		p[i] = printable ? (char)(0x20 + r % 95) : (char)(r & 0xff);
		if (printable && r % 61 == 0)
			p[i] = '\n';
	}
}

static void test_garbage(void **state)
{
	enum { N = 64 * 1024 };
	char *log = malloc(N + 1), *cl = malloc(N + 1), *uid = malloc(129);
	char *compat = malloc(4096);
	uint32_t seed = 12345;

	(void)state;
	assert_non_null(log);
	assert_non_null(cl);
	assert_non_null(uid);
	assert_non_null(compat);
	for (int iter = 0; iter < 300; iter++) {
		struct ks_arm64_evidence e = ev((int)(lcg(&seed) % 20) - 3);
		bool printable = iter % 2 == 0;
		size_t ln = lcg(&seed) % N, cn = lcg(&seed) % 512, un = lcg(&seed) % 128;
		size_t dn = lcg(&seed) % 4096;

		fill_garbage(log, ln, &seed, printable);
		log[ln] = '\0';
		fill_garbage(cl, cn, &seed, printable);
		cl[cn] = '\0';
		fill_garbage(uid, un, &seed, printable);
		uid[un] = '\0';
		fill_garbage(compat, dn, &seed, false);
		/* sometimes splice real key phrases into the noise */
		if (iter % 3 == 0 && ln > 200)
			memcpy(log + ln / 2, "Hyp nVHE mode initialized successfully", 38);
		if (iter % 5 == 0 && dn > 40)
			memcpy(compat + 7, "gunyah-hypervisor", 17);
		if (iter % 7 == 0 && cn > 30)
			memcpy(cl + 3, " kvm-arm.mode=", 14);
		e.bootlog = (iter % 11 == 10) ? NULL : log;
		e.cmdline = cl;
		e.guest_uid = uid;
		e.dt_hyp_compat = compat;
		e.dt_hyp_compat_len = dn;
		(void)classify(&e); /* check_sane() inside */
	}
	free(log);
	free(cl);
	free(uid);
	free(compat);
}

static void test_huge_inputs(void **state)
{
	enum { N = 8 * 1024 * 1024 };
	static const char vhe[] = "kvm [1]: VHE mode initialized successfull";
	char *log = malloc(N + 1);
	struct ks_arm64_evidence e = ev(12);
	struct ks_arm64_backend b;
	size_t i;

	(void)state;
	assert_non_null(log);
	/* 8 MiB on one line of near misses (worst case for the matcher) ... */
	for (i = 0; i + sizeof(vhe) - 1 <= N; i += sizeof(vhe) - 1)
		memcpy(log + i, vhe, sizeof(vhe) - 1);
	memset(log + i, 'V', N - i);
	log[N] = '\0';
	e.bootlog = log;
	b = classify(&e);
	assert_name(b, KS_ARM64_UNKNOWN);
	/* ... and with the real line at the very end */
	memcpy(log + N - 35, " VHE mode initialized successfully\n", 35);
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_VHE);

	/* huge cmdline and uid */
	memset(log, 'a', N);
	log[N] = '\0';
	memcpy(log + N - 18, " kvm-arm.mode=nvhe", 18);
	e.bootlog = NULL;
	e.cmdline = log;
	e.guest_uid = log;
	b = classify(&e);
	assert_name(b, KS_ARM64_KVM_NVHE);
	assert_detail_has(b, "unparseable");
	free(log);
}

/* Long hostile strings must end up truncated, printable, inside 512 bytes. */
static void test_detail_bounded(void **state)
{
	char uid[600], compat[600];
	struct ks_arm64_evidence e = ev(99);
	struct ks_arm64_backend b;

	(void)state;
	memset(uid, '\x01', sizeof(uid) - 1);
	uid[sizeof(uid) - 1] = '\0';
	memset(compat, 'z', sizeof(compat));
	compat[10] = '\'';
	compat[11] = '\x7f';
	e.guest_uid = uid;
	e.dt_hyp_compat = compat;
	e.dt_hyp_compat_len = sizeof(compat);
	e.cmdline = "kvm-arm.mode=\x01\x02\x03\xff-very-long-mode-value-that-goes-on-and-on";
	e.bootlog = "CPU: CPUs started in inconsistent modes\n"
		    "kvm [1]: Hyp nVHE mode initialized successfully\n"
		    "kvm [1]: Protected nVHE mode initialized successfully\n"
		    "CPU: All CPU(s) started at EL1\nkvm [1]: HYP mode not available\n"
		    "Running under Gunyah hypervisor\n";
	b = classify(&e);
	assert_true(strlen(b.detail) < sizeof(b.detail));
	assert_detail_lacks(b, "'zzzzzzzzzz'zz"); /* quote replaced */
}

static void test_gather(void **state)
{
	struct ks_arm64_evidence e;
	struct ks_arm64_backend b;

	(void)state;
	assert_int_equal(ks_arm64_gather(NULL, 12, false), -1);
	ks_arm64_evidence_free(NULL);
	/* On whatever host runs the tests: must not fail or crash. */
	assert_int_equal(ks_arm64_gather(&e, -1, false), 0);
	assert_int_equal(e.api_version, -1);
	assert_null(e.guest_uid);
	if (e.dt_hyp_compat)
		assert_true(e.dt_hyp_compat_len > 0);
	b = classify(&e);
	(void)b;
	ks_arm64_evidence_free(&e);
	assert_null(e.cmdline);
	assert_null(e.bootlog);
	assert_null(e.dt_hyp_compat);
	assert_null(e.gunyah_dev);
	ks_arm64_evidence_free(&e); /* twice is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gunyah_all_evidence),
		cmocka_unit_test(test_gunyah_single_pieces),
		cmocka_unit_test(test_gunyah_with_no_hyp_line),
		cmocka_unit_test(test_vhe),
		cmocka_unit_test(test_nvhe),
		cmocka_unit_test(test_protected),
		cmocka_unit_test(test_no_el2),
		cmocka_unit_test(test_mode_word_boundary),
		cmocka_unit_test(test_cmdline_fallback),
		cmocka_unit_test(test_cmdline_refused),
		cmocka_unit_test(test_api12_only),
		cmocka_unit_test(test_contradictions),
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_compat_not_terminated),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_huge_inputs),
		cmocka_unit_test(test_detail_bounded),
		cmocka_unit_test(test_gather),
		cmocka_unit_test(test_gunyah_front),
		cmocka_unit_test(test_gunyah_front_contradicted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
