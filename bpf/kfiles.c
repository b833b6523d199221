/* SPDX-License-Identifier: MIT */
/*
 * kfiles.c - parsers for the kernel files probe discovery reads (kfiles.h).
 *
 * Every length and offset read from a file is checked against the bytes
 * actually there before it is used, with offsets (not pointers past the
 * end) and in 64 bits where the file's 32-bit fields are added.
 */
#include "kfiles.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool ks_kf_format_has_field(const char *fmt, const char *name)
{
	size_t n = strlen(name);

	if (!fmt || n == 0)
		return false;
	for (const char *p = fmt; (p = strstr(p, "field:"));) {
		p += 6;
		const char *semi = strchr(p, ';');
		if (!semi)
			break;
		/* "args[6];": the name ends at the '[' */
		const char *q = semi;
		if (q > p && q[-1] == ']')
			while (q > p && *q != '[')
				q--;
		const char *s = q;
		while (s > p && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
			s--;
		if ((size_t)(q - s) == n && !strncmp(s, name, n))
			return true;
		p = semi;
	}
	return false;
}

bool ks_kf_aff_has(const char *aff, const char *fn)
{
	size_t n = strlen(fn);

	if (!aff || n == 0)
		return false;   /* an empty name would match everywhere, and never advance */
	for (const char *p = aff; (p = strstr(p, fn)); p += n)
		if ((p == aff || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == ' ' || p[n] == '\t' || p[n] == 0))
			return true;
	return false;
}

int ks_kf_kallsyms_find(const char *ks, const char *fn, char *variant, size_t vlen)
{
	size_t n = strlen(fn);

	if (variant && vlen)
		variant[0] = 0;
	if (!ks || n == 0)
		return 0;
	for (const char *p = ks; (p = strstr(p, fn)); p += n) {
		/* the name is the third field: after "<addr> <type> " */
		if (p < ks + 2 || p[-1] != ' ' || p[-2] == ' ' || p[-2] == '\n' ||
		    (p >= ks + 3 && p[-3] != ' '))
			continue;
		char end = p[n];
		if (end == '\n' || end == '\t' || end == ' ' || end == 0)
			return 1;
		size_t l = strcspn(p, " \t\n");
		if (end == '.' && variant && vlen && l < vlen &&
		    (!variant[0] || l < strlen(variant)))   /* the shortest: fn.isra.0, not its .cold */
			snprintf(variant, vlen, "%.*s", (int)l, p);
	}
	return 0;
}

/* ---- BTF (include/uapi/linux/btf.h): a header, a type section, a string section */

struct btf_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

static bool btf_header(const char *b, size_t len, struct btf_hdr *h)
{
	if (!b || len < sizeof(*h))
		return false;
	memcpy(h, b, sizeof(*h));
	return h->magic == 0xeB9F && h->hdr_len <= len &&
	       (uint64_t)h->hdr_len + h->type_off + h->type_len <= len &&
	       (uint64_t)h->hdr_len + h->str_off + h->str_len <= len;
}

/* Is the string at off in strs[0..slen) exactly fn (NUL-terminated inside)? */
static bool str_is(const char *strs, uint32_t slen, uint32_t off, const char *fn, size_t fnlen)
{
	return off < slen && (uint64_t)slen - off > fnlen && !memcmp(strs + off, fn, fnlen) &&
	       strs[off + fnlen] == 0;
}

bool ks_kf_btf_has_func(const char *b, size_t len, const char *base, size_t base_len,
			const char *fn)
{
	struct btf_hdr h, bh = { 0 };
	const char *base_strs = NULL;
	size_t fnlen = strlen(fn);

	if (!btf_header(b, len, &h))
		return false;
	if (base) {
		if (!btf_header(base, base_len, &bh))
			return false;
		base_strs = base + bh.hdr_len + bh.str_off;
	}
	const char *strs = b + h.hdr_len + h.str_off;
	const unsigned char *types = (const unsigned char *)b + h.hdr_len + h.type_off;
	size_t off = 0;

	while (h.type_len - off >= 12) {
		uint32_t name_off, info;
		memcpy(&name_off, types + off, 4);
		memcpy(&info, types + off + 4, 4);
		uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
		size_t extra;
		switch (kind) {
		case 1: case 14: case 17: extra = 4; break;          /* INT, VAR, DECL_TAG */
		case 3: extra = 12; break;                           /* ARRAY */
		case 4: case 5: case 15: case 19: extra = 12u * vlen; break; /* STRUCT, UNION, DATASEC, ENUM64 */
		case 6: case 13: extra = 8u * vlen; break;           /* ENUM, FUNC_PROTO */
		case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18:
			extra = 0;
			break;
		default:
			return false;   /* a kind we don't know: stop rather than misparse */
		}
		if (kind == 12) {   /* FUNC */
			bool hit = base_strs && name_off < bh.str_len
					   ? str_is(base_strs, bh.str_len, name_off, fn, fnlen)
					   : str_is(strs, h.str_len, name_off - bh.str_len, fn, fnlen);
			if (hit)
				return true;
		}
		if (h.type_len - off - 12 < extra)
			break;      /* the last type is cut short */
		off += 12 + extra;
	}
	return false;
}

bool ks_kf_compat_match(const char *c, size_t len, const char *const *names)
{
	if (!c || !names)
		return false;
	for (size_t i = 0; i < len;) {
		const char *s = c + i;
		const char *nul = memchr(s, 0, len - i);
		size_t n = nul ? (size_t)(nul - s) : len - i;

		for (int k = 0; names[k]; k++) {
			size_t nl = strlen(names[k]);
			if (nl && n >= nl && !memcmp(s, names[k], nl) && (n == nl || s[nl] == '-'))
				return true;
		}
		i += n + 1;
	}
	return false;
}
