/* SPDX-License-Identifier: MIT */
/*
 * Stand-ins for probe pieces this build lacks (CMake compiles only the ones
 * whose real implementation is not being built): each says why instead of
 * pretending to work.
 */
#include <stdio.h>
#include <string.h>

#include "probe.h"

#define MISSING(what) "kvmscope was built without " what

static bool not_usable(char *why, size_t len, const char *what)
{
	snprintf(why, len, MISSING("%s"), what);
	return false;
}

static int no_start(const struct ks_probe_plan *plan, pid_t pid, void **state, char *err,
		    size_t errlen)
{
	snprintf(err, errlen, "backend not built");
	return -1;
}

static int no_snapshot(void *state, struct ks_probe_snapshot *out)
{
	return -1;
}

static void no_stop(void *state)
{
}

#ifdef KS_STUB_BPF
static bool bpf_usable(char *why, size_t len)
{
	return not_usable(why, len, "the BPF backend (clang, bpftool or libbpf missing at build time)");
}
const struct ks_probe_backend ks_probe_bpf = {
	.name = "bpf", .usable = bpf_usable, .start = no_start, .snapshot = no_snapshot,
	.stop = no_stop,
};
#endif

#ifdef KS_STUB_TRACEFS
static bool tracefs_usable(char *why, size_t len)
{
	return not_usable(why, len, "the tracefs backend (libtracefs/libtraceevent missing)");
}
const struct ks_probe_backend ks_probe_tracefs = {
	.name = "tracefs", .usable = tracefs_usable, .start = no_start,
	.snapshot = no_snapshot, .stop = no_stop,
};
#endif

#ifdef KS_STUB_DISCOVER
int ks_probe_discover(const char *probe, struct ks_probe_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->probe = probe;
	snprintf(plan->why, sizeof(plan->why), MISSING("probe discovery"));
	return -1;
}
#endif
