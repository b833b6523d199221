/* SPDX-License-Identifier: MIT */
/*
 * The eBPF probe backend: each probe's CO-RE programs (bpf/probes/X.bpf.c),
 * embedded as a bpftool skeleton its descriptor holds (probe_desc.h),
 * histograms aggregated in the kernel (per-CPU maps, summed here on
 * snapshot, keys named by the descriptor). Nothing here knows a probe: the
 * programs to load are picked by their sections ("start_*"/"end_*" for the
 * plan's events, optional "mark_*" where their tracepoint exists).
 *
 * Nothing is pinned: every program and map lives only as long as this
 * process's file descriptors, so stop() — or the process dying, even by
 * SIGKILL — detaches everything and leaves the kernel as it was.
 *
 * Built only with the BPF backend (bpf_programs.cmake); without it stubs.c
 * stands in and says why.
 */
#define _GNU_SOURCE   /* vasprintf */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fault_inject.h"
#include "privs.h"
#include "probe_desc.h"

/* ------------------------------------------------------------ libbpf log */

/* libbpf's warnings go here instead of stderr; the last one explains a
 * failed start. KVMSCOPE_BPF_VERBOSE=1 also prints them (and debug lines). */
static char last_log[512];
static char verifier_says[256];   /* the verifier's verdict on the last failed load */
static bool log_verbose;

