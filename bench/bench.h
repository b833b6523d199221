/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks, results and the runner.
 *
 * A benchmark is one definition (like a row of kvm-unit-tests' micro-bench),
 * in the file that implements it: a name, a family, its place in the suite,
 * the guest routine it runs (by name: guests/common/guest.h), an
 * availability check that explains itself, and a run function that appends
 * one or more results. KS_BENCH() defines it and adds it to the table;
 * there is no central list. Most are "batch" benchmarks described by a struct
 * ks_batch_spec and run by ks_run_batch(); the ones that need threads or
 * several memslots (irqfd, ipi, mem_lend) have their own run function. All
 * of them run through one skeleton, ks_run() (run.c).
 */
#ifndef KS_BENCH_H
#define KS_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "perf_counters.h"
#include "precision.h"
#include "progress.h"
#include "probe.h"
#include "stats.h"
#include "vmm.h"

struct ks_soak;

#define KS_NAME_LEN 64

struct ks_run_opts {
	bool quick;
	int cpu;               /* pin the vCPU thread here; -1: no pinning */
	uint64_t samples;      /* measured batches per benchmark; 0: default */
	/* Adaptive precision (precision.h): sample until the 95 % CI of each
	 * result's median is within +-precision % of it, spending at most
	 * max_time_s per benchmark; 0: the default samples, no more. */
	double precision;
	double max_time_s;
	double watchdog_s;     /* per benchmark */
	const char *out;       /* results file */
	bool verbose;
	bool list_only;
	bool json;
	bool probes;           /* attach the in-kernel probes around each benchmark */
	bool no_perf;          /* don't open host perf counters around benchmarks */
	bool no_progress;      /* no progress line even on a terminal */
	unsigned soak;         /* run the suite this many times (0: once, no soak record) */
	const char *device;    /* --device: /dev/kvm, /dev/gunyah, ...; NULL: automatic */
	enum ks_probe_backend_kind probe_backend;
};

/* What the device (/dev/kvm or /dev/gunyah) and the host offer, gathered
 * once (ks_host_probe). `kvm` is the device, whichever front drives it. */
struct ks_host {
	struct ks_host_facts facts;  /* the machine: kernel, CPU, backend, tracing, ... */
	bool kvm_ok;
	char kvm_err[KS_ERR_LEN];
	struct ks_kvm kvm;
	char identify_err[KS_ERR_LEN];  /* why the identify guest did not run, if it did not */
	uint64_t host_tick_hz;   /* host counter, calibrated against CLOCK_MONOTONIC_RAW */
	uint64_t guest_tick_hz;  /* from a scratch vCPU (x86: KVM_GET_TSC_KHZ) */
	long vm_caps_guest_memfd_flags;
	long caps[32];           /* KVM_CHECK_EXTENSION per ks_cap_names[], at probe time */
};

struct ks_param {
	char key[32];
	char sval[64];
	double nval;
	bool is_num;
};

struct ks_metric {          /* a derived scalar: GiB/s, clock offset, ... */
	char key[32];
	char unit[16];
	double value;
};

struct ks_exit_check {
	char stat[32];
	uint64_t expected;
	uint64_t observed;
	char verdict[24];       /* exact, match, not-counted, mismatch, unavailable */
	char note[96];
};

#define KS_MAX_PARAMS 16
#define KS_MAX_METRICS 24
#define KS_MAX_CHECKS 6   /* vm_switch: three per VM */

struct ks_result {
	char name[KS_NAME_LEN];
	char family[24];
	char unit[16];
	char status[16];         /* ok, failed, unsupported, interrupted */
	char reason[KS_ERR_LEN * 2];
	char what[160];          /* what was measured, how */
	struct ks_param params[KS_MAX_PARAMS];
	int nparams;
	struct ks_metric metrics[KS_MAX_METRICS];
	int nmetrics;
	struct ks_exit_check checks[KS_MAX_CHECKS];
	int nchecks;
	/* per-op samples in `unit` (what the summary is computed from) */
	double *samples;
	size_t nsamples;
	struct ks_summary summary;
	bool has_summary;
	/* the raw measurements: counter ticks per batch, and their scale */
	uint64_t *raw_ticks;
	size_t nraw;
	uint64_t tick_hz;
	uint64_t ops_per_raw;    /* operations per raw value (batch size) */
	/* host-side timing */
	double host_ns_per_op;   /* measured phase wall time / operations; <0 none */
	double *host_samples;    /* per-exit round trips seen by the host, ns */
	size_t nhost;
	double seconds;          /* wall time the benchmark took */
	/* what the run loop itself serviced (every exit it saw, by kind) */
	struct ks_exit_tally tally;
	bool has_tally;
	/* the vCPU's stats at the end of the benchmark (counted from vCPU creation,
	 * so they cover exactly what in-kernel probes attached around it see) */
	struct { char name[32]; uint64_t value; } vcpu_stats[8];
	int nvcpu_stats;
	/* in-kernel probes attached around the benchmark (--probes) */
	struct ks_result_probe {
		char probe[16];
		char backend[16];
		char events[200];
		struct ks_probe_snapshot snap;
	} probes[6];
	int nprobes;
	/* host perf counters over the measured phase (or the whole benchmark) */
	struct ks_perf_record perf;
	/* the CI of the median the samples reached, and why sampling stopped */
	struct ks_result_precision {
		bool has;
		double target;         /* relative half-width asked for; 0: none */
		double lo, hi;         /* the 95 % CI of the median (NaN: too few samples) */
		double half;           /* max distance to the median / |median| */
		unsigned rounds;       /* sampling rounds (decisions) */
		double sampling_s;     /* sampling time the decisions saw */
		char stop[16];         /* fixed, target, time_cap, sample_cap */
		char why[400];         /* when short of the target: why */
	} precision;
};

struct ks_results {
	struct ks_result *items;
	size_t n, cap;
	bool complete;
	char incomplete_reason[256];
	char started[40];
	double started_s;       /* CLOCK_REALTIME */
	int argc;
	char **argv;
	const struct ks_soak *soak;   /* --soak: written as "soak" (NULL: none) */
};

struct ks_ctx {
	struct ks_host *host;
	const struct ks_run_opts *opts;
	struct ks_results *res;
	struct ks_perf_set *perf;  /* open around the current benchmark; NULL: none */
	struct ks_progress *progress;  /* the progress line; NULL: off */
	char err[KS_ERR_LEN * 2];
};

struct ks_bench {
	const char *name;
	const char *family;
	const char *what;
	int order;         /* place in the suite and in `kvmscope list`: ascending, ties by name */
	bool in_default;   /* part of `kvmscope run` with no names */
	/* The guest routine it runs, by name; NULL: none of its own. An image
	 * without it (this arch's guest does not offer it) cannot run it. */
	const char *routine;
	/* Runnable here, beyond the routine? If not, a precise reason in `why`. */
	bool (*available)(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
	int (*run)(const struct ks_bench *b, struct ks_ctx *c);
	const void *spec;  /* e.g. struct ks_batch_spec */
};

/*
 * Put benchmark `b` (a struct ks_bench object) in the table: a pointer in
 * the linker section ks_bench, which the linker brackets with
 * __start_ks_bench/__stop_ks_bench (as kvmtool's and the kernel's initcalls
 * are found). `used` keeps the compiler, `retain` the linker's garbage
 * collection from dropping it; ks_bench is an object library, so no archive
 * member is left out either (bench/CMakeLists.txt).
 */
#ifdef __has_attribute
#if __has_attribute(retain)
#define KS_RETAIN_ retain,
#endif
#endif
#ifndef KS_RETAIN_
#define KS_RETAIN_
#endif
#define KS_BENCH_REGISTER(b)                                                        \
	static const struct ks_bench *const ks_bench_entry_##b                      \
		__attribute__((section("ks_bench"), KS_RETAIN_ used,                 \
			       aligned(sizeof(void *)))) = &(b)

/* Define benchmark `var` (designated initializers of struct ks_bench) and
 * register it: a benchmark's whole host-side definition, in its own file. */
#define KS_BENCH(var, ...)                                      \
	static const struct ks_bench var = { __VA_ARGS__ };     \
	KS_BENCH_REGISTER(var)

/* Every registered benchmark, in suite order (order, then name). */
const struct ks_bench *const *ks_bench_all(size_t *n);
const struct ks_bench *ks_bench_find(const char *name);
/* Can b run here: its guest routine, then b->available. */
bool ks_bench_available(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);

/* --- results ---------------------------------------------------------------- */
struct ks_result *ks_result_add(struct ks_results *r, const char *name, const char *family,
				const char *unit);
void ks_result_param_num(struct ks_result *r, const char *key, double v);
void ks_result_param_str(struct ks_result *r, const char *key, const char *v);
void ks_result_metric(struct ks_result *r, const char *key, const char *unit, double v);
/* Take ownership of samples and compute the summary. */
int ks_result_set_samples(struct ks_result *r, double *samples, size_t n);
void ks_result_fail(struct ks_result *r, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The CI r's samples reached, and why sampling stopped (p: its run's). */
void ks_result_set_precision(struct ks_result *r, const struct ks_precision *p);
void ks_results_free(struct ks_results *r);

/* --- sessions: one VM + one vCPU running the embedded guest ---------------- */
struct ks_session {
	struct ks_vm vm;
	struct ks_vcpu vcpu;
	struct ks_vcpu vcpu1;      /* a second vCPU, for the IPI benchmarks */
	bool vm_open, vcpu_open, vcpu1_open;
	int efd[4];          /* eventfds closed with the session */
	int nefd;
};
/* A new eventfd owned by the session; -1 with c->err on failure. */
int ks_session_eventfd(struct ks_ctx *c, struct ks_session *s);

/* A fresh VM running guest routine `routine` (by name) on nvcpus vCPUs. */
int ks_session_open(struct ks_ctx *c, struct ks_session *s, const char *routine, bool irqchip,
		    int nvcpus);
void ks_session_close(struct ks_session *s);
/* Pin the calling thread (the vCPU runner) as the options ask. */
int ks_pin_self(int cpu);
uint64_t ks_default_batches(const struct ks_ctx *c, uint64_t normal, uint64_t quick);

/* --- exit-count checks (exit_checks.c) ------------------------------------ */
struct ks_stat_expect {
	const char *const *stat;  /* points at an arch stat name field */
	uint64_t per_op;
};

/* Snapshot and compare vCPU stats around a measured phase. */
struct ks_stat_snap {
	int idx[KS_MAX_CHECKS];
	uint64_t before[KS_MAX_CHECKS];
	uint64_t t0_ns;   /* CLOCK_MONOTONIC at begin: background exits grow with time */
};
void ks_checks_begin(struct ks_vcpu *v, const struct ks_stat_expect *e, struct ks_stat_snap *s);
/* Record the vCPU's whole-benchmark exit counters (arch stat names) in r. */
void ks_record_vcpu_stats(struct ks_vcpu *v, struct ks_result *r);
/* ops operations ran in the phase, and `doorbells` ucall exits (PHASE_END,
 * the adaptive rounds' questions), which the all-exits and doorbell stats count. */
void ks_checks_end(struct ks_vcpu *v, const struct ks_stat_expect *e, struct ks_stat_snap *s,
		   uint64_t ops, uint64_t doorbells, struct ks_result *r);
/*
 * The same for another vCPU of the benchmark (the IPI target, the other VM
 * of vm_switch), snapshot with ks_checks_begin at the main vCPU's phase
 * marks: its checks are named "<who>:<stat>" and, as it rings no doorbell,
 * expect exactly ops * per_op.
 */
void ks_checks_end_peer(struct ks_vcpu *v, const struct ks_stat_expect *e, struct ks_stat_snap *s,
			uint64_t ops, struct ks_result *r, const char *who);

/* --- one benchmark run: the skeleton every family runs through (run.c) ---- */
/*
 * ks_run() adds the main result, opens the session (a fresh VM running the
 * benchmark's guest routine), finds the guest counter's frequency, and
 * calls the family's hooks in order. When a hook fails (returns -1 with
 * c->err set), the main result is marked "interrupted" after SIGINT/SIGTERM
 * or "failed", with c->err as the reason. Whatever happened, the progress
 * line stops reading guest memory, the watchdogs are disarmed and the
 * session is closed. A family keeps only what is its own: how it drives
 * the guest and what it records; the helpers below do the rest.
 */
struct ks_run {
	struct ks_ctx *c;
	const struct ks_bench *b;
	struct ks_session s;
	uint64_t hz;          /* the guest counter's frequency, Hz */
	void *priv;           /* the family's own state (ks_run_desc.priv) */
	size_t r_idx;         /* the main result: ks_run_result() */
	/* the measured phase (ks_run_phase_begin/end) */
	const struct ks_stat_expect *expect;
	struct ks_stat_snap snap;
	uint64_t phase_ucalls;   /* ucalls inside the phase besides PHASE_END (adaptive rounds) */
	/* how many samples: the family asks ks_precision_more between rounds;
	 * ks_run records what every result of the run reached */
	struct ks_precision prec;
};

struct ks_run_desc {
	const char *name;     /* the main result's name; NULL: the benchmark's */
	const char *unit;     /* its unit */
	bool irqchip;         /* the VM gets the in-kernel interrupt controller */
	int nvcpus;           /* 0 or 1: one vCPU */
	/* 0, or -1 with c->err; NULL: nothing to do. r is the main result. */
	int (*setup)(struct ks_run *run, struct ks_result *r);    /* devices, mailbox, params */
	int (*measure)(struct ks_run *run, struct ks_result *r);  /* drive the guest through it */
	int (*record)(struct ks_run *run, struct ks_result *r);   /* what was measured -> results */
	void (*teardown)(struct ks_run *run);   /* always, before the session closes */
	void *priv;
	/* share of the benchmark's --max-time this run may spend sampling
	 * (a benchmark made of several runs, one per region size); 0: all */
	double time_share;
};

int ks_run(const struct ks_bench *b, struct ks_ctx *c, const struct ks_run_desc *d);
/* The time_share of run i of n (one per region size) of a benchmark that
 * began at t0_ns: an even share of what the runs before it left, so a size
 * that reached the target early leaves more to the bigger ones. */
double ks_run_time_share(const struct ks_ctx *c, uint64_t t0_ns, size_t i, size_t n);

/* The main result (found again by index: adding results may move it). */
struct ks_result *ks_run_result(struct ks_run *run);
/* Another result of the same run (irqfd_rtt, eoi, memslot_add_16M, ...). */
struct ks_result *ks_run_add_result(struct ks_run *run, const char *name, const char *unit,
				    const char *what_fmt, ...) __attribute__((format(printf, 4, 5)));
/* Arm v's watchdog for the calling thread, the one that runs v. */
int ks_run_watchdog(struct ks_run *run, struct ks_vcpu *v);
/* Run v on this thread to its next ucall, which must be `cmd` (`what` names it). */
int ks_run_expect(struct ks_run *run, struct ks_vcpu *v, uint64_t cmd, const char *what);
/*
 * The main result's measured phase: vCPU 0's exit counts against `expect`
 * (NULL: no checks), the host perf counters, the progress line (n samples,
 * read from `samples` in guest memory, or NULL: counted by
 * ks_progress_advance). The end records the perf counters and the checks
 * for `ops` operations in the main result.
 */
void ks_run_phase_begin(struct ks_run *run, const struct ks_stat_expect *expect, uint64_t n,
			const volatile uint64_t *samples);
void ks_run_phase_end(struct ks_run *run, uint64_t ops);
/*
 * r's raw values and samples from `raw` (malloc'd; r owns it now, also on
 * failure): n counter readings of ops_per_raw operations each, signed, as
 * the results file documents them: sample = raw / hz * 1e9 / ops_per_raw.
 */
int ks_run_take_ticks(struct ks_run *run, struct ks_result *r, uint64_t *raw, size_t n,
		      uint64_t ops_per_raw);

/*
 * How the host waited for a guest that runs on a thread of its own: every
 * wait that ended with the answer, those longer than KS_WAIT_SLOW_NS (the
 * host thread or the vCPU was descheduled: a busy host), and the longest.
 */
#define KS_WAIT_SLOW_NS 1000000ULL              /* 1 ms */
struct ks_wait_stats {
	uint64_t waits, slow;
	uint64_t longest_ns;
};

/* A vCPU run on a thread of its own, pinned, to ucall `until` (0: it never
 * reports; the host stops it). Its wall-clock watchdog is a backstop of at
 * least KS_VCPU_THREAD_BACKSTOP_S, re-armed when the host sees progress
 * (ks_vcpu_thread_progress): the host's waits judge the guest on its own time
 * (ks_vcpu_thread_wait), which a busy host cannot fake. */
#define KS_VCPU_THREAD_BACKSTOP_S 60.0
struct ks_vcpu_thread {
	struct ks_ctx *c;
	struct ks_vcpu *v;
	int cpu;
	uint64_t until;
	pthread_t th;
	bool started;
	volatile int finished;
	volatile pid_t tid;      /* its thread id, once it runs (its state in messages) */
	clockid_t cpu_clock;     /* its CPU time (pthread_getcpuclockid) */
	bool has_cpu_clock;
	struct ks_wait_stats waits;
	uint64_t touched_ns;     /* the last ks_vcpu_thread_progress that re-armed */
	int rc;
	char err[KS_ERR_LEN];   /* the vCPU's error, when rc < 0 */
	char why[KS_ERR_LEN + 128];   /* why the last ks_vcpu_thread_wait gave up */
};
int ks_vcpu_thread_start(struct ks_run *run, struct ks_vcpu_thread *t, struct ks_vcpu *v,
			 int cpu, uint64_t until);
/* Wait for it (stopping it first if `stop`); its rc, with t->err. */
int ks_vcpu_thread_join(struct ks_vcpu_thread *t, bool stop);
/*
 * The host saw the guest on t make progress in shared memory (an answered
 * ping, an interrupt taken): its watchdog gets a fresh window, as a ucall
 * would give it, so a guest that works without ucalls for longer than the
 * watchdog (a long irqfd run on a busy host) is not mistaken for a hung one.
 * Re-arms at most every 100 ms (a syscall): call it between timed windows.
 */
void ks_vcpu_thread_progress(struct ks_vcpu_thread *t);

/*
 * Wait until the guest on t stores `want` at *p (an acquire: what the guest
 * stored before it is visible after). The deadline follows the guest's own
 * time, never the wall clock alone: on a busy host either thread may wait
 * seconds for a CPU (this 2-CPU PVM host starves a pinned spinning thread for
 * up to 4 s), which proves nothing about the guest. The wait gives up when
 * the vCPU thread ran KS_WAIT_CPU_NS of CPU time (at most --watchdog) without
 * answering: stuck; or was seen halted for KS_WAIT_ASLEEP_NS in all: nothing
 * woke it; or, without a CPU clock, after KS_WAIT_ASLEEP_NS of wall time.
 *
 * A lost wake-up is also caught at once: from the moment *awake >=
 * awake_from (awake NULL: from the start; awake_from UINT64_MAX: never), and
 * once the guest answered any earlier wait (it is up and running), the
 * guest has every reason to run, nothing left to wait for; a vCPU thread
 * found sleeping (halted) at two checks in a row, a millisecond or more
 * apart, lost its wake-up. A wake-up that is merely late (an injection
 * deferred to a kworker on a busy host) happens before that point.
 *
 * false, with t->why naming `what`, the time waited, the CPU the vCPU used
 * and its thread's state, also when the vCPU thread ended (its error) or on
 * SIGINT/SIGTERM.
 */
#define KS_WAIT_CPU_NS 1000000000ULL            /* 1 s of vCPU CPU time */
#define KS_WAIT_ASLEEP_NS 10000000000ULL        /* 10 s seen halted */
bool ks_vcpu_thread_wait(struct ks_vcpu_thread *t, const volatile uint64_t *p, uint64_t want,
			 const char *what, const volatile uint64_t *awake, uint64_t awake_from);

/* --- the batch runner (batch.c) ------------------------------------------- */
struct ks_batch_spec {
	uint64_t batch_size, batch_size_quick;
	uint64_t batches, batches_quick;
	bool need_irqchip;
	bool host_round_trips;    /* record per-exit round trips seen by the host */
	const char *mechanism;    /* recorded as the "mechanism" param; NULL: none */
	int (*setup)(struct ks_ctx *c, struct ks_session *s, struct ks_result *r);
	void (*teardown)(struct ks_session *s);
	/* after the run: validate/record guest-reported facts */
	int (*after)(struct ks_ctx *c, struct ks_session *s, struct ks_result *r);
	struct ks_stat_expect expect[KS_MAX_CHECKS];
};

int ks_run_batch(const struct ks_bench *b, struct ks_ctx *c);

/* --- host perf counters (perf_counters.c) ----------------------------------- */
/* Mark the measured phase: its counter deltas go to `r`. No-ops without c->perf. */
void ks_perf_phase_begin(struct ks_ctx *c);
void ks_perf_phase_end(struct ks_ctx *c, struct ks_result *r);
/* After a benchmark: results without a phase record get the whole benchmark's. */
void ks_perf_benchmark_end(struct ks_ctx *c, struct ks_result *first, size_t n);

/* --- host facts, environment (host.c, host_json.c) ------------------------- */
/* Everything about this host, once: the facts, the device (`device`, NULL:
 * automatic; ks_front_for), the backend. Also hands the facts to probe
 * discovery. */
void ks_host_probe(struct ks_host *h, const char *device);
/* `probe`: the facts discovery needs (files, the backend behind /dev/kvm), no VM. */
void ks_host_facts_for_discovery(void);
/* A capability as probed (ks_cap_names[] only); -1 if unknown. */
long ks_host_cap(const struct ks_host *h, long cap);
void ks_host_release(struct ks_host *h);

/* The host's environment into an open JSON object: arch, hostname, kernel,
 * cpu, backend, kvm (capabilities included), clock, memory, tracing. The
 * results file's "environment" and `kvmscope info --json` are both this. */
struct jw;
void ks_json_environment(struct jw *w, const struct ks_host *h);

/* --- results file --------------------------------------------------------- */
/* Write the results file at path atomically. Returns 0, or -1 with errno set
 * and err naming the file, the error and its symbol ("... (ENOSPC)"). */
int ks_results_write(const struct ks_results *r, const struct ks_host *h,
		     const struct ks_run_opts *o, const char *path, char *err, size_t errlen);

void ks_results_start(struct ks_results *r, int argc, char **argv);

#define KS_SCHEMA_VERSION 1

#endif
