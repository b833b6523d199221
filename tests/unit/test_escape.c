/* SPDX-License-Identifier: MIT */
/* test_escape.c - hostile text for HTML, Markdown, gnuplot and terminals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"

static char *capture(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fn(f, s);
	fclose(f);
	return buf;
}

static void test_html(void **state)
{
	(void)state;
	char *o = capture(ks_html_escape, "<script>alert('x')</script>&\"\x01\xff\xc0\xaf\n");
	assert_string_equal(o, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
			       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd ");
	free(o);
	o = capture(ks_html_escape, "caf\xc3\xa9 \xf0\x9f\x98\x80");  /* valid UTF-8 kept */
	assert_string_equal(o, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	free(o);
	o = capture(ks_html_escape, "\xed\xa0\x80");  /* an encoded surrogate is invalid */
	assert_string_equal(o, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(o);
}

static void test_markdown(void **state)
{
	(void)state;
	char *o = capture(ks_md_escape, "a|b [x](javascript:alert(1)) `c` <img src=x> \\ kvm_exit\nnext");
	assert_string_equal(o, "a\\|b \\[x\\](javascript:alert(1)) \\`c\\` &lt;img src=x&gt; \\\\ kvm_exit next");
	free(o);
}

static void test_gnuplot(void **state)
{
	(void)state;
	char b[64];
	/* a quote would end the string; newline/semicolon would start a command */
	assert_string_equal(ks_gp_label("x'; system('rm -rf /')\n#", b, sizeof b),
			    "x?; system(?rm -rf /?)?#");
	assert_null(strchr(ks_gp_label("a'b\"c`d\\e\n{f}^_@&", b, sizeof b), '\''));
	assert_string_equal(ks_gp_label("a'b\"c`d\\e\n{f}^_@&", b, sizeof b), "a?b?c?d?e??f??_@?");
	assert_string_equal(ks_gp_label("0123456789", b, 5), "0123");
	assert_string_equal(ks_gp_label(NULL, b, sizeof b), "");
}

static void test_slug_and_term(void **state)
{
	(void)state;
	char b[64];
	assert_string_equal(ks_slug("../../etc/passwd", b, sizeof b), "______etc_passwd");
	assert_string_equal(ks_slug("", b, sizeof b), "_");
	assert_string_equal(ks_term_safe("ok\x1b[2Jgone\xc2\x9b" "31m\x7f", b, sizeof b),
			    "ok?[2Jgone?31m?");
	assert_string_equal(ks_term_safe("caf\xc3\xa9", b, sizeof b), "caf\xc3\xa9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_gnuplot),
		cmocka_unit_test(test_slug_and_term),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
