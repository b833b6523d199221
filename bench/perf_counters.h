/* SPDX-License-Identifier: MIT */
/*
 * Host perf counters (perf_event_open) around each benchmark.
 *
 * cmd_run opens one set per benchmark, before the benchmark creates its VM
 * and threads: the counters follow the calling thread and, with `inherit`,
 * every thread it starts afterwards (the irqfd and IPI benchmarks run their
 * vCPUs on threads of their own). A benchmark marks its measured phase with
 * ks_perf_phase_begin/end; the values stored are the difference of two
 * reads, so nothing has to be reset on live counters. A benchmark that marks
 * no phase gets the whole benchmark (VM creation and warm-up included),
 * and its record says so (`scope`).
 *
 * A counter the machine cannot count is not an error: it is recorded as
 * unsupported with the exact reason (errno name, and what it means here).
 */
#ifndef KS_PERF_COUNTERS_H
#define KS_PERF_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ks_perf_id {
	KS_PERF_CYCLES,
	KS_PERF_INSTRUCTIONS,
	KS_PERF_CYCLES_GUEST,        /* exclude_host: only while the vCPU is in guest mode */
	KS_PERF_CYCLES_HOST,         /* exclude_guest: everything but guest mode */
	KS_PERF_INSTRUCTIONS_GUEST,
	KS_PERF_INSTRUCTIONS_HOST,
	KS_PERF_CONTEXT_SWITCHES,    /* software event: always there */
	KS_PERF_TASK_CLOCK,          /* software event, ns on CPU */
	KS_PERF_N
};

struct ks_perf_def {
	const char *name;            /* the key in the results file */
	const char *unit;
	bool hardware;
	uint64_t config;             /* PERF_COUNT_HW_* or PERF_COUNT_SW_* */
	bool exclude_host, exclude_guest;
};
extern const struct ks_perf_def ks_perf_defs[KS_PERF_N];

#define KS_PERF_WHY_LEN 256

/* One counter over one phase, as stored in a result. */
struct ks_perf_value {
	bool supported;
	uint64_t value;              /* scaled up when the counter was multiplexed */
	double running;              /* fraction of the phase it was on the PMU (1: always) */
	char why[KS_PERF_WHY_LEN];   /* !supported: the exact reason */
};

struct ks_perf_record {
	bool valid;                  /* counters were opened for this result */
	char scope[16];              /* "measured_phase" or "benchmark" */
	struct ks_perf_value c[KS_PERF_N];
};

struct ks_perf_reading {
	uint64_t value[KS_PERF_N], enabled[KS_PERF_N], running[KS_PERF_N];
	bool ok[KS_PERF_N];
};

struct ks_perf_set {
	int fd[KS_PERF_N];
	char why[KS_PERF_N][KS_PERF_WHY_LEN];
	struct ks_perf_reading at_open, at_phase;
	bool in_phase;
};

/* Open every counter (those that fail keep their reason); never fails. */
void ks_perf_open(struct ks_perf_set *s);
void ks_perf_read(const struct ks_perf_set *s, struct ks_perf_reading *rd);
/* What happened between two reads, into `out` (scope copied). */
void ks_perf_diff(const struct ks_perf_set *s, const struct ks_perf_reading *a,
		  const struct ks_perf_reading *b, const char *scope, struct ks_perf_record *out);
void ks_perf_close(struct ks_perf_set *s);

/* "perf_event_open(cycles): ENOENT (No such file or directory) — <meaning>";
 * `pmu`: another hardware counter could be opened (so the PMU exists). */
void ks_perf_explain(char *buf, size_t len, const struct ks_perf_def *d, int err, bool pmu);

#endif
