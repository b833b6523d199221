/* SPDX-License-Identifier: MIT */
/*
 * json_read.c - strict JSON reader with packed number arrays (json_read.h).
 */
#include "json_read.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- memory: a bump arena for small things, a list for packed arrays ---- */

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct kj_doc {
	struct chunk *chunks;
	void **bigs;            /* packed number arrays, malloc'd */
	size_t nbigs, capbigs;
	struct kj_value root;
};

static void *arena_alloc(struct kj_doc *d, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!d->chunks || d->chunks->size - d->chunks->used < n) {
		size_t sz = n > 60000 ? n : 60000;
		struct chunk *c = malloc(sizeof(*c) + sz);
		if (!c)
			return NULL;
		c->next = d->chunks;
		c->used = 0;
		c->size = sz;
		d->chunks = c;
	}
	void *p = (char *)d->chunks->data + d->chunks->used;
	d->chunks->used += n;
	return p;
}

static int keep_big(struct kj_doc *d, void *p)
{
	if (d->nbigs == d->capbigs) {
		size_t cap = d->capbigs ? d->capbigs * 2 : 16;
		void **nb = realloc(d->bigs, cap * sizeof(*nb));
		if (!nb)
			return -1;
		d->bigs = nb;
		d->capbigs = cap;
	}
	d->bigs[d->nbigs++] = p;
	return 0;
}

void kj_free(struct kj_doc *d)
{
	if (!d)
		return;
	for (struct chunk *c = d->chunks, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	for (size_t i = 0; i < d->nbigs; i++)
		free(d->bigs[i]);
	free(d->bigs);
	free(d);
}

/* ---- the parser ---- */

struct parser {
	const char *p, *end, *line_start;
	unsigned line;
	int depth;
	struct kj_doc *doc;
	char *err;
	size_t errlen;
	bool failed;
	/* scratch for decoding strings, grown as needed */
	char *sbuf;
	size_t scap;
};

static void fail(struct parser *ps, int eno, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return;
	ps->failed = true;
	errno = eno;
	n = snprintf(ps->err, ps->errlen, "line %u, column %zu: ", ps->line,
		     (size_t)(ps->p - ps->line_start) + 1);
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;
		if (c == '\n') {
			ps->line++;
			ps->line_start = ++ps->p;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			ps->p++;
		} else {
			break;
		}
	}
}

/* A printable rendering of the character at p, for error messages. */
static const char *show(struct parser *ps, char *buf, size_t len)
{
	if (ps->p >= ps->end)
		return "end of file (truncated?)";
	unsigned char c = (unsigned char)*ps->p;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", c);
	return buf;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, word, n)) {
		ps->p += n;
		return true;
	}
	return false;
}

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * A JSON number.  The grammar is checked here; the value comes from the
 * exact fast path when the decimal mantissa fits in 53 bits and the power
 * of ten is exact in a double (Clinger: one correctly rounded operation),
 * otherwise from strtod, which rounds correctly but is several times slower.
 */
static bool parse_number(struct parser *ps, double *out)
{
	const char *s = ps->p, *q = s;
	uint64_t mant = 0;
	int digits = 0, scale = 0;
	bool neg = false;

	if (q < ps->end && *q == '-') {
		neg = true;
		q++;
	}
	if (q >= ps->end || *q < '0' || *q > '9') {
		fail(ps, EINVAL, "invalid number");
		return false;
	}
	if (*q == '0') {
		q++;
		if (q < ps->end && *q >= '0' && *q <= '9') {
			fail(ps, EINVAL, "invalid number: leading zero");
			return false;
		}
	} else {
		while (q < ps->end && *q >= '0' && *q <= '9') {
			if (digits < 19) {
				mant = mant * 10 + (uint64_t)(*q - '0');
				if (mant)
					digits++;
			} else {
				scale++;
				digits++;
			}
			q++;
		}
	}
	if (q < ps->end && *q == '.') {
		q++;
		if (q >= ps->end || *q < '0' || *q > '9') {
			ps->p = q;
			fail(ps, EINVAL, "invalid number: no digit after '.'");
			return false;
		}
		while (q < ps->end && *q >= '0' && *q <= '9') {
			if (digits < 19) {
				mant = mant * 10 + (uint64_t)(*q - '0');
				if (mant)
					digits++;
				scale--;
			} else {
				digits++;
			}
			q++;
		}
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		long e = 0;
		bool eneg = false;
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			eneg = *q++ == '-';
		if (q >= ps->end || *q < '0' || *q > '9') {
			ps->p = q;
			fail(ps, EINVAL, "invalid number: no digit in exponent");
			return false;
		}
		while (q < ps->end && *q >= '0' && *q <= '9') {
			if (e < 100000)
				e = e * 10 + (*q - '0');
			q++;
		}
		scale += (int)(eneg ? -e : e);
	}
	ps->p = q;
	if (digits <= 19 && mant <= (UINT64_C(1) << 53) && scale >= -22 && scale <= 22) {
		double v = (double)mant;
		v = scale < 0 ? v / pow10_exact[-scale] : v * pow10_exact[scale];
		*out = neg ? -v : v;
		return true;
	}
	/* strtod needs a terminated copy: the buffer may not end here. */
	char tmp[512];
	size_t n = (size_t)(q - s);
	char *buf = n < sizeof tmp ? tmp : malloc(n + 1);
	if (!buf) {
		fail(ps, ENOMEM, "out of memory");
		return false;
	}
	memcpy(buf, s, n);
	buf[n] = 0;
	*out = strtod(buf, NULL);  /* overflow gives +-HUGE_VAL: caught by the validator */
	if (buf != tmp)
		free(buf);
	return true;
}

