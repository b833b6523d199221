/* SPDX-License-Identifier: MIT */
/*
 * live_probe: `kvmscope probe` live mode against a running VMM, inside the
 * x86 testbed (which runs one program: this one, static). For each backend:
 *
 *   1. record the tracefs state and the number of loaded BPF programs;
 *   2. fork the VMM (`KVMSCOPE run BENCH --samples N -o live-B-vmm.json`)
 *      held before its exec, so that its pid is known and nothing it does is
 *      missed;
 *   3. start `KVMSCOPE probe P -p VMMPID -i 1 -d D --backend B` for every
 *      probe P, each writing its report to live-B-P.txt, and wait until
 *      each says it is attached ("Ctrl-C to stop" on its stderr);
 *   4. let the VMM exec and wait for everyone;
 *   5. record the state again, and the timeline in live-B.summary.
 *
 * The host judges the files (tests/probe-live/check.py): the guest has
 * no python. Files land in the cwd, the testbed's 9p out share.
 *
 *   live_probe [--vmm PATH] [--bench NAME] [--samples N] [--duration S]
 *              [--probe P]... BACKEND...
 *
 * Exit 0 when every child exited 0, 1 when not, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACING "/sys/kernel/tracing"
#define MAX_PROBES 4
#define ATTACH_TIMEOUT_S 120.0

static double t_start;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9 - t_start;
}

static void dump_file(FILE *o, const char *rel)
{
	char p[512], buf[4096];
	snprintf(p, sizeof(p), "%s/%s", TRACING, rel);
	FILE *f = fopen(p, "r");
	fprintf(o, "== %s\n", rel);
	if (!f) {
		fprintf(o, "(absent: %s)\n", strerror(errno));
		return;
	}
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, o);
	fclose(f);
}

/* Loaded BPF programs, by id: what a probe loaded must be gone after it. */
static int bpf_prog_count(void)
{
	union bpf_attr a;
	int n = 0;
	memset(&a, 0, sizeof(a));
	while (syscall(__NR_bpf, BPF_PROG_GET_NEXT_ID, &a, sizeof(a)) == 0) {
		n++;
		a.start_id = a.next_id;
	}
	return errno == ENOENT ? n : -errno;
}

