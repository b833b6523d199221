/* SPDX-License-Identifier: MIT */
/* kvmscope info: what this host offers, in the terms the results file uses. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "bench.h"
#include "cli.h"
#include "doc.h"
#include "json_writer.h"

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

static bool kvm_events_present(void)
{
	struct stat st;
	return stat("/sys/kernel/tracing/events/kvm", &st) == 0 ||
	       stat("/sys/kernel/debug/tracing/events/kvm", &st) == 0;
}

static bool btf_present(void)
{
	struct stat st;
	return stat("/sys/kernel/btf/vmlinux", &st) == 0;
}

static void print_text(const struct ks_host *h, const struct utsname *u)
{
	printf("arch:             %s\n", ks_arch.name);
	printf("kernel:           %s %s\n", u->sysname, u->release);
	printf("backend:          %s\n", h->backend.name);
	printf("  detected from:  %s\n", h->backend.detail);
	printf("  host hypervisor: %s\n", h->backend.hypervisor);
	if (h->guest_seen[0])
		printf("  a guest sees:   %s\n", h->guest_seen);
	if (!h->kvm_ok) {
		printf("/dev/kvm:         unusable: %s\n", h->kvm_err);
	} else {
		printf("/dev/kvm:         ok, API version %d%s\n", h->kvm.api_version,
		       h->kvm.api_version == KS_KVM_API_VERSION_GUNYAH ? " (KVM-on-Gunyah port)" : "");
		printf("capabilities:\n");
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
	printf("online CPUs:      %ld\n", h->nr_cpus);
	printf("tracefs:          %s; %s\n", tracefs_state(),
	       kvm_events_present() ? "kvm:* events present" :
				      "kvm:* events not visible (tracefs not mounted, or KVM not loaded)");
	printf("BTF:              %s\n", btf_present() ? "/sys/kernel/btf/vmlinux present" :
							 "no kernel BTF");
}

/* The same facts, keyed like the results file's `environment` where they overlap. */
static int print_json(const struct ks_host *h, const struct utsname *u)
{
	jw_t *w = jw_new(stdout, 1);

	jw_begin_object(w);
	jw_kv_string(w, "arch", ks_arch.name);
	jw_key(w, "kernel");
	jw_begin_object(w);
	jw_kv_string(w, "sysname", u->sysname);
	jw_kv_string(w, "release", u->release);
	jw_end_object(w);
	jw_key(w, "backend");
	jw_begin_object(w);
	jw_kv_string(w, "name", h->backend.name);
	jw_kv_string(w, "detail", h->backend.detail);
	jw_kv_string(w, "host_hypervisor", h->backend.hypervisor);
	jw_kv_string(w, "guest_seen", h->guest_seen);
	jw_end_object(w);
	jw_key(w, "kvm");
	jw_begin_object(w);
	jw_kv_bool(w, "available", h->kvm_ok);
	if (h->kvm_ok) {
		jw_kv_null(w, "error");
		jw_kv_int(w, "api_version", h->kvm.api_version);
		jw_kv_bool(w, "gunyah_port", h->kvm.api_version == KS_KVM_API_VERSION_GUNYAH);
		ks_json_kvm_caps(w, h);
	} else {
		jw_kv_string(w, "error", h->kvm_err);
	}
	jw_end_object(w);
	jw_key(w, "clock");
	jw_begin_object(w);
	jw_kv_uint(w, "host_tick_hz", h->host_tick_hz);
	if (h->guest_tick_hz)
		jw_kv_uint(w, "guest_tick_hz", h->guest_tick_hz);
	else
		jw_kv_null(w, "guest_tick_hz");   /* no usable vCPU to ask */
	jw_end_object(w);
	jw_kv_int(w, "online_cpus", h->nr_cpus);
	jw_key(w, "tracing");
	jw_begin_object(w);
	jw_kv_string(w, "tracefs", tracefs_state());
	jw_kv_bool(w, "kvm_events", kvm_events_present());
	jw_kv_bool(w, "btf", btf_present());
	jw_end_object(w);
	jw_end_object(w);
	if (jw_finish(w) < 0) {
		fprintf(stderr, "kvmscope info: writing JSON to stdout failed\n");
		return -1;
	}
	return 0;
}

int ks_cmd_info(int argc, char **argv)
{
	struct ks_host h;
	struct utsname u;
	bool json = false;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			ks_doc_print_help(stdout, ks_doc_find("info"));
			return KS_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else {
			fprintf(stderr, "kvmscope info: unexpected argument '%s' (see kvmscope info "
				"--help)\n", argv[i]);
			return KS_EXIT_USAGE;
		}
	}
	ks_host_probe(&h);
	uname(&u);
	int rc = KS_EXIT_OK;
	if (json) {
		if (print_json(&h, &u) < 0)
			rc = KS_EXIT_FAIL;
	} else {
		print_text(&h, &u);
	}
	/* everything was printed; the status says whether /dev/kvm can be used */
	if (rc == KS_EXIT_OK && !h.kvm_ok)
		rc = KS_EXIT_NO_KVM;
	ks_host_release(&h);
	return rc;
}
