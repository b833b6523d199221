/* SPDX-License-Identifier: MIT */
/*
 * The tracefs probe backend: the plan's trace events are enabled in a
 * private ftrace instance (instances/kvmscope-<pid>-<probe>-<n>-ns<pidns>, so the
 * global trace state is never touched), filtered to the target's threads
 * with set_event_pid + event-fork, read raw from the per-CPU ring buffers
 * (libtracefs, merged in timestamp order on the instance's "mono" clock),
 * decoded with libtraceevent and paired per thread (common_pid) here.
 *
 * A reader thread drains the buffers every 50 ms so a long interval between
 * snapshots doesn't overrun them; what overruns anyway is counted as lost
 * (the instance's per_cpu/cpuN/stats: "overrun" + "dropped events").
 *
 * Implemented: uexits, exits, hypercalls (see on_hypercalls()), memlend's
 * tracepoint plan (see on_memlend()) and irqfd (for one pid: its stages are
 * paired by order across the writer's and the vCPU's threads, see
 * on_irqfd()). memlend's fentry/kprobe plans (kvm_pvm, KVM-on-Gunyah) are
 * valid, but start() says "not implemented in the tracefs backend".
 *
 * stop() disables the events, destroys the instance, drops the tracefs
 * mount if discovery/start mounted it, and is idempotent (states are kept
 * in a registry; an unknown or already stopped state is ignored). Anything
 * still running at exit() is stopped by an atexit handler, and instances
 * left behind by killed kvmscope processes are removed on the next start.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* PATH_MAX, mount(), umount2() with -std=c11 too */
#endif
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "fault_inject.h"
#include "privs.h"
#include "probe.h"

enum tf_kind { TF_UEXITS, TF_EXITS, TF_IRQFD, TF_HYPERCALLS, TF_MEMLEND };
enum tf_ev { EV_NONE, EV_UEXIT, EV_IOCTL, EV_RAW_SYSENTER, EV_KVM_EXIT, EV_KVM_ENTRY };

/* One traced thread's pairing state. */
struct tf_thread {
	int tid;            /* 0: free slot */
	bool pending;       /* a start is waiting for its end */
	bool via_user;      /* exits: kvm_userspace_exit seen since the kvm_exit */
	bool started;       /* a start was ever seen (an end before that is no anomaly) */
	bool orphan;        /* an end without a start, maybe just read before its start */
	bool numbered;      /* hypercalls: the open span's key is its number */
	uint64_t start_ts, orphan_ts;
	char key[KS_PROBE_KEY_LEN];
};

struct tf_state {
	struct tf_state *next;   /* registry */
	pid_t owner;             /* a forked child must not tear down its parent's probes */
	enum tf_kind kind;
	char probe[16];
	char tracing[4096];
	bool tracefs_held;

	struct tep_handle *tep;
	struct tracefs_instance *inst;
	int nr_cpus;

	/* event ids and fields */
	int id_uexit, id_ioctl, id_raw, id_exit, id_entry;
	struct tep_format_field *f_reason, *f_errno, *f_cmd, *f_raw_id, *f_raw_args;
	struct tep_format_field *f_exit_reason, *f_isa, *f_ret, *f_esr_ec;
	uint32_t default_isa;    /* x86 kvm_exit without an isa field */
	/* irqfd: stage events (id_entry: the optional entry stage) and the one
	 * interrupt in flight (inflight: injected, not yet back in the guest) */
	int id_write, id_inject, id_wakeup;
	struct tep_format_field *f_count;
	/* hypercalls: the event giving the number (kvm_hvc_arm64 r0 / kvm_hypercall nr) */
	int id_hcnum;
	struct tep_format_field *f_hcnum;
	bool hc_arm64;
	/* memlend: the guest fault event (kvm_page_fault / kvm_guest_fault) */
	int id_fault;
	struct {
		bool write_pending, writes_seen, inflight, woken;
		uint64_t ts_write, ts_inject, ts_inject_write, ts_wakeup;
	} irq;

	/* per thread, open addressing (tid -> slot) */
	struct tf_thread *thr;
	size_t nthr, cap;

	pthread_mutex_t lock;    /* everything below, and the reading itself */
	pthread_cond_t cond;
	pthread_t reader;
	bool reader_started;
	atomic_bool quit;
	struct ks_probe_snapshot acc;
};

/* ------------------------------------------------------------- registry */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tf_state *reg_head;
static bool reg_atexit;

static void tf_stop(void *state);

static void stop_all_at_exit(void)
{
	for (;;) {
		pthread_mutex_lock(&reg_lock);
		struct tf_state *s = reg_head;
		pthread_mutex_unlock(&reg_lock);
		if (!s || s->owner != getpid())
			break;   /* none left, or we are a forked child: not ours */
		tf_stop(s);
	}
}

static void reg_add(struct tf_state *s)
{
	pthread_mutex_lock(&reg_lock);
	s->next = reg_head;
	reg_head = s;
	if (!reg_atexit) {
		reg_atexit = true;
		atexit(stop_all_at_exit);
	}
	pthread_mutex_unlock(&reg_lock);
}