/* The verifier log's last line before "processed N insns": why it refused. */
static void keep_verdict(const char *log)
{
	const char *end = strstr(log, "\nprocessed ");
	if (!end)
		end = strstr(log, "-- END PROG LOAD LOG --");
	if (!end)
		return;
	const char *b = end;
	while (b > log && b[-1] != '\n')
		b--;
	if (b == end && b > log) {   /* end sits right after a newline: the previous line */
		b--;
		end = b;
		while (b > log && b[-1] != '\n')
			b--;
	}
	snprintf(verifier_says, sizeof(verifier_says), "%.*s", (int)(end - b), b);
}

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !log_verbose)
		return 0;
	va_list aq;
	va_copy(aq, ap);
	if (level != LIBBPF_DEBUG) {
		char *msg = NULL;
		if (vasprintf(&msg, fmt, aq) >= 0 && msg) {
			if (strstr(msg, "BEGIN PROG LOAD LOG"))
				keep_verdict(msg);
			size_t n = strlen(msg);
			while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
				msg[--n] = 0;
			snprintf(last_log, sizeof(last_log), "%s",
				 strncmp(msg, "libbpf: ", 8) ? msg : msg + 8);
			free(msg);
		}
	}
	va_end(aq);
	return log_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static void init_once(void)
{
	const char *v = getenv("KVMSCOPE_BPF_VERBOSE");

	log_verbose = v && *v && strcmp(v, "0");
	libbpf_set_print(on_libbpf_print);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

#define MAX_LINKS 6   /* irqfd: start, end and two optional stages */

struct bpf_state {
	const struct ks_probe_desc *desc;
	void *skel;
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	int stats_fd, counters_fd, starts_fd;
	int ooo_fd;               /* irqfd: out-of-order stages (per-CPU), else -1 */
	struct ring_buffer *rb;
	ks_probe_sample_fn sample_fn;
	void *sample_ctx;
	int sample_count;
	struct {                  /* kprobe programs and their functions */
		struct bpf_program *prog;
		bool retprobe;
		char name[128];
	} funcs[MAX_LINKS];
	int nfuncs;
	bool tracefs_held;        /* ks_tracefs_acquire()d: libbpf reads tracepoint ids there */
	struct bpf_state *next;   /* the live list stop() checks */
};

/* Live states: stop() frees a state once and ignores it afterwards. */
static struct bpf_state *live;
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t ring_bytes;   /* ks_probe_bpf_set_samples */

void ks_probe_bpf_set_samples(size_t bytes)
{
	ring_bytes = bytes;
}

/* An event as a plan names it: "tracepoint:kvm:kvm_exit" (or "kvm:kvm_exit",
 * "kvm/kvm_exit"), "fentry:FUNC", "fexit:FUNC", "kprobe:FUNC", "kretprobe:FUNC";
 * or a program's section: "tracepoint/kvm/kvm_exit", "fentry" (any function). */
struct ev {
	char type[16];      /* tracepoint, fentry, fexit, kprobe, kretprobe */
	char target[128];   /* "kvm/kvm_exit", a function, or "" (any) */
};

static const char *const fn_types[] = { "fentry", "fexit", "kprobe", "kretprobe" };

static int parse_event(const char *event, struct ev *e)
{
	memset(e, 0, sizeof(*e));
	const char *c = strchr(event, ':');
	for (size_t i = 0; c && i < sizeof(fn_types) / sizeof(fn_types[0]); i++)
		if ((size_t)(c - event) == strlen(fn_types[i]) &&
		    !strncmp(event, fn_types[i], strlen(fn_types[i]))) {
			snprintf(e->type, sizeof(e->type), "%s", fn_types[i]);
			snprintf(e->target, sizeof(e->target), "%s", c + 1);
			return e->target[0] && !strchr(e->target, ':') ? 0 : -1;
		}
	if (!strncmp(event, "tracepoint:", 11))
		event += 11;
	else if (!strncmp(event, "tp:", 3))
		event += 3;
	snprintf(e->type, sizeof(e->type), "tracepoint");
	if ((size_t)snprintf(e->target, sizeof(e->target), "%s", event) >= sizeof(e->target))
		return -1;
	char *sep = strchr(e->target, ':');
	if (sep)
		*sep = '/';
	sep = strchr(e->target, '/');
	return sep && sep != e->target && sep[1] && !strchr(sep + 1, '/') &&
			       !strchr(e->target, ':')
		       ? 0
		       : -1;
}

static void section_event(const char *sec, struct ev *e)
{
	memset(e, 0, sizeof(*e));
	const char *sl = strchr(sec, '/');
	snprintf(e->type, sizeof(e->type), "%.*s", (int)(sl ? sl - sec : (long)strlen(sec)), sec);
	if (sl)
		snprintf(e->target, sizeof(e->target), "%s", sl + 1);
}

/* "kvm/kvm_exit": does the tracepoint exist? (true when tracefs can't tell) */
static bool tp_exists(const char *tp)
{
	char root[4096], idpath[4200];

	if (ks_tracefs_locate(root, sizeof(root)) < 0)
		return true;
	return !ks_path(idpath, sizeof(idpath), "%s/events/%s/id", root, tp) ||
	       access(idpath, F_OK) == 0;
}

/* Pick the one program of `role` ("start_" or "end_") handling `event`;
 * the others of that role are not loaded. A function program ("fentry",
 * "kprobe", ...) takes its target from the plan. */
static int pick_program(struct bpf_state *st, struct bpf_object *obj, const char *role,
			const char *event, char *err, size_t errlen)
{
	char handles[256] = "";
	struct bpf_program *prog, *hit = NULL;
	struct ev want, have;
	size_t rl = strlen(role);

	if (event[0] && parse_event(event, &want) < 0) {
		snprintf(err, errlen, "the BPF backend cannot attach to '%s' (it takes "
				      "tracepoint:, fentry:, fexit:, kprobe: and kretprobe: events)",
			 event);
		return -1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (strncmp(bpf_program__name(prog), role, rl))
			continue;
		section_event(bpf_program__section_name(prog), &have);
		bool match = !event[0] || (!strcmp(have.type, want.type) &&
					   (!have.target[0] || !strcmp(have.target, want.target)));
		if (!hit && match)
			hit = prog;
		else
			bpf_program__set_autoload(prog, false);
		size_t hl = strlen(handles);
		snprintf(handles + hl, sizeof(handles) - hl, "%s%s:%s", hl ? ", " : "", have.type,
			 have.target[0] ? have.target : "*");
	}
	if (!hit) {
		snprintf(err, errlen,
			 "the BPF %s program has no %s event handler for '%s' (it handles: %s)",
			 st->desc->name, role[0] == 's' ? "start" : "end", event, handles);
		return -1;
	}
	section_event(bpf_program__section_name(hit), &have);
	if (!strcmp(have.type, "tracepoint")) {
		/* A clearer error than libbpf's when the tracepoint is missing. */
		if (!tp_exists(have.target)) {
			snprintf(err, errlen, "tracepoint %s does not exist on this kernel%s",
				 have.target,
				 !strncmp(have.target, "kvm/", 4) ? " (is the kvm module loaded?)"
								   : "");
			return -1;
		}
	} else if (!have.target[0]) {
		if (!event[0]) {
			snprintf(err, errlen, "the plan names no function for %s", have.type);
			return -1;
		}
		if (!strcmp(have.type, "fentry") || !strcmp(have.type, "fexit")) {
			int rc = bpf_program__set_attach_target(hit, 0, want.target);
			if (rc) {
				snprintf(err, errlen, "%s:%s: %s", have.type, want.target,
					 strerror(-rc));
				return -1;
			}
		} else if (st->nfuncs < MAX_LINKS) {   /* kprobe/kretprobe: attached by name */
			st->funcs[st->nfuncs].prog = hit;
			st->funcs[st->nfuncs].retprobe = !strcmp(have.type, "kretprobe");
			snprintf(st->funcs[st->nfuncs].name, sizeof(st->funcs[0].name), "%s",
				 want.target);
			st->nfuncs++;
		}
	}
	return 0;
}

/* Optional programs ("mark_*") load only where their tracepoint exists. */
static void pick_optional(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);
		if (!strncmp(bpf_program__name(prog), "mark_", 5) &&
		    (strncmp(sec, "tracepoint/", 11) || !tp_exists(sec + 11)))
			bpf_program__set_autoload(prog, false);
	}
}

