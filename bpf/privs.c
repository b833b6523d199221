/* SPDX-License-Identifier: MIT */
/* Naming the missing privilege (privs.h). */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privs.h"

uint64_t ks_caps_effective(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return 0;
	return d[0].effective | ((uint64_t)d[1].effective << 32);
}

bool ks_caps_bpf_ok(uint64_t eff, char *why, size_t len)
{
	bool admin = ks_cap_has(eff, KS_CAP_SYS_ADMIN);
	bool bpf = ks_cap_has(eff, KS_CAP_BPF), perfmon = ks_cap_has(eff, KS_CAP_PERFMON);

	if (admin || (bpf && perfmon))
		return true;
	snprintf(why, len, "BPF tracing needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN: this "
		 "process (uid %u) lacks %s%s%sCAP_SYS_ADMIN (effective capabilities 0x%llx)",
		 (unsigned)geteuid(), bpf ? "" : "CAP_BPF, ", perfmon ? "" : "CAP_PERFMON, ",
		 bpf && perfmon ? "" : "and ", (unsigned long long)eff);
	return false;
}

void ks_access_why(const char *path, int mode, char *why, size_t len)
{
	struct stat st;
	int e = access(path, mode) == 0 ? 0 : errno;
	bool dac = ks_cap_has(ks_caps_effective(), KS_CAP_DAC_OVERRIDE);

	if (stat(path, &st) < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return;
	}
	snprintf(why, len, "%s: %s (needs %s%s%s access; mode 0%03o owner %u:%u; this process "
		 "is uid %u gid %u %s CAP_DAC_OVERRIDE)", path, e ? strerror(e) : "accessible",
		 mode & R_OK ? "read" : "", mode & W_OK ? (mode & R_OK ? "/write" : "write") : "",
		 mode & X_OK ? "/search" : "", (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
		 (unsigned)st.st_gid, (unsigned)geteuid(), (unsigned)getegid(),
		 dac ? "with" : "without");
}
