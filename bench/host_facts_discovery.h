/* SPDX-License-Identifier: MIT */
/*
 * The hand-over to probe discovery: bpf/discover.c takes the host facts
 * as its input (struct ks_probe_host) instead of detecting the backend,
 * tracefs and BTF again with rules of its own; its detector stays only as
 * the fallback for fixture roots and for an unknown backend. This maps the
 * one backend vocabulary (backend_id.h) onto discovery's coarser enum (which
 * events fire, how exit reasons decode). Header-only: bpf/ links no bench/.
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
	case KS_BACKEND_KVM_GUNYAH:
		return KS_KVM_GUNYAH;
	case KS_BACKEND_GUNYAH:
		return KS_KVM_NONE;    /* /dev/gunyah: no KVM at all, no kvm events */
	case KS_BACKEND_NO_EL2:
		return KS_KVM_NONE;    /* no usable KVM */
	default:
		return KS_KVM_DETECT;  /* not known here: discovery's own evidence decides */
	}
}

/* Hand the facts to discovery, for every ks_probe_discover() from now on. */
static inline void ks_host_facts_to_discovery(const struct ks_host_facts *f)
{
	struct ks_probe_host h = {
		.backend = ks_kvm_backend_of(f->backend.id),
		.tracefs = f->tracing.dir[0] ? f->tracing.dir : NULL,
		.btf = f->tracing.btf_vmlinux ? KS_BTF_PRESENT : KS_BTF_ABSENT,
	};
	ks_probe_set_host(&h);
}

#endif
