/* SPDX-License-Identifier: MIT */
/* kvmscope(1): the tool, its commands (listed from ks_docs[]) and exit codes. */
#include "doc.h"

static const struct ks_doc_item options[] = {
	{ "-h, --help", "the commands, and how to get a command's options" },
	{ "--version", "the version and the git commit it was built from" },
	{ NULL, NULL },
};

static const struct ks_doc_item examples[] = {
	{ "kvmscope info", "what is behind /dev/kvm here, and why kvmscope thinks so" },
	{ "kvmscope list", "every benchmark, and whether it can run here (or exactly why not)" },
	{ "kvmscope run --quick", "the default suite in seconds; a results file and a table" },
	{ "kvmscope probe uexits -i 5", "live histograms of KVM's exits to userspace" },
	{ NULL, NULL },
};

/* The one list of exit codes; each command's page lists the ones it uses. */
static const struct ks_doc_item exit_status[] = {
	{ "0", "success" },
	{ "1", "failure: a benchmark failed, a file could not be written, a probe could not start" },
	{ "2", "usage: an unknown command, option or benchmark name, or a bad value" },
	{ "3", "the results are not where asked: `run` could not write its results file "
	       "(the error names the file and the errno, e.g. ENOSPC) and kept every result "
	       "in a fallback file instead, named on stderr and in the `results:` line" },
	{ "4", "/dev/kvm is missing or unusable, so nothing that needs it could run "
	       "(`info` still prints everything else it found)" },
	{ "77", "nothing to do here: every selected benchmark, or the probe asked for, is "
		"unsupported on this machine (the reasons are printed); the automake/ctest "
		"convention for a skipped test" },
	{ "130", "interrupted (SIGINT or SIGTERM); what was measured so far is kept" },
	{ NULL, NULL },
};

const struct ks_cmd_doc ks_doc_kvmscope = {
	.name = "kvmscope",
	.summary = "measure what a KVM virtualization backend costs",
	.synopsis = { "<command> [options]", "--help | --version" },
	.description =
		"kvmscope runs tiny bare-metal micro-guests through /dev/kvm and times "
		"exits, hypercalls, interrupt delivery and memory fault-in, from inside "
		"the guest and from the host. It cross-checks exit counts against KVM's "
		"own statistics, counts host perf events around each benchmark, and "
		"writes every raw sample to a JSON results file that later analysis can "
		"recompute anything from.\n\n"
		"The backend behind /dev/kvm (VMX, SVM, PVM on x86; native KVM in VHE, "
		"nVHE or protected mode, or KVM-on-Gunyah on arm64) is detected at run "
		"time and recorded with the evidence.",
	.options = options,
	.examples = examples,
	.exit_status = exit_status,
	.notes = "The results file format is described in "
		 "/usr/share/doc/kvmscope/results-schema.md (results/README.md in the "
		 "source tree).",
};
