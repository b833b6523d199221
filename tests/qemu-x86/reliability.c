/* SPDX-License-Identifier: MIT */
/*
 * ks_reliability: the fault-injection, interruption, privilege and soak
 * cases of issue 7, many per testbed boot. It runs as the testbed's program
 * (static, no libc in the guest) and runs /out/kvmscope (the static build,
 * staged by reliability.sh) once per case, each in /out/cases/<name>/:
 *
 *   before.txt, after.txt   the system state around the case: tracefs mount,
 *                           instances, top-level event/trigger/filter/tracer
 *                           state, BPF programs/maps/links (by id), /dev/kvm
 *   out.txt                 kvmscope's stdout and stderr
 *   rc                      its exit status ("signal N", "timeout")
 *   r.json, ...             what kvmscope wrote (cwd)
 *
 * It changes the system the way a case needs (hides /dev/kvm, chmods it,
 * unmounts tracefs, drops capabilities or becomes uid 65534), signals
 * kvmscope from outside when a case says so, and puts everything back. It
 * judges nothing: reliability.py reads the case directories on the host.
 *
 *   ks_reliability GROUP...     faults, privs, interrupts, soak=N
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KVMSCOPE "/out/kvmscope"
#define CASES "/out/cases"
#define TRACING "/sys/kernel/tracing"
#define NOBODY 65534

enum {
	AS_NOBODY = 1 << 0,      /* uid/gid 65534, no groups, no capabilities */
	DROP_BPF_CAPS = 1 << 1,  /* root without CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN */
	DROP_ADMIN = 1 << 2,     /* root without CAP_SYS_ADMIN only */
	KVM_GONE = 1 << 3,       /* /dev/kvm renamed away */
	KVM_MODE_000 = 1 << 4,
	KVM_MODE_666 = 1 << 5,
	NO_TRACEFS = 1 << 6,     /* tracefs unmounted */
	FOREIGN_TRACEFS = 1 << 7, /* someone else's tracefs state, which must survive */
};

struct kcase {
	const char *group;
	const char *name;
	const char *fault;           /* KVMSCOPE_FAULT, or NULL */
	unsigned flags;
	int sig;                     /* signal from outside, or 0 */
	double sig_after;            /* seconds after the start... */
	const char *sig_when;        /* ...and once r.json contains this (NULL: no wait) */
	double timeout;
	const char *argv[20];
};

