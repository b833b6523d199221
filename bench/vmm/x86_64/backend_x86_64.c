/* SPDX-License-Identifier: MIT */
/*
 * Which x86 backend sits behind /dev/kvm: VMX (kvm_intel), SVM (kvm_amd) or
 * PVM (kvm_pvm, the software backend). Decided from the loaded modules and
 * the CPU's own flags; the reasoning goes into `detail` so a results file
 * says why it believes what it says.
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "arch.h"

static bool module_present(const char *m)
{
	char p[128];
	struct stat st;

	snprintf(p, sizeof(p), "/sys/module/%s", m);
	return stat(p, &st) == 0;
}

static bool cpu_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "flags", 5) != 0)
			continue;
		if (!colon)
			break;   /* not the kernel's "flags\t\t: ..." (a faked /proc/cpuinfo) */
		for (char *t = strtok(colon + 1, " \n"); t; t = strtok(NULL, " \n"))
			if (strcmp(t, flag) == 0)
				found = true;
		break;
	}
	fclose(f);
	return found;
}

/* The host's own hypervisor, from CPUID leaf 0x40000000. */
static void host_hypervisor(char *out, size_t len)
{
	unsigned a, b, c, d;
	char sig[13];

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31))) {
		snprintf(out, len, "none");
		return;
	}
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	for (int i = 0; i < 12; i++)
		if (sig[i] && (sig[i] < 0x20 || sig[i] > 0x7e))
			sig[i] = '?';
	snprintf(out, len, "%s", sig[0] ? sig : "unknown");
}

void ks_x86_detect_backend(const struct ks_kvm *k, const char *guest_seen,
			   struct ks_backend_info *bi)
{
	bool intel = module_present("kvm_intel"), amd = module_present("kvm_amd");
	bool pvm = module_present("kvm_pvm");
	bool vmx = cpu_flag("vmx"), svm = cpu_flag("svm");

	memset(bi, 0, sizeof(*bi));
	host_hypervisor(bi->hypervisor, sizeof(bi->hypervisor));
	bi->nested = strcmp(bi->hypervisor, "none") != 0;
	if (intel && vmx) {
		bi->id = KS_BACKEND_VMX;
		bi->guest_backend = KS_GB_X86_VMX;
	} else if (amd && svm) {
		bi->id = KS_BACKEND_SVM;
		bi->guest_backend = KS_GB_X86_SVM;
	} else if (pvm) {
		bi->id = KS_BACKEND_PVM;
		bi->guest_backend = KS_GB_X86_PVM;
	} else {
		bi->id = KS_BACKEND_UNKNOWN;
		bi->guest_backend = KS_GB_UNKNOWN;
	}
	snprintf(bi->name, sizeof(bi->name), "%s", ks_backend_name(bi->id));
	snprintf(bi->detail, sizeof(bi->detail),
		 "modules: kvm_intel=%s kvm_amd=%s kvm_pvm=%s; cpu flags: vmx=%s svm=%s; "
		 "host hypervisor: %s; /dev/kvm %s%s%s",
		 intel ? "yes" : "no", amd ? "yes" : "no", pvm ? "yes" : "no",
		 vmx ? "yes" : "no", svm ? "yes" : "no", bi->hypervisor,
		 k && k->fd >= 0 ? "open" : "not open", guest_seen ? "; guest sees " : "",
		 guest_seen ? guest_seen : "");
}
