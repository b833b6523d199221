/* SPDX-License-Identifier: MIT */
/*
 * The one stand-in for a probe backend this build lacks (bpf/CMakeLists.txt
 * compiles it with KS_STUB_BPF and/or KS_STUB_TRACEFS defined, each the
 * reason the build gave): usable() says why instead of pretending to work, start()
 * refuses with the same reason. Discovery and the descriptors are always
 * built, so `probe --list` still says what each probe would use.
 */
#include <errno.h>
#include <stdio.h>

#include "ks_probe_stubs.h"   /* generated: KS_STUB_BPF / KS_STUB_TRACEFS "<why>" */
#include "probe.h"

#define STUB_BACKEND(var, label, reason)                                                  \
	static bool var##_usable(char *why, size_t len)                                   \
	{                                                                                  \
		snprintf(why, len, "%s", reason);                                          \
		return false;                                                              \
	}                                                                                  \
	static int var##_start(const struct ks_probe_plan *plan, pid_t pid, void **state,  \
			       char *err, size_t errlen)                                   \
	{                                                                                  \
		(void)plan;                                                                \
		(void)pid;                                                                 \
		*state = NULL;                                                             \
		snprintf(err, errlen, "%s", reason);                                       \
		return -ENOSYS;                                                            \
	}                                                                                  \
	const struct ks_probe_backend var = {                                              \
		.name = label, .usable = var##_usable, .start = var##_start,               \
		.snapshot = no_snapshot, .stop = no_stop,                                  \
	}

static int no_snapshot(void *state, struct ks_probe_snapshot *out)
{
	(void)state;
	*out = (struct ks_probe_snapshot){ 0 };
	return -ENOSYS;
}

static void no_stop(void *state)
{
	(void)state;
}

#ifdef KS_STUB_BPF
STUB_BACKEND(ks_probe_bpf, "bpf", KS_STUB_BPF);

void ks_probe_bpf_set_samples(size_t bytes)
{
	(void)bytes;
}

int ks_probe_bpf_poll_samples(void *state, ks_probe_sample_fn fn, void *ctx, int timeout_ms)
{
	(void)state;
	(void)fn;
	(void)ctx;
	(void)timeout_ms;
	return -ENOSYS;
}
#endif

#ifdef KS_STUB_TRACEFS
STUB_BACKEND(ks_probe_tracefs, "tracefs", KS_STUB_TRACEFS);
#endif
