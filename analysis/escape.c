/* SPDX-License-Identifier: MIT */
/*
 * escape.c - escaping untrusted text for HTML, Markdown and gnuplot (escape.h).
 */
#include "escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one
 * (overlong forms, surrogates and code points above U+10FFFF are invalid).
 */
static int utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	int n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (!n || s[0] > 0xf4)
		return 0;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && s[0] == 0xe0 && s[1] < 0xa0)
		return 0;  /* overlong */
	if (n == 3 && s[0] == 0xed && s[1] >= 0xa0)
		return 0;  /* UTF-16 surrogate */
	if (n == 4 && s[0] == 0xf0 && s[1] < 0x90)
		return 0;  /* overlong */
	if (n == 4 && s[0] == 0xf4 && s[1] >= 0x90)
		return 0;  /* > U+10FFFF */
	return n;
}

static void html_one(FILE *f, const char *s, int markdown)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		unsigned char c = *p;
		int n = utf8_len(p);
		if (n == 0) {
			fputs("\xef\xbf\xbd", f);  /* U+FFFD */
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, (size_t)n, f);
			p += n;
			continue;
		}
		p++;
		switch (c) {
		case '&': fputs("&amp;", f); continue;
		case '<': fputs("&lt;", f); continue;
		case '>': fputs("&gt;", f); continue;
		}
		if (!markdown && c == '"') {
			fputs("&quot;", f);
			continue;
		}
		if (!markdown && c == '\'') {
			fputs("&#39;", f);
			continue;
		}
		if (c == '\n' || c == '\t' || c == '\r') {
			fputc(' ', f);
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fputs("\xef\xbf\xbd", f);
			continue;
		}
		/*
		 * Markdown: what can end a table cell (|), start a link or an image
		 * ([ ]), code (`) or an escape (\\) is backslash-escaped; raw HTML
		 * and autolinks cannot start because < > & are entities.  _ and *
		 * stay readable: at worst they emphasise, they cannot inject.
		 */
		if (markdown && strchr("|[]`\\", c)) {
			fputc('\\', f);
			fputc(c, f);
			continue;
		}
		fputc(c, f);
	}
}

void ks_html_escape(FILE *f, const char *s)
{
	html_one(f, s, 0);
}

void ks_md_escape(FILE *f, const char *s)
{
	html_one(f, s, 1);
}

char *ks_gp_label(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return buf;
	for (const char *p = s ? s : ""; *p && n + 1 < len; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 (c && strchr(" .,:;_-+=/()#%@<>", c));
		buf[n++] = ok ? c : '?';
	}
	buf[n] = 0;
	return buf;
}

char *ks_slug(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return buf;
	for (const char *p = s ? s : ""; *p && n + 1 < len; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '_' || c == '-';
		buf[n++] = ok ? c : '_';
	}
	if (n == 0 && len > 1)
		buf[n++] = '_';
	buf[n] = 0;
	return buf;
}

char *ks_term_safe(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = 0;

	if (!len)
		return buf;
	while (*p && n + 1 < len) {
		if (*p < 0x20 || *p == 0x7f) {
			buf[n++] = '?';
			p++;
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			buf[n++] = '?';  /* a C1 control, e.g. U+009B CSI */
			p += 2;
		} else {
			buf[n++] = (char)*p++;
		}
	}
	buf[n] = 0;
	return buf;
}

void ks_csv_cell(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = 0, cap = strlen((const char *)p) * 3 + 2;
	char *buf = malloc(cap);

	if (!buf)
		return;
	buf[n++] = '\'';  /* the formula guard, dropped below when not needed */
	while (*p) {
		int k = utf8_len(p);
		if (k == 0) {
			memcpy(buf + n, "\xef\xbf\xbd", 3);  /* U+FFFD */
			n += 3;
			p++;
		} else if (k == 1 && (*p < 0x20 || *p == 0x7f)) {
			buf[n++] = ' ';
			p++;
		} else if (k == 2 && p[0] == 0xc2 && p[1] <= 0x9f) {
			buf[n++] = ' ';  /* a C1 control, e.g. U+009B CSI */
			p += 2;
		} else {
			memcpy(buf + n, p, (size_t)k);
			n += (size_t)k;
			p += k;
		}
	}
	buf[n] = 0;
	const char *cell = buf + 1, *first = cell + strspn(cell, " ");
	if (*first && strchr("=+-@", *first))
		cell = buf;
	size_t len = n - (size_t)(cell - buf);
	int quote = strpbrk(cell, ",\"") || (len && (cell[0] == ' ' || cell[len - 1] == ' '));
	if (quote)
		fputc('"', f);
	for (const char *c = cell; *c; c++) {
		if (*c == '"')
			fputc('"', f);
		fputc(*c, f);
	}
	if (quote)
		fputc('"', f);
	free(buf);
}
