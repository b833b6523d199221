/* SPDX-License-Identifier: MIT */
#include "doc.h"

static const struct ks_doc_item options[] = {
	{ "--device DEV", "the device to drive: /dev/kvm (KVM, the KVM-on-Gunyah port) or "
			  "/dev/gunyah (Gunyah's own driver), or kvm or gunyah for those; a path "
			  "whose name contains gunyah is driven as Gunyah's (default: /dev/kvm "
			  "when it exists, else /dev/gunyah); recorded as environment.backend "
			  ".front and .device" },
	{ "--json", "print the same facts as one JSON object on stdout: the results file's "
		    "`environment` object, written by the same code (plus `online_cpus`)" },
	{ "-h, --help", "show this help and exit" },
	{ NULL, NULL },
};

static const struct ks_doc_item examples[] = {
	{ "kvmscope info", "" },
	{ "kvmscope info --json | jq -r .backend.name", "just the backend's name" },
	{ "kvmscope info --device /dev/gunyah", "Gunyah through its own driver (backend gunyah)" },
	{ NULL, NULL },
};

static const struct ks_doc_item exit_status[] = {
	{ "0", "the device (/dev/kvm, or /dev/gunyah) is usable" },
	{ "2", "an unknown option" },
	{ "4", "the device is missing or unusable; everything else is still printed, "
	       "with the reason" },
	{ NULL, NULL },
};

const struct ks_cmd_doc ks_doc_info = {
	.name = "info",
	.summary = "what is behind /dev/kvm (or /dev/gunyah) here: arch, backend, API, caps, clocks",
	.synopsis = { "info [--json] [--device DEV]" },
	.description =
		"Print the arch and kernel, the backend behind the device and the evidence "
		"it was detected from (kernel modules, CPU flags, the host's own "
		"hypervisor, on arm64 /dev/gunyah, the device tree, boot log and the vendor-hypervisor "
		"UID a guest reads), the KVM API version and capabilities, the host and "
		"guest counter frequencies, and whether tracefs, the kvm trace events and "
		"kernel BTF (for the probes) are there. The same facts are recorded in "
		"every results file (`environment`).\n\n"
		"It needs no working /dev/kvm: on a machine without one it says why.",
	.options = options,
	.examples = examples,
	.exit_status = exit_status,
};
