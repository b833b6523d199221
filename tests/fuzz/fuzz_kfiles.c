/* SPDX-License-Identifier: MIT */
/*
 * fuzz_kfiles - the parsers of kernel files that probe discovery reads
 * (bpf/kfiles.h): event format files, available_filter_functions and
 * /proc/kallsyms, BTF blobs
 * (alone and as a module's split BTF over a vmlinux BTF), DT compatible.
 *
 * Byte 0 picks the parser and the name looked up (the names discovery asks
 * for); the rest is the file, in an exact-size buffer (terminated for the
 * text parsers, which take C strings; not for BTF and compatible, which
 * take a length).  For split BTF, byte 1 says where the module's blob ends
 * and vmlinux's begins.
 */
#define _GNU_SOURCE   /* memmem */
#include "fuzz_common.h"
#include "kfiles.h"

static const char *const lookups[] = {
	"esr_ec", "exit_reason", "isa", "cmd", "args", "id", "ret", "gsi", "r0", "nr",
	"kvm_mmu_page_fault", "gunyah_handle_page_fault", "kvm_vcpu_ioctl", "handle_exit",
	"gunyah", "qcom,gunyah-hypervisor", "x", "pvm_handle_exit", "pvm_handle_hypercall",
	"gunyah_hypercall_vcpu_run",
};
#define NLOOKUPS (sizeof(lookups) / sizeof(lookups[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	const char *name = lookups[(data[0] >> 3) % NLOOKUPS];
	const uint8_t *f = data + 2;
	size_t n = size - 2;

	switch (data[0] & 7) {
	case 0: case 1: {
		char *s = fz_strndup(f, n);
		bool r = (data[0] & 7) == 0 ? ks_kf_format_has_field(s, name) : ks_kf_aff_has(s, name);
		/* a name can only be found where it is written */
		FZ_CHECK(!r || strstr(s, name), "found '%s' that is not there", name);
		if ((data[0] & 7) == 1) {   /* the same text as /proc/kallsyms */
			char variant[128];
			int k = ks_kf_kallsyms_find(s, name, variant, sizeof(variant));
			FZ_CHECK(!k || strstr(s, name), "kallsyms: found '%s' that is not there", name);
			FZ_CHECK(!variant[0] || (!strncmp(variant, name, strlen(name)) &&
						 variant[strlen(name)] == '.' && strstr(s, variant)),
				 "kallsyms: variant '%s' of '%s' is not there", variant, name);
		}
		free(s);
		break;
	}
	case 2: case 3: case 4: {
		/* BTF: alone, or split at byte 1's fraction into module + vmlinux */
		size_t cut = (data[0] & 7) == 2 ? n : n * data[1] / 255;
		char *m = malloc(cut ? cut : 1), *v = malloc(n - cut ? n - cut : 1);
		if (!m || !v)
			abort();
		memcpy(m, f, cut);
		memcpy(v, f + cut, n - cut);
		(void)ks_kf_btf_has_func(m, cut, (data[0] & 7) == 2 ? NULL : v, n - cut, name);
		free(m);
		free(v);
		break;
	}
	default: {
		char *c = malloc(n ? n : 1);
		if (!c)
			abort();
		memcpy(c, f, n);
		const char *const names[] = { name, "gunyah-hypervisor", NULL };
		bool r = ks_kf_compat_match(c, n, names);
		/* a match starts a string of the list, with one of the names */
		FZ_CHECK(!r || memmem(c, n, name, strlen(name)) ||
				 memmem(c, n, names[1], strlen(names[1])),
			 "found '%s' that is not there", name);
		free(c);
		break;
	}
	}
	return 0;
}
