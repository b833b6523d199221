/* SPDX-License-Identifier: MIT */
/*
 * The results file: one JSON document per run (schema: results/README.md).
 * Written atomically (temp file + rename), so a reader never sees half a
 * file and an interrupted run leaves the last complete snapshot.
 */
#define _GNU_SOURCE   /* strerrorname_np: errors name ENOSPC, not just its text */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "bench.h"
#include "fault_inject.h"
#include "soak.h"
#include "json_writer.h"

#ifndef KVMSCOPE_VERSION
#define KVMSCOPE_VERSION "0.0.0"
#endif
#ifndef KVMSCOPE_GIT
#define KVMSCOPE_GIT "unknown"
#endif

static void iso_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double realtime_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_summary(jw_t *w, const struct ks_summary *s)
{
	jw_key(w, "summary");
	jw_begin_object(w);
	jw_kv_uint(w, "n", s->n);
	jw_kv_double(w, "min", s->min);
	jw_kv_double(w, "median", s->median);
	jw_kv_double(w, "mean", s->mean);
	jw_kv_double(w, "stddev", s->stddev);
	jw_kv_double(w, "mad", s->mad);
	jw_kv_double(w, "p90", s->p90);
	jw_kv_double(w, "p99", s->p99);
	jw_kv_double(w, "p999", s->p999);
	jw_kv_double(w, "max", s->max);
	jw_end_object(w);
}

static void write_probe(jw_t *w, const struct ks_result_probe *p)
{
	const struct ks_probe_snapshot *s = &p->snap;

	jw_begin_object(w);
	jw_kv_string(w, "probe", p->probe);
	jw_kv_string(w, "backend", p->backend);
	jw_kv_string(w, "events", p->events);
	jw_kv_uint(w, "events_seen", s->events);
	jw_kv_uint(w, "lost", s->lost);
	jw_kv_uint(w, "unpaired", s->unpaired);
	if (!strcmp(p->probe, "irqfd"))
		jw_kv_uint(w, "out_of_order", s->out_of_order);
	jw_key(w, "keys");
	jw_begin_array(w);
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct ks_probe_key_stats *k = &s->keys[i];
		jw_begin_object(w);
		jw_kv_string(w, "key", k->key);
		jw_kv_uint(w, "count", k->count);
		jw_kv_uint(w, "sum_ns", k->sum_ns);
		jw_kv_uint(w, "min_ns", k->count ? k->min_ns : 0);
		jw_kv_uint(w, "max_ns", k->max_ns);
		jw_kv_double(w, "mean_ns", k->count ? (double)k->sum_ns / (double)k->count : 0);
		jw_kv_uint(w, "p50_ns_upper", ks_probe_quantile(k, 0.5));
		jw_kv_uint(w, "p99_ns_upper", ks_probe_quantile(k, 0.99));
		/* log2 buckets: hist[i] counts spans in [2^i, 2^(i+1)) ns */
		jw_key(w, "log2_hist");
		jw_begin_array(w);
		for (int b = 0; b < KS_HIST_SLOTS; b++)
			jw_uint(w, k->hist[b]);
		jw_end_array(w);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_end_object(w);
}

/* Each counter: its value over `scope`, or exactly why it could not count. */
static void write_perf(jw_t *w, const struct ks_perf_record *p)
{
	jw_key(w, "perf");
	jw_begin_object(w);
	for (int i = 0; i < KS_PERF_N; i++) {
		const struct ks_perf_value *v = &p->c[i];
		jw_key(w, ks_perf_defs[i].name);
		jw_begin_object(w);
		if (v->supported) {
			jw_kv_uint(w, "value", v->value);
			jw_kv_string(w, "unit", ks_perf_defs[i].unit);
			jw_kv_string(w, "scope", p->scope);
			if (v->running < 1)   /* multiplexed: value was scaled up */
				jw_kv_double(w, "running", v->running);
		} else {
			jw_kv_string(w, "unsupported", v->why);
		}
		jw_end_object(w);
	}
	jw_end_object(w);
}

