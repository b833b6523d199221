/* SPDX-License-Identifier: MIT */
/*
 * Driving bpftrace for probe_overhead (see bpftrace.h). bpftrace compiles
 * its program with LLVM at start (seconds, more under emulation), so the
 * caller starts it before a with-run and stops it after; only the attached
 * programs run during the measured exits, as with kvmscope's own probes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* pipe2, environ */
#endif
#include "bpftrace.h"
#include "arch.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* bpftrace prints this line once every probe is attached when the variable
 * is set (its own runtime tests wait for it); "Attaching N probes..." comes
 * before the attaching. */
#define NOTIFY_VAR "__BPFTRACE_NOTIFY_PROBES_ATTACHED"
/* Without the notification (a bpftrace that lacks it): this long after
 * "Attaching N probes...". */
#define ATTACH_FALLBACK_S 5.0
/* After the notification: let the attach settle before the workload. */
#define SETTLE_NS 100000000L
/* Stopping: SIGINT again this often until it exits (see ks_bpftrace_stop). */
#define SIGINT_EVERY_S 2.0


static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

bool ks_bpftrace_find(char *path, size_t len, char *why, size_t wlen)
{
	const char *env = getenv(KS_BPFTRACE_ENV), *p = getenv("PATH");

	if (env && *env) {
		if (access(env, X_OK) == 0) {
			snprintf(path, len, "%s", env);
			return true;
		}
		snprintf(why, wlen, "%s=%s is not an executable: %s", KS_BPFTRACE_ENV, env,
			 strerror(errno));
		return false;
	}
	for (const char *s = p ? p : "/usr/local/bin:/usr/bin:/bin"; *s;) {
		size_t n = strcspn(s, ":");
		snprintf(path, len, "%.*s/bpftrace", (int)n, n ? s : ".");
		if (access(path, X_OK) == 0)
			return true;
		s += n + (s[n] == ':');
	}
	path[0] = 0;
	snprintf(why, wlen,
		 "bpftrace not available: none in PATH (%s) and %s is not set (Debian: apt-get "
		 "install bpftrace; x86 testbed: testbed.sh --with-bpftrace)",
		 p ? p : "unset", KS_BPFTRACE_ENV);
	return false;
}

bool ks_bpftrace_program(const struct ks_probe_plan *plan, pid_t pid, char *prog, size_t len,
			 char *why, size_t wlen)
{
	const char *start, *start_pred = NULL, *end_pred, *hist, *reason;
	char end[192], begin[192], ioctl_pred[64], exit_reason[64];

	if (!strcmp(plan->probe, "uexits") &&
	    !strcmp(plan->start_event, "tracepoint:kvm:kvm_userspace_exit")) {
		start = plan->start_event;
		reason = "args->reason";
		hist = "@uexit_ns";
		if (!strcmp(plan->end_event, "tracepoint:syscalls:sys_enter_ioctl"))
			end_pred = "args->cmd == 0xae80";
		else if (!strcmp(plan->end_event, "tracepoint:raw_syscalls:sys_enter")) {
			/* the syscall number and the kvm_exit field are the arch's */
			snprintf(ioctl_pred, sizeof(ioctl_pred), "args->id == %d && args->args[1] == 0xae80",
				 ks_arch.syscall_nr_ioctl);
			end_pred = ioctl_pred;
		} else
			goto none;
	} else if (!strcmp(plan->probe, "exits") &&
		   !strcmp(plan->start_event, "tracepoint:kvm:kvm_exit") &&
		   !strcmp(plan->end_event, "tracepoint:kvm:kvm_entry")) {
		start = plan->start_event;
		snprintf(exit_reason, sizeof(exit_reason), "args->%s", ks_arch.kvm_exit_reason_field);
		reason = exit_reason;
		hist = "@exit_ns";
		end_pred = NULL;
	} else if (!strcmp(plan->probe, "hypercalls") &&
		   !strcmp(plan->start_event, "tracepoint:kvm:kvm_exit") &&
		   !strcmp(plan->end_event, "tracepoint:kvm:kvm_entry")) {
		/* a hypercall's exit to the next entry; the probe's key (the
		 * hypercall's number) aside: one key */
		start = plan->start_event;
		start_pred = ks_arch.bpftrace_hypercall_exit;
		reason = "\"hypercall\"";
		hist = "@hc_ns";
		end_pred = NULL;
	} else if (!strcmp(plan->probe, "memlend") &&
		   !strncmp(plan->start_event, "tracepoint:kvm:", 15) &&
		   !strcmp(plan->end_event, "tracepoint:kvm:kvm_entry")) {
		/* a stage-2 fault (kvm_page_fault, kvm_guest_fault) to the next entry */
		start = plan->start_event;
		reason = "\"fault\"";
		hist = "@fault_ns";
		end_pred = NULL;
	} else {
		goto none;
	}
	snprintf(begin, sizeof(begin), "%s%s", start_pred ? " && " : "", start_pred ? start_pred : "");
	snprintf(end, sizeof(end), "%s%s", end_pred ? " && " : "", end_pred ? end_pred : "");
	/* bpftrace prints every map at exit: the histograms and @spans. END
	 * only drops the per-thread bookkeeping so that it is not printed. */
	int n = snprintf(prog, len,
			 "%s /pid == %d%s/ { @start[tid] = nsecs; @reason[tid] = %s; }\n"
			 "%s /pid == %d%s && @start[tid]/ { %s[@reason[tid]] = hist(nsecs - "
			 "@start[tid]); @spans = count(); delete(@start[tid]); "
			 "delete(@reason[tid]); }\n"
			 "END { clear(@start); clear(@reason); }\n",
			 start, (int)pid, begin, reason, plan->end_event, (int)pid, end, hist);
	if (n < 0 || (size_t)n >= len) {
		snprintf(why, wlen, "bpftrace program too long");
		return false;
	}
	return true;
none:
	snprintf(why, wlen, "no bpftrace one-liner for the %s probe as planned here (%s -> %s)",
		 plan->probe, plan->start_event, plan->end_event);
	return false;
}

