/* SPDX-License-Identifier: MIT */
/*
 * The hand-over to probe discovery: bpf/discover.c detects the KVM backend
 * itself today (its own enum ks_kvm_backend, from /sys/module, the device
 * tree and tracefs event formats). It can take the backend from the host
 * facts instead (host_facts.h: detected once, with /dev/kvm and a guest's
 * view behind it) through this mapping into its coarser enum. Header-only,
 * so that bpf/ can adopt it without linking bench/.
 */
#ifndef KS_HOST_FACTS_DISCOVERY_H
#define KS_HOST_FACTS_DISCOVERY_H

#include "host_facts.h"
#include "probe.h"

/* Discovery's backend (which events fire, how exit reasons decode) for one
 * of the vocabulary's. */
static inline enum ks_kvm_backend ks_kvm_backend_of(enum ks_backend_id id)
{
	switch (id) {
	case KS_BACKEND_VMX:
		return KS_KVM_VMX;
	case KS_BACKEND_SVM:
		return KS_KVM_SVM;
	case KS_BACKEND_PVM:
		return KS_KVM_PVM;
	case KS_BACKEND_KVM_VHE:
	case KS_BACKEND_KVM_NVHE:
	case KS_BACKEND_KVM_PROTECTED:
		return KS_KVM_ARM64;   /* the same kvm_exit/kvm_entry events in every mode */
	case KS_BACKEND_GUNYAH:
		return KS_KVM_GUNYAH;
	case KS_BACKEND_NO_EL2:
		return KS_KVM_NONE;    /* no usable KVM */
	default:
		return KS_KVM_UNKNOWN;
	}
}

#endif
