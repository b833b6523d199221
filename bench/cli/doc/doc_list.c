/* SPDX-License-Identifier: MIT */
#include "doc.h"

static const struct ks_doc_item options[] = {
	{ "--device DEV", "the device to drive: /dev/kvm (KVM, the KVM-on-Gunyah port) or "
			  "/dev/gunyah (Gunyah's own driver), or kvm or gunyah for those; a path "
			  "whose name contains gunyah is driven as Gunyah's (default: /dev/kvm "
			  "when it exists, else /dev/gunyah); recorded as environment.backend "
			  ".front and .device" },
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
	.synopsis = { "list [--json] [--device DEV]" },
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