/*
 * Unlink s if it is registered and this process owns it; false otherwise.
 * s is only compared as a pointer until it is found in the registry: a
 * stopped state has been freed, so a second stop must not read it.  The
 * owner check (a forked child has a copy of the registry, but the probes
 * are its parent's) is made on a registered, hence live, state.
 */
static bool reg_take(struct tf_state *s)
{
	bool found = false;
	pthread_mutex_lock(&reg_lock);
	for (struct tf_state **pp = &reg_head; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			if (s->owner == getpid()) {
				*pp = s->next;
				found = true;
			}
			break;
		}
	pthread_mutex_unlock(&reg_lock);
	return found;
}

/* ------------------------------------------------------------- threads */

static struct tf_thread *thread_get(struct tf_state *s, int tid)
{
	if (s->nthr * 2 >= s->cap) {   /* grow, rehash */
		size_t ncap = s->cap ? s->cap * 2 : 64;
		struct tf_thread *n = calloc(ncap, sizeof(*n));
		if (!n)
			return NULL;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->thr[i].tid)
				continue;
			size_t j = (size_t)s->thr[i].tid * 2654435761u % ncap;
			while (n[j].tid)
				j = (j + 1) % ncap;
			n[j] = s->thr[i];
		}
		free(s->thr);
		s->thr = n;
		s->cap = ncap;
	}
	size_t j = (size_t)(unsigned)tid * 2654435761u % s->cap;
	while (s->thr[j].tid && s->thr[j].tid != tid)
		j = (j + 1) % s->cap;
	if (!s->thr[j].tid) {
		memset(&s->thr[j], 0, sizeof(s->thr[j]));
		s->thr[j].tid = tid;
		s->nthr++;
	}
	return &s->thr[j];
}

static void span(struct tf_state *s, const char *key, uint64_t from, uint64_t to)
{
	ks_probe_snapshot_add(&s->acc, key, to >= from ? to - from : 0);
}

/* A start event on thread t at ts with key. */
static void on_start(struct tf_state *s, struct tf_thread *t, uint64_t ts, const char *key)
{
	if (t->orphan) {
		/* an end read in an earlier batch than its start (the thread moved CPUs
		 * while the buffers were being read): pair them now */
		t->orphan = false;
		if (ts <= t->orphan_ts) {
			span(s, key, ts, t->orphan_ts);
			t->started = true;
			return;
		}
		if (t->started)
			s->acc.unpaired++;
	}
	if (t->pending)
		s->acc.unpaired++;   /* the previous start never ended */
	t->pending = true;
	t->via_user = false;
	t->started = true;
	t->start_ts = ts;
	snprintf(t->key, sizeof(t->key), "%s", key);
}

static void on_end(struct tf_state *s, struct tf_thread *t, uint64_t ts)
{
	if (t->pending && ts >= t->start_ts) {
		if (t->via_user) {
			char k[KS_PROBE_KEY_LEN];
			snprintf(k, sizeof(k), "%.*s+user", KS_PROBE_KEY_LEN - 6, t->key);
			span(s, k, t->start_ts, ts);
		} else {
			span(s, t->key, t->start_ts, ts);
		}
		t->pending = false;
		return;
	}
	if (t->orphan && t->started)
		s->acc.unpaired++;
	t->orphan = true;    /* counted once it's clear no start precedes it */
	t->orphan_ts = ts;
}

/* ------------------------------------------------------------- decoding */

static bool num(struct tep_format_field *f, struct tep_record *r, unsigned long long *v)
{
	return f && tep_read_number_field(f, r->data, v) == 0;
}

/* irqfd.bpf.c's keys and rules, in userspace: a pair whose end precedes its
 * start is out of order (and not recorded). */
static void irq_pair(struct tf_state *s, const char *key, uint64_t from, uint64_t to)
{
	if (to < from)
		s->acc.out_of_order++;
	else
		span(s, key, from, to);
}

/* One irqfd stage event; records arrive merged in timestamp order. */
static void on_irqfd(struct tf_state *s, struct tep_event *ev, struct tep_record *rec)
{
	uint64_t ts = rec->ts;
	unsigned long long v;

	if (ev->id == s->id_write) {
		if (!num(s->f_count, rec, &v) || v != 8)
			return;
		s->acc.events++;
		if (s->irq.write_pending)
			s->acc.unpaired++;   /* the previous write was never injected */
		s->irq.write_pending = s->irq.writes_seen = true;
		s->irq.ts_write = ts;
	} else if (ev->id == s->id_inject) {
		s->acc.events++;
		if (s->irq.inflight)
			return;   /* a second event of the same injection */
		s->irq.ts_inject_write = 0;
		if (s->irq.write_pending) {
			s->irq.ts_inject_write = s->irq.ts_write;
			s->irq.write_pending = false;
			irq_pair(s, "write->inject", s->irq.ts_write, ts);
		} else if (s->irq.writes_seen) {
			s->acc.out_of_order++;   /* injected, but its write was not seen first */
		}
		s->irq.inflight = true;
		s->irq.woken = false;
		s->irq.ts_inject = ts;
	} else if (ev->id == s->id_wakeup) {
		s->acc.events++;
		if (!s->irq.inflight) {
			s->acc.unpaired++;   /* woken, but no interrupt in flight */
			return;
		}
		if (s->irq.woken)
			return;
		irq_pair(s, "inject->wakeup", s->irq.ts_inject, ts);
		s->irq.woken = true;
		s->irq.ts_wakeup = ts;
	} else if (ev->id == s->id_entry) {
		if (!s->irq.inflight)
			return;   /* an entry with no interrupt in flight: not ours */
		s->acc.events++;
		if (s->irq.woken)
			irq_pair(s, "wakeup->entry", s->irq.ts_wakeup, ts);
		else
			irq_pair(s, "inject->entry", s->irq.ts_inject, ts);
		if (s->irq.ts_inject_write)
			irq_pair(s, "write->entry", s->irq.ts_inject_write, ts);
		s->irq.inflight = false;
	}
}