static void state_free(struct bpf_state *st)
{
	ring_buffer__free(st->rb);
	for (int i = 0; i < st->nlinks; i++)
		bpf_link__destroy(st->links[i]);
	if (st->skel)
		st->desc->bpf->destroy(st->skel);
	if (st->tracefs_held)
		ks_tracefs_release();   /* unmounts it if we mounted it */
	free(st);
}

static int on_sample(void *ctx, void *data, size_t size);

static int bpf_start(const struct ks_probe_plan *plan, pid_t pid, void **state, char *err,
		     size_t errlen)
{
	struct bpf_state *st = NULL;
	int rc;

	pthread_once(&once, init_once);
	*state = NULL;
	last_log[0] = verifier_says[0] = 0;
	if (!plan || !plan->probe) {
		snprintf(err, errlen, "no probe plan");
		return -1;
	}
	const struct ks_probe_desc *desc = ks_probe_desc_find(plan->probe);
	if (desc && ks_probe_refuses_all(desc, pid, "BPF", err, errlen))
		return -1;
	if (!desc || !desc->bpf) {
		snprintf(err, errlen, "%s: not implemented in the BPF backend yet%s%s%s", plan->probe,
			 desc ? " (this build has no skeleton of bpf/probes/" : "",
			 desc ? desc->name : "", desc ? ".bpf.c)" : "");
		return -1;
	}
	const struct ks_bpf_skel *skel = desc->bpf;
	if (!plan->available) {
		snprintf(err, errlen, "%s is unavailable here: %s", plan->probe, plan->why);
		return -1;
	}
	if (pid < 0) {
		snprintf(err, errlen, "bad pid %d", (int)pid);
		return -1;
	}
	if (ring_bytes && (ring_bytes < 4096 || (ring_bytes & (ring_bytes - 1)))) {
		snprintf(err, errlen, "sample ring of %zu bytes: want a power of two >= 4096",
			 ring_bytes);
		return -1;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st->desc = desc;
	st->stats_fd = st->counters_fd = st->starts_fd = st->ooo_fd = -1;
	/* tracepoint ids come from tracefs: mount it if nobody has (undone at stop) */
	char tdir[4096], terr[256];
	if (ks_tracefs_acquire(tdir, sizeof(tdir), terr, sizeof(terr)) < 0) {
		snprintf(err, errlen, "tracefs (where tracepoint ids come from): %s", terr);
		goto fail;
	}
	st->tracefs_held = true;
	st->skel = skel->open();
	if (!st->skel) {
		snprintf(err, errlen, "opening the %s BPF object failed: %s%s%s", desc->name,
			 strerror(errno), last_log[0] ? "; libbpf: " : "", last_log);
		goto fail;
	}
	struct bpf_object *obj = skel->obj(st->skel);
	struct bpf_program *prog;
	if (pick_program(st, obj, "start_", plan->start_event, err, errlen) < 0 ||
	    pick_program(st, obj, "end_", plan->end_event, err, errlen) < 0)
		goto fail;
	pick_optional(obj);
	skel->set_rodata(st->skel, (uint32_t)pid, ring_bytes != 0);
	if (ring_bytes) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, "samples");
		if (!m || bpf_map__set_max_entries(m, (uint32_t)ring_bytes)) {
			snprintf(err, errlen, "sizing the sample ring failed");
			goto fail;
		}
	}
	/* test hook: as if the kernel refused (discovery's trials don't count) */
	bool injected = !ks_probe_trying && ks_fault_take("bpf_load");
	rc = injected ? -EPERM : skel->load(st->skel);
	if (rc) {
		int e = -rc > 0 ? -rc : errno;
		if (injected)
			snprintf(verifier_says, sizeof(verifier_says),
				 "(injected by the KVMSCOPE_FAULT=bpf_load test hook)");
		bool fn = false;
		bpf_object__for_each_program(prog, obj)
			fn |= bpf_program__autoload(prog) &&
			      bpf_program__type(prog) == BPF_PROG_TYPE_TRACING;
		snprintf(err, errlen, "loading the %s BPF programs failed: %s%s%s%s", desc->name,
			 strerror(e),
			 fn && e == EPERM && !injected
				 ? " (fentry/fexit refused: kernel lockdown? it refuses them even "
				   "to root)"
			 : fn && (e == ENOTSUP || e == EINVAL || e == 524)
				 ? " (fentry/fexit unsupported by this kernel? they need "
				   "CONFIG_FUNCTION_TRACER and BTF)"
				 : "",
			 verifier_says[0] ? "; verifier: " : last_log[0] ? "; libbpf: " : "",
			 verifier_says[0] ? verifier_says : last_log);
		goto fail;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		struct bpf_link *l = NULL;
		const char *what = bpf_program__section_name(prog);
		int f = 0;
		while (f < st->nfuncs && st->funcs[f].prog != prog)
			f++;
		if (f < st->nfuncs) {
			what = st->funcs[f].name;
			l = bpf_program__attach_kprobe(prog, st->funcs[f].retprobe, what);
		} else {
			l = bpf_program__attach(prog);
		}
		if (!l) {
			snprintf(err, errlen, "attaching %s failed: %s%s%s", what, strerror(errno),
				 last_log[0] ? "; libbpf: " : "", last_log);
			goto fail;
		}
		if (st->nlinks == MAX_LINKS) {
			bpf_link__destroy(l);
			snprintf(err, errlen, "too many programs");
			goto fail;
		}
		st->links[st->nlinks++] = l;
	}
	st->stats_fd = bpf_object__find_map_fd_by_name(obj, "stats");
	st->counters_fd = bpf_object__find_map_fd_by_name(obj, "counters");
	st->starts_fd = bpf_object__find_map_fd_by_name(obj, "starts");
	st->ooo_fd = bpf_object__find_map_fd_by_name(obj, "ooo");
	if (st->stats_fd < 0 || st->counters_fd < 0 || st->starts_fd < 0) {
		snprintf(err, errlen, "the %s BPF object lacks its maps", desc->name);
		goto fail;
	}
	if (ring_bytes) {
		int fd = bpf_object__find_map_fd_by_name(obj, "samples");
		st->rb = fd < 0 ? NULL : ring_buffer__new(fd, on_sample, st, NULL);
		if (!st->rb) {
			snprintf(err, errlen, "opening the sample ring failed: %s", strerror(errno));
			goto fail;
		}
	}
	pthread_mutex_lock(&live_lock);
	st->next = live;
	live = st;
	pthread_mutex_unlock(&live_lock);
	*state = st;
	if (!ks_probe_trying)
		ks_fault_point("probe_attach");   /* test hook: a signal right after attaching */
	return 0;
