/* SPDX-License-Identifier: MIT */
/*
 * fuzz_escape - each escaping function (analysis/escape.h) against the
 * promise its header makes, on any string and any output size: HTML,
 * Markdown, gnuplot labels, slugs, terminal text and CSV cells.
 *
 * Byte 0 gives the buffer size for the cut-to-fit functions (0..255, an
 * exact-size allocation); the rest, up to its first NUL, is the text.
 */
#include "escape.h"
#include "fuzz_common.h"

static int gp_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr(" .,:;_-+=/()#%@<>?", c));
}

static char *stream(void (*esc)(FILE *, const char *), const char *s, size_t *n)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, n);

	if (!f)
		abort();
	esc(f, s);
	fclose(f);
	return out;
}

static void check_entities(const char *o, size_t n, int quotes)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", NULL };

	FZ_CHECK(fz_utf8_ok((const unsigned char *)o, n), "not valid UTF-8");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)o[i];
		int ok = 0;

		FZ_CHECK(c >= 0x20 && c != 0x7f, "control 0x%02x", c);
		FZ_CHECK(c != '<' && c != '>', "raw '%c'", c);
		FZ_CHECK(!quotes || (c != '"' && c != '\''), "raw quote");
		if (c != '&')
			continue;
		for (int k = 0; ents[k] && !ok; k++)
			ok = !strncmp(o + i, ents[k], strlen(ents[k]));
		FZ_CHECK(ok, "a bare '&': '%.12s'", o + i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t len = data[0];
	char *s = fz_strndup(data + 1, size - 1);
	char *buf = malloc(len ? len : 1);
	size_t n;
	char *o;

	if (!buf)
		abort();

	o = stream(ks_html_escape, s, &n);
	check_entities(o, n, 1);
	free(o);

	o = stream(ks_md_escape, s, &n);
	check_entities(o, n, 0);
	for (size_t i = 0; i < n; i++) {
		if (o[i] == '\\') {
			FZ_CHECK(i + 1 < n && strchr("|[]`\\", o[i + 1]) && o[i + 1],
				 "a backslash that escapes nothing");
			i++;
			continue;
		}
		FZ_CHECK(!strchr("|[]`\n", o[i]) || !o[i], "unescaped '%c' in Markdown", o[i]);
	}
	free(o);

	/* CSV: RFC 4180 quoting, no controls, no formula */
	o = stream(ks_csv_cell, s, &n);
	FZ_CHECK(fz_utf8_ok((const unsigned char *)o, n), "CSV cell not valid UTF-8");
	{
		char *cell = malloc(n + 1);
		size_t k = 0;
		int quoted = n && o[0] == '"';
		if (!cell)
			abort();
		if (quoted) {
			FZ_CHECK(n >= 2 && o[n - 1] == '"', "CSV cell quoted at one end only");
			for (size_t i = 1; i + 1 < n; i++) {
				if (o[i] == '"') {
					FZ_CHECK(i + 2 < n && o[i + 1] == '"', "a lone quote in a quoted CSV cell");
					i++;
				}
				cell[k++] = o[i];
			}
		} else {
			for (size_t i = 0; i < n; i++) {
				FZ_CHECK(o[i] != '"' && o[i] != ',', "an unquoted CSV cell with '%c'", o[i]);
				cell[k++] = o[i];
			}
			FZ_CHECK(!k || (cell[0] != ' ' && cell[k - 1] != ' '), "unquoted CSV cell with edge spaces");
		}
		cell[k] = 0;
		for (size_t i = 0; i < k; i++) {
			unsigned char c = (unsigned char)cell[i];
			FZ_CHECK(c >= 0x20 && c != 0x7f, "control 0x%02x in a CSV cell", c);
			FZ_CHECK(!(c == 0xc2 && i + 1 < k && (unsigned char)cell[i + 1] <= 0x9f),
				 "a C1 control in a CSV cell");
		}
		const char *first = cell + strspn(cell, " ");
		FZ_CHECK(!*first || !strchr("=+-@", *first), "a CSV cell a spreadsheet runs: '%s'", cell);
		free(cell);
	}
	free(o);

	FZ_CHECK(ks_gp_label(s, buf, len) == buf, "gp_label return");
	if (len) {
		FZ_CHECK(memchr(buf, 0, len), "gp_label not terminated in %zu bytes", len);
		for (const char *p = buf; *p; p++)
			FZ_CHECK(gp_ok(*p), "gp_label kept 0x%02x", (unsigned char)*p);
	}

	FZ_CHECK(ks_slug(s, buf, len) == buf, "slug return");
	if (len) {
		FZ_CHECK(memchr(buf, 0, len), "slug not terminated");
		FZ_CHECK(len == 1 || buf[0], "empty slug");
		for (const char *p = buf; *p; p++)
			FZ_CHECK((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				 (*p >= '0' && *p <= '9') || *p == '_' || *p == '-',
				 "slug kept 0x%02x", (unsigned char)*p);
	}

	FZ_CHECK(ks_term_safe(s, buf, len) == buf, "term_safe return");
	if (len) {
		FZ_CHECK(memchr(buf, 0, len), "term_safe not terminated");
		for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
			FZ_CHECK(*p >= 0x20 && *p != 0x7f, "term_safe kept 0x%02x", *p);
			FZ_CHECK(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f), "term_safe kept a C1");
		}
	}
	free(buf);
	free(s);
	return 0;
}
