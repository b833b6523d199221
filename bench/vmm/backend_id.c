/* SPDX-License-Identifier: MIT */
/* The backend vocabulary: see backend_id.h. */
#include <stddef.h>
#include <string.h>

#include "backend_id.h"

static const struct {
	const char *name, *label;
} backends[KS_BACKEND_COUNT] = {
	[KS_BACKEND_UNKNOWN] = { KS_BACKEND_NAME_UNKNOWN, "unknown" },
	[KS_BACKEND_VMX] = { KS_BACKEND_NAME_VMX, "x86 VMX (kvm_intel)" },
	[KS_BACKEND_SVM] = { KS_BACKEND_NAME_SVM, "x86 SVM (kvm_amd)" },
	[KS_BACKEND_PVM] = { KS_BACKEND_NAME_PVM, "x86 PVM (kvm_pvm)" },
	[KS_BACKEND_KVM_VHE] = { KS_BACKEND_NAME_KVM_VHE, "arm64 native KVM (VHE)" },
	[KS_BACKEND_KVM_NVHE] = { KS_BACKEND_NAME_KVM_NVHE, "arm64 native KVM (nVHE)" },
	[KS_BACKEND_KVM_PROTECTED] = { KS_BACKEND_NAME_KVM_PROTECTED,
				       "arm64 native KVM (protected nVHE)" },
	[KS_BACKEND_KVM_GUNYAH] = { KS_BACKEND_NAME_KVM_GUNYAH,
				    "arm64 KVM-on-Gunyah (/dev/kvm, API 13)" },
	[KS_BACKEND_GUNYAH] = { KS_BACKEND_NAME_GUNYAH, "arm64 Gunyah (/dev/gunyah)" },
	[KS_BACKEND_NO_EL2] = { KS_BACKEND_NAME_NO_EL2, "arm64 without EL2 (no usable KVM)" },
};

const char *ks_backend_name(enum ks_backend_id id)
{
	return (unsigned)id < KS_BACKEND_COUNT ? backends[id].name : KS_BACKEND_NAME_UNKNOWN;
}

const char *ks_backend_label(enum ks_backend_id id)
{
	return (unsigned)id < KS_BACKEND_COUNT ? backends[id].label : "unknown";
}

enum ks_backend_id ks_backend_from_name(const char *name)
{
	for (int i = 0; name && i < KS_BACKEND_COUNT; i++)
		if (!strcmp(backends[i].name, name))
			return (enum ks_backend_id)i;
	return KS_BACKEND_UNKNOWN;
}
