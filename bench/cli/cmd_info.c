/* SPDX-License-Identifier: MIT */
/* kvmscope info: what this host offers, in the terms the results file uses. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "bench.h"
#include "cli.h"

static const char *tracefs_state(void)
{
	struct stat st;
	if (stat("/sys/kernel/tracing/events", &st) == 0)
		return "mounted at /sys/kernel/tracing";
	if (stat("/sys/kernel/debug/tracing/events", &st) == 0)
		return "mounted at /sys/kernel/debug/tracing";
	if (stat("/sys/kernel/tracing", &st) == 0)
		return "not mounted (mount -t tracefs nodev /sys/kernel/tracing)";
	return "not available";
}

static const char *kvm_events_state(void)
{
	struct stat st;
	if (stat("/sys/kernel/tracing/events/kvm", &st) == 0 ||
	    stat("/sys/kernel/debug/tracing/events/kvm", &st) == 0)
		return "kvm:* events present";
	return "kvm:* events not visible (tracefs not mounted, or KVM not loaded)";
}

int ks_cmd_info(int argc, char **argv)
{
	struct ks_host h;
	struct utsname u;
	struct stat st;

	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		printf("usage: kvmscope info\n\nPrint the arch, the backend behind /dev/kvm and how it "
		       "was detected, the KVM API version and capabilities, counter frequencies and "
		       "tracing support.\n");
		return KS_EXIT_OK;
	}
	if (argc > 0) {
		fprintf(stderr, "kvmscope info: unexpected argument '%s'\n", argv[0]);
		return KS_EXIT_USAGE;
	}
	ks_host_probe(&h);
	uname(&u);
	printf("arch:             %s\n", ks_arch.name);
	printf("kernel:           %s %s\n", u.sysname, u.release);
	printf("backend:          %s\n", h.backend.name);
	printf("  detected from:  %s\n", h.backend.detail);
	printf("  host hypervisor: %s\n", h.backend.hypervisor);
	if (h.guest_seen[0])
		printf("  a guest sees:   %s\n", h.guest_seen);
	if (!h.kvm_ok) {
		printf("/dev/kvm:         unusable: %s\n", h.kvm_err);
	} else {
		printf("/dev/kvm:         ok, API version %d%s\n", h.kvm.api_version,
		       h.kvm.api_version == KS_KVM_API_VERSION_GUNYAH ? " (KVM-on-Gunyah port)" : "");
		printf("capabilities:\n");
		for (size_t i = 0; i < ks_cap_names_count; i++)
			printf("  %-28s %ld\n", ks_cap_names[i].name,
			       ks_host_cap(&h, ks_cap_names[i].cap));
		printf("  %-28s %ld (VM)\n", "KVM_CAP_GUEST_MEMFD_FLAGS",
		       h.vm_caps_guest_memfd_flags);
	}
	printf("host counter:     %.6f GHz (calibrated against CLOCK_MONOTONIC_RAW)\n",
	       h.host_tick_hz / 1e9);
	if (h.guest_tick_hz)
		printf("guest counter:    %.6f GHz (from KVM)\n", h.guest_tick_hz / 1e9);
	else
		printf("guest counter:    unknown (no usable vCPU)\n");
	printf("online CPUs:      %ld\n", h.nr_cpus);
	printf("tracefs:          %s; %s\n", tracefs_state(), kvm_events_state());
	printf("BTF:              %s\n", stat("/sys/kernel/btf/vmlinux", &st) == 0 ?
					     "/sys/kernel/btf/vmlinux present" : "no kernel BTF");
	ks_host_release(&h);
	return KS_EXIT_OK;
}
