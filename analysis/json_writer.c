/* SPDX-License-Identifier: MIT */
/*
 * json_writer.c - streaming JSON writer (see json_writer.h).
 *
 * State machine: a stack of open containers.  Each frame remembers how
 * many members/elements it has, whether an object key is pending, and (for
 * pretty arrays) whether the previous element was a number and how many
 * numbers are already on the current line.
 */
#include "json_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Numbers per line inside pretty-printed arrays. */
#define JW_NUMS_PER_LINE 16

struct jw_frame {
	size_t count;               /* members/elements written so far */
	unsigned char is_array;     /* 1 = array, 0 = object */
	unsigned char key_pending;  /* object: jw_key() written, value expected */
	unsigned char last_was_num; /* array: previous element was a number */
	unsigned char on_line;      /* array: numbers on the current line */
};

struct jw {
	FILE *f;
	int pretty;
	int err;       /* enum jw_status, latched */
	int io_errno;  /* errno of the first failed write or flush (ENOSPC...) */
	int root_done; /* a complete root value has been written */
	size_t depth;  /* number of open containers */
	struct jw_frame st[JW_MAX_DEPTH];
};

enum vkind { V_OTHER = 0, V_NUMBER = 1 };

/* ---- low-level output ------------------------------------------------- */

static void put(jw_t *w, const char *s, size_t len)
{
	if (w->err || len == 0)
		return;
	errno = 0;
	if (fwrite(s, 1, len, w->f) != len) {
		w->err = JW_ERR_IO;
		w->io_errno = errno ? errno : EIO;
	}
}

static void puts_(jw_t *w, const char *s)
{
	put(w, s, strlen(s));
}

/* Newline followed by 2*level spaces (pretty mode only). */
static void newline_indent(jw_t *w, size_t level)
{
	static const char spaces[] = "                                "; /* 32 */
	size_t n = level * 2;

	if (!w->pretty)
		return;
	put(w, "\n", 1);
	while (n > 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		put(w, spaces, k);
		n -= k;
	}
}

static void fail(jw_t *w, int code)
{
	if (!w->err)
		w->err = code;
}

/* ---- structural bookkeeping ------------------------------------------ */

/*
 * Called before writing any value (scalar or container opener).  Checks the
 * value is allowed here and writes the separator/indentation.  Returns 0 if
 * the caller may write the value.
 */
static int begin_value(jw_t *w, enum vkind kind)
{
	struct jw_frame *fr;

	if (w->err)
		return -1;
	if (w->depth == 0) {
		if (w->root_done) { /* only one root value per document */
			fail(w, JW_ERR_MISUSE);
			return -1;
		}
		return 0;
	}
	fr = &w->st[w->depth - 1];
	if (!fr->is_array) {
		if (!fr->key_pending) { /* value in object without key */
			fail(w, JW_ERR_MISUSE);
			return -1;
		}
		fr->key_pending = 0; /* separator was written by jw_key() */
		return 0;
	}
	/* Array element. */
	if (fr->count > 0)
		put(w, ",", 1);
	if (w->pretty) {
		if (kind == V_NUMBER && fr->last_was_num &&
		    fr->on_line < JW_NUMS_PER_LINE) {
			put(w, " ", 1);
			fr->on_line++;
		} else {
			newline_indent(w, w->depth);
			fr->on_line = 1;
		}
	}
	fr->last_was_num = (kind == V_NUMBER);
	fr->count++;
	return w->err ? -1 : 0;
}

/* Called after a value is complete (scalar written or container closed). */
static void end_value(jw_t *w)
{
	if (w->depth == 0)
		w->root_done = 1;
}

static void begin_container(jw_t *w, int is_array)
{
	struct jw_frame *fr;

	if (!w || begin_value(w, V_OTHER) != 0)
		return;
	if (w->depth >= JW_MAX_DEPTH) {
		fail(w, JW_ERR_DEPTH);
		return;
	}
	put(w, is_array ? "[" : "{", 1);
	fr = &w->st[w->depth++];
	memset(fr, 0, sizeof(*fr));
	fr->is_array = (unsigned char)(is_array != 0);
}