/* What a probe may touch and must restore (cf. tests/integration/probe_live.sh). */
static void dump_state(const char *path)
{
	static const char *const files[] = {
		"tracing_on", "current_tracer", "set_event", "set_event_pid", "trace_options",
		"events/kvm/kvm_userspace_exit/enable", "events/kvm/kvm_userspace_exit/filter",
		"events/kvm/kvm_exit/enable", "events/kvm/kvm_exit/filter",
		"events/kvm/kvm_entry/enable", "events/kvm/kvm_entry/filter",
		"events/syscalls/sys_enter_ioctl/enable", "events/syscalls/sys_enter_ioctl/filter",
		"events/raw_syscalls/sys_enter/enable", NULL,
	};
	FILE *o = fopen(path, "w");
	if (!o) {
		fprintf(stderr, "live_probe: %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(o, "== instances\n");
	DIR *d = opendir(TRACING "/instances");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			fprintf(o, "%s\n", e->d_name);
	if (d)
		closedir(d);
	for (int i = 0; files[i]; i++)
		dump_file(o, files[i]);
	fprintf(o, "== bpf programs loaded\n%d\n", bpf_prog_count());
	fclose(o);
}

struct child {
	char name[32];
	pid_t pid;
	int err_fd;          /* probes: read end of stderr */
	FILE *err_copy;      /* ... copied here */
	double attached, ended;
	int status;
	bool done;
};

static pid_t spawn(char *const argv[], const char *out, int err_pipe[2], int gate)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		if (!err_pipe)
			dup2(fd, 2);
	}
	if (err_pipe)
		dup2(err_pipe[1], 2);
	if (gate >= 0) {   /* hold until the probes are attached: 'g' = go */
		char c = 0;
		if (read(gate, &c, 1) != 1 || c != 'g')
			_exit(125);
	}
	execv(argv[0], argv);
	fprintf(stderr, "live_probe: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Copy what a probe wrote on stderr; 1 once its attach line was seen. */
static int drain(struct child *c, int ms)
{
	char buf[4096];
	struct pollfd p = { .fd = c->err_fd, .events = POLLIN };
	if (c->err_fd < 0 || poll(&p, 1, ms) <= 0)
		return 0;
	ssize_t n = read(c->err_fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		close(c->err_fd);
		c->err_fd = -1;
		return 0;
	}
	buf[n] = 0;
	fwrite(buf, 1, (size_t)n, c->err_copy);
	fflush(c->err_copy);
	return strstr(buf, "Ctrl-C to stop") != NULL;
}

static int one_backend(const char *vmm, const char *bench, const char *samples,
		       const char *duration, const char *const *probes, int nprobes,
		       const char *backend)
{
	char path[256], json[128], pidbuf[16];
	struct child kids[MAX_PROBES + 1];
	int gate[2], fails = 0;

	memset(kids, 0, sizeof(kids));
	snprintf(path, sizeof(path), "live-%s-tracefs-before.txt", backend);
	dump_state(path);
	if (pipe2(gate, O_CLOEXEC) < 0)
		return 1;

	/* the VMM, held before exec; its pid stays across exec */
	struct child *v = &kids[0];
	snprintf(v->name, sizeof(v->name), "vmm");
	snprintf(json, sizeof(json), "live-%s-vmm.json", backend);
	snprintf(path, sizeof(path), "live-%s-vmm.txt", backend);
	char *vargv[] = { (char *)vmm, "run", (char *)bench, "--samples", (char *)samples, "-o",
			  json, NULL };
	unlink(json);
	v->pid = spawn(vargv, path, NULL, gate[0]);
	v->err_fd = -1;
	close(gate[0]);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)v->pid);

	for (int i = 0; i < nprobes; i++) {
		struct child *c = &kids[1 + i];
		int ep[2];
		snprintf(c->name, sizeof(c->name), "%s", probes[i]);
		if (pipe2(ep, O_CLOEXEC) < 0)
			return 1;
		snprintf(path, sizeof(path), "live-%s-%s.txt", backend, probes[i]);
		char *pargv[] = { (char *)vmm, "probe", (char *)probes[i], "-p", pidbuf, "-i", "1",
				  "-d", (char *)duration, "--backend", (char *)backend, NULL };
		c->pid = spawn(pargv, path, ep, -1);
		close(ep[1]);
		c->err_fd = ep[0];
		snprintf(path, sizeof(path), "live-%s-%s.err", backend, probes[i]);
		c->err_copy = fopen(path, "w");
	}
	/* wait for every probe's attach line (or its end) */
	double deadline = now() + ATTACH_TIMEOUT_S;
	for (int i = 1; i <= nprobes; i++) {
		struct child *c = &kids[i];
		while (!c->attached && c->err_fd >= 0 && now() < deadline) {
			if (drain(c, 100)) {
				c->attached = now();
				break;
			}
		}
		if (!c->attached)
			printf("live_probe: %s probe %s did not attach\n", backend, c->name);
	}
	double release = now();
	char go = 'g';
	if (write(gate[1], &go, 1) != 1)
		fails++;
	close(gate[1]);
	printf("live_probe: %s: probes attached, VMM %s released at %.2f s\n", backend, pidbuf,
	       release);
	fflush(stdout);

	/* wait for all, copying the probes' stderr meanwhile */
	for (int left = nprobes + 1; left > 0;) {
		for (int i = 1; i <= nprobes; i++)
			drain(&kids[i], 20);
		int ws;
		pid_t p = waitpid(-1, &ws, WNOHANG);
		if (p <= 0) {
			if (nprobes == 0)
				usleep(20000);
			continue;
		}
		for (int i = 0; i <= nprobes; i++)
			if (kids[i].pid == p && !kids[i].done) {
				kids[i].done = true;
				kids[i].ended = now();
				kids[i].status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
				left--;
			}
	}
	for (int i = 1; i <= nprobes; i++) {
		while (kids[i].err_fd >= 0)
			drain(&kids[i], 100);
		if (kids[i].err_copy)
			fclose(kids[i].err_copy);
	}
	snprintf(path, sizeof(path), "live-%s-tracefs-after.txt", backend);
	dump_state(path);

	snprintf(path, sizeof(path), "live-%s.summary", backend);
	FILE *s = fopen(path, "w");
	if (s)
		fprintf(s, "backend=%s\nvmm_pid=%s\nrelease=%.3f\nduration=%s\n", backend, pidbuf,
			release, duration);
	for (int i = 0; i <= nprobes; i++) {
		struct child *c = &kids[i];
		if (s)
			fprintf(s, "%s.status=%d\n%s.attached=%.3f\n%s.ended=%.3f\n", c->name,
				c->status, c->name, c->attached, c->name, c->ended);
		printf("live_probe: %s %s: exit %d, ended at %.2f s\n", backend, c->name, c->status,
		       c->ended);
		fails += c->status != 0 || (i > 0 && !c->attached);
	}
	if (s)
		fclose(s);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *vmm = "./kvmscope-static", *bench = "pio_out_user", *samples = "20000";
	const char *duration = "10";
	const char *probes[MAX_PROBES];
	int nprobes = 0, fails = 0, nbackends = 0;

	t_start = 0;
	t_start = now();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--vmm") && v)
			vmm = argv[++i];
		else if (!strcmp(a, "--bench") && v)
			bench = argv[++i];
		else if (!strcmp(a, "--samples") && v)
			samples = argv[++i];
		else if (!strcmp(a, "--duration") && v)
			duration = argv[++i];
		else if (!strcmp(a, "--probe") && v && nprobes < MAX_PROBES)
			probes[nprobes++] = argv[++i];
		else if (a[0] == '-') {
			fprintf(stderr, "usage: live_probe [--vmm PATH] [--bench NAME] [--samples N] "
					"[--duration S] [--probe P]... BACKEND...\n");
			return 2;
		}
	}
	if (!nprobes) {
		probes[nprobes++] = "uexits";
		probes[nprobes++] = "exits";
	}
	if (access(vmm, X_OK) != 0) {
		printf("live_probe: %s: %s\n", vmm, strerror(errno));
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			i++;
			continue;
		}
		nbackends++;
		fails += one_backend(vmm, bench, samples, duration, probes, nprobes, argv[i]);
	}
	if (!nbackends) {
		fprintf(stderr, "live_probe: name at least one backend (bpf, tracefs)\n");
		return 2;
	}
	return fails ? 1 : 0;
}
