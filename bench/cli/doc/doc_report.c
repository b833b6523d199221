/* SPDX-License-Identifier: MIT */
#include "doc.h"

static const struct ks_doc_item options[] = {
	{ "-o, --output DIR", "output directory (default: RESULTS.report next to the file)" },
	{ "-l, --label NAME", "the set's label (default: \"<backend> <kernel release>\")" },
	{ "--conf C", "confidence level of the intervals (default 0.95)" },
	{ "--no-plots", "skip gnuplot" },
	{ "-h, --help", "show this help and exit" },
	{ NULL, NULL },
};

static const struct ks_doc_item examples[] = {
	{ "kvmscope report results.json", "writes results.report/{report.md,report.html,plots/}" },
	{ "kvmscope report r1.json,r2.json,r3.json -o rep", "three runs of one configuration, pooled" },
	{ "kvmscope report --no-plots -o out results.json", "" },
	{ NULL, NULL },
};

static const struct ks_doc_item exit_status[] = {
	{ "0", "the report was written (with or without plots: gnuplot's absence is reported)" },
	{ "1", "a results file is missing, invalid or truncated (the file, field and line are "
	       "named), or the output cannot be written" },
	{ "2", "a usage error" },
	{ NULL, NULL },
};

const struct ks_cmd_doc ks_doc_report = {
	.name = "report",
	.summary = "one results file -> Markdown, HTML and plots (no root needed)",
	.synopsis = { "report [options] RESULTS.json[,RUN2.json,...]" },
	.description =
		"Summarize one result set: per benchmark the median with its distribution-free "
		"95 % confidence interval, mean, p99, max, robust coefficient of variation, "
		"outliers and a noise flag; the Dall et al. style micro-benchmark table (hypercall, "
		"interrupt-controller trap, virtual IPI, IRQ completion, VM switch, I/O out and in) "
		"in ns and cycles; exit counts checked against KVM's statistics; in-kernel probe breakdowns "
		"and host perf counters when the run recorded them; and plots drawn by gnuplot "
		"(latency CDFs, box plots, medians with CI error bars, memory-lend throughput and "
		"memslot cost against region size, irqfd stages stacked) as PNG and SVG.\n\n"
		"Writes report.md (pastes into a mail), report.html (one self-contained page) and "
		"plots/. Several files joined with commas are runs of one configuration: their "
		"samples are pooled and the run-to-run variation is shown. The files are "
		"validated first; text from them is escaped for every output. Needs no root.",
	.options = options,
	.examples = examples,
	.exit_status = exit_status,
};
