/* SPDX-License-Identifier: MIT */
/*
 * The tracefs probe backend against a real VM (x86 testbed: KVM on emulated
 * SVM). Starts the uexits probe (and exits, where discovery allows it) for
 * all processes, runs `kvmscope-static run --quick pio_out_user` as a child
 * to completion, snapshots, stops, and compares the probe's KVM_EXIT_IO
 * count with what the child's run loop says it serviced (results JSON,
 * host_exits: pio_user + ucalls; x86 ucalls are port I/O exits too).
 *
 *   uexits_check [--vmm PATH] [--bench NAME] [--min N]
 *
 * PATH defaults to ./kvmscope-static (the testbed's cwd is the --out share).
 * Prints one machine-readable line:
 *   UEXITS-CHECK io=... pio_user=... ucalls=... kvm_run_calls=... ...
 * Exit 0 when the counts hold, 1 when not, 77 when it can't run here.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* PATH_MAX, mount(), umount2() with -std=c11 too */
#endif
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

static uint64_t key_count(const struct ks_probe_snapshot *s, const char *key)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].key, key))
			return s->keys[i].count;
	return 0;
}

static uint64_t key_sum(const struct ks_probe_snapshot *s, const char *suffix)
{
	uint64_t n = 0;
	size_t sl = strlen(suffix);
	for (size_t i = 0; i < s->nkeys; i++) {
		size_t kl = strlen(s->keys[i].key);
		if (kl >= sl && !strcmp(s->keys[i].key + kl - sl, suffix))
			n += s->keys[i].count;
	}
	return n;
}

/* "name": 123 anywhere in the file, summed over all occurrences (one per result). */
static int64_t json_sum(const char *json, const char *name)
{
	char pat[64];
	int64_t sum = -1;
	snprintf(pat, sizeof(pat), "\"%s\":", name);
	for (const char *p = json; (p = strstr(p, pat)); p += strlen(pat)) {
		long long v;
		if (sscanf(p + strlen(pat), " %lld", &v) == 1)
			sum = (sum < 0 ? 0 : sum) + v;
	}
	return sum;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	while (b) {
		size_t r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		if (n + 1 >= cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
		}
	}
	fclose(f);
	if (b)
		b[n] = 0;
	return b;
}

static int leftover_instances(void)
{
	char dir[512], err[256], p[700];
	int n = 0;
	if (ks_tracefs_acquire(dir, sizeof(dir), err, sizeof(err)) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/instances", dir);
	DIR *d = opendir(p);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "kvmscope-", 9)) {
			fprintf(stderr, "uexits_check: instance left behind: %s\n", de->d_name);
			n++;
		}
	if (d)
		closedir(d);
	ks_tracefs_release();
	return n;
}