/* hypercalls.bpf.c's rules, in userspace: a span opens on a hypercall's
 * kvm_exit (arm64: a trap with esr_ec HVC64/SMC64; x86: reason VMCALL (VMX
 * 18) or VMMCALL (SVM 0x81)), takes its key from the number event seen
 * before the next kvm_entry of the thread, and closes on that entry. Most
 * entries follow no hypercall: they are no anomaly (nor an event). */
static void on_hypercalls(struct tf_state *s, struct tep_event *ev, struct tep_record *rec,
			  int tid)
{
	unsigned long long v, w;
	char key[KS_PROBE_KEY_LEN], base[KS_PROBE_KEY_LEN];
	struct tf_thread *t;

	if (ev->id == s->id_exit) {
		if (s->hc_arm64) {
			unsigned long long ret = 2;   /* ARM_EXCEPTION_TRAP */
			num(s->f_ret, rec, &ret);
			if (!num(s->f_esr_ec, rec, &v) || (ret & 0x7fffffff) != 2 ||
			    ((v & 0xff) != 0x16 && (v & 0xff) != 0x17))
				return;
			ks_arm64_exit_key(base, sizeof(base), (int32_t)ret, (uint32_t)v & 0xff);
		} else {
			w = 0;   /* no isa field: 18 is no SVM exit KVM takes, 0x81 no VMX one */
			if (!num(s->f_exit_reason, rec, &v))
				return;
			num(s->f_isa, rec, &w);
			if (!((v == 18 && w != KS_X86_ISA_SVM) || (v == 0x81 && w != KS_X86_ISA_VMX)))
				return;
			ks_x86_exit_key(base, sizeof(base), w ? (uint32_t)w
							     : v == 18 ? KS_X86_ISA_VMX : KS_X86_ISA_SVM,
					(uint32_t)v);
		}
		if (!(t = thread_get(s, tid)))
			return;
		s->acc.events++;
		snprintf(key, sizeof(key), "%.*s (no number)", KS_PROBE_KEY_LEN - 13, base);
		if (t->orphan && rec->ts <= t->orphan_ts) {
			/* its entry was read in an earlier batch (the thread moved CPUs) */
			t->orphan = false;
			s->acc.events++;
			span(s, key, rec->ts, t->orphan_ts);
			return;
		}
		t->orphan = false;
		if (t->pending)
			s->acc.unpaired++;   /* the previous hypercall never re-entered */
		t->pending = true;
		t->numbered = false;
		t->start_ts = rec->ts;
		snprintf(t->key, sizeof(t->key), "%s", key);
	} else if (ev->id == s->id_hcnum) {
		if (!num(s->f_hcnum, rec, &v) || !(t = thread_get(s, tid)) || !t->pending ||
		    t->numbered)
			return;
		s->acc.events++;
		if (s->hc_arm64)
			v &= 0xffffffffu;   /* SMCCC: the function ID is w0 */
		snprintf(t->key, sizeof(t->key), "0x%llx", v & ((1ULL << 48) - 1));
		t->numbered = true;
	} else if (ev->id == s->id_entry) {
		if (!(t = thread_get(s, tid)))
			return;
		if (t->pending && rec->ts >= t->start_ts) {
			s->acc.events++;
			span(s, t->key, t->start_ts, rec->ts);
			t->pending = false;
		} else if (!t->pending) {
			t->orphan = true;   /* maybe read before its exit: kept for on the exit */
			t->orphan_ts = rec->ts;
		}
	}
}

/* memlend.bpf.c's rules, in userspace: a span opens on a guest fault
 * (kvm:kvm_page_fault on x86, kvm:kvm_guest_fault on arm64), gets "+user" if
 * the thread's kvm_userspace_exit comes before the re-entry, and closes on
 * the thread's next kvm_entry. Key "fault" / "fault+user". Most entries
 * follow no fault: they are no anomaly (nor an event). */
