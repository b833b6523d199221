/* SPDX-License-Identifier: MIT */
/*
 * fuzz_json_read - the strict JSON reader (analysis/json_read.h) on any bytes.
 *
 * Parses exactly the input (no terminator: a read past the end is an ASan
 * finding), then walks the whole document checking what the reader promises:
 * a failure has a "line L, column C: ..." message, strings are NUL-terminated
 * at their length, depth stays within KJ_MAX_DEPTH, no number is NaN,
 * kj_len() agrees with the arrays, kj_get() finds the last duplicate key.
 */
#include <math.h>

#include "fuzz_common.h"
#include "json_read.h"

static void walk(const struct kj_value *v, int depth)
{
	FZ_CHECK(depth <= KJ_MAX_DEPTH + 1, "depth %d", depth);
	FZ_CHECK(v->line >= 1, "line %u", v->line);
	(void)kj_type_name(v->type);
	switch (v->type) {
	case KJ_NULL:
	case KJ_BOOL:
		break;
	case KJ_NUM:
		/* overflow gives +-HUGE_VAL (the validator refuses it); never NaN */
		FZ_CHECK(!isnan(v->u.num), "a JSON number parsed as NaN");
		break;
	case KJ_STR:
		FZ_CHECK(v->u.str.s && v->u.str.s[v->u.str.len] == 0, "string not terminated");
		break;
	case KJ_NUMARR:
		FZ_CHECK(kj_len(v) == v->u.nums.n, "kj_len of a packed array");
		for (size_t i = 0; i < v->u.nums.n; i++)
			FZ_CHECK(!isnan(v->u.nums.v[i]), "packed number parsed as NaN");
		break;
	case KJ_ARR:
		FZ_CHECK(kj_len(v) == v->u.arr.n, "kj_len of an array");
		for (size_t i = 0; i < v->u.arr.n; i++)
			walk(&v->u.arr.v[i], depth + 1);
		break;
	case KJ_OBJ:
		for (size_t i = 0; i < v->u.obj.n; i++) {
			const struct kj_member *m = &v->u.obj.m[i];
			const struct kj_value *got = kj_get(v, m->key);

			FZ_CHECK(m->key != NULL, "member without a key");
			/* the last member with this key (keys with \0 compare as C strings) */
			FZ_CHECK(got != NULL, "kj_get misses key '%s'", m->key);
			for (size_t j = i + 1; j < v->u.obj.n; j++)
				if (!strcmp(v->u.obj.m[j].key, m->key))
					m = &v->u.obj.m[j];
			FZ_CHECK(got == &m->val, "kj_get('%s') is not the last duplicate", m->key);
			walk(&v->u.obj.m[i].val, depth + 1);
		}
		break;
	default:
		FZ_CHECK(0, "type %d", (int)v->type);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct kj_value *root = NULL;
	char err[256];
	/* an exact-size copy: libFuzzer's buffer is exact too, but this keeps
	 * the target honest if it is ever driven another way */
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	err[0] = 0;
	struct kj_doc *d = kj_parse(buf, size, &root, err, sizeof err);
	if (d) {
		FZ_CHECK(root != NULL, "no root");
		walk(root, 0);
		FZ_CHECK(kj_get(root, "\x01no such key") == NULL || root->type == KJ_OBJ, "kj_get");
	} else {
		FZ_CHECK(!strncmp(err, "line ", 5) && strstr(err, ", column "),
			 "error without a position: '%s'", err);
	}
	kj_free(d);
	free(buf);
	return 0;
}
