/* SPDX-License-Identifier: MIT */
/*
 * detect_arm64.h - which hypervisor sits behind the device on an arm64 host
 * (/dev/kvm, or Gunyah's own /dev/gunyah).
 *
 * Classification is a pure function of collected evidence so that it can be
 * unit-tested (and fuzzed) on any host; gathering the evidence from the
 * running system is separate. Portable C: no arch intrinsics.
 *
 * Backends (see shared docs/backends.md):
 *   kvm-vhe        native KVM, host kernel at EL2 (VHE)
 *   kvm-nvhe       native KVM, host at EL1, hyp code at EL2 (nVHE or hVHE)
 *   kvm-protected  native KVM in protected nVHE mode (pKVM)
 *   kvm-gunyah     the KVM-on-Gunyah port (KVM at EL1 drives Gunyah at EL2),
 *                  through /dev/kvm (API 13)
 *   gunyah         Gunyah through its own driver's /dev/gunyah (the front the
 *                  caller drives: evidence.front_gunyah)
 *   no-el2         Linux has no EL2 and no Gunyah KVM: /dev/kvm cannot work
 *   unknown        not enough (or contradictory) evidence
 */
#ifndef KS_DETECT_ARM64_H
#define KS_DETECT_ARM64_H

#include <stdbool.h>
#include <stddef.h>

#include "../backend_id.h"

struct ks_arm64_evidence {
	int api_version;              /* KVM_GET_API_VERSION, or -1 if /dev/kvm unusable or unused */
	int front_gunyah;             /* the device driven is /dev/gunyah (not /dev/kvm) */
	const char *gunyah_dev;       /* "/dev/gunyah (char 10:124)" when it exists, or NULL */
	const char *dt_hyp_compat;    /* raw /proc/device-tree/hypervisor/compatible (NUL-separated list) or NULL */
	size_t dt_hyp_compat_len;
	const char *cmdline;          /* /proc/cmdline or NULL */
	const char *bootlog;          /* kernel log text (klogctl/dmesg) or NULL */
	const char *guest_uid;        /* vendor-hyp UID seen by a guest, "xxxxxxxx-xxxx-..." or NULL */
};

struct ks_arm64_backend {
	char name[32];    /* kvm-vhe | kvm-nvhe | kvm-protected | kvm-gunyah | gunyah | no-el2 | unknown */
	char detail[512]; /* the evidence that decided it, and any contradictions */
	int confidence;   /* how many independent pieces agreed */
};

/* Backend names, as written into ks_arm64_backend.name: the host-facts
 * vocabulary's (backend_id.h). */
#define KS_ARM64_KVM_VHE       KS_BACKEND_NAME_KVM_VHE
#define KS_ARM64_KVM_NVHE      KS_BACKEND_NAME_KVM_NVHE
#define KS_ARM64_KVM_PROTECTED KS_BACKEND_NAME_KVM_PROTECTED
#define KS_ARM64_KVM_GUNYAH    KS_BACKEND_NAME_KVM_GUNYAH
#define KS_ARM64_GUNYAH        KS_BACKEND_NAME_GUNYAH
#define KS_ARM64_NO_EL2        KS_BACKEND_NAME_NO_EL2
#define KS_ARM64_UNKNOWN       KS_BACKEND_NAME_UNKNOWN

/* SMCCC vendor-hypervisor UIDs (ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID). */
#define KS_ARM64_UID_GUNYAH "c1d58fcd-a453-5fdb-9265-ce36673d5f14"
#define KS_ARM64_UID_KVM    "28b46fb6-2ec5-11e9-a9ca-4b564d003a74"

/*
 * Classify. Never fails: NULL/empty/garbage evidence yields "unknown" (or
 * whatever the remaining evidence supports). Text inputs (cmdline, bootlog,
 * guest_uid) are read up to their terminating NUL; dt_hyp_compat is read up
 * to dt_hyp_compat_len bytes and need not be NUL-terminated. out == NULL or
 * e == NULL is tolerated (e == NULL classifies as "unknown").
 */
void ks_arm64_classify(const struct ks_arm64_evidence *e, struct ks_arm64_backend *out);

/*
 * Fill evidence from the running system (caller frees with
 * ks_arm64_evidence_free). Looks for /dev/gunyah, reads the /hypervisor node's compatible from
 * /proc/device-tree (or /sys/firmware/devicetree/base), /proc/cmdline and
 * the kernel log (klogctl, else /dev/kmsg); whatever cannot be read stays
 * NULL. guest_uid is left NULL: only a running guest can tell, so the caller
 * may set it afterwards (it is caller-owned and never freed here).
 * Returns 0, or -1 if e is NULL.
 */
int ks_arm64_gather(struct ks_arm64_evidence *e, int api_version, bool front_gunyah);
/* Frees what ks_arm64_gather allocated (not guest_uid) and NULLs the fields. */
void ks_arm64_evidence_free(struct ks_arm64_evidence *e);

#endif /* KS_DETECT_ARM64_H */
