/* SPDX-License-Identifier: MIT */
/*
 * Which arm64 backend sits behind /dev/kvm: native KVM (VHE, nVHE,
 * protected) or the KVM-on-Gunyah port, from the API version, the device
 * tree's /hypervisor node, the boot log, the command line and — once a
 * guest has run — the vendor-hypervisor UID the guest saw. The decision
 * itself is detect_arm64.c's (pure, unit-tested on fixtures).
 */
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "detect_arm64.h"
#include "plan_arm64.h"

void ks_arm64_detect_backend(const struct ks_kvm *k, const char *guest_seen,
			     struct ks_backend_info *bi);
void ks_arm64_detect_backend(const struct ks_kvm *k, const char *guest_seen,
			     struct ks_backend_info *bi)
{
	struct ks_arm64_evidence e;
	struct ks_arm64_backend b;
	char uid[40] = "";

	memset(bi, 0, sizeof(*bi));
	ks_arm64_gather(&e, k && k->fd >= 0 ? k->api_version : -1);
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
	bi->guest_backend = bi->id == KS_BACKEND_GUNYAH ? KS_GB_ARM64_GUNYAH : KS_GB_ARM64_KVM;
	struct ks_arm64_plan p;
	ks_arm64_plan_for(k && k->fd >= 0 ? k->api_version : -1,
			  bi->guest_backend == KS_GB_ARM64_GUNYAH, 0, &p);
	bi->limits.max_vcpus = p.max_vcpus;
	bi->limits.no_irqchip = !p.in_kernel_irqchip;
	bi->limits.no_ioeventfd = !p.ioeventfd;
	bi->limits.irqfd_is_doorbell = !p.route_gsi;
	snprintf(bi->limits.why, sizeof(bi->limits.why), "%s", p.why);
	/* Linux at EL1 under some hypervisor is what "nested" means here */
	bi->nested = bi->id == KS_BACKEND_GUNYAH;
	snprintf(bi->hypervisor, sizeof(bi->hypervisor), "%s",
		 bi->nested ? "gunyah" : "none (EL2 is Linux/KVM's)");
}
