/* SPDX-License-Identifier: MIT */
/*
 * fuzz_resultset - a results file from someone else's machine, through
 * everything `kvmscope report` and `compare` do with it but plotting:
 * the reader, the schema validator, the statistics and inference, and the
 * Markdown, HTML and terminal text with every escaping path.
 *
 *   1. the whole input is one results file: ks_resultset_parse(), then on
 *      success a report of that set;
 *   2. the input cut in two (at its first NUL byte, which valid JSON never
 *      holds, so a seed can be "a.json\0b.json"; else in halves): when both
 *      parts parse, a comparison of the two sets, and a comparison of the
 *      two pooled as runs of one set against the first (run-level tests).
 *
 * Each render checks that no text from the file escaped its escaping: the
 * terminal text has no control characters but newlines (and no C1 controls
 * in UTF-8 form), the HTML opens only the renderer's own elements and is
 * valid UTF-8, the Markdown has no raw '<' and is valid UTF-8.
 */
#include "fuzz_common.h"
#include "report.h"
#include "resultset.h"

static const char *const html_tags[] = {
	"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4",
	"h5", "h6", "p", "pre", "ul", "li", "table", "thead", "tbody", "tr", "td", "th",
	"figure", "figcaption", "img", "code", "br", NULL,
};

static void check_html(const char *h, size_t n)
{
	FZ_CHECK(fz_utf8_ok((const unsigned char *)h, n), "HTML is not valid UTF-8");
	for (const char *p = h; (p = memchr(p, '<', n - (size_t)(p - h))); p++) {
		const char *t = p + 1 + (p[1] == '/');
		int ok = 0;

		for (int i = 0; html_tags[i] && !ok; i++) {
			size_t l = strlen(html_tags[i]);
			ok = !strncmp(t, html_tags[i], l) && t[l] && strchr(" >/\n", t[l]);
		}
		FZ_CHECK(ok, "HTML opens an element of its input: '%.40s'", p);
	}
}

static void check_md(const char *m, size_t n)
{
	FZ_CHECK(fz_utf8_ok((const unsigned char *)m, n), "Markdown is not valid UTF-8");
	FZ_CHECK(!memchr(m, '<', n), "raw '<' in the Markdown: '%.40s'", (const char *)memchr(m, '<', n));
}

static void check_text(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];

		FZ_CHECK(c == '\n' || (c >= 0x20 && c != 0x7f), "control 0x%02x in the terminal text", c);
		FZ_CHECK(!(c == 0xc2 && i + 1 < n && (unsigned char)t[i + 1] >= 0x80 &&
			   (unsigned char)t[i + 1] <= 0x9f),
			 "a C1 control in the terminal text");
	}
}

static void render(struct ks_resultset **sets, size_t n)
{
	struct ks_report_opts o = { .plots = 0, .conf = 0.95, .alpha = 0.05 };
	char *md = NULL, *html = NULL, *text = NULL;
	size_t mdlen = 0, htmllen = 0, textlen = 0;
	FILE *fm = open_memstream(&md, &mdlen), *fh = open_memstream(&html, &htmllen);
	FILE *ft = open_memstream(&text, &textlen);

	if (!fm || !fh || !ft)
		abort();
	o.text = ft;
	for (size_t i = 0; i < n; i++)
		sets[i]->label[0] = 0;
	ks_resultset_label_all(sets, n);
	int rc = ks_report_render(sets, n, &o, fm, fh);
	fclose(fm);
	fclose(fh);
	fclose(ft);
	if (rc == 0) {
		check_md(md, mdlen);
		check_html(html, htmllen);
	}
	check_text(text, textlen);
	free(md);
	free(html);
	free(text);
}

static struct ks_resultset *parse(const uint8_t *data, size_t size, const char *name)
{
	char err[1024];
	struct ks_resultset *rs = ks_resultset_parse((const char *)data, size, name, err, sizeof err);

	FZ_CHECK(rs || !strncmp(err, name, strlen(name)), "an error that does not name the file: '%s'",
		 err);
	return rs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_resultset *one = parse(data, size, "fuzz.json");

	if (one) {
		render(&one, 1);
		ks_resultset_free(one);
	}

	const uint8_t *nul = memchr(data, 0, size);
	size_t cut = nul ? (size_t)(nul - data) : size / 2;
	size_t skip = nul ? 1 : 0;
	struct ks_resultset *a = parse(data, cut, "a.json");
	struct ks_resultset *b = a ? parse(data + cut + skip, size - cut - skip, "b.json") : NULL;
	if (a && b) {
		struct ks_resultset *sets[2] = { a, b };
		render(sets, 2);

		/* a and b as two runs of one set, against a alone (parsed again:
		 * the pooled set owns its runs) */
		struct ks_resultset **runs = malloc(2 * sizeof(*runs));
		char err[1024];
		if (!runs)
			abort();
		runs[0] = a;
		runs[1] = b;
		a = b = NULL;
		struct ks_resultset *pooled = ks_resultset_pool(runs, 2, err, sizeof err);
		struct ks_resultset *base = parse(data, cut, "a.json");
		FZ_CHECK(base, "a.json parsed once, not twice");
		if (pooled) {
			struct ks_resultset *sets2[2] = { base, pooled };
			render(sets2, 2);
			ks_resultset_free(pooled);
		}
		ks_resultset_free(base);
	}
	ks_resultset_free(a);
	ks_resultset_free(b);
	return 0;
}
