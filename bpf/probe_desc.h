/* SPDX-License-Identifier: MIT */
/*
 * probe_desc.h - a probe is one descriptor (internal to bpf/).
 *
 * Everything kvmscope knows about probe X is in
 *   bpf/probes/X.bpf.c   its BPF programs (CO-RE; keys from ks_probe_shared.h)
 *   bpf/probes/X.c       its descriptor, `const struct ks_probe_desc ks_probe_X`
 * plus its line in bpf/probes/probes.def, the one list of probes (in the order
 * kvmscope shows them: the build compiles X.bpf.c and X.c from it), and its key
 * encoding in ks_probe_shared.h when it needs a new one. The descriptor holds
 *   plan()      discovery's rules: from what this host has (struct ks_disc),
 *               which events the probe uses, or exactly why it can't run
 *   key_name()  the name of a key, for both backends
 *   bpf         its skeleton (KS_BPF_SKELETON): the BPF backend loads it and
 *               attaches its programs by section ("start_*" and "end_*" for the
 *               plan's events, optional "mark_*" where their tracepoint exists)
 *   tf          tracefs: the events it reads (resolved and enabled by the
 *               backend), a check once they are resolved, and decode(): one
 *               record into the userspace pairing, keyed as the BPF program
 *               keys it
 * What is common lives once: discover.c (the host facts and what plan() may
 * ask), probe_bpf.c, probe_tracefs.c and pair.c (userspace pairing), keys.c
 * (key names), probes.c (the table), stubs.c (backends this build lacks).
 */
#ifndef KS_PROBE_DESC_H
#define KS_PROBE_DESC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "probe.h"

/* ------------------------------------------------------------ discovery */

/* What discovery knows about the host, for a descriptor's plan() (discover.c). */
struct ks_disc {
	char root[PATH_MAX];      /* "" for this system */
	char tracing[PATH_MAX];   /* the tracefs directory */
	enum ks_kvm_backend be;   /* given, or detected */
	enum ks_host_btf btf;
	bool kvm_events;          /* events/kvm has kvm_userspace_exit or kvm_exit */
	bool functions;           /* plan from the backend's functions even where its
				   * tracepoints fire (ks_probe_host.functions) */
	/* loaded on demand: */
	char *aff;                /* available_filter_functions, NULL: unreadable */
	bool aff_loaded;
	char *btf_vmlinux;
	size_t btf_vmlinux_len;
	bool btf_loaded;
	char *ksyms;              /* /proc/kallsyms, NULL: unreadable */
	bool ksyms_loaded;
};

bool ks_disc_has_event(const struct ks_disc *d, const char *sys, const char *ev);
bool ks_disc_event_has_field(const struct ks_disc *d, const char *sys, const char *ev,
			     const char *field);
/* Is fn in available_filter_functions? (false too when that file is unreadable) */
bool ks_disc_aff_has(struct ks_disc *d, const char *fn);
bool ks_disc_aff_readable(struct ks_disc *d);
/* Where BTF has FUNC fn: "vmlinux", a KVM module's name, or NULL. */
const char *ks_disc_btf_func_home(struct ks_disc *d, const char *fn);
/* May fentry/fexit attach to fn, as far as the kernel's files tell? true, and
 * *home = where BTF has it; else false and why ("no BTF FUNC ...", "only
 * fn.isra.0 in kallsyms ..."). Unreadable kallsyms: not held against it (the
 * trial attach decides). */
bool ks_disc_fentry_ok(struct ks_disc *d, const char *fn, const char **home, char *why,
		       size_t len);
/* x86 with VMX/SVM exit codes (VMX, SVM or an x86 kvm_exit format) */
bool ks_disc_x86(const struct ks_disc *d);
/* No KVM, or no kvm:* events: fills the plan with why and returns true. */
bool ks_disc_no_kvm(const struct ks_disc *d, struct ks_probe_plan *p);