static void on_memlend(struct tf_state *s, struct tep_event *ev, struct tep_record *rec, int tid)
{
	struct tf_thread *t;

	if (ev->id == s->id_fault) {
		if (!(t = thread_get(s, tid)))
			return;
		s->acc.events++;
		if (t->orphan && rec->ts <= t->orphan_ts) {
			/* its entry was read in an earlier batch (the thread moved CPUs) */
			t->orphan = false;
			s->acc.events++;
			span(s, "fault", rec->ts, t->orphan_ts);
			return;
		}
		t->orphan = false;
		if (t->pending)
			s->acc.unpaired++;   /* the previous fault never re-entered */
		t->pending = true;
		t->via_user = false;
		t->start_ts = rec->ts;
		snprintf(t->key, sizeof(t->key), "fault");
	} else if (ev->id == s->id_uexit) {
		if (!(t = thread_get(s, tid)) || !t->pending)
			return;
		s->acc.events++;
		t->via_user = true;   /* this fault went out to the VMM (MMIO) */
	} else if (ev->id == s->id_entry) {
		if (!(t = thread_get(s, tid)))
			return;
		if (t->pending && rec->ts >= t->start_ts) {
			s->acc.events++;
			span(s, t->via_user ? "fault+user" : "fault", t->start_ts, rec->ts);
			t->pending = false;
		} else if (!t->pending) {
			t->orphan = true;   /* maybe read before its fault: kept for on the fault */
			t->orphan_ts = rec->ts;
		}
	}
}

static int on_record(struct tep_event *ev, struct tep_record *rec, int cpu, void *ctx)
{
	struct tf_state *s = ctx;
	unsigned long long v, w;
	char key[KS_PROBE_KEY_LEN];
	int tid = tep_data_pid(s->tep, rec);
	struct tf_thread *t;

	(void)cpu;
	if (tid <= 0)   /* idle/unknown: not a vCPU thread */
		return 0;
	if (s->kind == TF_IRQFD) {
		on_irqfd(s, ev, rec);
		return 0;
	}
	if (s->kind == TF_HYPERCALLS) {
		on_hypercalls(s, ev, rec, tid);
		return 0;
	}
	if (s->kind == TF_MEMLEND) {
		on_memlend(s, ev, rec, tid);
		return 0;
	}
	s->acc.events++;
	if (ev->id == s->id_uexit) {
		unsigned long long e = 0;
		if (!num(s->f_reason, rec, &v))
			return 0;
		num(s->f_errno, rec, &e);
		if (!(t = thread_get(s, tid)))
			return 0;
		if (s->kind == TF_UEXITS) {
			ks_kvm_uexit_key(key, sizeof(key), (uint32_t)v, (int32_t)(uint32_t)e);
			on_start(s, t, rec->ts, key);
		} else if (t->pending) {
			t->via_user = true;   /* exits: this exit went out to the VMM */
		}
	} else if (ev->id == s->id_ioctl) {
		if (!num(s->f_cmd, rec, &v) || (uint32_t)v != KS_KVM_RUN)
			return 0;
		if ((t = thread_get(s, tid)))
			on_end(s, t, rec->ts);
	} else if (ev->id == s->id_raw) {
		/* raw_syscalls:sys_enter: id == __NR_ioctl && args[1] == KVM_RUN */
		if (!num(s->f_raw_id, rec, &v) || v != SYS_ioctl || !s->f_raw_args)
			return 0;
		unsigned esz = s->f_raw_args->elementsize ? s->f_raw_args->elementsize : 8;
		w = 0;
		if ((unsigned)s->f_raw_args->size < 2 * esz)
			return 0;
		memcpy(&w, (char *)rec->data + s->f_raw_args->offset + esz,
		       esz < sizeof(w) ? esz : sizeof(w));
		if ((uint32_t)w != KS_KVM_RUN)
			return 0;
		if ((t = thread_get(s, tid)))
			on_end(s, t, rec->ts);
	} else if (ev->id == s->id_exit) {
		if (s->f_esr_ec) {
			unsigned long long ret = 0;
			num(s->f_ret, rec, &ret);
			if (!num(s->f_esr_ec, rec, &v))
				return 0;
			ks_arm64_exit_key(key, sizeof(key), (int32_t)ret, (uint32_t)v);
		} else {
			unsigned long long isa = s->default_isa;
			if (!num(s->f_exit_reason, rec, &v))
				return 0;
			num(s->f_isa, rec, &isa);
			ks_x86_exit_key(key, sizeof(key), (uint32_t)isa, (uint32_t)v);
		}
		if ((t = thread_get(s, tid)))
			on_start(s, t, rec->ts, key);
	} else if (ev->id == s->id_entry) {
		if ((t = thread_get(s, tid)))
			on_end(s, t, rec->ts);
	} else {
		s->acc.events--;   /* not ours */
	}
	return 0;
}

/* ------------------------------------------------------------- helpers */

