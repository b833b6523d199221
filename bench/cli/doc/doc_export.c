/* SPDX-License-Identifier: MIT */
#include "doc.h"

static const struct ks_doc_item options[] = {
	{ "-f, --format FMT", "`squad`, `kcidb` or `csv` (required)" },
	{ "-o, --output OUT", "the file to write (csv, kcidb), or for squad a prefix: OUT-metrics.json, "
			      "OUT-tests.json, OUT-metadata.json (a trailing .json is dropped; a "
			      "directory gets DIR/metrics.json ...). Written atomically. Default, or "
			      "`-`: standard output (for squad: the metrics file)" },
	{ "--part P", "squad only: just `metrics`, `tests` or `metadata`" },
	{ "--suite NAME", "the SQUAD suite and the KCIDB path's first component (default "
			  "`kvmscope`): letters, digits, _ . -" },
	{ "--origin NAME", "KCIDB origin, the prefix of every id (default `kvmscope`): [a-z0-9_]+" },
	{ "--build-id ID", "KCIDB id of the tested build, ORIGIN:ID as the lab that built the "
			   "kernel submitted it (default: the placeholder ORIGIN:unknown-build, "
			   "with a warning)" },
	{ "--run-id ID", "this run's id: SQUAD's job_id and the middle of KCIDB test ids "
			 "(default: HOSTNAME-STARTTIME of the first run, -xK for K runs)" },
	{ "--conf C", "confidence level of the median's interval (default 0.95)" },
	{ "-h, --help", "show this help and exit" },
	{ NULL, NULL },
};

static const struct ks_doc_item examples[] = {
	{ "kvmscope export --format csv results.json", "one row per benchmark on stdout" },
	{ "kvmscope export -f squad -o squad/rb3 gunyah.json",
	  "squad/rb3-metrics.json, -tests.json and -metadata.json" },
	{ "cd squad && curl -H \"Authorization: token $TOKEN\" -F metrics=@rb3-metrics.json "
	  "-F tests=@rb3-tests.json -F metadata=@rb3-metadata.json $SQUAD/api/submit/GRP/PRJ/BUILD/ENV",
	  "submit them to SQUAD (ENV: e.g. the backend)" },
	{ "kvmscope export -f squad --part tests r.json", "just the tests file, on stdout" },
	{ "kvmscope export -f kcidb --origin mylab --build-id mylab:build-1234 -o kcidb.json r.json",
	  "a KCIDB document; check it with kcidb-validate, send it with kcidb-submit" },
	{ "kvmscope export -f csv -o runs.csv r1.json,r2.json,r3.json",
	  "three runs of one configuration, pooled as `report` pools them" },
	{ NULL, NULL },
};

static const struct ks_doc_item exit_status[] = {
	{ "0", "written" },
	{ "1", "a results file is missing, invalid or truncated (the file, field and line are "
	       "named), runs of one set differ in backend or kernel, or the output cannot be "
	       "written" },
	{ "2", "a usage error: no or an unknown format, a bad option value, not one set of files" },
	{ NULL, NULL },
};

const struct ks_cmd_doc ks_doc_export = {
	.name = "export",
	.summary = "a results file for dashboards: SQUAD, KCIDB or CSV (no root needed)",
	.synopsis = { "export --format squad|kcidb|csv [options] RESULTS.json[,RUN2.json,...]" },
	.description =
		"Write one result set in a format a dashboard takes. The file is validated first, "
		"as `report` validates it; several files joined with commas are runs of one "
		"configuration and are pooled. Per benchmark the figure is the median of its "
		"samples, recomputed from the samples as `report` computes it (the file's own "
		"summary is not trusted). Every string from the file is untrusted: JSON strings "
		"are escaped and made valid UTF-8, names are reduced to each format's characters, "
		"CSV cells are quoted and defused.\n\n"
		"squad: the files SQUAD's submit API takes (POST /api/submit/GROUP/PROJECT/BUILD/ENV, "
		"fields `metrics`, `tests`, `metadata`). metrics: one entry per benchmark that ran, "
		"\"SUITE/NAME\": {\"value\": median, \"unit\": \"ns\"} (the object form SQUAD reads "
		"since 1.25; a plain number or a list would make the mean the result). tests: "
		"\"SUITE/NAME\": \"pass\" for a benchmark that ran, {\"result\": \"fail\" or "
		"\"skip\", \"log\": the reason} for one that failed, or was unsupported or "
		"interrupted. metadata: strings: job_id (--run-id), datetime (the run's start), "
		"job_status (complete or incomplete), suite_versions, and kvmscope_version, "
		"kvmscope_commit, arch, backend, kernel_release, kernel_version, host_hypervisor, "
		"hostname, cpu_model, runs, results_files, exported_by. Names keep LAVA's "
		"characters ([A-Za-z0-9._-], others become _), so '/' and '[' ']', which SQUAD "
		"reads as suite and variant separators, cannot appear; two names reduced to one "
		"are numbered (-2, -3).\n\n"
		"kcidb: one KCIDB I/O document, {\"version\": {\"major\": 5, \"minor\": 0}, "
		"\"tests\": [...]}, v5.0 being the oldest schema with every field used (v5.3 has "
		"the same test fields). Per benchmark a test with id ORIGIN:RUN-ID:NAME, build_id, "
		"origin, path SUITE.NAME (components [a-zA-Z0-9_-]), comment (what was measured), "
		"status, number {value: median, unit}, log_excerpt (the reason, when it did not "
		"run), start_time (the run's start: the file does not record each benchmark's), "
		"duration (the benchmark's seconds, summed over runs), environment {comment, "
		"misc: arch, backend, kernel_release, host_hypervisor, hostname, cpu_model} and "
		"misc (benchmark, family, kvmscope_status, runs, tool_version and, when it ran, "
		"unit, samples, median, ci_low, ci_high, ci_level, mean, p99, max). Status: "
		"ok is DONE (KCIDB's status for a performance measurement that judges no code), "
		"failed FAIL, unsupported SKIP, interrupted MISS. KCIDB requires build_id: without "
		"--build-id the tests name the placeholder ORIGIN:unknown-build and a warning says "
		"so; KCIDB keeps such tests but shows them only once that build and its checkout "
		"exist.\n\n"
		"csv: RFC 4180, CRLF line ends, a header row and one row per benchmark: name, "
		"family, status, unit, n, median, ci_low, ci_high, mean, p99, max, backend, "
		"kernel. Numbers in ns (or the unit shown), empty where there is none (a benchmark "
		"that did not run; an interval with too few samples). Text cells: control "
		"characters become spaces, a cell starting with = + - or @ gets a leading ' so "
		"that no spreadsheet runs it as a formula, and cells with a comma or a quote are "
		"quoted.",
	.options = options,
	.examples = examples,
	.exit_status = exit_status,
	.notes = "The formats as their projects document them: SQUAD, github.com/Linaro/squad: "
		 "doc/intro.rst (Submitting results, Input file formats) and squad/core/data.py "
		 "(the metric object with value and unit). KCIDB, github.com/kernelci/kcidb-io: "
		 "kcidb_io/schema/v05_00.py to v05_03.py, and github.com/kernelci/kcidb: "
		 "doc/submitter_guide.md (the statuses). CSV: RFC 4180; formula injection: "
		 "OWASP, CSV Injection.",
};
