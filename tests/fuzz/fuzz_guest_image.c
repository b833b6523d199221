/* SPDX-License-Identifier: MIT */
/*
 * fuzz_guest_image - the guest image's header and routine table as the host
 * reads them from guest memory (bench/vmm/guest_image.h): the input is an
 * image loaded at GPA 0x100000 (its first 72 bytes the header), in an
 * exact-size buffer; byte 0 of the input also picks the routine name looked
 * up. A routine found must really be there: its name inside the image,
 * NUL-terminated, equal to the one asked for; its code inside the image.
 */
#include <stdbool.h>

#include "fuzz_common.h"
#include "guest_image.h"

#define GPA 0x100000ULL
#define MAX 0x100000ULL

static const char *const names[] = {
	"empty", "pio_out", "mmio_read", "irq_wait", "mem_touch", "ipi", "identify",
	"hypercall", "fault", "x", "",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static bool inside(uint64_t gpa, size_t size)
{
	return gpa >= GPA && gpa - GPA < size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *name = names[data[0] % NNAMES];
	uint8_t *img = malloc(size);
	if (!img)
		abort();
	memcpy(img, data, size);

	struct ks_image_view v = { .mem = img, .gpa = GPA, .len = size };
	struct ks_image_header h;
	struct ks_guest_routine r;
	char err[256];
	if (ks_image_header_read(&v, GPA, MAX, &h, err, sizeof(err)) < 0) {
		FZ_CHECK(err[0], "a refused header without a reason");
		free(img);
		return 0;
	}
	FZ_CHECK(h.nroutines <= KS_ROUTINES_MAX, "%llu routines accepted",
		 (unsigned long long)h.nroutines);
	int i = ks_image_routine_find(&v, &h, name, &r, err, sizeof(err));
	FZ_CHECK(i >= -2, "rc %d", i);
	FZ_CHECK(i != -2 || err[0], "a bad table without a reason");
	if (i >= 0) {
		FZ_CHECK((uint64_t)i < h.nroutines, "index %d of %llu", i,
			 (unsigned long long)h.nroutines);
		FZ_CHECK(inside(r.name, size) && inside(r.fn, size), "found outside the image");
		FZ_CHECK(!r.secondary || inside(r.secondary, size), "secondary outside the image");
		FZ_CHECK(r.kind == KS_ROUTINE_BATCH || r.kind == KS_ROUTINE_MAIN, "kind %u", r.kind);
		const char *s = (const char *)img + (r.name - GPA);
		size_t room = size - (r.name - GPA);
		FZ_CHECK(strnlen(s, room) < room && !strcmp(s, name), "found a name that is not '%s'",
			 name);
	}
	free(img);
	return 0;
}
