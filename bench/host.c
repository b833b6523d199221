/* SPDX-License-Identifier: MIT */
/*
 * Host facts gathered once per run: the machine (host_facts.h), can
 * /dev/kvm be used, what backend is behind it, and the counter frequencies
 * needed to turn ticks into ns.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "front.h"
#include "host_facts_discovery.h"

/* Host counter rate against CLOCK_MONOTONIC_RAW over ~50 ms. */
static uint64_t calibrate_host_ticks(void)
{
	struct timespec req = { 0, 50 * 1000 * 1000 };
	uint64_t n0 = ks_now_ns(), t0 = ks_arch.host_ticks();
	nanosleep(&req, NULL);
	uint64_t n1 = ks_now_ns(), t1 = ks_arch.host_ticks();
	if (n1 <= n0)
		return 0;
	return (uint64_t)((double)(t1 - t0) * 1e9 / (double)(n1 - n0));
}

long ks_host_cap(const struct ks_host *h, long cap)
{
	for (size_t i = 0; i < ks_cap_names_count && i < sizeof(h->caps) / sizeof(h->caps[0]); i++)
		if (ks_cap_names[i].cap == cap)
			return h->caps[i];
	return -1;
}

/* The backend behind the device, and which device and front that is. */
static void detect(struct ks_host *h, const char *guest_seen)
{
	struct ks_backend_info *be = &h->facts.backend;

	/* the front decides the name on arm64 (gunyah vs kvm-gunyah): the
	 * device's struct is passed even when it did not open */
	ks_arch.detect_backend(h->kvm_ok || h->kvm.front ? &h->kvm : NULL, guest_seen, be);
	if (h->kvm.front) {
		snprintf(be->front, sizeof(be->front), "%s", h->kvm.front->name);
		snprintf(be->device, sizeof(be->device), "%s", h->kvm.path);
	}
}

static void probe_kvm(struct ks_host *h, const char *device)
{
	memset(h, 0, sizeof(*h));
	ks_host_facts_collect(&h->facts, NULL);
	h->kvm.fd = -1;
	h->vm_caps_guest_memfd_flags = -1;
	h->host_tick_hz = calibrate_host_ticks();
	h->kvm_ok = ks_kvm_open(&h->kvm, device) == 0;
	if (!h->kvm_ok)
		snprintf(h->kvm_err, sizeof(h->kvm_err), "%s", h->kvm.err);
	detect(h, NULL);
	if (!h->kvm_ok)
		return;
	for (size_t i = 0; i < ks_cap_names_count && i < sizeof(h->caps) / sizeof(h->caps[0]); i++)
		h->caps[i] = ks_kvm_check_cap(&h->kvm, ks_cap_names[i].cap);

	/* A scratch VM + vCPU: VM-level caps and the guest counter frequency. */
	struct ks_vm vm;
	struct ks_vcpu v;
	if (ks_vm_create(&h->kvm, &vm) < 0)
		return;
	struct ks_backend_info *be = &h->facts.backend;
	vm.guest_backend = be->guest_backend;
	h->vm_caps_guest_memfd_flags = ks_vm_check_cap(&vm, KVM_CAP_GUEST_MEMFD_FLAGS);
	int identify = ks_vm_load_guest(&vm) == 0 ? ks_vm_routine(&vm, "identify") : -1;
	if (identify >= 0 && ks_vcpu_create(&vm, &v, 0) == 0) {
		if (ks_vm_start(&vm) < 0)
			snprintf(h->identify_err, sizeof(h->identify_err), "%s", vm.err);
		struct ks_ucall uc;
		char seen[sizeof(be->guest_seen)];
		h->guest_tick_hz = ks_arch.guest_tick_hz(&v);
		/* Ask a guest what it sees (arm64: the vendor-hypervisor UID). */
		vm.mb->routine = (uint32_t)identify;
		if (vm.started && ks_vcpu_watchdog_arm(&v, 10) == 0 &&
		    ks_vcpu_run_to_ucall(&v, &uc) == 0 && uc.cmd == KS_UC_DONE) {
			ks_arch.format_identity(vm.mb->guest_info, seen, sizeof(seen));
			detect(h, seen);
			snprintf(be->guest_seen, sizeof(be->guest_seen), "%s", seen);
		} else if (vm.started) {
			snprintf(h->identify_err, sizeof(h->identify_err), "%s", v.err);
		}
		ks_vcpu_destroy(&v);
	}
	ks_vm_destroy(&vm);
}

void ks_host_probe(struct ks_host *h, const char *device)
{
	probe_kvm(h, device);
	/* probe discovery decides from these facts, not from rules of its own */
	ks_host_facts_to_discovery(&h->facts);
}

void ks_host_facts_for_discovery(void)
{
	struct ks_host_facts f;
	struct ks_kvm k;

	ks_host_facts_collect(&f, NULL);
	/* the device run would drive by default: /dev/kvm, else /dev/gunyah
	 * (whose backend, gunyah, has no KVM events for the probes) */
	bool kvm_ok = ks_kvm_open(&k, NULL) == 0;
	ks_arch.detect_backend(&k, NULL, &f.backend);
	if (kvm_ok)
		ks_kvm_close(&k);
	ks_host_facts_to_discovery(&f);
	ks_host_facts_free(&f);
}

void ks_host_release(struct ks_host *h)
{
	ks_host_facts_free(&h->facts);
	if (h->kvm_ok)
		ks_kvm_close(&h->kvm);
	h->kvm_ok = false;
}
