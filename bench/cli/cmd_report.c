/* SPDX-License-Identifier: MIT */
/*
 * kvmscope report FILE / kvmscope compare BASELINE OTHER...: results files ->
 * Markdown + HTML + gnuplot plots, and a text summary on stdout.
 * Neither needs root or /dev/kvm: they only read files.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "doc.h"
#include "escape.h"
#include "report.h"
#include "resultset.h"

#define MAX_SETS 8

static void usage(FILE *f, int compare)
{
	ks_doc_print_help(f, ks_doc_find(compare ? "compare" : "report"));
}

static int parse_fraction(const char *s, const char *what, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v > 0 && v < 1)) {
		fprintf(stderr, "kvmscope: %s must be a number between 0 and 1, not '%s'\n", what, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int run(int argc, char **argv, int compare)
{
	static const struct option lo[] = {
		{ "output", required_argument, 0, 'o' }, { "label", required_argument, 0, 'l' },
		{ "conf", required_argument, 0, 'c' },   { "alpha", required_argument, 0, 'a' },
		{ "no-plots", no_argument, 0, 'P' },     { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	const char *cmd = compare ? "compare" : "report";
	struct ks_report_opts o = { .plots = 1, .conf = 0.95, .alpha = 0.05, .text = stdout };
	const char *labels[MAX_SETS] = { 0 };
	size_t nlabels = 0;
	char outbuf[4096], err[1024], perr[512], tb[2][1024];
	struct ks_resultset *sets[MAX_SETS] = { 0 };
	size_t n = 0;
	int c, rc = KS_EXIT_FAIL;

	/* getopt_long wants argv[0]; the dispatcher passes argv past the command */
	optind = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "o:l:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o.outdir = optarg; break;
		case 'l':
			if (nlabels == MAX_SETS) {
				fprintf(stderr, "kvmscope %s: at most %d labels\n", cmd, MAX_SETS);
				return KS_EXIT_USAGE;
			}
			labels[nlabels++] = optarg;
			break;
		case 'c':
			if (parse_fraction(optarg, "--conf", &o.conf) < 0)
				return KS_EXIT_USAGE;
			break;
		case 'a':
			if (!compare) {
				fprintf(stderr, "kvmscope report: --alpha is for compare\n");
				return KS_EXIT_USAGE;
			}
			if (parse_fraction(optarg, "--alpha", &o.alpha) < 0)
				return KS_EXIT_USAGE;
			break;
		case 'P': o.plots = 0; break;
		case 'h': usage(stdout, compare); return KS_EXIT_OK;
		default: usage(stderr, compare); return KS_EXIT_USAGE;
		}
	}
	int nfiles = argc + 1 - optind;
	char **files = argv - 1 + optind;
	if (compare ? nfiles < 2 : nfiles != 1) {
		fprintf(stderr, "kvmscope %s: %s\n\n", cmd,
			compare ? "needs two or more results files" : "needs exactly one results file");
		usage(stderr, compare);
		return KS_EXIT_USAGE;
	}
	if (nfiles > MAX_SETS) {
		fprintf(stderr, "kvmscope %s: at most %d results files\n", cmd, MAX_SETS);
		return KS_EXIT_USAGE;
	}
	if (nlabels > (size_t)nfiles) {
		fprintf(stderr, "kvmscope %s: %zu labels for %d files\n", cmd, nlabels, nfiles);
		return KS_EXIT_USAGE;
	}
	for (int i = 0; i < nfiles; i++) {
		/* A,B,C: several runs of one configuration, pooled into one set */
		char *list = strdup(files[i]), *save = NULL;
		const char *runs[64];
		size_t k = 0;
		if (!list) {
			fprintf(stderr, "kvmscope %s: out of memory\n", cmd);
			goto out;
		}
		for (char *t = strtok_r(list, ",", &save); t && k < 64; t = strtok_r(NULL, ",", &save))
			runs[k++] = t;
		if (!k) {
			fprintf(stderr, "kvmscope %s: empty file list '%s'\n", cmd, files[i]);
			free(list);
			goto out;
		}
		sets[n] = ks_resultset_load_runs(runs, k, err, sizeof err);
		free(list);
		if (!sets[n]) {
			fprintf(stderr, "kvmscope %s: %s\n", cmd, ks_term_safe(err, outbuf, sizeof outbuf));
			goto out;
		}
		if ((size_t)i < nlabels)
			snprintf(sets[n]->label, sizeof sets[n]->label, "%s", labels[i]);
		n++;
	}
	ks_resultset_label_all(sets, n);
	if (!o.outdir) {
		if (compare) {
			o.outdir = "kvmscope-compare";
		} else {
			size_t l = strlen(files[0]);
			if (l > 5 && !strcmp(files[0] + l - 5, ".json"))
				l -= 5;
			snprintf(outbuf, sizeof outbuf, "%.*s.report", (int)l, files[0]);
			o.outdir = outbuf;
		}
	}
	for (size_t i = 0; i < n; i++)
		printf("%s: %s (%s, %zu run%s, %zu benchmarks%s)\n", i == 0 && compare ? "baseline" : "set",
		       ks_term_safe(sets[i]->label, tb[0], sizeof tb[0]),
		       ks_term_safe(sets[i]->path, tb[1], sizeof tb[1]),
		       sets[i]->nruns ? sets[i]->nruns : 1, sets[i]->nruns > 1 ? "s" : "", sets[i]->nb,
		       sets[i]->complete ? "" : ", INCOMPLETE run");
	if (ks_report(sets, n, &o, perr, sizeof perr, err, sizeof err) < 0) {
		fprintf(stderr, "kvmscope %s: %s\n", cmd, err);
		goto out;
	}
	if (perr[0])
		fprintf(stderr, "kvmscope %s: no plots: %s\n", cmd, perr);
	printf("\nreport: %s/report.md, %s/report.html%s\n", o.outdir, o.outdir,
	       o.plots && !perr[0] ? ", plots in plots/ (PNG and SVG)" : "");
	rc = KS_EXIT_OK;
out:
	for (size_t i = 0; i < n; i++)
		ks_resultset_free(sets[i]);
	return rc;
}

int ks_cmd_report(int argc, char **argv)
{
	return run(argc, argv, 0);
}

int ks_cmd_compare(int argc, char **argv)
{
	return run(argc, argv, 1);
}