static int put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static bool hex4(struct parser *ps, uint32_t *out)
{
	uint32_t v = 0;
	if (ps->end - ps->p < 4) {
		fail(ps, EINVAL, "truncated \\u escape");
		return false;
	}
	for (int i = 0; i < 4; i++) {
		char c = *ps->p;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else {
			fail(ps, EINVAL, "bad hex digit in \\u escape");
			return false;
		}
		ps->p++;
	}
	*out = v;
	return true;
}

/* A string (ps->p at the opening quote) decoded into the arena. */
static bool parse_string(struct parser *ps, char **out, size_t *outlen)
{
	size_t n = 0;

	ps->p++;  /* opening quote */
	for (;;) {
		if (ps->scap - n < 8) {
			size_t cap = ps->scap ? ps->scap * 2 : 256;
			char *nb = realloc(ps->sbuf, cap);
			if (!nb) {
				fail(ps, ENOMEM, "out of memory");
				return false;
			}
			ps->sbuf = nb;
			ps->scap = cap;
		}
		if (ps->p >= ps->end) {
			fail(ps, EINVAL, "unterminated string");
			return false;
		}
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20) {
			fail(ps, EINVAL, "control character 0x%02x in a string (must be escaped)", c);
			return false;
		}
		if (c != '\\') {
			ps->sbuf[n++] = (char)c;
			ps->p++;
			continue;
		}
		ps->p++;
		if (ps->p >= ps->end) {
			fail(ps, EINVAL, "unterminated string");
			return false;
		}
		char e = *ps->p++;
		switch (e) {
		case '"': ps->sbuf[n++] = '"'; break;
		case '\\': ps->sbuf[n++] = '\\'; break;
		case '/': ps->sbuf[n++] = '/'; break;
		case 'b': ps->sbuf[n++] = '\b'; break;
		case 'f': ps->sbuf[n++] = '\f'; break;
		case 'n': ps->sbuf[n++] = '\n'; break;
		case 'r': ps->sbuf[n++] = '\r'; break;
		case 't': ps->sbuf[n++] = '\t'; break;
		case 'u': {
			uint32_t cp, lo;
			if (!hex4(ps, &cp))
				return false;
			if (cp >= 0xd800 && cp < 0xdc00) {
				/* a high surrogate must be followed by \u + low surrogate */
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
					fail(ps, EINVAL, "unpaired UTF-16 surrogate in \\u escape");
					return false;
				}
				ps->p += 2;
				if (!hex4(ps, &lo))
					return false;
				if (lo < 0xdc00 || lo > 0xdfff) {
					fail(ps, EINVAL, "unpaired UTF-16 surrogate in \\u escape");
					return false;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				fail(ps, EINVAL, "unpaired UTF-16 surrogate in \\u escape");
				return false;
			}
			n += (size_t)put_utf8(ps->sbuf + n, cp);
			break;
		}
		default:
			ps->p--;
			fail(ps, EINVAL, "invalid escape '\\%c' in a string", e);
			return false;
		}
	}
	char *s = arena_alloc(ps->doc, n + 1);
	if (!s) {
		fail(ps, ENOMEM, "out of memory");
		return false;
	}
	memcpy(s, ps->sbuf, n);
	s[n] = 0;
	*out = s;
	*outlen = n;
	return true;
}

static bool parse_value(struct parser *ps, struct kj_value *v);

/* Growable scratch vector for array elements / object members. */
struct vec {
	void *v;
	size_t n, cap, elt;
};

