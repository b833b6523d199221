/* SPDX-License-Identifier: MIT */
/*
 * vCPUs: creation, the one exit-dispatch loop, the watchdog and Ctrl-C.
 *
 * A hung guest never hangs kvmscope: the watchdog is a one-shot POSIX timer
 * aimed at the thread that runs the vCPU. Its signal handler sets the
 * immediate_exit byte of the run page the kernel reads (KVM's kvm_run, or
 * Gunyah's run page: v->kick, front.h), so the run ioctl returns EINTR
 * whether the signal lands inside the guest or just before re-entry (no
 * lost wake-up), and the loop then fails with the deadline message.
 * SIGINT/SIGTERM do the same for every running vCPU thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "fault_inject.h"
#include "front.h"
#include "vmm.h"

#define KS_KICK_SIGNAL SIGUSR2
#define MAX_RUNNING 16
/* KVM_RUN's EAGAIN is transient (e.g. a request the kernel wants retried):
 * retried, but a run of this many in a row is a broken vCPU, not a blip. */
#define MAX_EAGAIN_IN_A_ROW 1000

volatile sig_atomic_t ks_interrupted;
static __thread volatile uint8_t *volatile tl_kick;
static volatile pid_t running_tids[MAX_RUNNING];

#define V_ERR(v, ...) snprintf((v)->err, sizeof((v)->err), __VA_ARGS__)

uint64_t ks_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void kick_handler(int sig)
{
	(void)sig;
	volatile uint8_t *k = tl_kick;
	if (k)
		*k = 1;
}

static void stop_handler(int sig)
{
	int saved = errno;
	pid_t self = (pid_t)syscall(SYS_gettid);

	ks_interrupted = 1;
	kick_handler(sig);
	for (int i = 0; i < MAX_RUNNING; i++) {
		pid_t t = running_tids[i];
		if (t && t != self)
			syscall(SYS_tgkill, getpid(), t, KS_KICK_SIGNAL);
	}
	errno = saved;
}

void ks_vmm_install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;   /* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	sigaction(KS_KICK_SIGNAL, &sa, NULL);
	sa.sa_handler = stop_handler;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void register_running(pid_t tid, bool on)
{
	for (int i = 0; i < MAX_RUNNING; i++) {
		if (on && running_tids[i] == 0) {
			running_tids[i] = tid;
			return;
		}
		if (!on && running_tids[i] == tid) {
			running_tids[i] = 0;
			return;
		}
	}
}

int ks_vcpu_create(struct ks_vm *vm, struct ks_vcpu *v, int id)
{
	memset(v, 0, sizeof(*v));
	pthread_mutex_init(&v->wd_lock, NULL);
	v->vm = vm;
	v->id = id;
	v->stats.fd = -1;
	v->fd = -1;
	if (vm->kvm->front->vcpu_create(v) < 0)
		goto fail;
	if (vm->arch->vcpu_setup(v) < 0)
		goto fail;
	return 0;
fail:
	ks_vcpu_destroy(v);
	return -1;
}

void ks_vcpu_destroy(struct ks_vcpu *v)
{
	ks_vcpu_watchdog_disarm(v);
	if (v->has_stats)
		ks_stats_close(&v->stats);
	v->has_stats = false;
	if (v->vm && v->vm->kvm)
		v->vm->kvm->front->vcpu_destroy(v);
}

/* Push the deadline `watchdog_s` into the future: the guest made progress.
 * With v->wd_lock held. */
static int watchdog_rearm_locked(struct ks_vcpu *v)
{
	struct itimerspec its;

	if (!v->wd_armed)
		return 0;
	uint64_t deadline = mono_ns() + (uint64_t)(v->watchdog_s * 1e9);
	__atomic_store_n(&v->deadline_ns, deadline, __ATOMIC_RELAXED);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(deadline / 1000000000ULL);
	its.it_value.tv_nsec = (long)(deadline % 1000000000ULL);
	return timer_settime(v->wd_timer, TIMER_ABSTIME, &its, NULL);
}

static int watchdog_rearm(struct ks_vcpu *v)
{
	pthread_mutex_lock(&v->wd_lock);
	int rc = watchdog_rearm_locked(v);
	pthread_mutex_unlock(&v->wd_lock);
	return rc;
}

void ks_vcpu_watchdog_touch(struct ks_vcpu *v)
{
	watchdog_rearm(v);
}

int ks_vcpu_watchdog_arm(struct ks_vcpu *v, double seconds)
{
	struct sigevent sev;

	ks_vcpu_watchdog_disarm(v);
	pthread_mutex_lock(&v->wd_lock);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = KS_KICK_SIGNAL;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &v->wd_timer) < 0) {
		V_ERR(v, "timer_create for the watchdog: %s", strerror(errno));
		pthread_mutex_unlock(&v->wd_lock);
		return -1;
	}
	v->watchdog_s = seconds;
	v->wd_armed = true;
	v->wd_tid = sev._sigev_un._tid;
	int rc = watchdog_rearm_locked(v);
	pthread_mutex_unlock(&v->wd_lock);
	if (rc < 0) {
		V_ERR(v, "timer_settime for the watchdog: %s", strerror(errno));
		ks_vcpu_watchdog_disarm(v);
		return -1;
	}
	return 0;
}