fail:
	state_free(st);
	return -1;
}

/* ------------------------------------------------------------ snapshot */

static bool is_live(struct bpf_state *st)
{
	bool hit = false;

	pthread_mutex_lock(&live_lock);
	for (struct bpf_state *p = live; p; p = p->next)
		hit |= p == st;
	pthread_mutex_unlock(&live_lock);
	return hit;
}

static struct ks_probe_key_stats *key_slot(struct ks_probe_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].key, name))
			return &s->keys[i];
	struct ks_probe_key_stats *n = realloc(s->keys, (s->nkeys + 1) * sizeof(*n));
	if (!n)
		return NULL;
	s->keys = n;
	struct ks_probe_key_stats *k = &s->keys[s->nkeys++];
	memset(k, 0, sizeof(*k));
	snprintf(k->key, sizeof(k->key), "%s", name);
	k->min_ns = UINT64_MAX;
	return k;
}

static int by_count_desc(const void *a, const void *b)
{
	const struct ks_probe_key_stats *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int bpf_snapshot(void *state, struct ks_probe_snapshot *out)
{
	struct bpf_state *st = state;
	int ncpu = libbpf_num_possible_cpus();

	memset(out, 0, sizeof(*out));
	if (!st || !is_live(st) || ncpu <= 0)
		return -EINVAL;

	uint64_t *cnt = calloc((size_t)ncpu, sizeof(uint64_t));
	struct ks_bpf_stats *vals = calloc((size_t)ncpu, sizeof(*vals));
	uint64_t c[KS_BPF_NCOUNTERS] = { 0 };
	int rc = 0;

	if (!cnt || !vals) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < KS_BPF_NCOUNTERS; i++) {
		if (bpf_map_lookup_elem(st->counters_fd, &i, cnt)) {
			rc = -errno;
			goto out;
		}
		for (int cpu = 0; cpu < ncpu; cpu++)
			c[i] += cnt[cpu];
	}
	out->events = c[KS_BPF_EVENTS];
	out->unpaired = c[KS_BPF_OPEN_REPLACED] + c[KS_BPF_END_UNMATCHED];
	out->lost = c[KS_BPF_LOST_START] + c[KS_BPF_LOST_STATS] + c[KS_BPF_LOST_SAMPLE];
	uint32_t zero = 0;
	if (st->ooo_fd >= 0 && !bpf_map_lookup_elem(st->ooo_fd, &zero, cnt))
		for (int cpu = 0; cpu < ncpu; cpu++)
			out->out_of_order += cnt[cpu];
	/* Spans open right now are start events without an end (so far). */
	uint32_t tid, ntid;
	for (void *tp = NULL; !bpf_map_get_next_key(st->starts_fd, tp, &ntid); tp = &tid) {
		tid = ntid;
		out->unpaired++;
	}

	uint64_t key, next;
	void *prev = NULL;
	while (!bpf_map_get_next_key(st->stats_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(st->stats_fd, &key, vals))
			continue;   /* deleted meanwhile (we never delete) */
		char name[KS_PROBE_KEY_LEN];
		st->desc->key_name(key, name, sizeof(name));
		struct ks_probe_key_stats *k = key_slot(out, name);
		if (!k) {
			rc = -ENOMEM;
			goto out;
		}
		for (int cpu = 0; cpu < ncpu; cpu++) {
			const struct ks_bpf_stats *v = &vals[cpu];
			if (!v->count)
				continue;
			k->count += v->count;
			k->sum_ns += v->sum;
			if (v->min < k->min_ns)
				k->min_ns = v->min;
			if (v->max > k->max_ns)
				k->max_ns = v->max;
			for (int i = 0; i < KS_HIST_SLOTS && i < KS_BPF_HIST_SLOTS; i++)
				k->hist[i] += v->hist[i];
		}
	}
	for (size_t i = 0; i < out->nkeys; i++)
		if (!out->keys[i].count)
			out->keys[i].min_ns = 0;
	if (out->nkeys > 1)
		qsort(out->keys, out->nkeys, sizeof(out->keys[0]), by_count_desc);
out:
	free(cnt);
	free(vals);
	if (rc < 0)
		ks_probe_snapshot_free(out);
	return rc;
}