int main(int argc, char **argv)
{
	const char *vmm = "./kvmscope-static", *bench = "pio_out_user";
	uint64_t min = 800;
	char err[512];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vmm") && i + 1 < argc)
			vmm = argv[++i];
		else if (!strcmp(argv[i], "--bench") && i + 1 < argc)
			bench = argv[++i];
		else if (!strcmp(argv[i], "--min") && i + 1 < argc)
			min = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: uexits_check [--vmm PATH] [--bench NAME] [--min N]\n");
			return 2;
		}
	}
	if (access(vmm, X_OK) < 0) {
		printf("SKIP: %s: %s\n", vmm, strerror(errno));
		return 77;
	}
	if (!ks_probe_tracefs.usable(err, sizeof(err))) {
		printf("SKIP: tracefs backend unusable: %s\n", err);
		return 77;
	}

	struct ks_probe_plan pu, pe;
	enum ks_kvm_backend be;
	ks_probe_discover_at(NULL, "uexits", &pu, &be);
	ks_probe_discover("exits", &pe);
	printf("backend: %s\n", ks_kvm_backend_name(be));
	for (int i = 0; ks_probe_names[i]; i++) {
		struct ks_probe_plan p;
		ks_probe_discover(ks_probe_names[i], &p);
		printf("plan %-10s %s %s -> %s: %s\n", p.probe, p.available ? "available  " : "unavailable",
		       p.start_event, p.end_event, p.why);
	}
	if (!pu.available) {
		printf("FAIL: uexits unavailable: %s\n", pu.why);
		return 1;
	}

	void *su = NULL, *se = NULL;
	if (ks_probe_tracefs.start(&pu, 0, &su, err, sizeof(err)) < 0) {
		printf("FAIL: starting uexits: %s\n", err);
		return 1;
	}
	if (pe.available && ks_probe_tracefs.start(&pe, 0, &se, err, sizeof(err)) < 0) {
		printf("note: exits not started: %s\n", err);
		se = NULL;
	}

	const char *json = "uexits-run.json";
	unlink(json);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		execl(vmm, vmm, "run", "--quick", bench, "-o", json, (char *)NULL);
		perror("exec");
		_exit(127);
	}
	int status = 0;
	waitpid(c, &status, 0);
	printf("child %s: exit %d\n", bench, WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	struct ks_probe_snapshot su_snap = { 0 }, se_snap = { 0 };
	int rs = ks_probe_tracefs.snapshot(su, &su_snap);
	if (se)
		ks_probe_tracefs.snapshot(se, &se_snap);
	ks_probe_print(stdout, &su_snap, "uexits (tracefs, all processes):");
	if (se)
		ks_probe_print(stdout, &se_snap, "exits (tracefs, all processes):");
	ks_probe_tracefs.stop(su);
	ks_probe_tracefs.stop(se);
	ks_probe_tracefs.stop(su);   /* idempotent */
	int left = leftover_instances();

	char *j = slurp(json);
	int64_t pio = j ? json_sum(j, "pio_user") : -1, uc = j ? json_sum(j, "ucalls") : -1;
	int64_t runs = j ? json_sum(j, "kvm_run_calls") : -1, eintr = j ? json_sum(j, "eintr") : -1;
	free(j);
	uint64_t io = key_count(&su_snap, "KVM_EXIT_IO");
	uint64_t all_u = 0;
	for (size_t i = 0; i < su_snap.nkeys; i++)
		all_u += su_snap.keys[i].count;
	uint64_t ex_user = se ? key_sum(&se_snap, "+user") : 0;
	uint64_t ex_io_user = se ? key_count(&se_snap, "io+user") + key_count(&se_snap, "IO_INSTRUCTION+user") : 0;

	printf("UEXITS-CHECK io=%" PRIu64 " uexit_spans=%" PRIu64 " events=%" PRIu64
	       " unpaired=%" PRIu64 " lost=%" PRIu64 " pio_user=%" PRId64 " ucalls=%" PRId64
	       " kvm_run_calls=%" PRId64 " eintr=%" PRId64 " exits_spans_via_user=%" PRIu64
	       " exits_io_user=%" PRIu64 " exits_events=%" PRIu64 " exits_unpaired=%" PRIu64
	       " exits_lost=%" PRIu64 " instances_left=%d\n",
	       io, all_u, su_snap.events, su_snap.unpaired, su_snap.lost, pio, uc, runs, eintr,
	       ex_user, ex_io_user, se_snap.events, se_snap.unpaired, se_snap.lost, left);

	int fail = 0;
	if (rs < 0)
		printf("FAIL: snapshot failed\n"), fail = 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("FAIL: the child failed\n"), fail = 1;
	if (io < min)
		printf("FAIL: KVM_EXIT_IO spans %" PRIu64 " < %" PRIu64 "\n", io, min), fail = 1;
	if (pio >= 0 && uc >= 0 && (io > (uint64_t)(pio + uc) || io + 8 < (uint64_t)(pio + uc)))
		printf("FAIL: KVM_EXIT_IO spans %" PRIu64 " vs the child's pio_user + ucalls = %" PRId64
		       " (each vCPU's last exit has no next KVM_RUN)\n", io, pio + uc), fail = 1;
	if (su_snap.lost)
		printf("FAIL: %" PRIu64 " events lost\n", su_snap.lost), fail = 1;
	if (left)
		printf("FAIL: instances left behind\n"), fail = 1;
	if (se && ex_io_user != io)
		printf("note: exits' io+user (%" PRIu64 ") != uexits' KVM_EXIT_IO (%" PRIu64 ")\n",
		       ex_io_user, io);
	printf("%s\n", fail ? "FAIL" : "PASS");
	ks_probe_snapshot_free(&su_snap);
	ks_probe_snapshot_free(&se_snap);
	return fail;
}
