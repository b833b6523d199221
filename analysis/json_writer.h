/* SPDX-License-Identifier: MIT */
/*
 * json_writer.h - streaming JSON writer to a FILE*.
 *
 * No tree is built: every call writes straight to the stream, so result
 * files with millions of samples cost O(nesting depth) memory.
 *
 * The writer validates its own usage.  On misuse (unbalanced containers,
 * a value inside an object without a preceding jw_key(), a key outside an
 * object, a second root value, nesting deeper than JW_MAX_DEPTH) or on an
 * I/O error it latches an error code, and every later call is a no-op.
 * The output may then be truncated but is never silently invalid: always
 * check jw_finish()'s return value.
 *
 * Every function accepts w == NULL as a no-op (jw_new() failure is thus
 * caught by jw_finish()).
 *
 * Typical use:
 *   jw_t *w = jw_new(f, 1);
 *   jw_begin_object(w);
 *   jw_kv_string(w, "bench", "vmexit");
 *   jw_key(w, "samples_ns");
 *   jw_double_array(w, v, n);
 *   jw_end_object(w);
 *   if (jw_finish(w) != 0) ... error ...
 */
#ifndef KS_JSON_WRITER_H
#define KS_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jw jw_t;

/* Maximum container nesting depth. */
#define JW_MAX_DEPTH 64

/* Values returned by jw_error(). */
enum jw_status {
	JW_OK = 0,
	JW_ERR_MISUSE = 1, /* API used in an order that would produce invalid JSON */
	JW_ERR_IO = 2,     /* a write/flush on the FILE* failed */
	JW_ERR_DEPTH = 3,  /* nesting deeper than JW_MAX_DEPTH */
};

/*
 * Create a writer on f (not owned: jw_finish() flushes but never closes it).
 * pretty != 0: 2-space indentation, one member/element per line, except
 * that consecutive numbers inside an array share a line (up to 16 per
 * line) so raw-sample arrays stay readable.  pretty == 0: no whitespace.
 * Returns NULL if f is NULL or allocation fails.
 */
jw_t *jw_new(FILE *f, int pretty);

void jw_begin_object(jw_t *w);
void jw_end_object(jw_t *w);
void jw_begin_array(jw_t *w);
void jw_end_array(jw_t *w);

/* Inside an object: the next value belongs to this key (escaped like jw_string). */
void jw_key(jw_t *w, const char *key);

/*
 * String value.  NULL -> null.  Escapes '"', '\\', \b \f \n \r \t and other
 * control characters as \u00XX; invalid UTF-8 (bad lead/continuation bytes,
 * overlongs, surrogates, > U+10FFFF, truncated sequences) is replaced by
 * U+FFFD per maximal invalid subpart, so output is always valid UTF-8 JSON.
 */
void jw_string(jw_t *w, const char *s);
/* Same, with explicit length; embedded NUL bytes are written as \u0000. */
void jw_string_len(jw_t *w, const char *s, size_t len);

void jw_int(jw_t *w, int64_t v);
/* Note: many consumers (JavaScript, some jq builds) lose precision > 2^53. */
void jw_uint(jw_t *w, uint64_t v);
/*
 * Non-finite -> null.  Otherwise the shortest of %.15g/%.16g/%.17g that
 * parses back to the identical double, always containing '.' or an
 * exponent (1.0 is written "1.0") so it reads back as a real.  Output is
 * locale-independent ('.' as decimal separator).
 */
void jw_double(jw_t *w, double v);
void jw_bool(jw_t *w, int v);
void jw_null(jw_t *w);

/* Convenience: a complete array of doubles (v may be NULL iff n == 0). */
void jw_double_array(jw_t *w, const double *v, size_t n);

/* Convenience: jw_key(w, key) followed by the value. */
void jw_kv_string(jw_t *w, const char *key, const char *s);
void jw_kv_int(jw_t *w, const char *key, int64_t v);
void jw_kv_uint(jw_t *w, const char *key, uint64_t v);
void jw_kv_double(jw_t *w, const char *key, double v);
void jw_kv_bool(jw_t *w, const char *key, int v);
void jw_kv_null(jw_t *w, const char *key);

/* JW_OK (0) or the first error latched (enum jw_status).  NULL -> JW_ERR_MISUSE. */
int jw_error(const jw_t *w);

/*
 * Finish the document: checks that exactly one complete root value was
 * written and all containers are closed, writes a trailing newline,
 * flushes f (does not close it) and frees w.  Returns 0, or -1 on any
 * latched or new error, with errno set: the errno of the first failed
 * write or flush for an I/O error (ENOSPC on a full disk, EIO when stdio
 * gave none), EINVAL for misuse or depth; w == NULL (jw_new() failed)
 * leaves errno as jw_new() left it.  w is freed in all cases.
 */
int jw_finish(jw_t *w);

#ifdef __cplusplus
}
#endif

#endif /* KS_JSON_WRITER_H */
