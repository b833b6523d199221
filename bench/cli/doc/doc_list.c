/* SPDX-License-Identifier: MIT */
#include "doc.h"

static const struct ks_doc_item options[] = {
	{ "--json", "print the list as JSON on stdout: the backend and, per benchmark, "
		    "name, family, what, default, available and reason" },
	{ "-h, --help", "show this help and exit" },
	{ NULL, NULL },
};

static const struct ks_doc_item examples[] = {
	{ "kvmscope list", "" },
	{ "kvmscope list --json | jq -r '.benchmarks[] | select(.available) | .name'",
	  "the benchmarks that can run here" },
	{ NULL, NULL },
};

static const struct ks_doc_item exit_status[] = {
	{ "0", "the list was printed (also when nothing can run here)" },
	{ "2", "an unknown option" },
	{ NULL, NULL },
};

const struct ks_cmd_doc ks_doc_list = {
	.name = "list",
	.summary = "the benchmarks, and whether each can run here (and why not)",
	.synopsis = { "list [--json]" },
	.description =
		"List every benchmark: its family, whether it is in the default suite, "
		"what it measures, and whether it can run on this machine's backend; "
		"if not, the precise reason (no usable /dev/kvm, a missing capability, "
		"the backend has no in-kernel irqchip, ...). `kvmscope run` accepts "
		"benchmark names and family names.",
	.options = options,
	.examples = examples,
	.exit_status = exit_status,
};