/* ------------------------------------------------------------ samples */

static int on_sample(void *ctx, void *data, size_t size)
{
	struct bpf_state *st = ctx;
	const struct ks_bpf_sample *e = data;

	if (size < sizeof(*e) || !st->sample_fn)
		return 0;
	char name[KS_PROBE_KEY_LEN];
	st->desc->key_name(e->key, name, sizeof(name));
	struct ks_probe_sample s = {
		.key = name, .start_ns = e->start_ns, .dur_ns = e->dur_ns, .tid = e->tid,
		.tgid = e->tgid,
	};
	st->sample_count++;
	return st->sample_fn(st->sample_ctx, &s);
}

int ks_probe_bpf_poll_samples(void *state, ks_probe_sample_fn fn, void *ctx, int timeout_ms)
{
	struct bpf_state *st = state;

	if (!st || !is_live(st))
		return -EINVAL;
	if (!st->rb)
		return -ENOENT;
	st->sample_fn = fn;
	st->sample_ctx = ctx;
	st->sample_count = 0;
	int rc = timeout_ms ? ring_buffer__poll(st->rb, timeout_ms) : ring_buffer__consume(st->rb);
	st->sample_fn = NULL;
	if (rc < 0 && rc != -EINTR)
		return rc;
	return st->sample_count;
}