static void *vec_push(struct vec *x)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 8;
		void *nv = realloc(x->v, cap * x->elt);
		if (!nv)
			return NULL;
		x->v = nv;
		x->cap = cap;
	}
	return (char *)x->v + x->elt * x->n++;
}

static bool parse_array(struct parser *ps, struct kj_value *v)
{
	struct vec items = { .elt = sizeof(struct kj_value) };
	double *nums = NULL;
	size_t nn = 0, ncap = 0;
	bool all_numbers = true, ok = false;
	char b[24];

	ps->p++;  /* '[' */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		v->type = KJ_ARR;
		v->u.arr.v = NULL;
		v->u.arr.n = 0;
		return true;
	}
	for (;;) {
		skip_ws(ps);
		if (all_numbers && ps->p < ps->end && (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))) {
			if (nn == ncap) {
				size_t cap = ncap ? ncap * 2 : 64;
				double *nb = realloc(nums, cap * sizeof(double));
				if (!nb) {
					fail(ps, ENOMEM, "out of memory");
					goto out;
				}
				nums = nb;
				ncap = cap;
			}
			if (!parse_number(ps, &nums[nn]))
				goto out;
			nn++;
		} else {
			if (all_numbers) {
				/* first non-number: unpack what we have into values */
				all_numbers = false;
				for (size_t i = 0; i < nn; i++) {
					struct kj_value *e = vec_push(&items);
					if (!e) {
						fail(ps, ENOMEM, "out of memory");
						goto out;
					}
					e->type = KJ_NUM;
					e->line = v->line;
					e->u.num = nums[i];
				}
				free(nums);
				nums = NULL;
				nn = ncap = 0;
			}
			struct kj_value *e = vec_push(&items);
			if (!e) {
				fail(ps, ENOMEM, "out of memory");
				goto out;
			}
			if (!parse_value(ps, e)) {
				items.n--;
				goto out;
			}
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			break;
		}
		fail(ps, EINVAL, "expected ',' or ']' in an array, found %s", show(ps, b, sizeof b));
		goto out;
	}
	if (all_numbers) {
		double *packed = realloc(nums, nn * sizeof(double));
		if (packed)
			nums = packed;
		if (keep_big(ps->doc, nums) < 0) {
			fail(ps, ENOMEM, "out of memory");
			goto out;
		}
		v->type = KJ_NUMARR;
		v->u.nums.v = nums;
		v->u.nums.n = nn;
		nums = NULL;
	} else {
		struct kj_value *a = arena_alloc(ps->doc, items.n * sizeof(*a));
		if (!a) {
			fail(ps, ENOMEM, "out of memory");
			goto out;
		}
		memcpy(a, items.v, items.n * sizeof(*a));
		v->type = KJ_ARR;
		v->u.arr.v = a;
		v->u.arr.n = items.n;
	}
	ok = true;
out:
	free(nums);
	free(items.v);
	return ok;
}

static bool parse_object(struct parser *ps, struct kj_value *v)
{
	struct vec mem = { .elt = sizeof(struct kj_member) };
	bool ok = false;
	char b[24];

	ps->p++;  /* '{' */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		v->type = KJ_OBJ;
		v->u.obj.m = NULL;
		v->u.obj.n = 0;
		return true;
	}
	for (;;) {
		size_t klen;
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"') {
			fail(ps, EINVAL, "expected a member name (a string) in an object, found %s",
			     show(ps, b, sizeof b));
			goto out;
		}
		struct kj_member *m = vec_push(&mem);
		if (!m) {
			fail(ps, ENOMEM, "out of memory");
			goto out;
		}
		if (!parse_string(ps, &m->key, &klen)) {
			mem.n--;
			goto out;
		}
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			fail(ps, EINVAL, "expected ':' after member name \"%.60s\", found %s", m->key,
			     show(ps, b, sizeof b));
			goto out;
		}
		ps->p++;
		skip_ws(ps);
		if (!parse_value(ps, &m->val))
			goto out;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			break;
		}
		fail(ps, EINVAL, "expected ',' or '}' in an object, found %s", show(ps, b, sizeof b));
		goto out;
	}
	struct kj_member *a = arena_alloc(ps->doc, mem.n * sizeof(*a));
	if (!a) {
		fail(ps, ENOMEM, "out of memory");
		goto out;
	}
	memcpy(a, mem.v, mem.n * sizeof(*a));
	v->type = KJ_OBJ;
	v->u.obj.m = a;
	v->u.obj.n = mem.n;
	ok = true;
