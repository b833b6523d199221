/* SPDX-License-Identifier: MIT */
/*
 * The one vocabulary for what sits behind the device (/dev/kvm, or Gunyah's
 * /dev/gunyah), owned by the host-facts
 * module (host_facts.h): each backend's id, the name results files and
 * `kvmscope info` write, and a label for people. The x86 detection
 * (x86_64/backend_x86_64.c), the arm64 classifier (arm64/detect_arm64.c,
 * whose KS_ARM64_* names are these) and probe discovery all speak it.
 *
 * Plain C with no dependencies: the portable arm64 classifier, its unit
 * tests and its fuzz target include it as they are.
 */
#ifndef KS_BACKEND_ID_H
#define KS_BACKEND_ID_H

enum ks_backend_id {
	KS_BACKEND_UNKNOWN = 0,    /* not enough (or contradictory) evidence */
	KS_BACKEND_VMX,            /* x86 KVM on Intel VT-x (kvm_intel) */
	KS_BACKEND_SVM,            /* x86 KVM on AMD-V (kvm_amd) */
	KS_BACKEND_PVM,            /* x86 KVM's software backend (kvm_pvm) */
	KS_BACKEND_KVM_VHE,        /* arm64 native KVM, host kernel at EL2 (VHE) */
	KS_BACKEND_KVM_NVHE,       /* arm64 native KVM, host at EL1, hyp code at EL2 */
	KS_BACKEND_KVM_PROTECTED,  /* arm64 native KVM in protected nVHE mode (pKVM) */
	KS_BACKEND_KVM_GUNYAH,     /* arm64 KVM-on-Gunyah: KVM at EL1 drives Gunyah at EL2 (/dev/kvm API 13) */
	KS_BACKEND_GUNYAH,         /* arm64 Gunyah through its own driver (/dev/gunyah) */
	KS_BACKEND_NO_EL2,         /* arm64 Linux without EL2 and no Gunyah KVM */
	KS_BACKEND_COUNT
};

/* The names, as written in results files (environment.backend.name). */
#define KS_BACKEND_NAME_UNKNOWN       "unknown"
#define KS_BACKEND_NAME_VMX           "vmx"
#define KS_BACKEND_NAME_SVM           "svm"
#define KS_BACKEND_NAME_PVM           "pvm"
#define KS_BACKEND_NAME_KVM_VHE       "kvm-vhe"
#define KS_BACKEND_NAME_KVM_NVHE      "kvm-nvhe"
#define KS_BACKEND_NAME_KVM_PROTECTED "kvm-protected"
#define KS_BACKEND_NAME_KVM_GUNYAH    "kvm-gunyah"
#define KS_BACKEND_NAME_GUNYAH        "gunyah"
#define KS_BACKEND_NAME_NO_EL2        "no-el2"

/* "vmx", "kvm-vhe", ...; "unknown" for an id out of range. */
const char *ks_backend_name(enum ks_backend_id id);
/* "x86 VMX (kvm_intel)", "arm64 KVM-on-Gunyah", ... */
const char *ks_backend_label(enum ks_backend_id id);
/* The id of a name; KS_BACKEND_UNKNOWN for NULL or a name not in the vocabulary. */
enum ks_backend_id ks_backend_from_name(const char *name);

#endif
