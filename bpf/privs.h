/* SPDX-License-Identifier: MIT */
/*
 * Privileges, named: which capability or file permission a probe backend
 * lacks, so an unprivileged `kvmscope probe` says exactly what to grant
 * instead of failing on an EPERM somewhere inside.
 */
#ifndef KS_PRIVS_H
#define KS_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KS_CAP_DAC_OVERRIDE 1
#define KS_CAP_SYS_ADMIN 21
#define KS_CAP_PERFMON 38
#define KS_CAP_BPF 39

/* This thread's effective capability set (bit n = capability n). */
uint64_t ks_caps_effective(void);
static inline bool ks_cap_has(uint64_t eff, int cap)
{
	return (eff >> cap) & 1;
}

/*
 * BPF tracing needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN. Returns true
 * when `eff` has them; otherwise false and `why` names what is missing.
 */
bool ks_caps_bpf_ok(uint64_t eff, char *why, size_t len);

/*
 * Why `path` is not accessible with `mode` (access(2) bits): its mode and
 * owner, and who we are, e.g. "mode 0700 owner 0:0; this process is uid
 * 65534 without CAP_DAC_OVERRIDE". Never empty.
 */
void ks_access_why(const char *path, int mode, char *why, size_t len);

#endif
