/* SPDX-License-Identifier: MIT */
/*
 * The host's environment as JSON: the one writer behind the results file's
 * "environment" object and `kvmscope info --json` (schema:
 * results/README.md). It writes the facts ks_host_probe gathered once; it
 * reads no file itself, so a results file rewritten after every benchmark
 * records the same environment each time.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "json_writer.h"

/* kvm.ko knobs worth a line of their own in reports (kvm.parameters). */
static const char *const kvm_knobs[] = { "halt_poll_ns", "halt_poll_ns_grow",
					 "halt_poll_ns_shrink", "tdp_mmu", "enable_pmu" };

static void write_kernel_cpu(jw_t *w, const struct ks_host_facts *f)
{
	jw_key(w, "kernel");
	jw_begin_object(w);
	if (f->kernel.sysname[0]) {
		jw_kv_string(w, "sysname", f->kernel.sysname);
		jw_kv_string(w, "release", f->kernel.release);
		jw_kv_string(w, "version", f->kernel.version);
	}
	jw_kv_string(w, "cmdline", f->kernel.cmdline);
	jw_end_object(w);

	jw_key(w, "cpu");
	jw_begin_object(w);
	jw_kv_string(w, "model", f->cpu.model);
	jw_kv_int(w, "online", f->cpu.online);
	/* the CPU clock for cycle figures in reports; absent without cpufreq */
	if (f->cpu.has_max_freq)
		jw_kv_uint(w, "max_freq_khz", f->cpu.max_freq_khz);
	if (f->cpu.governor[0])
		jw_kv_string(w, "governor", f->cpu.governor);
	jw_end_object(w);
}

static void write_backend(jw_t *w, const struct ks_backend_info *b)
{
	jw_key(w, "backend");
	jw_begin_object(w);
	jw_kv_string(w, "name", b->name);
	/* the interface driven: kvm (/dev/kvm) or gunyah (/dev/gunyah) */
	jw_kv_string(w, "front", b->front);
	jw_kv_string(w, "device", b->device);
	jw_kv_string(w, "detail", b->detail);
	jw_kv_bool(w, "host_is_virtualized", b->nested);
	jw_kv_string(w, "host_hypervisor", b->hypervisor);
	jw_kv_string(w, "guest_seen", b->guest_seen);
	jw_key(w, "limits");
	jw_begin_object(w);
	jw_kv_int(w, "max_vcpus", b->limits.max_vcpus);
	jw_kv_bool(w, "in_kernel_irqchip", !b->limits.no_irqchip);
	jw_kv_bool(w, "ioeventfd", !b->limits.no_ioeventfd);
	jw_kv_bool(w, "irqfd_is_doorbell", b->limits.irqfd_is_doorbell);
	jw_kv_bool(w, "gic_in_hypervisor", b->limits.gic_in_hypervisor);
	jw_kv_bool(w, "memory_at_start", b->limits.memory_at_start);
	jw_kv_bool(w, "spurious_eoi", !b->limits.no_spurious_eoi);
	jw_kv_bool(w, "halt_wakeup_reliable", !b->limits.halt_wakeup_lost);
	jw_end_object(w);
	jw_end_object(w);
}

/* Every parameter of each loaded KVM module, by module (kvm.module_parameters). */
static void write_module_params(jw_t *w, const struct ks_host_facts *f)
{
	jw_key(w, "module_parameters");
	jw_begin_object(w);
	for (size_t i = 0; i < f->nparams;) {
		const char *mod = f->params[i].module;
		jw_key(w, mod);
		jw_begin_object(w);
		for (; i < f->nparams && !strcmp(f->params[i].module, mod); i++)
			jw_kv_string(w, f->params[i].name, f->params[i].value);
		jw_end_object(w);
	}
	jw_end_object(w);
}

static void write_kvm(jw_t *w, const struct ks_host *h)
{
	jw_key(w, "kvm");
	jw_begin_object(w);
	/* the device driven, whichever front: /dev/kvm, or /dev/gunyah */
	jw_kv_string(w, "device", h->kvm.path);
	jw_kv_bool(w, "available", h->kvm_ok);
	if (h->kvm_ok) {
		jw_kv_null(w, "error");
		jw_kv_int(w, "api_version", h->kvm.api_version);
		jw_kv_bool(w, "gunyah_port", h->kvm.api_version == KS_KVM_API_VERSION_GUNYAH);
		jw_key(w, "capabilities");
		jw_begin_object(w);
		for (size_t i = 0; i < ks_cap_names_count; i++)
			jw_kv_int(w, ks_cap_names[i].name, ks_host_cap(h, ks_cap_names[i].cap));
		jw_end_object(w);
		jw_key(w, "vm_capabilities");
		jw_begin_object(w);
		jw_kv_int(w, "KVM_CAP_GUEST_MEMFD_FLAGS", h->vm_caps_guest_memfd_flags);
		jw_end_object(w);
	} else {
		jw_kv_string(w, "error", h->kvm_err);
	}
	jw_key(w, "parameters");
	jw_begin_object(w);
	for (size_t i = 0; i < sizeof(kvm_knobs) / sizeof(kvm_knobs[0]); i++) {
		const char *v = ks_host_facts_param(&h->facts, "kvm", kvm_knobs[i]);
		if (v && v[0])
			jw_kv_string(w, kvm_knobs[i], v);
	}
	jw_end_object(w);
	write_module_params(w, &h->facts);
	jw_end_object(w);
}

void ks_json_environment(jw_t *w, const struct ks_host *h)
{
	const struct ks_host_facts *f = &h->facts;

	jw_kv_string(w, "arch", ks_arch.name);
	jw_kv_string(w, "hostname", f->hostname);
	write_kernel_cpu(w, f);
	write_backend(w, &f->backend);
	write_kvm(w, h);

	jw_key(w, "clock");
	jw_begin_object(w);
	jw_kv_string(w, "host_clocksource", f->clocksource);
	jw_kv_string(w, "counter", ks_arch.counter);
	jw_kv_uint(w, "host_tick_hz", h->host_tick_hz);
	jw_kv_uint(w, "guest_tick_hz", h->guest_tick_hz);   /* 0: no usable vCPU to ask */
	jw_end_object(w);

	jw_key(w, "memory");
	jw_begin_object(w);
	jw_kv_string(w, "thp_enabled", f->memory.thp_enabled);
	jw_kv_int(w, "page_size", f->memory.page_size);
	jw_end_object(w);

	/* what the probes (run --probes, kvmscope probe) have to work with */
	jw_key(w, "tracing");
	jw_begin_object(w);
	jw_kv_string(w, "tracefs", f->tracing.state);
	jw_kv_bool(w, "kvm_events", f->tracing.kvm_events);
	jw_kv_bool(w, "btf", f->tracing.btf_vmlinux);
	jw_end_object(w);
}
