/* SPDX-License-Identifier: MIT */
/*
 * The tracefs probe backend: the events a probe's descriptor names
 * (probe_desc.h: the plan's start and end events, and its fixed, often
 * optional, ones) are enabled in a private ftrace instance
 * (instances/kvmscope-<pid>-<probe>-<n>-ns<pidns>, so the global trace
 * state is never touched), filtered to the target's threads with
 * set_event_pid + event-fork, read raw from the per-CPU ring buffers
 * (libtracefs, merged in timestamp order on the instance's "mono" clock),
 * decoded with libtraceevent into the numbers the descriptor asked for, and
 * handed to its decode(), which pairs them (pair.c). Nothing here knows a
 * probe: what differs per probe is in bpf/probes/X.c.
 *
 * A reader thread drains the buffers every 50 ms so a long interval between
 * snapshots doesn't overrun them; what overruns anyway is counted as lost
 * (the instance's per_cpu/cpuN/stats: "overrun" + "dropped events").
 *
 * Tracepoints only: plans that name a function's entry/return (memlend
 * under kvm_pvm and on KVM-on-Gunyah, irqfd's doorbell) are valid, but
 * start() says "not implemented in the tracefs backend".
 *
 * stop() disables the events, destroys the instance, drops the tracefs
 * mount if discovery/start mounted it, and is idempotent (states are kept
 * in a registry; an unknown or already stopped state is ignored). Anything
 * still running at exit() is stopped by an atexit handler, and instances
 * left behind by killed kvmscope processes are removed on the next start.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* PATH_MAX with -std=c11 too */
#endif
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "fault_inject.h"
#include "privs.h"
#include "probe_desc.h"

/* How one of the descriptor's events is read. */
struct tf_event {
	int id;                                          /* -1: not in this instance */
	struct tep_format_field *f[KS_TF_MAX_FIELDS];    /* NULL: not in its format */
	int elem[KS_TF_MAX_FIELDS];                      /* array element, -1: scalar */
};

struct tf_state {
	struct tf_state *next;   /* registry */
	pid_t owner;             /* a forked child must not tear down its parent's probes */
	char tracing[4096];
	bool tracefs_held;

	struct tep_handle *tep;
	struct tracefs_instance *inst;
	int nr_cpus;
	struct tf_event ev[KS_TF_MAX_EVENTS];

	pthread_mutex_t lock;    /* t, and the reading itself */
	pthread_cond_t cond;
	pthread_t reader;
	bool reader_started;
	atomic_bool quit;
	struct ks_tf t;          /* what the descriptor sees: pairing, counts, its state */
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

/* ------------------------------------------------------------- decoding */

/* A number field, or element `elem` of an array field (native byte order). */
static bool read_field(const struct tep_format_field *f, int elem, const struct tep_record *r,
		       unsigned long long *v)
{
	if (elem < 0)
		return tep_read_number_field((struct tep_format_field *)f, r->data, v) == 0;
	unsigned esz = f->elementsize ? f->elementsize : 8;
	if ((unsigned)f->size < (unsigned)(elem + 1) * esz)
		return false;
	*v = 0;
	memcpy(v, (const char *)r->data + f->offset + (unsigned)elem * esz,
	       esz < sizeof(*v) ? esz : sizeof(*v));
	return true;
}

static int on_record(struct tep_event *ev, struct tep_record *rec, int cpu, void *ctx)
{
	struct tf_state *s = ctx;
	const struct ks_tf_ops *ops = &s->t.desc->tf;
	int tid = tep_data_pid(s->tep, rec);

	(void)cpu;
	if (tid <= 0)   /* idle/unknown: not a vCPU thread */
		return 0;
	for (int i = 0; i < ops->nevents; i++) {
		const struct tf_event *e = &s->ev[i];
		if (e->id != ev->id || !s->t.ev[i].on)
			continue;
		struct ks_tf_rec r = { .ts = rec->ts, .tid = tid };
		for (int f = 0; f < KS_TF_MAX_FIELDS; f++)
			if (e->f[f] && read_field(e->f[f], e->elem[f], rec, &r.v[f]))
				r.have |= 1u << f;
		ops->decode(&s->t, i, &r);
		break;
	}
	return 0;
}

/* ------------------------------------------------------------- helpers */

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
	ks_path(p, sizeof(p), "%s/instances", tracing);
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
		ks_path(p, sizeof(p), "%s/instances/%s", tracing, de->d_name);
		rmdir(p);   /* the kernel disables the instance's events itself */
	}
	closedir(d);
}