void ks_vcpu_watchdog_disarm(struct ks_vcpu *v)
{
	pthread_mutex_lock(&v->wd_lock);
	if (v->wd_armed)
		timer_delete(v->wd_timer);
	v->wd_armed = false;
	__atomic_store_n(&v->deadline_ns, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&v->wd_lock);
}

static const char *exit_name(uint32_t r)
{
	switch (r) {
	case KVM_EXIT_UNKNOWN: return "UNKNOWN";
	case KVM_EXIT_EXCEPTION: return "EXCEPTION";
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_HYPERCALL: return "HYPERCALL";
	case KVM_EXIT_DEBUG: return "DEBUG";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN (triple fault)";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTR: return "INTR";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVM_EXIT_SYSTEM_EVENT: return "SYSTEM_EVENT (the VM stopped)";
	default: return "?";
	}
}

static void fail_exit(struct ks_vcpu *v, const char *what)
{
	char ctx[160] = "";
	struct kvm_run *r = v->run;

	v->vm->arch->describe_vcpu(v, ctx, sizeof(ctx));
	if (v->exit_note[0]) {   /* what the front knows beyond the kvm_run view */
		size_t n = strlen(ctx);
		snprintf(ctx + n, sizeof(ctx) - n, "; %.150s", v->exit_note);
	}
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		V_ERR(v, "%s: unexpected exit IO %s port 0x%x size %u (%s)", what,
		      r->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", r->io.port,
		      r->io.size, ctx);
		break;
	case KVM_EXIT_MMIO:
		V_ERR(v, "%s: unexpected exit MMIO %s gpa 0x%llx len %u (%s)", what,
		      r->mmio.is_write ? "write" : "read",
		      (unsigned long long)r->mmio.phys_addr, r->mmio.len, ctx);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		V_ERR(v, "%s: KVM internal error, suberror %u (%s)", what,
		      r->internal.suberror, ctx);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		V_ERR(v, "%s: VM entry failed, hardware reason 0x%llx (%s)", what,
		      (unsigned long long)r->fail_entry.hardware_entry_failure_reason, ctx);
		break;
	default:
		V_ERR(v, "%s: unexpected exit %s (%u) (%.150s)", what, exit_name(r->exit_reason),
		      r->exit_reason, ctx);
	}
}

void ks_vcpu_stop(struct ks_vcpu *v, pthread_t runner)
{
	v->stop = 1;
	pthread_kill(runner, KS_KICK_SIGNAL);
}

void ks_vcpu_bad_ucall(struct ks_vcpu *v, const struct ks_ucall *uc, const char *expected)
{
	V_ERR(v, "guest protocol error: got ucall %llu (args %llu %llu), expected %s",
	      (unsigned long long)uc->cmd, (unsigned long long)uc->args[0],
	      (unsigned long long)uc->args[1], expected);
}

/*
 * Text from the guest, made safe for a terminal and a log: it stops at the
 * first NUL or at the end of the field (the guest need not terminate it),
 * and any byte that is not printable ASCII becomes \xNN, so a guest cannot
 * send escape sequences or forge lines of ours.
 */
static void guest_text(char *dst, size_t len, const char *src, size_t srclen)
{
	size_t o = 0;

	for (size_t i = 0; i < srclen && src[i] && o + 5 < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, len - o, "\\x%02x", c);
	}
	dst[o] = 0;
}

/* The mailbox header is the host's and never changes while a guest runs: a
 * guest that wrote over it has a corrupt channel, whatever the ucall says. */
static bool mailbox_clobbered(struct ks_vcpu *v)
{
	const struct ks_mailbox *mb = v->vm->mb;

	if (mb->magic == KS_ABI_MAGIC && mb->abi_version == KS_ABI_VERSION)
		return false;
	V_ERR(v, "guest protocol error: the guest overwrote the mailbox header (magic 0x%llx, "
	      "want 0x%llx; abi_version %llu, want %u): message channel corrupt",
	      (unsigned long long)mb->magic, (unsigned long long)KS_ABI_MAGIC,
	      (unsigned long long)mb->abi_version, KS_ABI_VERSION);
	return true;
}

