/* SPDX-License-Identifier: MIT */
/*
 * escape.h - make untrusted text (labels, kernel strings and benchmark names
 * from results files written on other people's machines) safe for each place
 * a report puts it.  One function per destination, so a new output format
 * has to choose one.
 */
#ifndef KS_ESCAPE_H
#define KS_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * HTML text or attribute value: & < > " ' become entities; control
 * characters and invalid UTF-8 become U+FFFD.
 */
void ks_html_escape(FILE *f, const char *s);

/*
 * Markdown text or a table cell: < > & as entities (Markdown passes raw HTML
 * through), | [ ] ` \ backslash-escaped (cell ends, links, images, code),
 * newlines as spaces, invalid UTF-8 and controls as U+FFFD.  Kept readable
 * as plain text, since reports get pasted into mail.
 */
void ks_md_escape(FILE *f, const char *s);

/*
 * Text for a gnuplot single-quoted string (titles, legend entries, tic
 * labels) in a script that sets `noenhanced`: only a whitelist of plain
 * characters is kept (letters, digits, space and . , : ; _ - + = / ( ) # % @
 * < >), anything else becomes '?', and the result is cut to fit len.  Gnuplot
 * single-quoted strings have no escapes except '' and the whitelist has no
 * quote, so nothing in a label can end the string or start a command; < >
 * stay for "write->inject", and gnuplot's SVG terminal writes < and & as
 * entities.
 */
char *ks_gp_label(const char *s, char *buf, size_t len);

/*
 * Text for a terminal: control characters (C0, DEL, and C1 in UTF-8 form)
 * become '?', so a results file cannot send escape sequences to the
 * terminal of whoever prints its report.  Cut to fit len.
 */
char *ks_term_safe(const char *s, char *buf, size_t len);

/*
 * A CSV cell (RFC 4180) for a spreadsheet or a dashboard: control characters
 * (C0 with tab, CR and LF, DEL, C1) become spaces and invalid UTF-8 U+FFFD;
 * a cell whose first non-space character is = + - or @, which a spreadsheet
 * would evaluate as a formula (OWASP's "CSV injection"), gets a leading ';
 * and the cell is quoted, its quotes doubled, when it holds a comma or a
 * quote or starts or ends with a space.  For text only: numbers a program
 * formats itself (a negative median, say) are written as they are.
 */
void ks_csv_cell(FILE *f, const char *s);

/* A file-name-safe slug of s ([A-Za-z0-9_-], others '_'), cut to fit len. */
char *ks_slug(const char *s, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
