/* SPDX-License-Identifier: MIT */
/*
 * The image header, at offset 0 of every guest image (guest.ld puts section
 * .ks_header first): what the host checks before loading the image, where
 * to enter it, and where the routine table is. The addresses come from the
 * link: _start and ks_vectors from entry.S, the rest from guest.ld. Its
 * first word is code for backends that enter at the image's first byte.
 */
#include "guest.h"

extern char _start[], ks_vectors[], __image_end[];
extern const struct ks_guest_routine __ks_routines_start[];
extern const char __ks_routines_count[];   /* an absolute symbol: its address is the count */

const struct ks_image_header ks_image_header __attribute__((section(".ks_header"), used)) = {
	.boot = KS_ARCH_IMAGE_BOOT,   /* ks_arch.h: a branch to _start, or 0 */
	.magic = KS_ABI_MAGIC,
	.abi_version = KS_ABI_VERSION,
	.load_gpa = KS_IMAGE_GPA,
	.entry = (uintptr_t)_start,
	.image_end = (uintptr_t)__image_end,
	.vectors = (uintptr_t)ks_vectors,
	.routines = (uintptr_t)__ks_routines_start,
	.nroutines = (uintptr_t)__ks_routines_count,
};