/* Turn a guest-reported failure into a message; false if uc is benign. */
static bool guest_failed(struct ks_vcpu *v, const struct ks_ucall *uc)
{
	if (uc->cmd == KS_UC_EXCEPTION) {
		const char *name = v->vm->arch->vector_name(uc->args[0]);
		V_ERR(v, "guest took an unexpected exception: vector %llu%s%s%s at pc 0x%llx "
		      "(error code 0x%llx, fault address 0x%llx)",
		      (unsigned long long)uc->args[0], name ? " (" : "", name ? name : "",
		      name ? ")" : "", (unsigned long long)uc->args[1],
		      (unsigned long long)uc->args[2], (unsigned long long)uc->args[3]);
		return true;
	}
	if (uc->cmd == KS_UC_FAIL) {
		char msg[sizeof(uc->msg) * 4 + 1];
		guest_text(msg, sizeof(msg), uc->msg, sizeof(uc->msg));
		V_ERR(v, "guest assertion failed at guest line %llu: %.190s",
		      (unsigned long long)uc->args[0], msg);
		return true;
	}
	if (uc->cmd == KS_UC_NONE || uc->cmd > KS_UC_EXCEPTION) {
		V_ERR(v, "guest protocol error: ucall doorbell rung with a corrupt message "
		      "(cmd 0x%llx is no command; args 0x%llx 0x%llx): message channel corrupt",
		      (unsigned long long)uc->cmd, (unsigned long long)uc->args[0],
		      (unsigned long long)uc->args[1]);
		return true;
	}
	return false;
}

/* The front's run, or the error the KVMSCOPE_FAULT test hook injects instead
 * (the guest is not entered: what a signal just before entry would look like). */
static int run_once(struct ks_vcpu *v)
{
	if (ks_fault_take("kvm_run_eintr")) {
		errno = EINTR;
		return -1;
	}
	if (ks_fault_take("kvm_run_eagain")) {
		errno = EAGAIN;
		return -1;
	}
	v->exit_note[0] = 0;
	return v->vm->kvm->front->run(v);
}

int ks_vcpu_run_to_ucall(struct ks_vcpu *v, struct ks_ucall *uc)
{
	struct kvm_run *run = v->run;
	const struct ks_arch_ops *arch = v->vm->arch;
	const char *run_ioctl = v->vm->kvm->front->run_ioctl;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	uint64_t last_null = 0;
	int rc = -1, eagain_row = 0;

	if (!v->vm->started) {
		V_ERR(v, "the VM was not started (ks_vm_start) before its first run");
		errno = EINVAL;
		return -1;
	}
	tl_kick = v->kick;
	register_running(tid, true);
	/* the watchdog bounds the time between two progress reports (ucalls) */
	watchdog_rearm(v);
	for (;;) {
		if (ks_interrupted) {
			V_ERR(v, "interrupted (SIGINT/SIGTERM)");
			errno = EINTR;
			break;
		}
		if (v->stop) {
			V_ERR(v, "stopped by the host");
			errno = ECANCELED;
			break;
		}
		uint64_t deadline = __atomic_load_n(&v->deadline_ns, __ATOMIC_RELAXED);
		if (deadline && mono_ns() >= deadline) {
			char ctx[160] = "";
			arch->describe_vcpu(v, ctx, sizeof(ctx));
			V_ERR(v, "watchdog: the guest made no progress report within %.1f s "
			      "and was stopped (hung guest?) (%s)", v->watchdog_s, ctx);
			errno = ETIMEDOUT;
			break;
		}
		int r = run_once(v);
		uint64_t t = v->host_rt_ns ? ks_now_ns() : 0;
		v->tally.runs++;
		if (r < 0) {
			if (errno == EINTR) {
				v->tally.eintr++;
				*v->kick = 0;
				last_null = 0;
				eagain_row = 0;
				continue;
			}
			if (errno == EAGAIN) {
				v->tally.eagain++;
				last_null = 0;
				if (++eagain_row >= MAX_EAGAIN_IN_A_ROW) {
					V_ERR(v, "%s failed with EAGAIN %d times in a row "
					      "(retried each time): the vCPU cannot make progress",
					      run_ioctl, eagain_row);
					break;
				}
				sched_yield();   /* let whatever KVM waits for happen */
				continue;
			}
			V_ERR(v, "%s: %s", run_ioctl, strerror(errno));
			break;
		}
		eagain_row = 0;
		if (run->exit_reason == KVM_EXIT_INTR) {
			v->tally.eintr++;
			last_null = 0;
			continue;
		}
		if (arch->is_doorbell(run)) {
			struct ks_mailbox *mb = v->vm->mb;
			/* one copy: the guest may rewrite the mailbox while we look */
			memcpy(uc, (const void *)&mb->ucall, sizeof(*uc));
			v->tally.ucalls++;
			last_null = 0;
			if (mailbox_clobbered(v) || guest_failed(v, uc))
				break;
			if (uc->cmd == KS_UC_PRINT) {
				char msg[sizeof(uc->msg) * 4 + 1];
				guest_text(msg, sizeof(msg), uc->msg, sizeof(uc->msg));
				fprintf(stderr, "guest: %s\n", msg);
				continue;
			}
			rc = 0;
			break;
		}
		bool is_mmio;
		if (arch->null_device(v->vm, run, &is_mmio)) {
			if (is_mmio)
				v->tally.mmio_user++;
			else
				v->tally.pio_user++;
			if (v->host_rt_ns) {
				if (last_null && v->host_rt_n < v->host_rt_cap)
					v->host_rt_ns[v->host_rt_n++] = t - last_null;
				last_null = t;
			}
			continue;
		}
		fail_exit(v, "guest");
		break;
	}
	register_running(tid, false);
	tl_kick = NULL;
	return rc;
}
