/* SPDX-License-Identifier: MIT */
/* Reading a guest image's header and routine table: see guest_image.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "guest_image.h"

/* [gpa, gpa + len) inside the view, with no overflow whatever the values. */
static bool inside(const struct ks_image_view *v, uint64_t gpa, uint64_t len)
{
	return gpa >= v->gpa && len <= v->len && gpa - v->gpa <= v->len - len;
}

/* The view narrowed to what the header says the image is (up to image_end). */
static struct ks_image_view image_of(const struct ks_image_view *v, const struct ks_image_header *h)
{
	struct ks_image_view w = *v;
	if (h->image_end - w.gpa < w.len)
		w.len = h->image_end - w.gpa;
	return w;
}

int ks_image_header_read(const struct ks_image_view *v, uint64_t load_gpa, uint64_t max_len,
			 struct ks_image_header *h, char *err, size_t errlen)
{
	if (!v->mem || v->len < sizeof(*h) || v->len > max_len) {
		snprintf(err, errlen, "guest image size %llu is invalid (header %zu bytes, at most "
			 "%llu)", (unsigned long long)v->len, sizeof(*h),
			 (unsigned long long)max_len);
		return -1;
	}
	memcpy(h, v->mem, sizeof(*h));
	if (h->magic != KS_ABI_MAGIC || h->abi_version != KS_ABI_VERSION) {
		snprintf(err, errlen, "guest image header is wrong: magic 0x%llx (want 0x%llx), "
			 "ABI version %llu (want %u)", (unsigned long long)h->magic,
			 (unsigned long long)KS_ABI_MAGIC, (unsigned long long)h->abi_version,
			 KS_ABI_VERSION);
		return -1;
	}
	if (h->load_gpa != load_gpa || v->gpa != load_gpa || h->image_end < load_gpa ||
	    h->image_end - load_gpa > max_len) {
		snprintf(err, errlen, "guest image header is wrong: load address 0x%llx (want "
			 "0x%llx), end 0x%llx (at most 0x%llx bytes)",
			 (unsigned long long)h->load_gpa, (unsigned long long)load_gpa,
			 (unsigned long long)h->image_end, (unsigned long long)max_len);
		return -1;
	}
	struct ks_image_view img = image_of(v, h);
	if (h->nroutines > KS_ROUTINES_MAX || h->routines % 8 ||
	    !inside(&img, h->routines, h->nroutines * sizeof(struct ks_guest_routine))) {
		snprintf(err, errlen, "guest image routine table is wrong: %llu entries at 0x%llx "
			 "(at most %d, 8-byte aligned, inside the image 0x%llx + 0x%llx)",
			 (unsigned long long)h->nroutines, (unsigned long long)h->routines,
			 KS_ROUTINES_MAX, (unsigned long long)v->gpa, (unsigned long long)v->len);
		return -1;
	}
	return 0;
}

/* Entry i's name, checked: NULL (and err) unless NUL-terminated inside the view. */
static const char *entry_name(const struct ks_image_view *v, const struct ks_guest_routine *e,
			      uint64_t i, char *err, size_t errlen)
{
	if (!inside(v, e->name, 1)) {
		snprintf(err, errlen, "guest routine %llu: name address 0x%llx is outside the image",
			 (unsigned long long)i, (unsigned long long)e->name);
		return NULL;
	}
	const char *s = (const char *)v->mem + (e->name - v->gpa);
	uint64_t room = v->len - (e->name - v->gpa);
	if (!memchr(s, 0, room < KS_ROUTINE_NAME_MAX ? room : KS_ROUTINE_NAME_MAX)) {
		snprintf(err, errlen, "guest routine %llu: name at 0x%llx is not NUL-terminated "
			 "within %d bytes", (unsigned long long)i, (unsigned long long)e->name,
			 KS_ROUTINE_NAME_MAX);
		return NULL;
	}
	return s;
}

/* Entry i as a whole: its name (returned), kind and code addresses. */
static const char *entry_check(const struct ks_image_view *v, const struct ks_guest_routine *e,
			       uint64_t i, char *err, size_t errlen)
{
	const char *name = entry_name(v, e, i, err, errlen);
	if (!name)
		return NULL;
	if (e->kind != KS_ROUTINE_BATCH && e->kind != KS_ROUTINE_MAIN) {
		snprintf(err, errlen, "guest routine %llu ('%s'): unknown kind %u",
			 (unsigned long long)i, name, e->kind);
		return NULL;
	}
	if (!inside(v, e->fn, 1) || (e->secondary && !inside(v, e->secondary, 1))) {
		snprintf(err, errlen, "guest routine %llu ('%s'): code address 0x%llx or 0x%llx is "
			 "outside the image", (unsigned long long)i, name,
			 (unsigned long long)e->fn, (unsigned long long)e->secondary);
		return NULL;
	}
	return name;
}

int ks_image_routine_find(const struct ks_image_view *view, const struct ks_image_header *h,
			  const char *name, struct ks_guest_routine *out, char *err, size_t errlen)
{
	struct ks_image_view img = image_of(view, h);
	const struct ks_image_view *v = &img;
	int found = -1;

	err[0] = 0;
	/* ks_image_header_read checked that the table lies inside the image */
	for (uint64_t i = 0; i < h->nroutines; i++) {
		struct ks_guest_routine e;
		memcpy(&e, v->mem + (h->routines - v->gpa) + i * sizeof(e), sizeof(e));
		const char *n = entry_check(v, &e, i, err, errlen);
		if (!n)
			return -2;
		if (strcmp(n, name) != 0)
			continue;
		if (found >= 0) {
			snprintf(err, errlen, "guest routine table names '%.*s' twice (entries %d "
				 "and %llu)", KS_ROUTINE_NAME_MAX, name, found,
				 (unsigned long long)i);
			return -2;
		}
		found = (int)i;
		*out = e;
	}
	return found;
}