#define Q "--quick", "--no-progress"
static struct kcase cases[] = {
	/* 1. faults */
	{ "faults", "guest_faults", NULL, 0, 0, 0, NULL, 240,
	  { "run", "empty", "selftest_fault", "selftest_hang", "selftest_badcall",
	    "selftest_badmbox", "-w", "3", Q, "-o", "r.json" } },
	{ "faults", "kvm_run_eintr_eagain", "kvm_run_eintr:3,kvm_run_eagain:5", 0, 0, 0, NULL, 120,
	  { "run", "hyp_call", "pio_out_user", Q, "-o", "r.json" } },
	{ "faults", "kvm_run_eagain_storm", "kvm_run_eagain:1", 0, 0, 0, NULL, 120,
	  { "run", "hyp_call", Q, "-o", "r.json" } },
	{ "faults", "memslot_enomem", "memslot_huge:2", 0, 0, 0, NULL, 120,
	  { "run", "empty", "hyp_call", Q, "-o", "r.json" } },
	{ "faults", "kvm_missing", NULL, KVM_GONE, 0, 0, NULL, 60,
	  { "run", "empty", Q, "-o", "r.json" } },
	{ "faults", "kvm_no_access", NULL, KVM_MODE_000 | AS_NOBODY, 0, 0, NULL, 60,
	  { "run", "empty", Q, "-o", "r.json" } },
	{ "faults", "bpf_load_fails", "bpf_load:1", 0, 0, 0, NULL, 60,
	  { "probe", "uexits", "-d", "1" } },
	{ "faults", "bpf_caps_dropped", NULL, DROP_BPF_CAPS, 0, 0, NULL, 60,
	  { "probe", "uexits", "-d", "1" } },
	{ "faults", "bpf_caps_dropped_bpf_only", NULL, DROP_BPF_CAPS, 0, 0, NULL, 60,
	  { "probe", "uexits", "--backend", "bpf", "-d", "1" } },
	{ "faults", "tracefs_unmounted_tracefs", NULL, NO_TRACEFS, 0, 0, NULL, 60,
	  { "probe", "uexits", "--backend", "tracefs", "-d", "1" } },
	{ "faults", "tracefs_unmounted_bpf", NULL, NO_TRACEFS, 0, 0, NULL, 60,
	  { "probe", "uexits", "--backend", "bpf", "-d", "1" } },
	{ "faults", "tracefs_unmounted_no_admin", NULL, NO_TRACEFS | DROP_ADMIN, 0, 0, NULL, 60,
	  { "probe", "uexits", "--backend", "tracefs", "-d", "1" } },
	/* 3. privileges */
	{ "privs", "nobody_run_kvm_666", NULL, KVM_MODE_666 | AS_NOBODY, 0, 0, NULL, 120,
	  { "run", "empty", "hyp_call", Q, "-o", "r.json" } },
	{ "privs", "nobody_probe", NULL, AS_NOBODY, 0, 0, NULL, 60,
	  { "probe", "uexits", "-d", "1" } },
	{ "privs", "nobody_probe_tracefs", NULL, AS_NOBODY, 0, 0, NULL, 60,
	  { "probe", "uexits", "--backend", "tracefs", "-d", "1" } },
	/* 2. interrupted runs: hook points, then signals from outside */
	{ "interrupts", "run_sigterm_vm_setup", "sigterm@vm_setup:2", 0, 0, 0, NULL, 120,
	  { "run", "empty", "hyp_call", Q, "-o", "r.json" } },
	{ "interrupts", "run_sigint_mid_bench_probes", "sigint@mid_bench:2", 0, 0, 0, NULL, 120,
	  { "run", "empty", "hyp_call", Q, "--probes", "-o", "r.json" } },
	{ "interrupts", "run_sigterm_results_write", "sigterm@results_write:1", 0, 0, 0, NULL, 120,
	  { "run", "empty", "hyp_call", Q, "-o", "r.json" } },
	{ "interrupts", "run_sigint_probe_attach_bpf", "sigint@probe_attach:7", 0, 0, 0, NULL, 120,
	  { "run", "empty", "hyp_call", "cpuid", Q, "--probes", "--probe-backend", "bpf", "-o",
	    "r.json" } },
	/* while empty's probes attach (each tracefs instance costs seconds under TCG) */
	{ "interrupts", "run_sigterm_probe_attach_tracefs", "sigterm@probe_attach:2",
	  FOREIGN_TRACEFS, 0, 0, NULL, 120, { "run", "empty", "hyp_call", Q, "--probes", "--probe-backend", "tracefs", "-o",
		 "r.json" } },
	{ "interrupts", "run_sigterm_outside_probes", NULL, 0, SIGTERM, 0, "\"status\": \"ok\"", 180,
	  { "run", Q, "--probes", "-o", "r.json" } },
	{ "interrupts", "probe_bpf_sigterm_attach", "sigterm@probe_attach:1", 0, 0, 0, NULL, 60,
	  { "probe", "uexits", "--backend", "bpf" } },
	{ "interrupts", "probe_tracefs_sigint_attach", "sigint@probe_attach:1", 0, 0, 0, NULL, 60,
	  { "probe", "uexits", "--backend", "tracefs" } },
	{ "interrupts", "probe_bpf_sigint_outside", NULL, FOREIGN_TRACEFS, SIGINT, 2.5, NULL, 60,
	  { "probe", "exits", "--backend", "bpf", "-i", "0.5" } },
	{ "interrupts", "probe_tracefs_sigterm_outside", NULL, FOREIGN_TRACEFS, SIGTERM, 2.5, NULL,
	  60,
	  { "probe", "exits", "--backend", "tracefs", "-i", "0.5" } },
	{ "interrupts", "probe_tracefs_sigterm_loop", "sigterm@probe_loop:2", 0, 0, 0, NULL, 60,
	  { "probe", "uexits", "--backend", "tracefs", "-i", "0.5" } },
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ snapshots */

static bool tracefs_mounted(FILE *out)
{
	FILE *f = fopen("/proc/mounts", "re");
	char line[512], dev[128], mnt[256], type[64];
	bool at_tracing = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %255s %63s", dev, mnt, type) == 3 &&
		    !strcmp(type, "tracefs")) {
			fprintf(out, "tracefs-mount: %s\n", mnt);
			at_tracing |= !strcmp(mnt, TRACING);
		}
	fclose(f);
	return at_tracing;
}