out:
	free(mem.v);
	return ok;
}

static bool parse_value(struct parser *ps, struct kj_value *v)
{
	char b[24];
	bool ok;

	skip_ws(ps);
	v->line = ps->line;
	if (ps->p >= ps->end) {
		fail(ps, EINVAL, "unexpected end of file (truncated?)");
		return false;
	}
	switch (*ps->p) {
	case '{':
	case '[':
		if (++ps->depth > KJ_MAX_DEPTH) {
			fail(ps, EINVAL, "nesting deeper than %d", KJ_MAX_DEPTH);
			return false;
		}
		ok = *ps->p == '{' ? parse_object(ps, v) : parse_array(ps, v);
		ps->depth--;
		return ok;
	case '"':
		v->type = KJ_STR;
		return parse_string(ps, &v->u.str.s, &v->u.str.len);
	case 't':
	case 'f':
		v->type = KJ_BOOL;
		v->u.b = *ps->p == 't';
		if (literal(ps, v->u.b ? "true" : "false"))
			return true;
		break;
	case 'n':
		v->type = KJ_NULL;
		if (literal(ps, "null"))
			return true;
		break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
			v->type = KJ_NUM;
			return parse_number(ps, &v->u.num);
		}
	}
	fail(ps, EINVAL, "expected a JSON value, found %s", show(ps, b, sizeof b));
	return false;
}

struct kj_doc *kj_parse(const char *buf, size_t len, const struct kj_value **root,
			char *err, size_t errlen)
{
	struct parser ps = {
		.p = buf, .end = buf + len, .line_start = buf, .line = 1,
		.err = err, .errlen = errlen,
	};
	char b[24];

	if (errlen)
		err[0] = 0;
	ps.doc = calloc(1, sizeof(*ps.doc));
	if (!ps.doc) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		ps.p += 3;  /* a UTF-8 byte order mark is tolerated */
	skip_ws(&ps);
	if (ps.p >= ps.end)
		fail(&ps, EINVAL, "empty file: no JSON value");
	else if (parse_value(&ps, &ps.doc->root)) {
		skip_ws(&ps);
		if (ps.p < ps.end)
			fail(&ps, EINVAL, "unexpected %s after the JSON value", show(&ps, b, sizeof b));
	}
	free(ps.sbuf);
	if (ps.failed) {
		int e = errno;
		kj_free(ps.doc);
		errno = e;
		return NULL;
	}
	*root = &ps.doc->root;
	return ps.doc;
}

struct kj_doc *kj_parse_file(const char *path, const struct kj_value **root, char *err,
			     size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char msg[512];
	struct kj_doc *d = NULL;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (st.st_size == 0) {
		close(fd);
		snprintf(err, errlen, "%s: empty file: no JSON value", path);
		errno = EINVAL;
		return NULL;
	}
	/* mapped, not read: a results file with millions of samples is hundreds
	 * of megabytes, and read() would copy all of it once more */
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "%s: cannot map %lld bytes: %s", path, (long long)st.st_size,
			 strerror(errno));
		return NULL;
	}
	d = kj_parse(map, (size_t)st.st_size, root, msg, sizeof msg);
	if (!d)
		snprintf(err, errlen, "%s: %s", path, msg);
	munmap(map, (size_t)st.st_size);
	return d;
}

const struct kj_value *kj_get(const struct kj_value *obj, const char *key)
{
	const struct kj_value *found = NULL;

	if (!obj || obj->type != KJ_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->u.obj.n; i++)
		if (!strcmp(obj->u.obj.m[i].key, key))
			found = &obj->u.obj.m[i].val;
	return found;
}

const struct kj_value *kj_path(const struct kj_value *v, const char *dotted)
{
	char key[128];

	while (v && *dotted) {
		size_t n = strcspn(dotted, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, dotted, n);
		key[n] = 0;
		v = kj_get(v, key);
		dotted += n + (dotted[n] == '.');
	}
	return v;
}

size_t kj_len(const struct kj_value *a)
{
	if (!a)
		return 0;
	if (a->type == KJ_ARR)
		return a->u.arr.n;
	if (a->type == KJ_NUMARR)
		return a->u.nums.n;
	return 0;
}

const char *kj_type_name(enum kj_type t)
{
	switch (t) {
	case KJ_NULL: return "null";
	case KJ_BOOL: return "a boolean";
	case KJ_NUM: return "a number";
	case KJ_STR: return "a string";
	case KJ_ARR: return "an array";
	case KJ_OBJ: return "an object";
	case KJ_NUMARR: return "an array of numbers";
	}
	return "?";
}
