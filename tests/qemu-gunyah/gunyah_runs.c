/* SPDX-License-Identifier: MIT */
/*
 * gunyah_runs: run a program several times in one boot of the Gunyah
 * testbed's HLOS and record what Gunyah's driver leaves behind each time:
 * MemFree (lent memory that is not reclaimed never comes back), the
 * driver's IRQs in /proc/interrupts (the RM message queues, the vCPU
 * wake-ups) and the kernel's messages (WARNINGs, "Failed to reclaim").
 * Static aarch64, no library; the testbed runs it as its program
 * (tests/qemu-gunyah/teardown.sh).
 *
 *   gunyah_runs [-n ROUNDS] [-o FILE.json] PROG [ARGS...]
 *
 * (no "--": a bare -- cannot cross the testbed's kernel command line; the
 * first argument that is not an option is the program)
 *
 * "%d" in an argument becomes the round's number (0, 1, ...), so each run
 * can write its own results file. Exit status: 0 when every round ran and
 * exited 0, 1 otherwise, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hlos_proc.h"

#define MAX_ROUNDS 64
#define MAX_ARGS 48

/* The kernel's messages since the last call: count what matters, keep the
 * driver's lines for the record. */
struct klog {
	int fd;
	int warnings, reclaim_failed, bugs;
	char lines[8192];
	size_t nlines;
};

static void klog_read(struct klog *k)
{
	char rec[2048];
	ssize_t len;

	if (k->fd < 0)
		return;
	while ((len = read(k->fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		char *msg;

		if (len < 0)
			continue;
		rec[len] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		k->warnings += strstr(msg, "WARNING:") != NULL;
		k->bugs += strstr(msg, "BUG:") != NULL || strstr(msg, "Oops") != NULL;
		k->reclaim_failed += strstr(msg, "Failed to reclaim") != NULL;
		if (strcasestr(msg, "gunyah") || strstr(msg, "WARNING") || strstr(msg, "BUG")) {
			int w = snprintf(k->lines + k->nlines, sizeof(k->lines) - k->nlines, "%s\n", msg);
			if (w > 0 && (size_t)w < sizeof(k->lines) - k->nlines)
				k->nlines += (size_t)w;
		}
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int main(int argc, char **argv)
{
	int rounds = 3, first = -1, failed = 0;
	const char *json = NULL;
	struct {
		int status;
		long before, after;
		double seconds;
		char irqs[512];
	} r[MAX_ROUNDS];
	struct klog k = { .fd = -1 };
	char irqs0[512];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			json = argv[++i];
		} else {
			first = argv[i][0] == '-' ? -1 : i;
			break;
		}
	}
	if (first < 0 || first >= argc || rounds < 1 || rounds > MAX_ROUNDS ||
	    argc - first >= MAX_ARGS) {
		fprintf(stderr, "usage: gunyah_runs [-n ROUNDS (1..%d)] [-o FILE.json] PROG [ARGS...]\n",
			MAX_ROUNDS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	k.fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k.fd >= 0)
		lseek(k.fd, 0, SEEK_END);
	gunyah_irqs(irqs0, sizeof(irqs0));
	for (int n = 0; n < rounds; n++) {
		char args[MAX_ARGS][256], *av[MAX_ARGS + 1];
		struct timespec t0, t1;
		int ac = 0, st = 0;
		pid_t pid;

		for (int i = first; i < argc; i++, ac++) {
			char *p = strstr(argv[i], "%d");
			if (p)
				snprintf(args[ac], sizeof(args[ac]), "%.*s%d%s", (int)(p - argv[i]), argv[i], n,
					 p + 2);
			else
				snprintf(args[ac], sizeof(args[ac]), "%s", argv[i]);
			av[ac] = args[ac];
		}
		av[ac] = NULL;
		r[n].before = memfree_settled_kb();
		printf("gunyah_runs: round %d: %s ...\n", n, av[0]);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid = fork();
		if (pid == 0) {
			execv(av[0], av);
			fprintf(stderr, "gunyah_runs: exec %s: %s\n", av[0], strerror(errno));
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			st = -1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		usleep(300000);   /* let the kernel log settle */
		r[n].status = st < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		r[n].after = memfree_settled_kb();
		r[n].seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		gunyah_irqs(r[n].irqs, sizeof(r[n].irqs));
		klog_read(&k);
		failed += r[n].status != 0;
		printf("gunyah_runs: round %d: exit %d in %.1f s; MemFree %ld -> %ld kB (%+ld kB); "
		       "kernel: %d WARNING, %d reclaim failures; %s\n", n, r[n].status, r[n].seconds,
		       r[n].before, r[n].after, r[n].after - r[n].before, k.warnings, k.reclaim_failed,
		       r[n].irqs);
	}
	if (k.nlines)
		printf("gunyah_runs: the driver's kernel messages:\n%s", k.lines);
	if (json) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", json);
		f = fopen(tmp, "w");
		if (!f) {
			fprintf(stderr, "gunyah_runs: %s: %s\n", tmp, strerror(errno));
			return 1;
		}
		fprintf(f, "{\"tool\": \"gunyah_runs\", \"irqs_before\": ");
		json_str(f, irqs0);
		fprintf(f, ",\n \"rounds\": [\n");
		for (int n = 0; n < rounds; n++) {
			fprintf(f, "  {\"status\": %d, \"seconds\": %.3f, \"memfree_before_kb\": %ld, "
				"\"memfree_after_kb\": %ld, \"irqs\": ", r[n].status, r[n].seconds,
				r[n].before, r[n].after);
			json_str(f, r[n].irqs);
			fprintf(f, "}%s\n", n + 1 < rounds ? "," : "");
		}
		fprintf(f, " ],\n \"kernel\": {\"warnings\": %d, \"bugs\": %d, \"reclaim_failed\": %d, "
			"\"lines\": ", k.warnings, k.bugs, k.reclaim_failed);
		json_str(f, k.lines);
		fprintf(f, "}}\n");
		if (fclose(f) != 0 || rename(tmp, json) != 0) {
			fprintf(stderr, "gunyah_runs: writing %s: %s\n", json, strerror(errno));
			return 1;
		}
	}
	return failed ? 1 : 0;
}