/* snprintf for paths: false if it didn't fit (and no truncation warnings) */
static bool path(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

static bool parse_tp(const char *spec, char *sys, size_t slen, char *ev, size_t elen)
{
	const char *p = spec;
	if (strncmp(p, "tracepoint:", 11))
		return false;
	p += 11;
	const char *c = strchr(p, ':');
	if (!c || (size_t)(c - p) >= slen || strlen(c + 1) >= elen || !c[1])
		return false;
	snprintf(sys, slen, "%.*s", (int)(c - p), p);
	snprintf(ev, elen, "%s", c + 1);
	return true;
}

/* Instances are created by mkdir in tracefs, and trace_pipe_raw and
 * enabling events are root-only files: name what is missing. */
static bool is_root(char *why, size_t len)
{
	if (geteuid() != 0 && !ks_cap_has(ks_caps_effective(), KS_CAP_DAC_OVERRIDE)) {
		snprintf(why, len, "the tracefs backend needs root, or CAP_DAC_OVERRIDE, to "
			 "create ftrace instances and read trace_pipe_raw: this process is uid %u "
			 "without CAP_DAC_OVERRIDE", (unsigned)geteuid());
		return false;
	}
	return true;
}

/* Our pid namespace, so that pids in instance names are only ever compared
 * within one (tracefs may be shared with containers). */
static unsigned long long pidns_ino(void)
{
	struct stat st;
	return stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* Instances kvmscope-<pid>-<probe>-<n>-ns<our pidns> whose process is gone:
 * left behind by a kill -9. */
static void remove_stale_instances(const char *tracing)
{
	char suffix[40];
	snprintf(suffix, sizeof(suffix), "-ns%llu", pidns_ino());
	char p[4200];
	path(p, sizeof(p), "%s/instances", tracing);
	DIR *d = opendir(p);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int opid;
		size_t nl = strlen(de->d_name), sl = strlen(suffix);
		if (sscanf(de->d_name, "kvmscope-%d-", &opid) != 1 || opid <= 0 || opid == getpid() ||
		    nl <= sl || strcmp(de->d_name + nl - sl, suffix))
			continue;
		if (kill(opid, 0) == 0 || errno != ESRCH)
			continue;
		path(p, sizeof(p), "%s/instances/%s", tracing, de->d_name);
		rmdir(p);   /* the kernel disables the instance's events itself */
	}
	closedir(d);
}

/* All threads of `pid` for set_event_pid ("" if none could be read). */
static char *thread_list(pid_t pid)
{
	char p[64];
	path(p, sizeof(p), "/proc/%d/task", (int)pid);
	DIR *d = opendir(p);
	struct dirent *de;
	size_t cap = 256, len = 0;
	char *buf = malloc(cap);

	if (!buf) {
		if (d)
			closedir(d);
		return NULL;
	}
	buf[0] = 0;
	if (!d) {
		len = (size_t)snprintf(buf, cap, "%d", (int)pid);
		return buf;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (len + strlen(de->d_name) + 2 >= cap) {
			char *n = realloc(buf, cap * 2);
			if (!n)
				break;
			buf = n;
			cap *= 2;
		}
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? " " : "", de->d_name);
	}
	closedir(d);
	return buf;
}

static void teardown(struct tf_state *s)
{
	if (s->reader_started) {
		pthread_mutex_lock(&s->lock);
		atomic_store(&s->quit, true);
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		if (s->inst)
			tracefs_iterate_stop(s->inst);
		pthread_join(s->reader, NULL);
		s->reader_started = false;
	}
	if (s->inst) {
		tracefs_event_disable(s->inst, NULL, NULL);
		tracefs_instance_file_write(s->inst, "set_event_pid", "");
		tracefs_instance_destroy(s->inst);
		tracefs_instance_free(s->inst);
		s->inst = NULL;
	}
	if (s->tep) {
		tep_free(s->tep);
		s->tep = NULL;
	}
	if (s->tracefs_held) {
		ks_tracefs_release();
		s->tracefs_held = false;
	}
	free(s->thr);
	s->thr = NULL;
	ks_probe_snapshot_free(&s->acc);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
}

/* Read what the buffers hold now (s->lock held). */
static void drain(struct tf_state *s)
{
	tracefs_iterate_raw_events(s->tep, s->inst, NULL, 0, on_record, s);
}

static void *reader_main(void *arg)
{
	struct tf_state *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!atomic_load(&s->quit)) {
		drain(s);
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 50 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!atomic_load(&s->quit))
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static uint64_t lost_events(struct tf_state *s)
{
	uint64_t lost = 0;
	for (int cpu = 0; cpu < s->nr_cpus; cpu++) {
		char f[64];
		snprintf(f, sizeof(f), "per_cpu/cpu%d/stats", cpu);
		char *st = tracefs_instance_file_read(s->inst, f, NULL);
		if (!st)
			continue;
		const char *p;
		unsigned long long v;
		if ((p = strstr(st, "\noverrun:")) && sscanf(p + 9, "%llu", &v) == 1)
			lost += v;
		else if (!strncmp(st, "overrun:", 8) && sscanf(st + 8, "%llu", &v) == 1)
			lost += v;
		if ((p = strstr(st, "dropped events:")) && sscanf(p + 15, "%llu", &v) == 1)
			lost += v;
		free(st);
	}
	return lost;
}

/* ------------------------------------------------------------- backend */

static bool tf_usable(char *why, size_t len)
{
	char dir[4096], err[256];

	if (!is_root(why, len))
		return false;
	if (ks_tracefs_acquire(dir, sizeof(dir), err, sizeof(err)) < 0) {
		snprintf(why, len, "%s", err);
		return false;
	}
	char p[4200];
	path(p, sizeof(p), "%s/instances", dir);
	bool ok = access(p, W_OK) == 0;
	if (!ok && errno == ENOENT)
		snprintf(why, len, "%s: %s (no ftrace instances in this kernel?)", p, strerror(errno));
	else if (!ok)
		ks_access_why(p, W_OK, why, len);
	ks_tracefs_release();
	return ok;
}

