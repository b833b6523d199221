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
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fault_inject.h"
#include "privs.h"
#include "probe_desc.h"
#include "raw_args.h"

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

/*
 * How a probe's tracepoints are attached, cheapest first (libbpf-tools'
 * order): tp_btf and raw_tp run the probe's handler on the tracepoint's raw
 * arguments (KS_RAW in ks_probe.bpf.h: programs <role>_<event>__btf and
 * __raw); a classic tracepoint program has the kernel build the event's
 * record first and hands it over through perf. The first flavor this
 * kernel takes — the raw arguments it passes are what the handlers read
 * (raw_args.c), and the programs load and attach — is used, and kept for
 * the next start of the same plan in this process. Function events
 * (fentry, fexit, kprobe, kretprobe) have one way in.
 */
enum flavor { FL_TP_BTF, FL_RAW_TP, FL_TRACEPOINT, FL_N };
static const char *const flavor_name[FL_N] = { "tp_btf", "raw_tp", "tracepoint" };
static const char *const flavor_suffix[FL_N] = { "__btf", "__raw", "" };

struct bpf_state {
	const struct ks_probe_desc *desc;
	void *skel;
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	int stats_fd, counters_fd, starts_fd;
	int slots_fd;             /* the per-CPU key slots in front of `stats` */
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
	enum flavor flavor;       /* of its tracepoint programs */
	bool has_tp;              /* it has tracepoint programs (else the flavor is moot) */
	bool fn_start;            /* its start event is a function's */
	bool fatal;               /* the last load failed whatever the flavor */
	char tracing[4096];       /* tracefs: where tracepoints and their ids are */
	bool tracefs_held;        /* ks_tracefs_acquire()d */
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

/* The flavor that worked for a plan in this process (tried first next time). */
#define FLAVOR_MEMO 16
static struct {
	const struct ks_probe_desc *desc;
	char start[96], end[96];
	enum flavor f;
} memo[FLAVOR_MEMO];
static int nmemo;

static enum flavor memo_get(const struct ks_probe_desc *d, const struct ks_probe_plan *p)
{
	enum flavor f = FL_TP_BTF;
	pthread_mutex_lock(&live_lock);
	for (int i = 0; i < nmemo; i++)
		if (memo[i].desc == d && !strcmp(memo[i].start, p->start_event) &&
		    !strcmp(memo[i].end, p->end_event))
			f = memo[i].f;
	pthread_mutex_unlock(&live_lock);
	return f;
}

static void memo_put(const struct ks_probe_desc *d, const struct ks_probe_plan *p, enum flavor f)
{
	pthread_mutex_lock(&live_lock);
	int i = 0;
	while (i < nmemo && !(memo[i].desc == d && !strcmp(memo[i].start, p->start_event) &&
			      !strcmp(memo[i].end, p->end_event)))
		i++;
	if (i < FLAVOR_MEMO) {
		memo[i].desc = d;
		snprintf(memo[i].start, sizeof(memo[i].start), "%s", p->start_event);
		snprintf(memo[i].end, sizeof(memo[i].end), "%s", p->end_event);
		memo[i].f = f;
		if (i == nmemo)
			nmemo++;
	}
	pthread_mutex_unlock(&live_lock);
}

/* KVMSCOPE_BPF_ATTACH=tp_btf|raw_tp|tracepoint: only that flavor (to measure
 * one against another, as probe_overhead does); unset or "auto": the cheapest
 * that works. FL_N: auto; -1: a bad value (err says so). */
static int forced_flavor(char *err, size_t errlen)
{
	const char *v = getenv("KVMSCOPE_BPF_ATTACH");
	if (!v || !*v || !strcmp(v, "auto"))
		return FL_N;
	for (int f = 0; f < FL_N; f++)
		if (!strcmp(v, flavor_name[f]))
			return f;
	snprintf(err, errlen, "KVMSCOPE_BPF_ATTACH=%s: want tp_btf, raw_tp, tracepoint or auto", v);
	return -1;
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

static bool is_tracepoint_section(const struct ev *have)
{
	return !strcmp(have->type, "tracepoint") || !strcmp(have->type, "tp");
}

/* The flavor a program belongs to by its name's suffix (FL_N: no flavor). */
static enum flavor prog_flavor(struct bpf_program *prog)
{
	const char *n = bpf_program__name(prog);
	size_t nl = strlen(n);
	struct ev have;

	for (int f = FL_TP_BTF; f < FL_TRACEPOINT; f++) {
		size_t sl = strlen(flavor_suffix[f]);
		if (nl > sl && !strcmp(n + nl - sl, flavor_suffix[f]))
			return (enum flavor)f;
	}
	section_event(bpf_program__section_name(prog), &have);
	return is_tracepoint_section(&have) ? FL_TRACEPOINT : FL_N;
}

/* "kvm/kvm_exit": does the tracepoint exist? (true when tracefs can't tell) */
static bool tp_exists(const struct bpf_state *st, const char *tp)
{
	char idpath[4200];

	return !st->tracing[0] ||
	       !ks_path(idpath, sizeof(idpath), "%s/events/%s/id", st->tracing, tp) ||
	       access(idpath, F_OK) == 0;
}

/* A raw flavor's program stands in for `tp` ("kvm/kvm_exit"): may it run here? */
static int raw_ok(struct bpf_program *prog, const char *tp, char *err, size_t errlen)
{
	struct ev have;
	char why[256];

	section_event(bpf_program__section_name(prog), &have);
	if (ks_raw_args_check(have.target, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s for %s: %s", have.type, tp, why);
		return -1;
	}
	return 0;
}

/* Pick the one program of `role` ("start_" or "end_") handling `event` in
 * flavor f; the others of that role are not loaded. A function program
 * ("fentry", "kprobe", ...) takes its target from the plan. */
static int pick_program(struct bpf_state *st, struct bpf_object *obj, const char *role,
			const char *event, enum flavor f, char *err, size_t errlen)
{
	char handles[256] = "", want_name[160] = "";
	struct bpf_program *prog, *hit = NULL;
	struct ev want, have;
	size_t rl = strlen(role);

	st->fatal = true;   /* until the flavor matters */
	if (event[0] && parse_event(event, &want) < 0) {
		snprintf(err, errlen, "the BPF backend cannot attach to '%s' (it takes "
				      "tracepoint:, fentry:, fexit:, kprobe: and kretprobe: events)",
			 event);
		return -1;
	}
	bool tp = event[0] && !strcmp(want.type, "tracepoint");
	if (tp && f != FL_TRACEPOINT)   /* start_kvm_exit__btf */
		snprintf(want_name, sizeof(want_name), "%s%s%s", role, strchr(want.target, '/') + 1,
			 flavor_suffix[f]);
	bpf_object__for_each_program(prog, obj) {
		if (strncmp(bpf_program__name(prog), role, rl))
			continue;
		section_event(bpf_program__section_name(prog), &have);
		bool match;
		if (want_name[0])
			match = !strcmp(bpf_program__name(prog), want_name);
		else if (tp)
			match = is_tracepoint_section(&have) && !strcmp(have.target, want.target);
		else
			match = !event[0] || (!strcmp(have.type, want.type) &&
					      (!have.target[0] || !strcmp(have.target, want.target)));
		if (!hit && match)
			hit = prog;
		else
			bpf_program__set_autoload(prog, false);
		if (prog_flavor(prog) == FL_TP_BTF || prog_flavor(prog) == FL_RAW_TP)
			continue;   /* listed once, as its classic tracepoint */
		size_t hl = strlen(handles);
		snprintf(handles + hl, sizeof(handles) - hl, "%s%s:%s", hl ? ", " : "", have.type,
			 have.target[0] ? have.target : "*");
	}
	if (!hit) {
		st->fatal = !want_name[0];
		snprintf(err, errlen,
			 "the BPF %s program has no %s event handler for '%s'%s%s (it handles: %s)",
			 st->desc->name, role[0] == 's' ? "start" : "end", event,
			 want_name[0] ? " as " : "", want_name[0] ? flavor_name[f] : "", handles);
		return -1;
	}
	section_event(bpf_program__section_name(hit), &have);
	if (tp) {
		st->has_tp = true;
		/* A clearer error than libbpf's when the tracepoint is missing. */
		if (!tp_exists(st, want.target)) {
			snprintf(err, errlen, "tracepoint %s does not exist on this kernel%s",
				 want.target,
				 !strncmp(want.target, "kvm/", 4) ? " (is the kvm module loaded?)"
								   : "");
			return -1;
		}
		st->fatal = false;
		if (f != FL_TRACEPOINT && raw_ok(hit, want.target, err, errlen) < 0)
			return -1;
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
	st->fatal = false;
	return 0;
}

/*
 * Optional programs ("mark_<event>", in every flavor) load in flavor f only
 * where their tracepoint exists; none when the span is one function's entry
 * to its return (nothing else can happen inside it to mark). A missing raw
 * layout fails the flavor: its marks would be lost. A flavor's mark may be a
 * classic tracepoint program (SEC("tracepoint/...") named mark_X__btf): a
 * probe's way of keeping one event classic in every flavor.
 */
static int pick_optional(struct bpf_state *st, struct bpf_object *obj,
			 const struct ks_probe_plan *plan, enum flavor f, char *err, size_t errlen)
{
	struct ev s, e;
	bool one_fn = !parse_event(plan->start_event, &s) && !parse_event(plan->end_event, &e) &&
		      !strcmp(s.type, "fentry") && !strcmp(e.type, "fexit") &&
		      !strcmp(s.target, e.target);
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const char *n = bpf_program__name(prog);
		if (strncmp(n, "mark_", 5))
			continue;
		enum flavor pf = prog_flavor(prog);
		if (one_fn || pf != f) {
			bpf_program__set_autoload(prog, false);
			continue;
		}
		/* its classic tracepoint: the program without the suffix */
		char base[128];
		snprintf(base, sizeof(base), "%.*s", (int)(strlen(n) - strlen(flavor_suffix[f])), n);
		struct bpf_program *classic = bpf_object__find_program_by_name(obj, base);
		struct ev have;
		if (!classic) {
			bpf_program__set_autoload(prog, false);
			continue;
		}
		section_event(bpf_program__section_name(classic), &have);
		if (!is_tracepoint_section(&have) || !tp_exists(st, have.target)) {
			bpf_program__set_autoload(prog, false);
			continue;
		}
		st->has_tp = true;
		struct ev own;   /* a "raw" flavor's mark may be a classic tracepoint itself */
		section_event(bpf_program__section_name(prog), &own);
		if (!is_tracepoint_section(&own) && raw_ok(prog, have.target, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* A classic tracepoint program, attached through perf with the id from our
 * tracefs (libbpf would look for tracefs at /sys/kernel/tracing only). */
static struct bpf_link *attach_tracepoint(const struct bpf_state *st, struct bpf_program *prog,
					  const char *tp, char *err, size_t errlen)
{
	char p[4200], buf[32] = "";
	FILE *f = ks_path(p, sizeof(p), "%s/events/%s/id", st->tracing, tp) ? fopen(p, "re")
									      : NULL;
	bool got = f && fgets(buf, sizeof(buf), f);
	int e = errno;

	if (f)
		fclose(f);
	if (!got) {
		snprintf(err, errlen, "reading %s: %s", p, strerror(f ? EIO : e));
		return NULL;
	}
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr),
		.config = strtoull(buf, NULL, 10), .sample_period = 1, .wakeup_events = 1,
	};
	int pfd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		snprintf(err, errlen, "perf_event_open(tracepoint %s): %s", tp, strerror(errno));
		return NULL;
	}
	struct bpf_link *l = bpf_program__attach_perf_event(prog, pfd);   /* owns pfd now */
	if (!l) {
		e = errno;
		close(pfd);
		snprintf(err, errlen, "attaching to tracepoint %s: %s%s%s", tp, strerror(e),
			 last_log[0] ? "; libbpf: " : "", last_log);
	}
	return l;
}

static void unload(struct bpf_state *st)
{
	ring_buffer__free(st->rb);
	st->rb = NULL;
	for (int i = 0; i < st->nlinks; i++)
		bpf_link__destroy(st->links[i]);
	st->nlinks = 0;
	st->nfuncs = 0;
	st->has_tp = false;
	if (st->skel)
		st->desc->bpf->destroy(st->skel);
	st->skel = NULL;
	st->stats_fd = st->slots_fd = st->counters_fd = st->starts_fd = st->ooo_fd = -1;
}

static void state_free(struct bpf_state *st)
{
	unload(st);
	if (st->tracefs_held)
		ks_tracefs_release();   /* drops it if we mounted it */
	free(st);
}

static int on_sample(void *ctx, void *data, size_t size);

/* Open, pick (flavor f), load and attach the probe's programs. -1 + err;
 * *injected: the KVMSCOPE_FAULT test hook refused the load. */
static int load_flavor(struct bpf_state *st, const struct ks_probe_plan *plan, pid_t pid,
		       enum flavor f, bool *injected, char *err, size_t errlen)
{
	const struct ks_bpf_skel *skel = st->desc->bpf;
	const struct ks_probe_desc *desc = st->desc;
	struct bpf_program *prog;
	int rc;

	last_log[0] = verifier_says[0] = 0;
	st->flavor = f;
	st->fatal = false;
	st->skel = skel->open();
	if (!st->skel) {
		snprintf(err, errlen, "opening the %s BPF object failed: %s%s%s", desc->name,
			 strerror(errno), last_log[0] ? "; libbpf: " : "", last_log);
		return -1;
	}
	struct bpf_object *obj = skel->obj(st->skel);
	if (pick_program(st, obj, "start_", plan->start_event, f, err, errlen) < 0 ||
	    pick_program(st, obj, "end_", plan->end_event, f, err, errlen) < 0 ||
	    pick_optional(st, obj, plan, f, err, errlen) < 0)
		return -1;
	struct ev sev;
	st->fn_start = !parse_event(plan->start_event, &sev) && strcmp(sev.type, "tracepoint");
	skel->set_rodata(st->skel, (uint32_t)pid, ring_bytes != 0);
	if (ring_bytes) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, "samples");
		if (!m || bpf_map__set_max_entries(m, (uint32_t)ring_bytes)) {
			snprintf(err, errlen, "sizing the sample ring failed");
			return -1;
		}
	}
	/* test hook: as if the kernel refused (discovery's trials don't count) */
	*injected = !ks_probe_trying && ks_fault_take("bpf_load");
	rc = *injected ? -EPERM : skel->load(st->skel);
	if (rc) {
		int e = -rc > 0 ? -rc : errno;
		if (*injected)
			snprintf(verifier_says, sizeof(verifier_says),
				 "(injected by the KVMSCOPE_FAULT=bpf_load test hook)");
		bool fn = false;
		bpf_object__for_each_program(prog, obj)
			fn |= bpf_program__autoload(prog) &&
			      bpf_program__type(prog) == BPF_PROG_TYPE_TRACING &&
			      bpf_program__expected_attach_type(prog) != BPF_TRACE_RAW_TP;
		bool locked = fn && e == EPERM && !*injected;
		if (strstr(last_log, "failed to load BPF skeleton"))
			last_log[0] = 0;   /* says nothing the errno doesn't */
		snprintf(err, errlen, "loading the %s BPF programs failed: %s%s%s%s", desc->name,
			 strerror(e),
			 locked ? " (fentry/fexit refused, as kernel lockdown does even to root)"
			 : fn && (e == ENOTSUP || e == EINVAL || e == 524)
				 ? " (fentry/fexit unsupported by this kernel? they need "
				   "CONFIG_FUNCTION_TRACER and BTF)"
				 : "",
			 verifier_says[0] ? "; verifier: " : last_log[0] ? "; libbpf: " : "",
			 verifier_says[0] ? verifier_says : last_log);
		return -1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		struct bpf_link *l = NULL;
		const char *what = bpf_program__section_name(prog);
		struct ev have;
		int k = 0;
		section_event(what, &have);
		while (k < st->nfuncs && st->funcs[k].prog != prog)
			k++;
		if (k < st->nfuncs) {
			what = st->funcs[k].name;
			l = bpf_program__attach_kprobe(prog, st->funcs[k].retprobe, what);
		} else if (is_tracepoint_section(&have)) {
			l = attach_tracepoint(st, prog, have.target, err, errlen);
			if (!l)
				return -1;
		} else {
			l = bpf_program__attach(prog);
		}
		if (!l) {
			snprintf(err, errlen, "attaching %s failed: %s%s%s", what, strerror(errno),
				 last_log[0] ? "; libbpf: " : "", last_log);
			return -1;
		}
		if (st->nlinks == MAX_LINKS) {
			bpf_link__destroy(l);
			snprintf(err, errlen, "too many programs");
			return -1;
		}
		st->links[st->nlinks++] = l;
	}
	st->stats_fd = bpf_object__find_map_fd_by_name(obj, "stats");
	st->slots_fd = bpf_object__find_map_fd_by_name(obj, "slots");
	st->counters_fd = bpf_object__find_map_fd_by_name(obj, "counters");
	st->starts_fd = bpf_object__find_map_fd_by_name(obj, "starts");
	st->ooo_fd = bpf_object__find_map_fd_by_name(obj, "ooo");
	if (st->stats_fd < 0 || st->slots_fd < 0 || st->counters_fd < 0 || st->starts_fd < 0) {
		snprintf(err, errlen, "the %s BPF object lacks its maps", desc->name);
		return -1;
	}
	if (ring_bytes) {
		int fd = bpf_object__find_map_fd_by_name(obj, "samples");
		st->rb = fd < 0 ? NULL : ring_buffer__new(fd, on_sample, st, NULL);
		if (!st->rb) {
			snprintf(err, errlen, "opening the sample ring failed: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int bpf_start(const struct ks_probe_plan *plan, pid_t pid, void **state, char *err,
		     size_t errlen)
{
	struct bpf_state *st = NULL;

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
	int forced = forced_flavor(err, errlen);
	if (forced < 0)
		return -1;
	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st->desc = desc;
	st->stats_fd = st->slots_fd = st->counters_fd = st->starts_fd = st->ooo_fd = -1;
	/* tracepoints (their existence, a classic one's id) are read from tracefs:
	 * ours if nobody has one mounted (dropped at stop) */
	char terr[256];
	if (ks_tracefs_acquire(st->tracing, sizeof(st->tracing), terr, sizeof(terr)) < 0) {
		snprintf(err, errlen, "tracefs (where tracepoints are described): %s", terr);
		goto fail;
	}
	st->tracefs_held = true;

	/* the cheapest flavor first (or the one that worked last time, or the one asked
	 * for); what the cheaper ones said is kept for when none works */
	char tried[600] = "";
	enum flavor first = forced < FL_N ? (enum flavor)forced : memo_get(desc, plan);
	enum flavor last = forced < FL_N ? (enum flavor)forced : FL_TRACEPOINT;
	for (enum flavor f = first; f <= last; f++) {
		bool injected = false;
		if (load_flavor(st, plan, pid, f, &injected, err, errlen) == 0) {
			if (st->has_tp && forced == FL_N)
				memo_put(desc, plan, f);
			break;
		}
		/* no tracepoints, or a failure that is not the flavor's: another flavor
		 * changes nothing */
		bool moot = !st->has_tp || st->fatal;
		unload(st);
		if (injected || moot || f == last) {
			if (tried[0]) {
				size_t l = strlen(err);
				snprintf(err + l, errlen - l, " (before: %s)", tried);
			}
			goto fail;
		}
		size_t tl = strlen(tried);
		snprintf(tried + tl, sizeof(tried) - tl, "%s%s: %.250s", tl ? "; " : "",
			 flavor_name[f], err);
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

/* One CPU's stats of one key into the snapshot, under the key's name. */
static int add_stats(const struct bpf_state *st, struct ks_probe_snapshot *out, uint64_t key,
		     const struct ks_bpf_stats *v)
{
	char name[KS_PROBE_KEY_LEN];

	if (!v->count)
		return 0;
	st->desc->key_name(key, name, sizeof(name));
	struct ks_probe_key_stats *k = key_slot(out, name);
	if (!k)
		return -ENOMEM;
	k->count += v->count;
	k->sum_ns += v->sum;
	if (v->min < k->min_ns)
		k->min_ns = v->min;
	if (v->max > k->max_ns)
		k->max_ns = v->max;
	for (int i = 0; i < KS_HIST_SLOTS && i < KS_BPF_HIST_SLOTS; i++)
		k->hist[i] += v->hist[i];
	return 0;
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
	struct ks_bpf_counters *cv = calloc((size_t)ncpu, sizeof(*cv));
	struct ks_bpf_slot *slots = calloc((size_t)ncpu, sizeof(*slots));
	uint64_t c[KS_BPF_NCOUNTERS] = { 0 };
	int rc = 0;

	if (!cnt || !vals || !cv || !slots) {
		rc = -ENOMEM;
		goto out;
	}
	uint32_t zero = 0;
	if (bpf_map_lookup_elem(st->counters_fd, &zero, cv)) {
		rc = -errno;
		goto out;
	}
	for (int cpu = 0; cpu < ncpu; cpu++)
		for (int i = 0; i < KS_BPF_NCOUNTERS; i++)
			c[i] += cv[cpu].c[i];
	/* spans open right now: start events without an end (so far), counted
	 * with the events only once they close */
	uint64_t open = 0;
	uint32_t tid, ntid;
	struct ks_bpf_start sv;
	for (void *tp = NULL; !bpf_map_get_next_key(st->starts_fd, tp, &ntid); tp = &tid) {
		tid = ntid;
		if (!bpf_map_lookup_elem(st->starts_fd, &tid, &sv) && sv.ts)
			open++;
	}
	out->events = c[KS_BPF_EVENTS] + open;   /* + 2 per span, below */
	out->unpaired = c[KS_BPF_OPEN_REPLACED] + c[KS_BPF_END_UNMATCHED] + open;
	out->open = open;
	out->lost = c[KS_BPF_LOST_START] + c[KS_BPF_LOST_STATS] + c[KS_BPF_LOST_SAMPLE];
	if (st->ooo_fd >= 0 && !bpf_map_lookup_elem(st->ooo_fd, &zero, cnt))
		for (int cpu = 0; cpu < ncpu; cpu++)
			out->out_of_order += cnt[cpu];
	const char *fn = st->nfuncs ? "kprobe" : "fentry";
	if (!st->fn_start && st->has_tp)
		snprintf(out->attach, sizeof(out->attach), "%s", flavor_name[st->flavor]);
	else if (st->has_tp)
		snprintf(out->attach, sizeof(out->attach), "%s+%s", fn, flavor_name[st->flavor]);
	else
		snprintf(out->attach, sizeof(out->attach), "%s", fn);

	/* the keys each CPU has a slot for, then the others (`stats`) */
	for (uint32_t i = 0; st->slots_fd >= 0 && i < KS_BPF_SLOTS; i++) {
		if (bpf_map_lookup_elem(st->slots_fd, &i, slots))
			continue;
		for (int cpu = 0; cpu < ncpu; cpu++)
			if (slots[cpu].used && add_stats(st, out, slots[cpu].key, &slots[cpu].s) < 0) {
				rc = -ENOMEM;
				goto out;
			}
	}
	uint64_t key, next;
	void *prev = NULL;
	while (!bpf_map_get_next_key(st->stats_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(st->stats_fd, &key, vals))
			continue;   /* deleted meanwhile (we never delete) */
		for (int cpu = 0; cpu < ncpu; cpu++)
			if (add_stats(st, out, key, &vals[cpu]) < 0) {
				rc = -ENOMEM;
				goto out;
			}
	}
	for (size_t i = 0; i < out->nkeys; i++) {
		if (!out->keys[i].count)
			out->keys[i].min_ns = 0;
		if (!st->desc->bpf_counts_events)
			out->events += 2 * out->keys[i].count;   /* its start and its end */
	}
	if (out->nkeys > 1)
		qsort(out->keys, out->nkeys, sizeof(out->keys[0]), by_count_desc);
out:
	free(cnt);
	free(vals);
	free(cv);
	free(slots);
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
