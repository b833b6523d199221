/* SPDX-License-Identifier: MIT */
#include "doc.h"

static const struct ks_doc_item options[] = {
	{ "-l, --list", "each probe, the events it would use here, or exactly why not; and "
			"which backends are usable" },
	{ "-p, --pid PID", "only this process (a VMM); default: every process" },
	{ "-i, --interval S", "print every S seconds (default 1)" },
	{ "-d, --duration S", "stop after S seconds (default: until Ctrl-C)" },
	{ "-b, --backend auto|bpf|tracefs", "auto (BPF, else tracefs), bpf or tracefs" },
	{ "-h, --help", "show this help and exit" },
	{ NULL, NULL },
};

static const struct ks_doc_item examples[] = {
	{ "kvmscope probe --list", "" },
	{ "kvmscope probe uexits -p $(pidof qemu-system-aarch64) -i 5",
	  "one VMM's exits to userspace, every 5 s" },
	{ "kvmscope probe exits -d 10 --backend tracefs", "10 s of every exit, through tracefs" },
	{ NULL, NULL },
};

static const struct ks_doc_item exit_status[] = {
	{ "0", "the probe ran until its duration or Ctrl-C and detached cleanly" },
	{ "1", "the probe could not start, or reading it failed" },
	{ "2", "an unknown option or probe name, or a bad value" },
	{ "77", "the probe, or every backend, is unavailable on this kernel (the reason is "
		"printed)" },
	{ NULL, NULL },
};

const struct ks_cmd_doc ks_doc_probe = {
	.name = "probe",
	.summary = "watch KVM in the host kernel live: histograms per exit reason",
	.synopsis = { "probe --list", "probe NAME [-p PID] [-i S] [-d S] [--backend B]" },
	.description =
		"Watch where KVM's time goes in the host kernel. NAME is one of exits, "
		"uexits, hypercalls, irqfd, memlend. Every interval prints bpftrace-style "
		"log2 histograms and a per-key table; Ctrl-C (or the duration) prints the "
		"final picture, detaches everything and restores the tracefs state the "
		"backend changed.\n\n"
		"Two backends implement the same probes: eBPF (CO-RE programs, histograms "
		"aggregated in the kernel; tracepoints attached as tp_btf, else raw_tp, else "
		"classic, whichever this kernel takes) and tracefs (a private ftrace "
		"instance, events decoded with libtraceevent and paired in userspace). "
		"Discovery inspects the running kernel and tries each plan: --list shows how "
		"it attached, or why it is unavailable. Where kvm_exit/kvm_entry never fire "
		"(PVM) or do not exist (KVM-on-Gunyah), exits and hypercalls come from the "
		"backend's own functions with fentry/fexit, where the kernel allows them.\n\n"
		"SIGTERM is Ctrl-C. Privileges: BPF needs CAP_BPF and CAP_PERFMON (or "
		"CAP_SYS_ADMIN), tracefs needs root or CAP_DAC_OVERRIDE; kvmscope mounts "
		"a tracefs of its own that no other process sees (CAP_SYS_ADMIN; without "
		"it, a mounted one is used); what is missing is named. With auto, a BPF "
		"backend that cannot run or cannot load its programs gives way to tracefs, "
		"and kvmscope says why.",
	.options = options,
	.examples = examples,
	.exit_status = exit_status,
};