void ks_plan_set(struct ks_probe_plan *p, bool avail, const char *start, const char *end);
void ks_plan_why(struct ks_probe_plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------ key names (keys.c) */

/* An exits key (ks_probe_shared.h): "IO_INSTRUCTION", "HVC64", ..., "+user" */
void ks_exit_key_name(uint64_t key, char *buf, size_t len);

/* ------------------------------------------------------------ BPF */

struct bpf_object;

/* A bpftool skeleton, behind void pointers so the backend needs no probe's type. */
struct ks_bpf_skel {
	void *(*open)(void);
	int (*load)(void *skel);
	void (*destroy)(void *skel);
	struct bpf_object *(*obj)(void *skel);
	void (*set_rodata)(void *skel, uint32_t tgid, bool samples);
};

/*
 * In bpf/probes/X.c: `KS_BPF_SKELETON(X);` at file scope, `.bpf = KS_BPF_SKEL(X)`
 * in the descriptor. The build defines KS_BPF_SKEL_H ("X.skel.h") for X.c when
 * it compiles X.bpf.c; otherwise (no BPF backend in this build, or no X.bpf.c)
 * the descriptor has no skeleton and the BPF backend says so.
 */
#ifdef KS_BPF_SKEL_H
#include KS_BPF_SKEL_H
#define KS_BPF_SKELETON(n)                                                               \
	static void *n##_skel_open(void)                                                  \
	{                                                                                  \
		return n##_bpf__open();                                                   \
	}                                                                                  \
	static int n##_skel_load(void *s)                                                 \
	{                                                                                  \
		return n##_bpf__load(s);                                                  \
	}                                                                                  \
	static void n##_skel_destroy(void *s)                                             \
	{                                                                                  \
		n##_bpf__destroy(s);                                                      \
	}                                                                                  \
	static struct bpf_object *n##_skel_obj(void *s)                                   \
	{                                                                                  \
		return ((struct n##_bpf *)s)->obj;                                        \
	}                                                                                  \
	static void n##_skel_set_rodata(void *s, uint32_t tgid, bool samples)            \
	{                                                                                  \
		((struct n##_bpf *)s)->rodata->targ_tgid = tgid;                          \
		((struct n##_bpf *)s)->rodata->samples_on = samples;                      \
	}                                                                                  \
	static const struct ks_bpf_skel n##_skel = {                                      \
		n##_skel_open, n##_skel_load, n##_skel_destroy, n##_skel_obj,             \
		n##_skel_set_rodata,                                                      \
	}
#define KS_BPF_SKEL(n) (&n##_skel)
#else
#define KS_BPF_SKELETON(n) struct ks_bpf_skel
#define KS_BPF_SKEL(n) NULL
#endif

/* ------------------------------------------------------------ tracefs */

#define KS_TF_MAX_EVENTS 6
#define KS_TF_MAX_FIELDS 4

enum ks_tf_from {
	KS_TF_FIXED = 0,   /* the event named by sys and name */
	KS_TF_START,       /* the plan's start event */
	KS_TF_END,         /* the plan's end event */
};

/* One event a probe reads through tracefs, as its descriptor declares it. */
struct ks_tf_event {
	enum ks_tf_from from;
	const char *sys, *name;                  /* KS_TF_FIXED */
	bool optional;                           /* the probe runs without it (missing, or
						  * enabling it failed) */
	const char *fields[KS_TF_MAX_FIELDS];    /* the numbers decode() gets; "args[1]":
						  * element 1 of an array field */
	unsigned need;                           /* bit i: no use without fields[i] (a
						  * required event: an error; else left out) */
	const char *filter;                      /* for its filter file, before enabling */
};

/* One record of one of the probe's events, decoded for decode(). */
struct ks_tf_rec {
	uint64_t ts;        /* ns, the instance's clock ("mono") */
	int tid;            /* common_pid (> 0) */
	unsigned have;      /* bit i: v[i] was read */
	unsigned long long v[KS_TF_MAX_FIELDS];
};

/* One traced thread's pairing state (pair.c). */
struct ks_tf_thread {
	int tid;            /* 0: free slot */
	bool pending;       /* a span is open */
	bool started;       /* a start was ever seen (an end before that is no anomaly) */
	bool orphan;        /* an end without a start, maybe just read before its start */
	uint64_t start_ts, orphan_ts;
	uint64_t key;       /* the open span's key */
};

struct ks_probe_desc;

/* A started tracefs probe, as its descriptor's resolve() and decode() see it. */
struct ks_tf {
	const struct ks_probe_desc *desc;
	pid_t pid;                      /* 0: all processes */
	struct ks_tf_ev {
		char sys[32], name[64];
		bool on;                    /* found (and, once started, enabled) */
		unsigned fields;            /* bit i: fields[i] is in its format */
		char filter[96];            /* "" for none */
	} ev[KS_TF_MAX_EVENTS];
	void *priv;                     /* desc->tf.priv_size bytes, zeroed */
	struct ks_probe_snapshot acc;   /* spans, events, unpaired, out_of_order so far */
	struct ks_tf_thread *thr;       /* per thread, open addressing */
	size_t nthr, cap;
};

/* The thread's pairing state (created on first use); NULL when out of memory. */
struct ks_tf_thread *ks_tf_thread(struct ks_tf *t, int tid);
/* One span under key (named by the descriptor's key_name()). */
void ks_tf_span(struct ks_tf *t, uint64_t key, uint64_t from, uint64_t to);
/* Spans whose every end should have a start (uexits, exits): an end without
 * one is unpaired, unless its start was merely read later (another CPU). */
void ks_tf_start(struct ks_tf *t, struct ks_tf_thread *th, uint64_t ts, uint64_t key);
void ks_tf_end(struct ks_tf *t, struct ks_tf_thread *th, uint64_t ts);
/* Spans whose end event mostly follows no start (hypercalls, memlend: every
 * kvm_entry): such an end is no anomaly, nor an event. */
void ks_tf_open(struct ks_tf *t, struct ks_tf_thread *th, uint64_t ts, uint64_t key);
void ks_tf_close(struct ks_tf *t, struct ks_tf_thread *th, uint64_t ts);
void ks_tf_free(struct ks_tf *t);

/* .tf = { KS_TF_EVENTS(events), ... } */
#define KS_TF_EVENTS(a) .events = (a), .nevents = (int)(sizeof(a) / sizeof((a)[0]))

struct ks_tf_ops {
	const struct ks_tf_event *events;   /* NULL: the tracefs backend can't run it */
	int nevents;
	size_t priv_size;
	/* After the events are found: check their fields, choose filters, leave
	 * optional ones out (ev[i].on = false). 0, or -errno and err. May be NULL. */
	int (*resolve)(struct ks_tf *t, char *err, size_t errlen);
	/* One record of events[ev], in timestamp order across CPUs. */
	void (*decode)(struct ks_tf *t, int ev, const struct ks_tf_rec *r);
};

/* ------------------------------------------------------------ the descriptor */

struct ks_probe_desc {
	const char *name;
	const char *needs_pid;   /* why both backends refuse pid 0, or NULL */
	void (*plan)(struct ks_disc *d, struct ks_probe_plan *p);
	void (*key_name)(uint64_t key, char *buf, size_t len);
	const struct ks_bpf_skel *bpf;   /* NULL: no skeleton in this build */
	bool bpf_counts_events;          /* its BPF program counts every event itself
					  * (KS_BPF_EVENTS); else each span it records
					  * is two events, its start and end */
	struct ks_tf_ops tf;
};

/* probes.c: the descriptors in probes.def's order, NULL-terminated */
extern const struct ks_probe_desc *const ks_probe_descs[];
const struct ks_probe_desc *ks_probe_desc_find(const char *name);

/* prove.c: start and stop `plan` with each usable backend; none could: it
 * becomes unavailable, with what they said. Kept per process. */
void ks_probe_prove(struct ks_probe_plan *plan);
/* True while discovery tries a plan: the KVMSCOPE_FAULT hooks let it pass. */
extern bool ks_probe_trying;

/* snprintf for paths: false if it didn't fit (and no truncation warnings) */
bool ks_path(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* pid 0 refused for a probe that needs one process: err, and true */
bool ks_probe_refuses_all(const struct ks_probe_desc *d, pid_t pid, const char *backend,
			  char *err, size_t errlen);

#endif
