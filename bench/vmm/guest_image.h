/* SPDX-License-Identifier: MIT */
/*
 * Reading a guest image: its header and its routine table (ks_guest_abi.h).
 *
 * Pure functions over bytes, so that they can be unit-tested and fuzzed on
 * any host: the same checks serve the image embedded in kvmscope (what
 * `kvmscope list` asks) and the copy loaded into a VM's memory (what a
 * session asks), and they treat both as untrusted input: every address is
 * bounds-checked against the image, every name must be NUL-terminated
 * within KS_ROUTINE_NAME_MAX bytes inside it.
 */
#ifndef KS_GUEST_IMAGE_H
#define KS_GUEST_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "ks_guest_abi.h"

/* An image as it lies in memory: `len` bytes at `mem`, which the guest sees
 * at GPA `gpa`. */
struct ks_image_view {
	const uint8_t *mem;
	uint64_t gpa;
	uint64_t len;
};

/*
 * Check the header at the start of the view: magic, ABI version, load
 * address (`load_gpa`), image end (at most `max_len` bytes after it) and
 * the routine table's place and size. Copies it into *h. 0, or -1 with err.
 */
int ks_image_header_read(const struct ks_image_view *v, uint64_t load_gpa, uint64_t max_len,
			 struct ks_image_header *h, char *err, size_t errlen);

/*
 * Find the routine `name` in the table the header *h points at. Returns its
 * index with *out filled (its name GPA, code GPA, kind, ...); -1 when the
 * table has no such routine (err empty); -2 when the table itself is bad (a
 * field out of the image, an unterminated name, an unknown kind, the name
 * twice), with err naming the entry and what is wrong.
 */
int ks_image_routine_find(const struct ks_image_view *v, const struct ks_image_header *h,
			  const char *name, struct ks_guest_routine *out, char *err, size_t errlen);

#endif
