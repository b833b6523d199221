/* SPDX-License-Identifier: MIT */
/* Shared availability checks: each explains exactly what is missing. */
#include <stdio.h>
#include <string.h>

#include "benches.h"

bool ks_avail_kvm(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!h->kvm_ok) {
		snprintf(why, len, "%s", h->kvm_err);
		return false;
	}
	return true;
}

bool ks_avail_cap(const struct ks_host *h, long cap, const char *name, char *why, size_t len)
{
	long v = ks_host_cap(h, cap);
	if (v <= 0) {
		snprintf(why, len, "this kernel lacks %s (KVM_CHECK_EXTENSION says %ld)", name, v);
		return false;
	}
	return true;
}

bool ks_avail_irqchip(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!ks_avail_kvm(b, h, why, len))
		return false;
	if (h->facts.backend.limits.no_irqchip) {
		snprintf(why, len, "not supported on this backend: no in-kernel irqchip (%s)",
			 h->facts.backend.limits.why);
		return false;
	}
	return ks_avail_cap(h, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP (in-kernel irqchip)", why, len);
}

/* A GICv3 the guest programs itself: KVM's in-kernel vGIC, or one the
 * hypervisor emulates at the VMM's addresses (Gunyah). */
bool ks_avail_guest_gic(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!ks_avail_kvm(b, h, why, len))
		return false;
	if (h->facts.backend.limits.gic_in_hypervisor)
		return true;
	return ks_avail_irqchip(b, h, why, len);
}

bool ks_avail_memory_after_start(const struct ks_host *h, char *why, size_t len)
{
	if (h->facts.backend.limits.memory_at_start) {
		snprintf(why, len, "not supported on this backend: memory can be given to the VM "
			 "only before it starts (%s); mem_lend_upfront measures that",
			 h->facts.backend.limits.why);
		return false;
	}
	return true;
}

bool ks_avail_vcpus(const struct ks_host *h, int n, char *why, size_t len)
{
	if (h->facts.backend.limits.max_vcpus && h->facts.backend.limits.max_vcpus < n) {
		snprintf(why, len, "not supported on this backend: needs %d vCPUs, it runs %d (%s)",
			 n, h->facts.backend.limits.max_vcpus, h->facts.backend.limits.why);
		return false;
	}
	return true;
}

bool ks_avail_host_cpus(const struct ks_host *h, int n, char *why, size_t len)
{
	if (h->facts.cpu.online < n) {
		snprintf(why, len, "needs %d host CPUs so that %d spinning threads run at once "
			 "(this machine has %ld)", n, n, h->facts.cpu.online);
		return false;
	}
	return true;
}

bool ks_avail_ioeventfd(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!ks_avail_kvm(b, h, why, len) ||
	    !ks_avail_cap(h, KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD", why, len))
		return false;
	if (h->facts.backend.limits.no_ioeventfd) {
		snprintf(why, len, "not supported on this backend: ioeventfd is advertised but "
			 "not wired up (%s)", h->facts.backend.limits.why);
		return false;
	}
	return true;
}
