/* SPDX-License-Identifier: MIT */
/*
 * kvmscope-mangen: write the man pages at build time.
 *   kvmscope-mangen OUTDIR VERSION DATE CMD...
 * writes OUTDIR/kvmscope.1 and OUTDIR/kvmscope-CMD.1 for each CMD, and
 * fails when the CMD list (the build's KVMSCOPE_MAN_COMMANDS) and ks_docs[]
 * disagree, so a documented command cannot miss its page or the reverse.
 * Built for the build machine even when kvmscope is cross-compiled.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "doc.h"

static int write_page(const char *dir, const struct ks_cmd_doc *d, const char *version,
		      const char *date)
{
	char page[64], path[4096], tmp[4200];

	ks_doc_page_name(d, page, sizeof(page));
	snprintf(path, sizeof(path), "%s/%s.1", dir, page);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "kvmscope-mangen: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	ks_doc_print_man(f, d, version, date);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "kvmscope-mangen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int ndocs = 0, rc = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: kvmscope-mangen OUTDIR VERSION DATE CMD...\n");
		return 2;
	}
	while (ks_docs[ndocs])
		ndocs++;
	for (int i = 4; i < argc; i++)
		if (!ks_doc_find(argv[i]) || !strcmp(argv[i], "kvmscope")) {
			fprintf(stderr, "kvmscope-mangen: KVMSCOPE_MAN_COMMANDS lists '%s', which "
				"has no page in ks_docs[] (bench/cli/doc/doc_index.c)\n", argv[i]);
			rc = 1;
		}
	for (int d = 1; d < ndocs; d++) {
		int listed = 0;
		for (int i = 4; i < argc; i++)
			listed |= !strcmp(argv[i], ks_docs[d]->name);
		if (!listed) {
			fprintf(stderr, "kvmscope-mangen: ks_docs[] has '%s', which is missing from "
				"KVMSCOPE_MAN_COMMANDS (bench/CMakeLists.txt)\n", ks_docs[d]->name);
			rc = 1;
		}
	}
	if (rc)
		return rc;
	for (int d = 0; d < ndocs; d++)
		if (write_page(argv[1], ks_docs[d], argv[2], argv[3]) < 0)
			return 1;
	return 0;
}