/* A tracefs file as lines, comments ('#') and blank lines left out. */
static void dump_file(FILE *out, const char *label, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[1024];

	if (!f) {
		fprintf(out, "%s: <%s>\n", label, strerror(errno));
		return;
	}
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] && line[0] != '#')
			n += fprintf(out, "%s: %s\n", label, line) > 0;
	}
	if (!n)   /* so that a file that was read shows in the snapshot */
		fprintf(out, "%s: (empty)\n", label);
	fclose(f);
}

static void read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

/* Every event that is enabled, filtered or triggered at the top level. */
static void dump_events(FILE *out)
{
	DIR *d = opendir(TRACING "/events");
	struct dirent *s, *e;
	char p[1024], v[256];
	int nev = 0, nen = 0, nfi = 0, ntr = 0;

	if (!d)
		return;
	while ((s = readdir(d))) {
		if (s->d_name[0] == '.' || (s->d_type != DT_DIR && s->d_type != DT_UNKNOWN))
			continue;
		snprintf(p, sizeof(p), TRACING "/events/%s", s->d_name);
		DIR *sd = opendir(p);
		if (!sd)
			continue;
		while ((e = readdir(sd))) {
			if (e->d_name[0] == '.' || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
				continue;
			snprintf(p, sizeof(p), TRACING "/events/%s/%s/enable", s->d_name, e->d_name);
			read_small(p, v, sizeof(v));
			nev++;
			if (v[0] && strcmp(v, "0") && ++nen)
				fprintf(out, "enabled: %s/%s = %s\n", s->d_name, e->d_name, v);
			snprintf(p, sizeof(p), TRACING "/events/%s/%s/filter", s->d_name, e->d_name);
			read_small(p, v, sizeof(v));
			if (v[0] && strcmp(v, "none") && ++nfi)
				fprintf(out, "filter: %s/%s = %s\n", s->d_name, e->d_name, v);
			snprintf(p, sizeof(p), TRACING "/events/%s/%s/trigger", s->d_name, e->d_name);
			read_small(p, v, sizeof(v));
			if (v[0] && v[0] != '#' && ++ntr)
				fprintf(out, "trigger: %s/%s = %s\n", s->d_name, e->d_name, v);
		}
		closedir(sd);
	}
	closedir(d);
	fprintf(out, "events: %d read: %d enabled, %d filtered, %d triggered at the top level\n",
		nev, nen, nfi, ntr);
}

/* System-wide BPF objects by id: what is loaded, whoever holds it. */
static void dump_bpf(FILE *out, const char *what, int cmd)
{
	union bpf_attr a;
	unsigned id = 0, n = 0;
	char ids[1024] = "";
	size_t o = 0;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (syscall(SYS_bpf, cmd, &a, sizeof(a)) < 0) {
			if (errno != ENOENT)
				fprintf(out, "bpf-%s: <%s>\n", what, strerror(errno));
			break;
		}
		id = a.next_id;
		n++;
		if (o < sizeof(ids) - 16)
			o += (size_t)snprintf(ids + o, sizeof(ids) - o, " %u", id);
	}
	fprintf(out, "bpf-%s: %u%s\n", what, n, ids);
}

static unsigned bpf_count(int cmd)
{
	union bpf_attr a;
	unsigned id = 0, n = 0;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (syscall(SYS_bpf, cmd, &a, sizeof(a)) < 0)
			return n;
		id = a.next_id;
		n++;
	}
}

static unsigned bpf_total(void)
{
	return bpf_count(BPF_PROG_GET_NEXT_ID) + bpf_count(BPF_MAP_GET_NEXT_ID) +
	       bpf_count(BPF_LINK_GET_NEXT_ID);
}