static void write_result(jw_t *w, const struct ks_result *r)
{
	jw_begin_object(w);
	jw_kv_string(w, "name", r->name);
	jw_kv_string(w, "family", r->family);
	jw_kv_string(w, "status", r->status);
	if (r->reason[0])
		jw_kv_string(w, "reason", r->reason);
	jw_kv_string(w, "what", r->what);
	jw_kv_string(w, "unit", r->unit);
	jw_kv_double(w, "seconds", r->seconds);
	jw_key(w, "params");
	jw_begin_object(w);
	for (int i = 0; i < r->nparams; i++) {
		if (r->params[i].is_num)
			jw_kv_double(w, r->params[i].key, r->params[i].nval);
		else
			jw_kv_string(w, r->params[i].key, r->params[i].sval);
	}
	jw_end_object(w);
	jw_key(w, "metrics");
	jw_begin_object(w);
	for (int i = 0; i < r->nmetrics; i++) {
		jw_key(w, r->metrics[i].key);
		jw_begin_object(w);
		jw_kv_double(w, "value", r->metrics[i].value);
		jw_kv_string(w, "unit", r->metrics[i].unit);
		jw_end_object(w);
	}
	jw_end_object(w);
	if (r->has_summary)
		write_summary(w, &r->summary);
	jw_key(w, "samples");
	jw_double_array(w, r->samples, r->nsamples);
	if (r->nraw) {
		jw_key(w, "raw");
		jw_begin_object(w);
		jw_kv_string(w, "unit", "ticks");
		jw_kv_uint(w, "tick_hz", r->tick_hz);
		jw_kv_uint(w, "ops_per_value", r->ops_per_raw);
		jw_key(w, "values");
		jw_begin_array(w);
		for (size_t i = 0; i < r->nraw; i++)
			jw_int(w, (int64_t)r->raw_ticks[i]);  /* irqfd one-way may be < 0 */
		jw_end_array(w);
		jw_end_object(w);
	}
	if (r->host_ns_per_op >= 0 || r->nhost) {
		jw_key(w, "host");
		jw_begin_object(w);
		if (r->host_ns_per_op >= 0)
			jw_kv_double(w, "ns_per_op", r->host_ns_per_op);
		if (r->nhost) {
			jw_key(w, "round_trip_ns");
			jw_double_array(w, r->host_samples, r->nhost);
		}
		jw_end_object(w);
	}
	if (r->has_tally) {
		/* every exit kvmscope's run loop serviced during the benchmark */
		jw_key(w, "host_exits");
		jw_begin_object(w);
		jw_kv_uint(w, "kvm_run_calls", r->tally.runs);
		jw_kv_uint(w, "pio_user", r->tally.pio_user);
		jw_kv_uint(w, "mmio_user", r->tally.mmio_user);
		jw_kv_uint(w, "ucalls", r->tally.ucalls);
		jw_kv_uint(w, "eintr", r->tally.eintr);
		jw_kv_uint(w, "eagain", r->tally.eagain);
		jw_end_object(w);
	}
	if (r->nvcpu_stats) {
		/* KVM's own counters for the whole benchmark (warm-up included) */
		jw_key(w, "vcpu_stats");
		jw_begin_object(w);
		for (int i = 0; i < r->nvcpu_stats; i++)
			jw_kv_uint(w, r->vcpu_stats[i].name, r->vcpu_stats[i].value);
		jw_end_object(w);
	}
	if (r->precision.has) {
		/* the 95 % CI of the median the samples reached, and why sampling stopped */
		const struct ks_result_precision *p = &r->precision;
		jw_key(w, "precision");
		jw_begin_object(w);
		jw_kv_double(w, "target_pct", 100 * p->target);
		jw_kv_double(w, "ci_low", p->lo);     /* null: too few samples for a CI */
		jw_kv_double(w, "ci_high", p->hi);
		jw_kv_double(w, "half_width_pct", 100 * p->half);
		jw_kv_string(w, "stop", p->stop);
		if (p->why[0])
			jw_kv_string(w, "why", p->why);
		jw_kv_uint(w, "rounds", p->rounds);
		jw_kv_double(w, "sampling_s", p->sampling_s);
		jw_end_object(w);
	}
	if (r->perf.valid)
		write_perf(w, &r->perf);
	if (r->nprobes) {
		jw_key(w, "probes");
		jw_begin_array(w);
		for (int p = 0; p < r->nprobes; p++)
			write_probe(w, &r->probes[p]);
		jw_end_array(w);
	}
	jw_key(w, "exit_checks");
	jw_begin_array(w);
	for (int i = 0; i < r->nchecks; i++) {
		const struct ks_exit_check *c = &r->checks[i];
		jw_begin_object(w);
		jw_kv_string(w, "stat", c->stat);
		jw_kv_uint(w, "expected", c->expected);
		jw_kv_uint(w, "observed", c->observed);
		jw_kv_string(w, "verdict", c->verdict);
		if (c->note[0])
			jw_kv_string(w, "note", c->note);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_end_object(w);
}

int ks_results_write(const struct ks_results *rs, const struct ks_host *h,
		     const struct ks_run_opts *o, const char *path, char *err, size_t errlen)
{
	struct ks_atomic_file af;
	char now[40];
	double t = realtime_s();

	if (ks_atomic_open(&af, path) < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create a temporary file next to %s: %s (%s)", path,
			 strerror(e), strerrorname_np(e) ?: "?");
		errno = e;
		return -1;
	}
	jw_t *w = jw_new(af.f, 1);
	jw_begin_object(w);
	jw_kv_string(w, "schema", "kvmscope-results");
	jw_kv_int(w, "schema_version", KS_SCHEMA_VERSION);
	jw_kv_bool(w, "complete", rs->complete);
	if (rs->complete)
		jw_kv_null(w, "incomplete_reason");
	else
		jw_kv_string(w, "incomplete_reason", rs->incomplete_reason);
	jw_key(w, "tool");
	jw_begin_object(w);
	jw_kv_string(w, "name", "kvmscope");
	jw_kv_string(w, "version", KVMSCOPE_VERSION);
	jw_kv_string(w, "commit", KVMSCOPE_GIT);
	jw_end_object(w);

	jw_key(w, "run");
	jw_begin_object(w);
	jw_kv_string(w, "started", rs->started);
	iso_time(t, now, sizeof(now));
	jw_kv_string(w, "written", now);
	jw_kv_double(w, "duration_s", t - rs->started_s);
	jw_key(w, "argv");
	jw_begin_array(w);
	for (int i = 0; i < rs->argc; i++)
		jw_string(w, rs->argv[i]);
	jw_end_array(w);
	jw_kv_bool(w, "quick", o->quick);
	if (o->cpu >= 0)
		jw_kv_int(w, "cpu", o->cpu);
	else
		jw_kv_null(w, "cpu");
	jw_kv_uint(w, "samples_override", o->samples);
	jw_kv_double(w, "precision_pct", o->precision);   /* 0: fixed samples */
	jw_kv_double(w, "max_time_s", o->max_time_s);
	jw_kv_double(w, "watchdog_s", o->watchdog_s);
	jw_kv_bool(w, "perf_counters", !o->no_perf);
	/* a run the KVMSCOPE_FAULT test hook tampered with says so */
	if (ks_fault_spec())
		jw_kv_string(w, "fault_injection", ks_fault_spec());
	jw_end_object(w);

	jw_key(w, "environment");
	jw_begin_object(w);
	ks_json_environment(w, h);
	jw_end_object(w);

	if (rs->soak)
		ks_soak_write_json(w, rs->soak);

	jw_key(w, "results");
	jw_begin_array(w);
	for (size_t i = 0; i < rs->n; i++)
		write_result(w, &rs->items[i]);
	jw_end_array(w);
	jw_end_object(w);
	/* test hook: a signal while the temporary file is written, not yet renamed */
	ks_fault_point("results_write");
	if (jw_finish(w) < 0) {   /* errno: the write's (ENOSPC...), EINVAL for a writer bug */
		int e = errno;
		snprintf(err, errlen, "writing %s failed: %s (%s)", path, strerror(e),
			 strerrorname_np(e) ?: "?");
		ks_atomic_abort(&af);
		errno = e;
		return -1;
	}
	if (ks_atomic_commit(&af) < 0) {   /* fsync, close or rename */
		int e = errno;
		snprintf(err, errlen, "writing %s failed: %s (%s)", path, strerror(e),
			 strerrorname_np(e) ?: "?");
		errno = e;
		return -1;
	}
	return 0;
}

void ks_results_start(struct ks_results *rs, int argc, char **argv)
{
	rs->started_s = realtime_s();
	iso_time(rs->started_s, rs->started, sizeof(rs->started));
	rs->argc = argc;
	rs->argv = argv;
}