static void end_container(jw_t *w, int is_array)
{
	struct jw_frame *fr;

	if (!w || w->err)
		return;
	if (w->depth == 0) {
		fail(w, JW_ERR_MISUSE);
		return;
	}
	fr = &w->st[w->depth - 1];
	/* Wrong closer, or object closed right after a key. */
	if (fr->is_array != (is_array != 0) || fr->key_pending) {
		fail(w, JW_ERR_MISUSE);
		return;
	}
	if (fr->count > 0)
		newline_indent(w, w->depth - 1);
	put(w, is_array ? "]" : "}", 1);
	w->depth--;
	end_value(w);
}

/* ---- string escaping ------------------------------------------------- */

/*
 * Length of the valid UTF-8 sequence starting at s[0] (1..4), or, if the
 * sequence is invalid, the negated length of its maximal invalid subpart
 * (-1..-3), which is replaced by a single U+FFFD (Unicode 15, sec. 3.9,
 * "U+FFFD Substitution of Maximal Subparts").  s[0] must be >= 0x80.
 */
static int utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of 2nd byte */
	int need;

	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0; /* no overlongs */
		else if (c == 0xED)
			hi = 0x9F; /* no UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90; /* no overlongs */
		else if (c == 0xF4)
			hi = 0x8F; /* <= U+10FFFF */
	} else {
		return -1; /* stray continuation, C0/C1 overlong lead, F5..FF */
	}
	for (int i = 1; i < need; i++) {
		if ((size_t)i >= avail)
			return -i; /* truncated */
		if (s[i] < lo || s[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xBF;
	}
	return need;
}

static void write_escaped(jw_t *w, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* start of pending run of bytes to copy verbatim */
	size_t i = 0;

	put(w, "\"", 1);
	while (i < len && !w->err) {
		unsigned char c = s[i];
		const char *esc = NULL;
		char ubuf[7];
		size_t skip = 1;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			int r = utf8_seq(s + i, len - i);

			if (r > 0) { /* valid multi-byte: keep verbatim */
				i += (size_t)r;
				continue;
			}
			esc = "\xEF\xBF\xBD"; /* U+FFFD REPLACEMENT CHARACTER */
			skip = (size_t)-r;
		} else {
			switch (c) {
			case '"': esc = "\\\""; break;
			case '\\': esc = "\\\\"; break;
			case '\b': esc = "\\b"; break;
			case '\f': esc = "\\f"; break;
			case '\n': esc = "\\n"; break;
			case '\r': esc = "\\r"; break;
			case '\t': esc = "\\t"; break;
			default:
				memcpy(ubuf, "\\u00", 4);
				ubuf[4] = hex[c >> 4];
				ubuf[5] = hex[c & 0xF];
				ubuf[6] = '\0';
				esc = ubuf;
				break;
			}
		}
		put(w, str + run, i - run);
		puts_(w, esc);
		i += skip;
		run = i;
	}
	put(w, str + run, i - run);
	put(w, "\"", 1);
}

/* ---- number formatting ---------------------------------------------- */

/*
 * Format a finite double into buf (>= 40 bytes): shortest %.15g/%.16g/%.17g
 * that round-trips, decimal separator forced to '.', and ".0" appended if
 * the result would otherwise read back as an integer.
 */
static void format_double(char *buf, size_t cap, double v)
{
	char tmp[40];
	size_t o = 0;
	int have_frac_or_exp = 0;

	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		/* strtod uses the same (current) locale as snprintf. */
		if (prec == 17 || strtod(tmp, NULL) == v)
			break;
	}
	/*
	 * Normalize: in a locale with e.g. "," as decimal point, %g emits that
	 * instead of '.'.  Everything that is not part of the JSON number
	 * grammar is the (possibly multi-byte) decimal point; replace it.
	 */
	for (size_t i = 0; tmp[i] && o + 3 < cap; i++) {
		char c = tmp[i];

		if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
			buf[o++] = c;
		} else if (c == 'e' || c == 'E') {
			buf[o++] = 'e';
			have_frac_or_exp = 1;
		} else if (o == 0 || buf[o - 1] != '.') {
			buf[o++] = '.';
			have_frac_or_exp = 1;
		}
	}
	if (!have_frac_or_exp) {
		buf[o++] = '.';
		buf[o++] = '0';
	}
	buf[o] = '\0';
}

/* ---- public API ------------------------------------------------------ */