/* ftrace instances anyone has, or -1 when tracefs is not mounted there */
static int instances(void)
{
	DIR *d = opendir(TRACING "/instances");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void snapshot(const char *path)
{
	FILE *out = fopen(path, "we");
	struct stat st;

	if (!out)
		return;
	if (stat("/dev/kvm", &st) == 0)
		fprintf(out, "kvm: mode 0%03o owner %u:%u\n", (unsigned)(st.st_mode & 07777),
			(unsigned)st.st_uid, (unsigned)st.st_gid);
	else
		fprintf(out, "kvm: %s\n", strerror(errno));
	if (tracefs_mounted(out)) {
		DIR *d = opendir(TRACING "/instances");
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.')
				fprintf(out, "instance: %s\n", e->d_name);
		if (d)
			closedir(d);
		static const char *const files[] = { "current_tracer", "tracing_on", "set_event",
						     "set_event_pid", "kprobe_events",
						     "uprobe_events", "dynamic_events", "trace_clock",
						     "buffer_size_kb", NULL };
		for (int i = 0; files[i]; i++) {
			char p[256];
			snprintf(p, sizeof(p), TRACING "/%s", files[i]);
			dump_file(out, files[i], p);
		}
		dump_events(out);
	} else {
		fprintf(out, "tracefs: not mounted at " TRACING "\n");
	}
	dump_bpf(out, "progs", BPF_PROG_GET_NEXT_ID);
	dump_bpf(out, "maps", BPF_MAP_GET_NEXT_ID);
	dump_bpf(out, "links", BPF_LINK_GET_NEXT_ID);
	fclose(out);
}

/* ------------------------------------------------------------ one case */

static void wr(const char *file, const char *text, bool append)
{
	char p[256];
	snprintf(p, sizeof(p), TRACING "/%s", file);
	int fd = open(p, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		printf("reliability: writing '%s' to %s: %s\n", text, p, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* State that is not kvmscope's, at the top level: an enabled event, a
 * filter, a trigger, a kprobe, an instance. kvmscope must leave all of it. */
static void foreign_tracefs(bool set)
{
	if (set) {
		wr("events/sched/sched_process_exit/enable", "1", false);
		wr("events/kvm/kvm_exit/filter", "exit_reason != 0", false);
		wr("events/kvm/kvm_hypercall/trigger", "stacktrace:5", false);
		wr("kprobe_events", "p:ks_foreign_kp kvm_vcpu_ioctl\n", true);
		mkdir(TRACING "/instances/foreign", 0750);
	} else {
		wr("events/sched/sched_process_exit/enable", "0", false);
		wr("events/kvm/kvm_exit/filter", "0", false);
		wr("events/kvm/kvm_hypercall/trigger", "!stacktrace:5", false);
		wr("kprobe_events", "-:ks_foreign_kp\n", true);
		rmdir(TRACING "/instances/foreign");
	}
}

static mode_t kvm_mode_saved;

static void prepare(const struct kcase *c)
{
	struct stat st;

	if (stat("/dev/kvm", &st) == 0)
		kvm_mode_saved = st.st_mode & 07777;
	if (c->flags & KVM_GONE)
		rename("/dev/kvm", "/dev/kvm.hidden");
	if (c->flags & KVM_MODE_000)
		chmod("/dev/kvm", 0);
	if (c->flags & KVM_MODE_666)
		chmod("/dev/kvm", 0666);
	if (c->flags & FOREIGN_TRACEFS)
		foreign_tracefs(true);
	if ((c->flags & NO_TRACEFS) && umount2(TRACING, 0) < 0)
		printf("reliability: %s: umount " TRACING ": %s\n", c->name, strerror(errno));
}

static void restore(const struct kcase *c)
{
	struct stat st;

	if (c->flags & KVM_GONE)
		rename("/dev/kvm.hidden", "/dev/kvm");
	if (c->flags & (KVM_MODE_000 | KVM_MODE_666))
		chmod("/dev/kvm", kvm_mode_saved);
	if (c->flags & FOREIGN_TRACEFS)
		foreign_tracefs(false);
	if (stat(TRACING "/events", &st) < 0 && mount("nodev", TRACING, "tracefs", 0, NULL) < 0)
		printf("reliability: %s: remounting tracefs: %s\n", c->name, strerror(errno));
}

static void child(const struct kcase *c, const char *dir, const char *const *argv)
{
	if (chdir(dir) < 0)
		_exit(126);
	int fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0)
		_exit(126);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	if (c->fault)
		setenv("KVMSCOPE_FAULT", c->fault, 1);
	/* root whose bounding set lacks them: execve leaves them out of every set */
	if (c->flags & DROP_BPF_CAPS) {
		prctl(PR_CAPBSET_DROP, 39 /* CAP_BPF */, 0, 0, 0);
		prctl(PR_CAPBSET_DROP, 38 /* CAP_PERFMON */, 0, 0, 0);
	}
	if (c->flags & (DROP_BPF_CAPS | DROP_ADMIN))
		prctl(PR_CAPBSET_DROP, 21 /* CAP_SYS_ADMIN */, 0, 0, 0);
	if (c->flags & AS_NOBODY) {
		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0) {
			printf("reliability: cannot become uid %d: %s\n", NOBODY, strerror(errno));
			_exit(126);
		}
	}
	execv(KVMSCOPE, (char *const *)argv);
	printf("reliability: exec " KVMSCOPE ": %s\n", strerror(errno));
	_exit(127);
}

static bool file_has(const char *path, const char *needle)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

static void run_case(const struct kcase *c, const char *soak_n)
{
	char dir[256], p[320], rc[64];
	const char *argv[24];
	int n = 0;

	snprintf(dir, sizeof(dir), CASES "/%s", c->name);
	mkdir(CASES, 0777);
	mkdir(dir, 0777);
	chmod(dir, 0777);   /* uid 65534 writes its results here */
	argv[n++] = KVMSCOPE;
	for (int i = 0; c->argv[i] && n < 22; i++)
		argv[n++] = !strcmp(c->argv[i], "SOAK_N") ? soak_n : c->argv[i];
	argv[n] = NULL;

	prepare(c);
	snprintf(p, sizeof(p), "%s/before.txt", dir);
	snapshot(p);
	unsigned bpf_before = bpf_total();
	printf("reliability: case %s\n", c->name);
	fflush(stdout);
	double t0 = now_s();
	pid_t pid = fork();
	if (pid == 0)
		child(c, dir, argv);
	int ws = 0;
	bool signalled = false, timed_out = false;
	/* the most seen while kvmscope ran: shows its probes really were attached */
	unsigned peak_bpf = 0;
	int peak_inst = -1;
	snprintf(p, sizeof(p), "%s/r.json", dir);
	while (pid > 0) {
		pid_t w = waitpid(pid, &ws, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		unsigned b = bpf_total();
		int in = instances();
		peak_bpf = b > peak_bpf ? b : peak_bpf;
		peak_inst = in > peak_inst ? in : peak_inst;
		double el = now_s() - t0;
		if (c->sig && !signalled && el >= c->sig_after &&
		    (!c->sig_when || file_has(p, c->sig_when))) {
			kill(pid, c->sig);
			signalled = true;
			printf("reliability: %s: sent signal %d after %.1f s\n", c->name, c->sig, el);
		}
		if (el > c->timeout && !timed_out) {
			kill(pid, SIGKILL);
			timed_out = true;
		}
		usleep(50000);
	}
	double secs = now_s() - t0;
	if (timed_out)
		snprintf(rc, sizeof(rc), "timeout");
	else if (WIFEXITED(ws))
		snprintf(rc, sizeof(rc), "%d", WEXITSTATUS(ws));
	else
		snprintf(rc, sizeof(rc), "signal %d", WTERMSIG(ws));
	/* the kernel frees BPF objects of a dead process a little later (deferred
	 * work, RCU): give it 2 s; anything still there then was leaked */
	for (int i = 0; i < 40 && bpf_total() != bpf_before; i++)
		usleep(50000);
	snprintf(p, sizeof(p), "%s/after.txt", dir);
	snapshot(p);   /* before restore(): what kvmscope left behind */
	restore(c);
	snprintf(p, sizeof(p), "%s/rc", dir);
	FILE *f = fopen(p, "we");
	if (f) {
		fprintf(f, "%s\n%.2f\npeak bpf objects %u, tracefs instances %d\n", rc, secs,
			peak_bpf, peak_inst);
		fclose(f);
	}
	printf("reliability: case %s: %s in %.1f s\n", c->name, rc, secs);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct kcase soak = { "soak", "soak", NULL, 0, 0, 0, NULL, 4 * 3600,
				     { "run", "--soak", "SOAK_N", Q, "-o", "r.json" } };

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int a = 1; a < argc; a++) {
		/* soak=N (the quick suite) or soak=N:bench,bench,... */
		if (!strncmp(argv[a], "soak=", 5)) {
			char *n = argv[a] + 5, *names = strchr(n, ':');
			int k = 7;   /* after run --soak N --quick --no-progress -o r.json */
			if (names) {
				*names++ = 0;
				for (char *t = strtok(names, ","); t && k < 19; t = strtok(NULL, ","))
					soak.argv[k++] = t;
			}
			soak.argv[k] = NULL;
			run_case(&soak, n);
			continue;
		}
		bool any = false;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			if (!strcmp(cases[i].group, argv[a]) || !strcmp(cases[i].name, argv[a])) {
				run_case(&cases[i], NULL);
				any = true;
			}
		if (!any)
			printf("reliability: no case or group '%s'\n", argv[a]);
	}
	printf("reliability: done\n");
	return 0;
}
