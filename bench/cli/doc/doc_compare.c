/* SPDX-License-Identifier: MIT */
#include "doc.h"

static const struct ks_doc_item options[] = {
	{ "-o, --output DIR", "output directory (default: kvmscope-compare)" },
	{ "-l, --label NAME", "label for the next set, in order (repeat; default: \"<backend> "
			      "<kernel release>\", numbered when repeated)" },
	{ "--conf C", "confidence level of the intervals (default 0.95)" },
	{ "--alpha A", "significance level after Holm's correction (default 0.05)" },
	{ "--no-plots", "skip gnuplot" },
	{ "-h, --help", "show this help and exit" },
	{ NULL, NULL },
};

static const struct ks_doc_item examples[] = {
	{ "kvmscope compare -l native native.json -l gunyah gunyah.json -o rb3", "" },
	{ "kvmscope compare n1.json,n2.json,n3.json g1.json,g2.json,g3.json",
	  "three runs (boots) per side: the test is between runs" },
	{ "kvmscope compare a1.json,a3.json a2.json,a4.json", "an A/A check: expect no difference" },
	{ NULL, NULL },
};

static const struct ks_doc_item exit_status[] = {
	{ "0", "the comparison was written (significant differences are not an error)" },
	{ "1", "a results file is missing, invalid or truncated (the file, field and line are "
	       "named), runs of one set differ in backend or kernel, or the output cannot be "
	       "written" },
	{ "2", "a usage error, e.g. fewer than two sets" },
	{ NULL, NULL },
};

const struct ks_cmd_doc ks_doc_compare = {
	.name = "compare",
	.summary = "results files vs a baseline: differences with CIs and tests",
	.synopsis = { "compare [options] BASELINE OTHER [MORE ...]" },
	.description =
		"Compare result sets against the first (the baseline). Each set is a results "
		"file or several runs of one configuration joined with commas. Per benchmark: "
		"the medians, their difference and ratio with a confidence interval, a p-value "
		"and a verdict (slower/faster by X %) only when the difference is significant "
		"after Holm's correction over the benchmarks. With one run per side the interval "
		"is Price-Bonett's and the test Mann-Whitney's over the samples, which cannot see "
		"run-to-run variation; with two or more runs on a side the test is Welch's t over "
		"the runs' medians (the ratio on the log scale). Also: the environment fields that "
		"differ (kernel, command line, backend, module parameters, clocks), the Dall et "
		"al. table with one column per set, benchmarks only one side has, and overlaid "
		"plots. Writes report.md, report.html and plots/. Needs no root.",
	.options = options,
	.examples = examples,
	.exit_status = exit_status,
};