/* ------------------------------------------------------------ stop */

static void bpf_stop(void *state)
{
	struct bpf_state *st = state;
	bool found = false;

	if (!st)
		return;
	pthread_mutex_lock(&live_lock);
	for (struct bpf_state **pp = &live; *pp; pp = &(*pp)->next)
		if (*pp == st) {
			*pp = st->next;
			found = true;
			break;
		}
	pthread_mutex_unlock(&live_lock);
	if (found)   /* a second stop of the same state is a no-op */
		state_free(st);
}

/* ------------------------------------------------------------ usable */

static bool bpf_usable(char *why, size_t len)
{
	pthread_once(&once, init_once);
	/* root too: a root whose capabilities were dropped is refused all the same */
	if (!ks_caps_bpf_ok(ks_caps_effective(), why, len))
		return false;
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(why, len,
			 "the kernel has no BTF (/sys/kernel/btf/vmlinux: %s; needs "
			 "CONFIG_DEBUG_INFO_BTF)", strerror(errno));
		return false;
	}
	char tdir[4096], terr[256];
	if (ks_tracefs_acquire(tdir, sizeof(tdir), terr, sizeof(terr)) < 0) {
		snprintf(why, len, "tracepoint ids come from tracefs: %s", terr);
		return false;
	}
	ks_tracefs_release();   /* start() mounts it again for as long as it runs */
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ks_probe_test", 4, 8, 1, NULL);
	if (fd < 0) {
		snprintf(why, len, "bpf() fails here: %s", strerror(errno));
		return false;
	}
	close(fd);
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, NULL) != 1) {
		snprintf(why, len, "the kernel cannot load tracepoint BPF programs");
		return false;
	}
	return true;
}

const struct ks_probe_backend ks_probe_bpf = {
	.name = "bpf", .usable = bpf_usable, .start = bpf_start, .snapshot = bpf_snapshot,
	.stop = bpf_stop,
};