/* Read what is there (waiting up to ms): 1 read something, 0 nothing yet, -1 EOF. */
static int pump(struct ks_bpftrace *bt, int ms)
{
	struct pollfd pfd = { .fd = bt->fd, .events = POLLIN };
	char sink[4096];

	int r = poll(&pfd, 1, ms);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r == 0)
		return 0;
	size_t room = sizeof(bt->out) - 1 - bt->nout;
	char *dst = room ? bt->out + bt->nout : sink;
	ssize_t n = read(bt->fd, dst, room ? room : sizeof(sink));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return -1;
	if (room) {
		bt->nout += (size_t)n;
		bt->out[bt->nout] = 0;
	}
	return 1;
}

/* Its output on one line for an error message. */
static void output_line(const struct ks_bpftrace *bt, char *buf, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < bt->nout && o + 4 < len; i++) {
		char c = bt->out[i];
		if (c == '\n') {
			if (o && i + 1 < bt->nout)
				buf[o++] = '|', buf[o++] = ' ';
		} else if (c >= ' ' && c != 0x7f) {
			buf[o++] = c;
		}
	}
	buf[o] = 0;
	if (!o)
		snprintf(buf, len, "(nothing)");
}

static void describe_status(int ws, char *buf, size_t len)
{
	if (WIFEXITED(ws))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(ws));
	else if (WIFSIGNALED(ws))
		snprintf(buf, len, "signal %d (%s)", WTERMSIG(ws), strsignal(WTERMSIG(ws)));
	else
		snprintf(buf, len, "wait status 0x%x", ws);
}

/* Reap it, killing it first when it outlives the deadline. */
static int reap(struct ks_bpftrace *bt, double deadline, bool *killed)
{
	int ws = 0;

	*killed = false;
	for (;;) {
		pid_t r = waitpid(bt->pid, &ws, WNOHANG);
		if (r == bt->pid || (r < 0 && errno != EINTR))
			break;
		if (r == 0 && now_s() > deadline) {
			kill(bt->pid, SIGKILL);
			*killed = true;
			while (waitpid(bt->pid, &ws, 0) < 0 && errno == EINTR)
				;
			break;
		}
		struct timespec ts = { 0, 10000000L };
		nanosleep(&ts, NULL);
	}
	bt->pid = -1;
	if (bt->fd >= 0)
		close(bt->fd);
	bt->fd = -1;
	return ws;
}