jw_t *jw_new(FILE *f, int pretty)
{
	jw_t *w;

	if (!f)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->f = f;
	w->pretty = pretty != 0;
	return w;
}

void jw_begin_object(jw_t *w) { begin_container(w, 0); }
void jw_end_object(jw_t *w) { end_container(w, 0); }
void jw_begin_array(jw_t *w) { begin_container(w, 1); }
void jw_end_array(jw_t *w) { end_container(w, 1); }

void jw_key(jw_t *w, const char *key)
{
	struct jw_frame *fr;

	if (!w || w->err)
		return;
	if (w->depth == 0 || !key) {
		fail(w, JW_ERR_MISUSE);
		return;
	}
	fr = &w->st[w->depth - 1];
	if (fr->is_array || fr->key_pending) { /* key in array / two keys */
		fail(w, JW_ERR_MISUSE);
		return;
	}
	if (fr->count > 0)
		put(w, ",", 1);
	newline_indent(w, w->depth);
	write_escaped(w, key, strlen(key));
	put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	fr->count++;
	fr->key_pending = 1;
}

/* Write a complete scalar token. */
static void scalar(jw_t *w, enum vkind kind, const char *tok)
{
	if (!w || begin_value(w, kind) != 0)
		return;
	puts_(w, tok);
	end_value(w);
}

void jw_string_len(jw_t *w, const char *s, size_t len)
{
	if (!s) {
		jw_null(w);
		return;
	}
	if (!w || begin_value(w, V_OTHER) != 0)
		return;
	write_escaped(w, s, len);
	end_value(w);
}

void jw_string(jw_t *w, const char *s)
{
	jw_string_len(w, s, s ? strlen(s) : 0);
}

void jw_int(jw_t *w, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	scalar(w, V_NUMBER, buf);
}

void jw_uint(jw_t *w, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	scalar(w, V_NUMBER, buf);
}

void jw_double(jw_t *w, double v)
{
	char buf[40];

	/* JSON has no NaN/Infinity; null keeps the document valid.  It is laid
	 * out like a number so sample arrays with gaps stay compact. */
	if (!isfinite(v)) {
		scalar(w, V_NUMBER, "null");
		return;
	}
	format_double(buf, sizeof(buf), v);
	scalar(w, V_NUMBER, buf);
}

void jw_bool(jw_t *w, int v) { scalar(w, V_OTHER, v ? "true" : "false"); }
void jw_null(jw_t *w) { scalar(w, V_OTHER, "null"); }

void jw_double_array(jw_t *w, const double *v, size_t n)
{
	if (!w)
		return;
	if (!v && n > 0) {
		fail(w, JW_ERR_MISUSE);
		return;
	}
	jw_begin_array(w);
	for (size_t i = 0; i < n && !w->err; i++)
		jw_double(w, v[i]);
	jw_end_array(w);
}

void jw_kv_string(jw_t *w, const char *key, const char *s) { jw_key(w, key); jw_string(w, s); }
void jw_kv_int(jw_t *w, const char *key, int64_t v) { jw_key(w, key); jw_int(w, v); }
void jw_kv_uint(jw_t *w, const char *key, uint64_t v) { jw_key(w, key); jw_uint(w, v); }
void jw_kv_double(jw_t *w, const char *key, double v) { jw_key(w, key); jw_double(w, v); }
void jw_kv_bool(jw_t *w, const char *key, int v) { jw_key(w, key); jw_bool(w, v); }
void jw_kv_null(jw_t *w, const char *key) { jw_key(w, key); jw_null(w); }

int jw_error(const jw_t *w)
{
	return w ? w->err : JW_ERR_MISUSE;
}

int jw_finish(jw_t *w)
{
	int rc, e;

	if (!w)
		return -1;
	if (!w->err && (w->depth != 0 || !w->root_done))
		fail(w, JW_ERR_MISUSE); /* unclosed container or empty document */
	if (!w->err)
		put(w, "\n", 1);
	errno = 0;
	if (fflush(w->f) != 0 || ferror(w->f)) {
		if (!w->io_errno)
			w->io_errno = errno ? errno : EIO;
		fail(w, JW_ERR_IO);
	}
	rc = w->err ? -1 : 0;
	e = w->err == JW_ERR_IO ? w->io_errno : EINVAL;
	free(w);
	if (rc)
		errno = e;
	return rc;
}
