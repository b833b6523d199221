/* SPDX-License-Identifier: MIT */
/*
 * Which arm64 backend sits behind the device: native KVM (VHE, nVHE,
 * protected), the KVM-on-Gunyah port (/dev/kvm, API 13) or Gunyah through
 * its own /dev/gunyah, from the device driven, /dev/gunyah's presence, the
 * API version, the device tree's /hypervisor node, the boot log, the
 * command line and — once a guest has run — the vendor-hypervisor UID the
 * guest saw. The decision itself is detect_arm64.c's (pure, unit-tested on
 * fixtures); what the backend can do, plan_arm64.c's.
 */
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "detect_arm64.h"
#include "front.h"
#include "plan_arm64.h"

void ks_arm64_detect_backend(const struct ks_kvm *k, const char *guest_seen,
			     struct ks_backend_info *bi);
void ks_arm64_detect_backend(const struct ks_kvm *k, const char *guest_seen,
			     struct ks_backend_info *bi)
{
	struct ks_arm64_evidence e;
	struct ks_arm64_backend b;
	char uid[40] = "";
	bool front_gunyah = k && k->front && k->front->kind == KS_FRONT_GUNYAH;
	int api = k && k->fd >= 0 && !front_gunyah ? k->api_version : -1;

	memset(bi, 0, sizeof(*bi));
	ks_arm64_gather(&e, api, front_gunyah);
	/* the identify guest reports "<uuid> (SMCCC version ...)": keep the UUID */
	if (guest_seen && strlen(guest_seen) >= 36 && guest_seen[8] == '-') {
		memcpy(uid, guest_seen, 36);
		e.guest_uid = uid;
	}
	ks_arm64_classify(&e, &b);
	ks_arm64_evidence_free(&e);

	bi->id = ks_backend_from_name(b.name);
	snprintf(bi->name, sizeof(bi->name), "%s", ks_backend_name(bi->id));
	snprintf(bi->detail, sizeof(bi->detail), "%s", b.detail);
	bool gunyah = bi->id == KS_BACKEND_KVM_GUNYAH || bi->id == KS_BACKEND_GUNYAH;
	bi->guest_backend = gunyah ? KS_GB_ARM64_GUNYAH : KS_GB_ARM64_KVM;
	struct ks_arm64_plan p;
	ks_arm64_plan_for(front_gunyah, api, gunyah, 0, &p);
	ks_arm64_plan_limits(&p, &bi->limits);
	/* Linux at EL1 under some hypervisor is what "nested" means here */
	bi->nested = gunyah;
	snprintf(bi->hypervisor, sizeof(bi->hypervisor), "%s",
		 bi->nested ? "gunyah" : "none (EL2 is Linux/KVM's)");
}