/* All threads of `pid` for set_event_pid ("" if none could be read). */
static char *thread_list(pid_t pid)
{
	char p[64];
	ks_path(p, sizeof(p), "/proc/%d/task", (int)pid);
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
	ks_tf_free(&s->t);
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
	ks_path(p, sizeof(p), "%s/instances", dir);
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

/* Can this backend run `plan` at all? The probe's descriptor, or -errno and err. */
static int tf_check(const struct ks_probe_plan *plan, pid_t pid,
		    const struct ks_probe_desc **descp, char *err, size_t errlen)
{
	char sys[32], ev[64];

	if (!plan || !plan->probe) {
		snprintf(err, errlen, "no plan");
		return -EINVAL;
	}
	if (!plan->available) {
		snprintf(err, errlen, "%s is unavailable here: %s", plan->probe, plan->why);
		return -ENOTSUP;
	}
	const struct ks_probe_desc *d = ks_probe_desc_find(plan->probe);
	if (!d || !d->tf.events) {
		snprintf(err, errlen, "%s: not implemented in the tracefs backend yet", plan->probe);
		return -ENOSYS;
	}
	if (ks_probe_refuses_all(d, pid, "tracefs", err, errlen))
		return -ENOSYS;
	if (!parse_tp(plan->start_event, sys, sizeof(sys), ev, sizeof(ev)) ||
	    !parse_tp(plan->end_event, sys, sizeof(sys), ev, sizeof(ev))) {
		static const char *const fn[] = { "fentry:", "fexit:", "kprobe:", "kretprobe:" };
		bool func = false;
		for (size_t i = 0; i < sizeof(fn) / sizeof(fn[0]); i++)
			func |= !strncmp(plan->start_event, fn[i], strlen(fn[i])) ||
				!strncmp(plan->end_event, fn[i], strlen(fn[i]));
		if (func) {
			snprintf(err, errlen, "%s: function entry/return events are BPF-only (%s -> %s)",
				 plan->probe, plan->start_event, plan->end_event);
			return -ENOSYS;
		}
		snprintf(err, errlen, "%s: the tracefs backend takes tracepoints only (%s -> %s)",
			 plan->probe, plan->start_event, plan->end_event);
		return -ENOTSUP;
	}
	if (!is_root(err, errlen))
		return -EPERM;
	*descp = d;
	return 0;
}

/* Name each of the descriptor's events (the plan's start/end, or its own). */
static void name_events(struct tf_state *s, const struct ks_probe_plan *plan)
{
	const struct ks_tf_ops *ops = &s->t.desc->tf;

	for (int i = 0; i < ops->nevents; i++) {
		const struct ks_tf_event *spec = &ops->events[i];
		struct ks_tf_ev *e = &s->t.ev[i];
		if (spec->from == KS_TF_FIXED) {
			snprintf(e->sys, sizeof(e->sys), "%s", spec->sys);
			snprintf(e->name, sizeof(e->name), "%s", spec->name);
		} else {
			parse_tp(spec->from == KS_TF_START ? plan->start_event : plan->end_event,
				 e->sys, sizeof(e->sys), e->name, sizeof(e->name));
		}
		snprintf(e->filter, sizeof(e->filter), "%s", spec->filter ? spec->filter : "");
		e->on = true;
		s->ev[i].id = -1;
	}
}

/* Parse the formats of the events' systems (only those: every format costs
 * ~100 ms), then find each event and its fields. */
static int resolve_events(struct tf_state *s, char *err, size_t errlen)
{
	const struct ks_tf_ops *ops = &s->t.desc->tf;
	const char *systems[KS_TF_MAX_EVENTS + 1] = { NULL };
	int n = 0;

	for (int i = 0; i < ops->nevents; i++) {
		bool seen = false;
		for (int k = 0; k < n; k++)
			seen |= !strcmp(systems[k], s->t.ev[i].sys);
		if (!seen)
			systems[n++] = s->t.ev[i].sys;
	}
	s->tep = tracefs_local_events_system(s->tracing, systems);
	if (!s->tep) {
		snprintf(err, errlen, "reading the event formats under %s failed", s->tracing);
		return -EIO;
	}
	for (int i = 0; i < ops->nevents; i++) {
		const struct ks_tf_event *spec = &ops->events[i];
		struct ks_tf_ev *e = &s->t.ev[i];
		struct tep_event *te = tep_find_event_by_name(s->tep, e->sys, e->name);
		if (!te) {
			e->on = false;
			if (spec->optional)
				continue;
			snprintf(err, errlen, "event %s:%s: no format could be parsed", e->sys, e->name);
			return -ENOENT;
		}
		s->ev[i].id = te->id;
		for (int f = 0; f < KS_TF_MAX_FIELDS && spec->fields[f]; f++) {
			char base[64];
			int elem = -1;
			/* "args[1]": element 1 of args */
			if (sscanf(spec->fields[f], "%63[^[][%d]", base, &elem) < 1)
				continue;
			s->ev[i].f[f] = tep_find_field(te, base);
			s->ev[i].elem[f] = strchr(spec->fields[f], '[') ? elem : -1;
			if (s->ev[i].f[f])
				e->fields |= 1u << f;
		}
		unsigned missing = spec->need & ~e->fields;
		if (missing && spec->optional) {
			e->on = false;
		} else if (missing) {
			snprintf(err, errlen, "%s:%s has no %s field", e->sys, e->name,
				 spec->fields[__builtin_ctz(missing)]);
			return -ENOENT;
		}
	}
	return ops->resolve ? ops->resolve(&s->t, err, errlen) : 0;
}

/* A private instance, for the target's threads, on one clock across CPUs. */
static int make_instance(struct tf_state *s, pid_t pid, char *err, size_t errlen)
{
	/* a fresh name (a reused one could be someone's) */
	for (int n = 0; n < 100 && !s->inst; n++) {
		char name[64];
		snprintf(name, sizeof(name), "kvmscope-%d-%s-%d-ns%llu", (int)getpid(),
			 s->t.desc->name, n, pidns_ino());
		s->inst = tracefs_instance_create(name);
		if (s->inst && !tracefs_instance_is_new(s->inst)) {
			tracefs_instance_free(s->inst);
			s->inst = NULL;
		}
	}
	if (!s->inst) {
		snprintf(err, errlen, "creating an ftrace instance under %s/instances: %s",
			 s->tracing, strerror(errno));
		return errno ? -errno : -EIO;
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
			return -EIO;
		}
		/* threads (vCPUs) created later follow their parent */
		tracefs_option_enable(s->inst, TRACEFS_OPTION_EVENT_FORK);
	}
	return 0;
}

