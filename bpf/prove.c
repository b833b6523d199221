/* SPDX-License-Identifier: MIT */
/*
 * Discovery never over-promises: a plan the kernel's files make look
 * possible is "available" only once a backend has really started it here
 * — BPF: its programs loaded and attached; tracefs: its exact events
 * enabled in an instance — and stopped it again (for this process, so
 * nothing else is traced meanwhile). Where every backend that can run here
 * refuses, the plan becomes unavailable with what they said (EPERM under
 * kernel lockdown, a verifier's verdict, missing BTF, ...).
 *
 * How the backend attached it goes into the plan (proven: "bpf tp_btf").
 * Each plan is tried once per process (the answer is kept), and a trial is
 * invisible to the KVMSCOPE_FAULT test hooks (bpf_load, probe_attach):
 * they count the starts the caller makes, not discovery's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* fsopen, fsmount */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "probe_desc.h"

bool ks_probe_trying;

#define PROVEN_MAX 32

static struct proven {
	const char *probe;   /* the descriptor's name: a static string */
	char start[96], end[96];
	bool ok;
	char why[400];       /* what the backends said */
	char how[64];        /* the backend and how it attached */
} proven[PROVEN_MAX];
static int nproven;
static pthread_mutex_t proven_lock = PTHREAD_MUTEX_INITIALIZER;

/* The lockdown mode when the kernel enforces one ("integrity"), else "".
 * Where securityfs is not mounted, it is read through a detached mount of
 * its own (fsmount: in no mount table, gone with its fd), so nothing the
 * system sees changes. */
static void lockdown(char *out, size_t len)
{
	char buf[128] = "";
	int fd = open("/sys/kernel/security/lockdown", O_RDONLY | O_CLOEXEC);

	out[0] = 0;
	if (fd < 0) {
		int fs = fsopen("securityfs", FSOPEN_CLOEXEC), m = -1;
		if (fs >= 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
			m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
		if (fs >= 0)
			close(fs);
		if (m >= 0) {
			fd = openat(m, "lockdown", O_RDONLY | O_CLOEXEC);
			close(m);
		}
	}
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *a = strchr(buf, '['), *b = a ? strchr(a, ']') : NULL;
	if (a && b && strncmp(a + 1, "none", 4))
		snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
}

/* Try `plan` with every backend usable here; true when one started it.
 * why: what each said, refusals before "not implemented" (-ENOSYS). */
static bool try_backends(const struct ks_probe_plan *plan, char *why, size_t len, char *how,
			 size_t hlen)
{
	const struct ks_probe_backend *const backends[] = { &ks_probe_bpf, &ks_probe_tracefs };
	char said[2][300] = { "", "" };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		const struct ks_probe_backend *be = backends[i];
		char err[512];
		void *st = NULL;
		if (!be->usable(err, sizeof(err)))
			continue;   /* can't say anything about this plan */
		ks_probe_trying = true;
		int rc = be->start(plan, getpid(), &st, err, sizeof(err));
		ks_probe_trying = false;
		if (rc == 0) {
			struct ks_probe_snapshot s;
			if (be->snapshot(st, &s) == 0) {
				snprintf(how, hlen, "%s %s", be->name, s.attach);
				ks_probe_snapshot_free(&s);
			}
			be->stop(st);
			return true;
		}
		char *to = said[rc == -ENOSYS];
		size_t l = strlen(to);
		snprintf(to + l, sizeof(said[0]) - l, "%s%s: %.200s", l ? "; " : "", be->name, err);
	}
	why[0] = 0;
	for (int k = 0; k < 2; k++)
		if (said[k][0] && n < len)
			n += (size_t)snprintf(why + n, len - n, "%s%s", n ? "; " : "", said[k]);
	return !why[0];   /* no backend could run here at all: nothing to disprove */
}

void ks_probe_prove(struct ks_probe_plan *plan)
{
	const struct ks_probe_desc *d = ks_probe_desc_find(plan->probe);
	struct proven fresh, *p = NULL;

	if (!plan->available || !d)
		return;
	pthread_mutex_lock(&proven_lock);
	for (int i = 0; i < nproven && !p; i++)
		if (proven[i].probe == d->name && !strcmp(proven[i].start, plan->start_event) &&
		    !strcmp(proven[i].end, plan->end_event))
			p = &proven[i];
	if (!p) {
		char tried[512], lock[64];
		memset(&fresh, 0, sizeof(fresh));
		fresh.probe = d->name;
		snprintf(fresh.start, sizeof(fresh.start), "%s", plan->start_event);
		snprintf(fresh.end, sizeof(fresh.end), "%s", plan->end_event);
		fresh.ok = try_backends(plan, tried, sizeof(tried), fresh.how, sizeof(fresh.how));
		if (!fresh.ok) {
			lockdown(lock, sizeof(lock));
			snprintf(fresh.why, sizeof(fresh.why), "refused when tried%s%s%s: %s",
				 lock[0] ? " (kernel lockdown: " : "", lock, lock[0] ? ")" : "",
				 tried);
		}
		p = &fresh;
		if (nproven < PROVEN_MAX) {
			proven[nproven] = fresh;
			p = &proven[nproven++];
		}
	}
	plan->available = p->ok;
	if (!p->ok) {   /* what was refused, then why this was the plan (cut to fit) */
		char planned[sizeof(plan->why)];
		snprintf(planned, sizeof(planned), "%s", plan->why);
		ks_path(plan->why, sizeof(plan->why), "%s | the plan: %s", p->why, planned);
	}
	snprintf(plan->proven, sizeof(plan->proven), "%s", p->how);
	pthread_mutex_unlock(&proven_lock);
}
