/* SPDX-License-Identifier: MIT */
/*
 * The guest image's routine table, read as the untrusted input it is: the
 * image embedded in this kvmscope (its routines found by name, a missing
 * one named in the reason), and hand-made images that break every rule the
 * host checks (bounds, NUL-terminated names, kinds, duplicates, sizes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch.h"
#include "guest_image.h"

#define GPA 0x100000ULL
#define MAX 0x100000ULL

/* A small valid image: header, a two-entry table at 0x40, names at 0x100. */
static uint8_t img[0x400];

static struct ks_image_header *hdr(void)
{
	return (struct ks_image_header *)img;
}

static struct ks_guest_routine *entry(int i)
{
	return (struct ks_guest_routine *)(img + 0x40) + i;
}

static void build(void)
{
	memset(img, 0, sizeof(img));
	*hdr() = (struct ks_image_header){ .magic = KS_ABI_MAGIC, .abi_version = KS_ABI_VERSION,
					   .load_gpa = GPA, .entry = GPA + 0x200,
					   .image_end = GPA + sizeof(img), .vectors = GPA + 0x300,
					   .routines = GPA + 0x40, .nroutines = 2 };
	strcpy((char *)img + 0x100, "empty");
	strcpy((char *)img + 0x120, "ipi");
	*entry(0) = (struct ks_guest_routine){ .name = GPA + 0x100, .fn = GPA + 0x200,
					       .kind = KS_ROUTINE_BATCH };
	*entry(1) = (struct ks_guest_routine){ .name = GPA + 0x120, .fn = GPA + 0x210,
					       .secondary = GPA + 0x220, .kind = KS_ROUTINE_MAIN };
}

/* Look `name` up in img: the index, -1 or -2; err gets the reason. */
static int find(const char *name, char *err, size_t len)
{
	struct ks_image_view v = { .mem = img, .gpa = GPA, .len = sizeof(img) };
	struct ks_image_header h;
	struct ks_guest_routine r;

	if (ks_image_header_read(&v, GPA, MAX, &h, err, len) < 0)
		return -3;
	return ks_image_routine_find(&v, &h, name, &r, err, len);
}

static void test_valid(void **state)
{
	char err[256];

	build();
	assert_int_equal(find("empty", err, sizeof(err)), 0);
	assert_int_equal(find("ipi", err, sizeof(err)), 1);
	assert_int_equal(find("nope", err, sizeof(err)), -1);
	assert_string_equal(err, "");
}

static void expect_bad(const char *name, int want, const char *says)
{
	char err[256] = "";

	int rc = find(name, err, sizeof(err));
	if (rc != want || !strstr(err, says))
		print_error("got %d \"%s\", want %d and \"%s\"\n", rc, err, want, says);
	assert_int_equal(rc, want);
	assert_non_null(strstr(err, says));
}

static void test_header(void **state)
{
	build();
	hdr()->magic = 0;
	expect_bad("empty", -3, "magic 0x0");
	build();
	hdr()->abi_version = 1;   /* an image from before the routine table */
	char want[64];
	snprintf(want, sizeof(want), "ABI version 1 (want %d)", KS_ABI_VERSION);
	expect_bad("empty", -3, want);
	build();
	hdr()->load_gpa = GPA + 0x1000;
	expect_bad("empty", -3, "load address");
	build();
	hdr()->nroutines = KS_ROUTINES_MAX + 1;
	expect_bad("empty", -3, "routine table is wrong: 257 entries");
	build();
	hdr()->nroutines = 31;   /* 0x40 + 31 * 32 runs past the image */
	expect_bad("empty", -3, "routine table is wrong");
	build();
	hdr()->routines = GPA + 0x44;   /* misaligned */
	expect_bad("empty", -3, "routine table is wrong");
	build();
	hdr()->routines = ~0ULL - 8;   /* wraps around */
	expect_bad("empty", -3, "routine table is wrong");
	build();
	hdr()->image_end = GPA + 0x60;   /* the image ends inside the table */
	expect_bad("empty", -3, "routine table is wrong");
}

static void test_entries(void **state)
{
	build();
	entry(1)->name = GPA + sizeof(img);   /* just past the image */
	expect_bad("empty", -2, "guest routine 1: name address");
	build();
	memset(img + 0x120, 'x', KS_ROUTINE_NAME_MAX);   /* no NUL within the limit */
	expect_bad("empty", -2, "not NUL-terminated");
	build();
	memset(img + sizeof(img) - 4, 'x', 4);   /* a name that runs into the image end */
	entry(1)->name = GPA + sizeof(img) - 4;
	expect_bad("ipi", -2, "not NUL-terminated");
	build();
	entry(0)->kind = 7;
	expect_bad("ipi", -2, "guest routine 0 ('empty'): unknown kind 7");
	build();
	entry(1)->fn = 0x1000;
	expect_bad("empty", -2, "code address");
	build();
	entry(1)->secondary = ~0ULL;
	expect_bad("empty", -2, "code address");
	build();
	strcpy((char *)img + 0x120, "empty");
	expect_bad("empty", -2, "names 'empty' twice");
}

/* The image built into this kvmscope: what every arch's guest offers. */
static void test_embedded(void **state)
{
	static const char *const common[] = { "empty", "mmio_write", "mmio_read",
					      "mmio_write_kernel", "mem_touch", "irq_wait",
					      "hypercall", "identify", "fault", "hang",
					      "bad_ucall", "bad_mailbox" };
	char why[256], want[128];

	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		why[0] = 0;
		if (!ks_guest_has_routine(common[i], why, sizeof(why)))
			print_error("%s: %s\n", common[i], why);
		assert_true(ks_guest_has_routine(common[i], why, sizeof(why)));
	}
	assert_false(ks_guest_has_routine("no_such_routine", why, sizeof(why)));
	snprintf(want, sizeof(want), "no %s guest routine 'no_such_routine'", ks_arch.name);
	assert_string_equal(why, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_embedded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