/* Filters first (only what decode() wants in the buffer; it checks again),
 * then the events: an optional one that can't be enabled is left out. */
static int enable_events(struct tf_state *s, char *err, size_t errlen)
{
	const struct ks_tf_ops *ops = &s->t.desc->tf;

	for (int i = 0; i < ops->nevents; i++) {
		struct ks_tf_ev *e = &s->t.ev[i];
		if (!e->on)
			continue;
		if (e->filter[0])
			tracefs_event_file_write(s->inst, e->sys, e->name, "filter", e->filter);
		if (enable(s, e->sys, e->name, err, errlen)) {
			if (!ops->events[i].optional)
				return -EIO;
			e->on = false;
		}
	}
	if (tracefs_instance_file_write(s->inst, "tracing_on", "1") < 0) {
		snprintf(err, errlen, "tracing_on in the instance: %s", strerror(errno));
		return -EIO;
	}
	return 0;
}

/* signals (SIGINT, the VMM's vCPU kicks) must land on the caller's threads,
 * never on the reader */
static int start_reader(struct tf_state *s, char *err, size_t errlen)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int pc = pthread_create(&s->reader, NULL, reader_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pc) {
		snprintf(err, errlen, "starting the reader thread failed: %s", strerror(pc));
		return -EAGAIN;
	}
	s->reader_started = true;
	return 0;
}

static int tf_start(const struct ks_probe_plan *plan, pid_t pid, void **state, char *err,
		    size_t errlen)
{
	const struct ks_probe_desc *desc = NULL;
	struct tf_state *s;

	*state = NULL;
	int rc = tf_check(plan, pid, &desc, err, errlen);
	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s || (desc->tf.priv_size && !(s->t.priv = calloc(1, desc->tf.priv_size)))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->owner = getpid();
	s->t.desc = desc;
	s->t.pid = pid;
	s->nr_cpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	name_events(s, plan);

	char e2[256];
	rc = ks_tracefs_acquire(s->tracing, sizeof(s->tracing), e2, sizeof(e2));
	if (rc < 0) {
		snprintf(err, errlen, "%s", e2);
		goto fail;
	}
	s->tracefs_held = true;
	/* libtracefs must use this directory and never mount one itself */
	tracefs_set_tracing_dir(s->tracing);
	remove_stale_instances(s->tracing);

	if ((rc = resolve_events(s, err, errlen)) < 0 ||
	    (rc = make_instance(s, pid, err, errlen)) < 0 ||
	    (rc = enable_events(s, err, errlen)) < 0 || (rc = start_reader(s, err, errlen)) < 0)
		goto fail;
	reg_add(s);
	*state = s;
	if (!ks_probe_trying)
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
	if (s->t.acc.nkeys) {
		out->keys = malloc(s->t.acc.nkeys * sizeof(*out->keys));
		if (!out->keys) {
			pthread_mutex_unlock(&s->lock);
			return -ENOMEM;
		}
		memcpy(out->keys, s->t.acc.keys, s->t.acc.nkeys * sizeof(*out->keys));
		out->nkeys = s->t.acc.nkeys;
	}
	out->events = s->t.acc.events;
	out->unpaired = s->t.acc.unpaired;
	out->out_of_order = s->t.acc.out_of_order;
	for (size_t i = 0; i < s->t.cap; i++)
		out->open += s->t.thr && s->t.thr[i].tid && s->t.thr[i].pending;
	out->lost = lost_events(s);
	snprintf(out->attach, sizeof(out->attach), "ftrace instance");
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
