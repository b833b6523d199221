/* SPDX-License-Identifier: MIT */
/* kvmscope info: what this host offers, in the terms the results file uses. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "doc.h"
#include "front.h"
#include "json_writer.h"

static void print_text(const struct ks_host *h)
{
	const struct ks_host_facts *f = &h->facts;

	printf("arch:             %s\n", ks_arch.name);
	printf("kernel:           %s %s\n", f->kernel.sysname, f->kernel.release);
	printf("backend:          %s\n", f->backend.name);
	printf("  detected from:  %s\n", f->backend.detail);
	printf("  host hypervisor: %s\n", f->backend.hypervisor);
	if (f->backend.guest_seen[0])
		printf("  a guest sees:   %s\n", f->backend.guest_seen);
	if (!h->kvm_ok) {
		printf("device:           %s unusable: %s\n", h->kvm.path[0] ? h->kvm.path : "/dev/kvm",
		       h->kvm_err);
	} else {
		if (h->kvm.front->kind == KS_FRONT_GUNYAH)
			printf("device:           %s, Gunyah's own driver (front gunyah)\n", h->kvm.path);
		else
			printf("device:           %s, KVM API version %d%s (front kvm)\n", h->kvm.path,
			       h->kvm.api_version,
			       h->kvm.api_version == KS_KVM_API_VERSION_GUNYAH ?
			       " (KVM-on-Gunyah port)" : "");
		if (h->identify_err[0])
			printf("  identify guest: did not run: %s\n", h->identify_err);
		printf("capabilities:%s\n", h->kvm.front->kind == KS_FRONT_GUNYAH ?
		       " (KVM's names, for what /dev/gunyah has an equivalent of)" : "");
		for (size_t i = 0; i < ks_cap_names_count; i++)
			printf("  %-28s %ld\n", ks_cap_names[i].name,
			       ks_host_cap(h, ks_cap_names[i].cap));
		printf("  %-28s %ld (VM)\n", "KVM_CAP_GUEST_MEMFD_FLAGS",
		       h->vm_caps_guest_memfd_flags);
	}
	printf("host counter:     %.6f GHz (calibrated against CLOCK_MONOTONIC_RAW)\n",
	       h->host_tick_hz / 1e9);
	if (h->guest_tick_hz)
		printf("guest counter:    %.6f GHz (from KVM)\n", h->guest_tick_hz / 1e9);
	else
		printf("guest counter:    unknown (no usable vCPU)\n");
	printf("online CPUs:      %ld\n", f->cpu.online);
	printf("tracefs:          %s; %s\n", f->tracing.state,
	       f->tracing.kvm_events ? "kvm:* events present" :
				       "kvm:* events not visible (tracefs not mounted, or KVM not loaded)");
	printf("BTF:              %s\n", f->tracing.btf_vmlinux ? "/sys/kernel/btf/vmlinux present" :
								  "no kernel BTF");
}

/* The same facts: the results file's `environment` object, by the same writer. */
static int print_json(const struct ks_host *h)
{
	jw_t *w = jw_new(stdout, 1);

	jw_begin_object(w);
	ks_json_environment(w, h);
	/* kept for scripts written against earlier versions: cpu.online */
	jw_kv_int(w, "online_cpus", h->facts.cpu.online);
	jw_end_object(w);
	if (jw_finish(w) < 0) {
		fprintf(stderr, "kvmscope info: writing JSON to stdout failed\n");
		return -1;
	}
	return 0;
}

int ks_cmd_info(int argc, char **argv)
{
	return ks_cli_host_command(argc, argv, "info", print_text, print_json, true);
}
