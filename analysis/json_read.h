/* SPDX-License-Identifier: MIT */
/*
 * json_read.h - a strict JSON (RFC 8259) reader for results files.
 *
 * Why not jansson: a results file may hold tens of millions of samples, and a
 * DOM with one heap object per number is ten times the size of the numbers.
 * This reader stores an array whose elements are all numbers as one packed
 * double[] (KJ_NUMARR) and everything else in one arena, so loading a file
 * costs about 8 bytes per sample, and the arrays can be handed to the
 * statistics code without copying.
 *
 * Every value remembers the line it started on, so the schema validator can
 * name the line of a bad field.  Input is untrusted: nesting depth is bounded,
 * strings are checked for control characters and bad escapes, numbers for the
 * JSON grammar, and every error names line and column.
 */
#ifndef KS_JSON_READ_H
#define KS_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kj_type { KJ_NULL, KJ_BOOL, KJ_NUM, KJ_STR, KJ_ARR, KJ_OBJ, KJ_NUMARR };

struct kj_member;

struct kj_value {
	enum kj_type type;
	unsigned line;
	union {
		bool b;
		double num;
		struct { char *s; size_t len; } str;            /* NUL-terminated, may hold \0 */
		struct { struct kj_value *v; size_t n; } arr;    /* KJ_ARR */
		struct { struct kj_member *m; size_t n; } obj;   /* KJ_OBJ, in file order */
		struct { double *v; size_t n; } nums;            /* KJ_NUMARR: all numbers */
	} u;
};

struct kj_member {
	char *key;
	struct kj_value val;
};

struct kj_doc;  /* owns every value's memory */

/* Maximum nesting of arrays/objects accepted (results files use about 6). */
#define KJ_MAX_DEPTH 64

/*
 * Parse buf[0..len).  On success returns a document; *root points into it.
 * On failure returns NULL and writes "line L, column C: what" into err
 * (errno is ENOMEM when memory ran out, EINVAL for bad JSON).
 */
struct kj_doc *kj_parse(const char *buf, size_t len, const struct kj_value **root,
			char *err, size_t errlen);

/* Read and parse a whole file; errors are prefixed with the path. */
struct kj_doc *kj_parse_file(const char *path, const struct kj_value **root,
			     char *err, size_t errlen);

void kj_free(struct kj_doc *d);

/* Member of an object by key (last one if duplicated), or NULL. */
const struct kj_value *kj_get(const struct kj_value *obj, const char *key);

/* The value at a dotted path of member names ("kernel.release") under v, or NULL. */
const struct kj_value *kj_path(const struct kj_value *v, const char *dotted);

/* Number of elements of an array of either kind (0 for non-arrays). */
size_t kj_len(const struct kj_value *arr);

const char *kj_type_name(enum kj_type t);

#ifdef __cplusplus
}
#endif

#endif