static int enable(struct tf_state *s, const char *sys, const char *ev, char *err, size_t errlen)
{
	if (tracefs_event_enable(s->inst, sys, ev) < 0) {
		snprintf(err, errlen, "enabling %s:%s in instance %s: %s", sys, ev,
			 tracefs_instance_get_name(s->inst), strerror(errno ? errno : EINVAL));
		return -1;
	}
	return 0;
}

static struct tep_event *find_event(struct tf_state *s, const char *sys, const char *ev,
				    char *err, size_t errlen)
{
	struct tep_event *e = tep_find_event_by_name(s->tep, sys, ev);
	if (!e)
		snprintf(err, errlen, "event %s:%s: no format could be parsed", sys, ev);
	return e;
}

static int tf_start(const struct ks_probe_plan *plan, pid_t pid, void **state, char *err,
		    size_t errlen)
{
	char ssys[32], sev[64], esys[32], eev[64];
	struct tf_state *s;

	*state = NULL;
	if (!plan || !plan->probe) {
		snprintf(err, errlen, "no plan");
		return -EINVAL;
	}
	if (!plan->available) {
		snprintf(err, errlen, "%s is unavailable here: %s", plan->probe, plan->why);
		return -ENOTSUP;
	}
	enum tf_kind kind;
	if (!strcmp(plan->probe, "uexits"))
		kind = TF_UEXITS;
	else if (!strcmp(plan->probe, "exits"))
		kind = TF_EXITS;
	else if (!strcmp(plan->probe, "hypercalls"))
		kind = TF_HYPERCALLS;
	else if (!strcmp(plan->probe, "memlend") && strncmp(plan->start_event, "tracepoint:", 11)) {
		/* kvm_pvm / KVM-on-Gunyah: a function's entry -> return */
		snprintf(err, errlen, "memlend: not implemented in the tracefs backend for %s -> %s "
				      "(function entry/return: BPF backend only)",
			 plan->start_event, plan->end_event);
		return -ENOSYS;
	} else if (!strcmp(plan->probe, "memlend"))
		kind = TF_MEMLEND;
	else if (!strcmp(plan->probe, "irqfd") && pid > 0)
		kind = TF_IRQFD;
	else if (!strcmp(plan->probe, "irqfd")) {
		snprintf(err, errlen, "irqfd: not implemented in the tracefs backend yet for all "
				      "processes (pid 0): its stages are paired by order within one VMM");
		return -ENOSYS;
	} else {
		snprintf(err, errlen, "%s: not implemented in the tracefs backend yet", plan->probe);
		return -ENOSYS;
	}
	if (!parse_tp(plan->start_event, ssys, sizeof(ssys), sev, sizeof(sev)) ||
	    !parse_tp(plan->end_event, esys, sizeof(esys), eev, sizeof(eev))) {
		snprintf(err, errlen, "%s: the tracefs backend takes tracepoints only (%s -> %s)",
			 plan->probe, plan->start_event, plan->end_event);
		return -ENOTSUP;
	}
	if (!is_root(err, errlen))
		return -EPERM;

	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->kind = kind;
	s->owner = getpid();
	snprintf(s->probe, sizeof(s->probe), "%s", plan->probe);
	s->id_uexit = s->id_ioctl = s->id_raw = s->id_exit = s->id_entry = -1;
	s->id_write = s->id_inject = s->id_wakeup = s->id_hcnum = s->id_fault = -1;
	s->nr_cpus = (int)sysconf(_SC_NPROCESSORS_CONF);

	char e2[256];
	int rc = ks_tracefs_acquire(s->tracing, sizeof(s->tracing), e2, sizeof(e2));
	if (rc < 0) {
		snprintf(err, errlen, "%s", e2);
		goto fail;
	}
	s->tracefs_held = true;
	/* libtracefs must use this directory and never mount one itself */
	tracefs_set_tracing_dir(s->tracing);
	remove_stale_instances(s->tracing);

	/* only the systems we need: parsing every format costs ~100 ms */
	const char *systems[4] = { ssys, NULL, NULL, NULL };
	if (strcmp(esys, ssys))
		systems[1] = esys;
	if ((kind == TF_EXITS || kind == TF_IRQFD || kind == TF_HYPERCALLS ||
	     kind == TF_MEMLEND) && strcmp(ssys, "kvm") &&
	    strcmp(esys, "kvm"))
		systems[systems[1] ? 2 : 1] = "kvm";
	if (kind == TF_IRQFD)   /* the optional write stage */
		systems[systems[1] ? (systems[2] ? 3 : 2) : 1] = "syscalls";
	s->tep = tracefs_local_events_system(s->tracing, systems);
	if (!s->tep) {
		snprintf(err, errlen, "reading the event formats under %s failed", s->tracing);
		rc = -EIO;
		goto fail;
	}

	struct tep_event *ev;
	rc = -ENOENT;
	if (kind == TF_UEXITS) {
		if (!(ev = find_event(s, ssys, sev, err, errlen)))
			goto fail;
		s->id_uexit = ev->id;
		s->f_reason = tep_find_field(ev, "reason");
		s->f_errno = tep_find_field(ev, "errno");
		if (!s->f_reason) {
			snprintf(err, errlen, "%s:%s has no reason field", ssys, sev);
			goto fail;
		}
		if (!(ev = find_event(s, esys, eev, err, errlen)))
			goto fail;
		if (!strcmp(esys, "raw_syscalls")) {
			s->id_raw = ev->id;
			s->f_raw_id = tep_find_field(ev, "id");
			s->f_raw_args = tep_find_field(ev, "args");
			if (!s->f_raw_id || !s->f_raw_args) {
				snprintf(err, errlen, "raw_syscalls:sys_enter has no id/args fields");
				goto fail;
			}
		} else {
			s->id_ioctl = ev->id;
			s->f_cmd = tep_find_field(ev, "cmd");
			if (!s->f_cmd) {
				snprintf(err, errlen, "%s:%s has no cmd field", esys, eev);
				goto fail;
			}
		}
	} else if (kind == TF_IRQFD) {
		if (!(ev = find_event(s, ssys, sev, err, errlen)))
			goto fail;
		s->id_inject = ev->id;
		if (!(ev = find_event(s, esys, eev, err, errlen)))
			goto fail;
		s->id_wakeup = ev->id;
		/* the optional stages, as discovery's why lists them */
		if ((ev = tep_find_event_by_name(s->tep, "syscalls", "sys_enter_write")) &&
		    (s->f_count = tep_find_field(ev, "count")))
			s->id_write = ev->id;
		if ((ev = tep_find_event_by_name(s->tep, "kvm", "kvm_entry")))
			s->id_entry = ev->id;
	} else if (kind == TF_HYPERCALLS) {
		if (!(ev = find_event(s, ssys, sev, err, errlen)))
			goto fail;
		s->id_exit = ev->id;
		s->f_esr_ec = tep_find_field(ev, "esr_ec");
		s->f_ret = tep_find_field(ev, "ret");
		s->f_exit_reason = tep_find_field(ev, "exit_reason");
		s->f_isa = tep_find_field(ev, "isa");
		s->hc_arm64 = s->f_esr_ec != NULL;
		if (!s->f_esr_ec && !s->f_exit_reason) {
			snprintf(err, errlen, "%s:%s has neither exit_reason nor esr_ec", ssys, sev);
			goto fail;
		}
		if (!(ev = find_event(s, esys, eev, err, errlen)))
			goto fail;
		s->id_entry = ev->id;
		/* the number, as discovery's why says (without it: keyed by exit reason) */
		if ((ev = tep_find_event_by_name(s->tep, "kvm", s->hc_arm64 ? "kvm_hvc_arm64"
									    : "kvm_hypercall")) &&
		    (s->f_hcnum = tep_find_field(ev, s->hc_arm64 ? "r0" : "nr")))
			s->id_hcnum = ev->id;
	} else if (kind == TF_MEMLEND) {
		if (!(ev = find_event(s, ssys, sev, err, errlen)))
			goto fail;
		s->id_fault = ev->id;
		if (!(ev = find_event(s, esys, eev, err, errlen)))
			goto fail;
		s->id_entry = ev->id;
		/* to tell faults that went out to the VMM apart ("fault+user") */
		if ((ev = tep_find_event_by_name(s->tep, "kvm", "kvm_userspace_exit")))
			s->id_uexit = ev->id;
	} else {
		if (!(ev = find_event(s, ssys, sev, err, errlen)))
			goto fail;
		s->id_exit = ev->id;
		s->f_esr_ec = tep_find_field(ev, "esr_ec");
		s->f_ret = tep_find_field(ev, "ret");
		s->f_exit_reason = tep_find_field(ev, "exit_reason");
		s->f_isa = tep_find_field(ev, "isa");
		s->default_isa = access("/sys/module/kvm_amd", F_OK) == 0 ? KS_X86_ISA_SVM
									 : KS_X86_ISA_VMX;
		if (!s->f_esr_ec && !s->f_exit_reason) {
			snprintf(err, errlen, "%s:%s has neither exit_reason nor esr_ec", ssys, sev);
			goto fail;
		}
		if (!(ev = find_event(s, esys, eev, err, errlen)))
			goto fail;
		s->id_entry = ev->id;
		/* to tell exits that went out to the VMM apart ("<reason>+user") */
		if ((ev = tep_find_event_by_name(s->tep, "kvm", "kvm_userspace_exit"))) {
			s->id_uexit = ev->id;
			s->f_reason = tep_find_field(ev, "reason");
		}
	}

	/* a private instance: a fresh name (a reused one could be someone's) */
	for (int n = 0; n < 100 && !s->inst; n++) {
		char name[64];
		snprintf(name, sizeof(name), "kvmscope-%d-%s-%d-ns%llu", (int)getpid(), s->probe, n,
			 pidns_ino());
		s->inst = tracefs_instance_create(name);
		if (s->inst && !tracefs_instance_is_new(s->inst)) {
			tracefs_instance_free(s->inst);
			s->inst = NULL;
		}
	}
	if (!s->inst) {
		snprintf(err, errlen, "creating an ftrace instance under %s/instances: %s",
			 s->tracing, strerror(errno));
		rc = errno ? -errno : -EIO;
		goto fail;
	}
	/* one clock across CPUs: a thread may exit on one CPU and re-enter on another */
	if (tracefs_instance_file_write(s->inst, "trace_clock", "mono") < 0)
		tracefs_instance_file_write(s->inst, "trace_clock", "global");

	if (pid > 0) {
		char *tids = thread_list(pid);
		int w = tids ? tracefs_instance_file_write(s->inst, "set_event_pid", tids) : -1;
		free(tids);
		if (w < 0) {
			snprintf(err, errlen, "set_event_pid for pid %d: %s", (int)pid,
				 strerror(errno ? errno : EINVAL));
			rc = -EIO;
			goto fail;
		}
		/* threads (vCPUs) created later follow their parent */
		tracefs_option_enable(s->inst, TRACEFS_OPTION_EVENT_FORK);
	}

	if (kind == TF_UEXITS) {
		if (s->id_ioctl >= 0) {
			/* only KVM_RUN in the buffer; still checked when decoding */
			char flt[64];
			snprintf(flt, sizeof(flt), "cmd == 0x%x", KS_KVM_RUN);
			tracefs_event_file_write(s->inst, esys, eev, "filter", flt);
		} else if (pid <= 0) {
			snprintf(err, errlen, "uexits via raw_syscalls:sys_enter needs a pid (it "
					      "would trace every syscall on the system)");
			rc = -ENOTSUP;
			goto fail;
		}
		if (enable(s, ssys, sev, err, errlen) || enable(s, esys, eev, err, errlen)) {
			rc = -EIO;
			goto fail;
		}
	} else if (kind == TF_IRQFD) {
		if (enable(s, ssys, sev, err, errlen) || enable(s, esys, eev, err, errlen)) {
			rc = -EIO;
			goto fail;
		}
		if (s->id_write >= 0) {
			/* only the 8-byte writes (eventfd) in the buffer; checked again */
			tracefs_event_file_write(s->inst, "syscalls", "sys_enter_write", "filter",
						 "count == 8");
			if (enable(s, "syscalls", "sys_enter_write", err, errlen))
				s->id_write = -1;
		}
		if (s->id_entry >= 0 && enable(s, "kvm", "kvm_entry", err, errlen))
			s->id_entry = -1;
	} else if (kind == TF_HYPERCALLS) {
		/* only the hypercalls' exits in the buffer; checked again when decoding */
		tracefs_event_file_write(s->inst, ssys, sev, "filter",
					 s->hc_arm64 ? "esr_ec == 0x16 || esr_ec == 0x17"
						     : "exit_reason == 18 || exit_reason == 0x81");
		if (enable(s, ssys, sev, err, errlen) || enable(s, esys, eev, err, errlen)) {
			rc = -EIO;
			goto fail;
		}
		if (s->id_hcnum >= 0 &&
		    enable(s, "kvm", s->hc_arm64 ? "kvm_hvc_arm64" : "kvm_hypercall", err, errlen))
			s->id_hcnum = -1;   /* keys by exit reason only */
	} else {
		if (enable(s, ssys, sev, err, errlen) || enable(s, esys, eev, err, errlen)) {
			rc = -EIO;
			goto fail;
		}
		if (s->id_uexit >= 0 && enable(s, "kvm", "kvm_userspace_exit", err, errlen))
			s->id_uexit = -1;   /* keys without the +user split */
	}
	if (tracefs_instance_file_write(s->inst, "tracing_on", "1") < 0) {
		snprintf(err, errlen, "tracing_on in the instance: %s", strerror(errno));
		rc = -EIO;
		goto fail;
	}

	/* signals (SIGINT, the VMM's vCPU kicks) must land on the caller's threads,
	 * never on the reader */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int pc = pthread_create(&s->reader, NULL, reader_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pc) {
		snprintf(err, errlen, "starting the reader thread failed: %s", strerror(pc));
		rc = -EAGAIN;
		goto fail;
	}
	s->reader_started = true;
	reg_add(s);
	*state = s;
	ks_fault_point("probe_attach");   /* test hook: a signal right after attaching */
	return 0;
fail:
	teardown(s);
	free(s);
	return rc < 0 ? rc : -EIO;
}

static int tf_snapshot(void *state, struct ks_probe_snapshot *out)
{
	struct tf_state *s = state;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (!s->inst) {
		pthread_mutex_unlock(&s->lock);
		return -EINVAL;
	}
	drain(s);   /* everything up to now */
	if (s->acc.nkeys) {
		out->keys = malloc(s->acc.nkeys * sizeof(*out->keys));
		if (!out->keys) {
			pthread_mutex_unlock(&s->lock);
			return -ENOMEM;
		}
		memcpy(out->keys, s->acc.keys, s->acc.nkeys * sizeof(*out->keys));
		out->nkeys = s->acc.nkeys;
	}
	out->events = s->acc.events;
	out->unpaired = s->acc.unpaired;
	out->out_of_order = s->acc.out_of_order;
	out->lost = lost_events(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void tf_stop(void *state)
{
	struct tf_state *s = state;

	if (!s || !reg_take(s))
		return;   /* never started, already stopped (freed: not read), or a forked child's copy */
	teardown(s);
	free(s);
}

const struct ks_probe_backend ks_probe_tracefs = {
	.name = "tracefs",
	.usable = tf_usable,
	.start = tf_start,
	.snapshot = tf_snapshot,
	.stop = tf_stop,
};