int ks_bpftrace_start(struct ks_bpftrace *bt, const char *path, const char *prog,
		      double timeout_s, char *err, size_t len)
{
	int p[2];
	size_t n = 0;

	bt->pid = -1;
	bt->fd = -1;
	bt->nout = 0;
	bt->out[0] = 0;
	bt->notified = false;
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, len, "pipe: %s", strerror(errno));
		return -1;
	}
	/* Everything the child needs is built before fork: after it, only
	 * async-signal-safe calls (kvmscope may have other threads). */
	while (environ[n])
		n++;
	char **envp = calloc(n + 2, sizeof(*envp));
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char *argv[] = { (char *)path, "-e", (char *)prog, NULL };
	if (!envp) {
		snprintf(err, len, "out of memory");
		close(p[0]);
		close(p[1]);
		if (devnull >= 0)
			close(devnull);
		return -1;
	}
	memcpy(envp, environ, n * sizeof(*envp));
	envp[n] = NOTIFY_VAR "=1";
	pid_t parent = getpid();
	double t0 = now_s();
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* never leave probes attached behind a kvmscope that died */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execve(path, argv, envp);
		static const char msg[] = "kvmscope: exec of bpftrace failed\n";
		ssize_t w = write(2, msg, sizeof(msg) - 1);
		(void)w;
		_exit(127);
	}
	int fork_errno = errno;
	free(envp);
	close(p[1]);
	if (devnull >= 0)
		close(devnull);
	if (pid < 0) {
		close(p[0]);
		snprintf(err, len, "fork: %s", strerror(fork_errno));
		return -1;
	}
	bt->pid = pid;
	bt->fd = p[0];

	double deadline = t0 + timeout_s, attaching = 0;
	for (;;) {
		double t = now_s();
		if (strstr(bt->out, NOTIFY_VAR "\n")) {
			bt->notified = true;
			break;
		}
		if (!attaching && strstr(bt->out, "Attaching "))
			attaching = t;
		if (attaching && t - attaching > ATTACH_FALLBACK_S)
			break;   /* a bpftrace without the notification */
		if (t > deadline) {
			char out[400];
			bool killed;
			reap(bt, 0, &killed);
			output_line(bt, out, sizeof(out));
			snprintf(err, len, "bpftrace did not attach within %.0f s (killed); it "
				 "printed: %s", timeout_s, out);
			return -1;
		}
		if (pump(bt, 50) < 0) {
			char out[400], st[64];
			bool killed;
			int ws = reap(bt, now_s() + 5, &killed);
			output_line(bt, out, sizeof(out));
			describe_status(ws, st, sizeof(st));
			snprintf(err, len, "bpftrace ended (%s) before attaching: %s", st, out);
			return -1;
		}
	}
	bt->attach_s = now_s() - t0;
	struct timespec settle = { 0, SETTLE_NS };
	nanosleep(&settle, NULL);
	return 0;
}

int ks_bpftrace_stop(struct ks_bpftrace *bt, double timeout_s, uint64_t *spans, char *err,
		     size_t len)
{
	char out[400], st[64];
	bool killed;

	*spans = 0;
	if (bt->pid <= 0) {
		snprintf(err, len, "bpftrace is not running");
		return -1;
	}
	/* SIGINT until it exits. bpftrace 0.17 only acts on a SIGINT that
	 * interrupts its epoll_wait(): one that lands elsewhere in its event
	 * loop, or before the loop starts (seen under emulation, right after
	 * the attach), sets its flag and is never looked at again, and it would
	 * run forever. Its handler only sets that flag; a repeat that lands in
	 * its END phase at worst cuts END short, so that the per-thread maps
	 * are printed too. */
	double deadline = now_s() + timeout_s, next = 0;
	int sent = 0;
	for (double t = now_s(); t < deadline; t = now_s()) {
		if (t >= next) {
			kill(bt->pid, SIGINT);
			sent++;
			next = t + SIGINT_EVERY_S;
		}
		if (pump(bt, 100) < 0)
			break;   /* EOF: it is exiting */
	}
	int ws = reap(bt, deadline, &killed);
	output_line(bt, out, sizeof(out));
	if (killed) {
		snprintf(err, len, "bpftrace did not exit within %.1f s of SIGINT (%d sent; killed); "
			 "it printed: %s", timeout_s, sent, out);
		return -1;
	}
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
		describe_status(ws, st, sizeof(st));
		snprintf(err, len, "bpftrace ended with %s: %s", st, out);
		return -1;
	}
	for (const char *s = bt->out; (s = strstr(s, "@spans: ")); s += 8)
		*spans = strtoull(s + 8, NULL, 10);   /* the last one: the maps at exit */
	return 0;
}
