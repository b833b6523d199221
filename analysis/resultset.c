/* SPDX-License-Identifier: MIT */
/*
 * resultset.c - load a results file and validate it against schema v1.
 *
 * The validator checks what the analysis relies on, and names the first
 * field that is wrong.  It does not reject fields it does not know: newer
 * writers of the same schema version may add some.
 */
#include "resultset.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vctx {
	const char *path;
	char *err;
	size_t errlen;
};

static int bad(struct vctx *v, const struct kj_value *at, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(v->err, v->errlen, "%s: line %u: ", v->path, at ? at->line : 1);

	if (n >= 0 && (size_t)n < v->errlen) {
		va_start(ap, fmt);
		vsnprintf(v->err + n, v->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -1;
}

/* obj.key of the given type; NULL (and an error) when missing or mistyped. */
static const struct kj_value *need(struct vctx *v, const struct kj_value *obj, const char *where,
				   const char *key, enum kj_type t)
{
	const struct kj_value *x = kj_get(obj, key);

	if (!x) {
		bad(v, obj, "%s%s%s: missing", where, *where ? "." : "", key);
		return NULL;
	}
	/* an empty array is KJ_ARR; a number array may be either kind */
	if (x->type == t || (t == KJ_NUMARR && x->type == KJ_ARR && x->u.arr.n == 0))
		return x;
	if (t == KJ_NUMARR && x->type == KJ_ARR) {
		for (size_t i = 0; i < x->u.arr.n; i++)
			if (x->u.arr.v[i].type != KJ_NUM) {
				bad(v, &x->u.arr.v[i], "%s%s%s[%zu]: expected a number, found %s", where,
				    *where ? "." : "", key, i, kj_type_name(x->u.arr.v[i].type));
				return NULL;
			}
	}
	bad(v, x, "%s%s%s: expected %s, found %s", where, *where ? "." : "", key,
	    kj_type_name(t), kj_type_name(x->type));
	return NULL;
}

/* Optional string: NULL when absent or null, error when another type. */
static int opt_str(struct vctx *v, const struct kj_value *obj, const char *where,
		   const char *key, const char **out)
{
	const struct kj_value *x = kj_get(obj, key);

	*out = NULL;
	if (!x || x->type == KJ_NULL)
		return 0;
	if (x->type != KJ_STR)
		return bad(v, x, "%s.%s: expected a string, found %s", where, key,
			   kj_type_name(x->type));
	*out = x->u.str.s;
	return 0;
}

static double opt_num(const struct kj_value *obj, const char *key)
{
	const struct kj_value *x = kj_get(obj, key);
	return x && x->type == KJ_NUM ? x->u.num : 0;
}

static const char *const statuses[] = { "ok", "failed", "unsupported", "interrupted" };

static int load_bench(struct vctx *v, const struct kj_value *r, size_t idx, struct ks_rs_bench *b)
{
	char where[48];
	const struct kj_value *x;

	snprintf(where, sizeof where, "results[%zu]", idx);
	if (r->type != KJ_OBJ)
		return bad(v, r, "%s: expected an object, found %s", where, kj_type_name(r->type));
#define STR(field, key)                                        \
	do {                                                   \
		if (!(x = need(v, r, where, key, KJ_STR)))     \
			return -1;                             \
		b->field = x->u.str.s;                         \
	} while (0)
	STR(name, "name");
	if (!b->name[0] || strlen(b->name) > 128)
		return bad(v, kj_get(r, "name"), "%s.name: must be 1..128 characters", where);
	STR(family, "family");
	STR(status, "status");
	size_t s;
	for (s = 0; s < sizeof statuses / sizeof statuses[0]; s++)
		if (!strcmp(b->status, statuses[s]))
			break;
	if (s == sizeof statuses / sizeof statuses[0])
		return bad(v, kj_get(r, "status"),
			   "%s.status: \"%.40s\" is not one of ok, failed, unsupported, interrupted",
			   where, b->status);
	if (opt_str(v, r, where, "reason", &b->reason) || opt_str(v, r, where, "what", &b->what))
		return -1;
	if (!b->what)
		b->what = "";
	b->unit = "";
	if (opt_str(v, r, where, "unit", &b->unit))
		return -1;
	if (!b->unit)
		b->unit = "";

	b->params = kj_get(r, "params");
	if (b->params && b->params->type != KJ_OBJ)
		return bad(v, b->params, "%s.params: expected an object, found %s", where,
			   kj_type_name(b->params->type));

	x = kj_get(r, "metrics");
	if (x && x->type != KJ_OBJ)
		return bad(v, x, "%s.metrics: expected an object, found %s", where,
			   kj_type_name(x->type));
	if (x && x->u.obj.n) {
		b->metrics = calloc(x->u.obj.n, sizeof(*b->metrics));
		if (!b->metrics)
			return bad(v, x, "out of memory");
		for (size_t i = 0; i < x->u.obj.n; i++) {
			const struct kj_member *m = &x->u.obj.m[i];
			char mw[200];
			snprintf(mw, sizeof mw, "%s.metrics.%.100s", where, m->key);
			if (m->val.type != KJ_OBJ)
				return bad(v, &m->val, "%s: expected an object, found %s", mw,
					   kj_type_name(m->val.type));
			const struct kj_value *val = kj_get(&m->val, "value");
			if (!val || (val->type != KJ_NUM && val->type != KJ_NULL))
				return bad(v, &m->val, "%s.value: expected a number or null", mw);
			const char *unit = NULL;
			if (opt_str(v, &m->val, mw, "unit", &unit))
				return -1;
			b->metrics[b->nmetrics].key = m->key;
			b->metrics[b->nmetrics].unit = unit ? unit : "";
			b->metrics[b->nmetrics].value = val->type == KJ_NUM ? val->u.num : NAN;
			b->nmetrics++;
		}
	}

	b->probes = kj_get(r, "probes");
	if (b->probes && b->probes->type != KJ_ARR)
		return bad(v, b->probes, "%s.probes: expected an array, found %s", where,
			   kj_type_name(b->probes->type));
	b->perf = kj_get(r, "perf");
	if (b->perf && b->perf->type != KJ_OBJ)
		b->perf = NULL;

	if (strcmp(b->status, "ok"))
		return 0;  /* failed/unsupported/interrupted: no samples needed */
	if (!b->unit[0])
		return bad(v, r, "%s.unit: missing for a benchmark with status ok", where);
	if (!(x = need(v, r, where, "samples", KJ_NUMARR)))
		return -1;
	if (kj_len(x) == 0)
		return bad(v, x, "%s.samples: empty for a benchmark with status ok", where);
	b->samples = x->u.nums.v;
	b->n = x->u.nums.n;
	for (size_t i = 0; i < b->n; i++)
		if (!isfinite(b->samples[i]))
			return bad(v, x, "%s.samples[%zu]: not a finite number", where, i);
	/* Sorted in place: the report never needs the samples' order, and a
	 * copy of ten million samples would cost 80 MB and its page faults. */
	b->sorted = (double *)x->u.nums.v;
	b->sorted_borrowed = 1;
	ks_sort_doubles(b->sorted, b->n);
	if (ks_summarize_sorted(b->sorted, b->n, &b->sum) < 0)
		return bad(v, x, "%s.samples: cannot summarize", where);
	if (!(b->run_medians = malloc(sizeof(double))))
		return bad(v, x, "out of memory");
	b->run_medians[0] = b->sum.median;
	b->nruns = 1;
	return 0;
#undef STR
}

void ks_resultset_free(struct ks_resultset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->nb; i++) {
		if (!rs->runs)
			free(rs->b[i].metrics);  /* a pooled set borrows them from its runs */
		if (!rs->b[i].sorted_borrowed)
			free(rs->b[i].sorted);
		free(rs->b[i].run_medians);
	}
	free(rs->b);
	for (size_t i = 0; i < rs->nruns; i++)
		ks_resultset_free(rs->runs[i]);
	free(rs->runs);
	kj_free(rs->doc);
	free(rs->path);
	free(rs);
}

const char *ks_resultset_env(const struct ks_resultset *rs, const char *dotted)
{
	const struct kj_value *v = kj_path(rs->env, dotted);
	return v && v->type == KJ_STR ? v->u.str.s : NULL;
}

/* Validate a parsed document into rs (which owns doc from here on). */
static struct ks_resultset *from_doc(struct ks_resultset *rs, const char *path, char *err,
				     size_t errlen)
{
	struct vctx v = { .path = path, .err = err, .errlen = errlen };
	const struct kj_value *x, *root = rs->root;

	if (root->type != KJ_OBJ) {
		bad(&v, root, "top level: expected an object, found %s", kj_type_name(root->type));
		goto fail;
	}
	x = kj_get(root, "schema");
	if (!x || x->type != KJ_STR || strcmp(x->u.str.s, "kvmscope-results")) {
		bad(&v, x ? x : root, "schema: expected \"kvmscope-results\" (is this a kvmscope results file?)");
		goto fail;
	}
	if (!(x = need(&v, root, "", "schema_version", KJ_NUM)))
		goto fail;
	if (x->u.num != KS_RESULTS_SCHEMA_VERSION) {
		bad(&v, x, "schema_version: %g is not %d, the version this kvmscope reads%s",
		    x->u.num, KS_RESULTS_SCHEMA_VERSION,
		    x->u.num > KS_RESULTS_SCHEMA_VERSION ? " (written by a newer kvmscope?)" : "");
		goto fail;
	}
	if (!(x = need(&v, root, "", "complete", KJ_BOOL)))
		goto fail;
	rs->complete = x->u.b;
	if (opt_str(&v, root, "", "incomplete_reason", &rs->incomplete_reason))
		goto fail;

	x = kj_get(root, "tool");
	if (x && x->type == KJ_OBJ) {
		if (opt_str(&v, x, "tool", "version", &rs->tool_version) ||
		    opt_str(&v, x, "tool", "commit", &rs->tool_commit))
			goto fail;
	}
	x = kj_get(root, "run");
	if (x && x->type == KJ_OBJ && opt_str(&v, x, "run", "started", &rs->started))
		goto fail;

	if (!(rs->env = need(&v, root, "", "environment", KJ_OBJ)))
		goto fail;
	if (!(x = need(&v, rs->env, "environment", "arch", KJ_STR)))
		goto fail;
	rs->arch = x->u.str.s;
	if (!(x = need(&v, rs->env, "environment", "backend", KJ_OBJ)))
		goto fail;
	if (!(x = need(&v, x, "environment.backend", "name", KJ_STR)))
		goto fail;
	rs->backend = x->u.str.s;
	rs->kernel_release = ks_resultset_env(rs, "kernel.release");
	rs->hostname = ks_resultset_env(rs, "hostname");
	rs->cpu_model = ks_resultset_env(rs, "cpu.model");
	x = kj_get(rs->env, "clock");
	if (x) {
		rs->host_tick_hz = opt_num(x, "host_tick_hz");
		rs->guest_tick_hz = opt_num(x, "guest_tick_hz");
	}
	/* CPU clock for cycle figures: cpufreq's maximum if the writer recorded it,
	 * else the host counter's rate when that counter is the TSC (the nominal
	 * clock on every CPU with an invariant TSC).  arm64's counter (cntvct,
	 * e.g. 19.2 MHz) is not a CPU clock. */
	x = kj_get(kj_get(rs->env, "cpu"), "max_freq_khz");
	const struct kj_value *counter = kj_get(kj_get(rs->env, "clock"), "counter");
	if (x && x->type == KJ_NUM && x->u.num > 0) {
		rs->cpu_hz = x->u.num * 1e3;
		rs->cpu_hz_source = "cpufreq max";
	} else if (counter && counter->type == KJ_STR && !strcmp(counter->u.str.s, "tsc") &&
		   rs->host_tick_hz > 0) {
		rs->cpu_hz = rs->host_tick_hz;
		rs->cpu_hz_source = "TSC";
	}
	if (!rs->kernel_release)
		rs->kernel_release = "?";

	if (!(x = need(&v, root, "", "results", KJ_ARR)))
		goto fail;
	rs->b = calloc(x->u.arr.n ? x->u.arr.n : 1, sizeof(*rs->b));
	if (!rs->b) {
		bad(&v, x, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < x->u.arr.n; i++) {
		rs->nb = i + 1;
		if (load_bench(&v, &x->u.arr.v[i], i, &rs->b[i]) < 0)
			goto fail;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(rs->b[j].name, rs->b[i].name)) {
				bad(&v, &x->u.arr.v[i], "results[%zu].name: \"%.60s\" repeats results[%zu]",
				    i, rs->b[i].name, j);
				goto fail;
			}
	}
	return rs;
fail:
	ks_resultset_free(rs);
	return NULL;
}

struct ks_resultset *ks_resultset_load(const char *path, char *err, size_t errlen)
{
	struct ks_resultset *rs = calloc(1, sizeof(*rs));

	if (!rs || !(rs->path = strdup(path))) {
		free(rs);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	rs->doc = kj_parse_file(path, &rs->root, err, errlen);
	if (!rs->doc) {
		ks_resultset_free(rs);
		return NULL;
	}
	return from_doc(rs, path, err, errlen);
}

struct ks_resultset *ks_resultset_parse(const char *buf, size_t len, const char *name, char *err,
					size_t errlen)
{
	struct ks_resultset *rs = calloc(1, sizeof(*rs));
	char msg[512];

	if (!rs || !(rs->path = strdup(name))) {
		free(rs);
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	rs->doc = kj_parse(buf, len, &rs->root, msg, sizeof msg);
	if (!rs->doc) {
		snprintf(err, errlen, "%s: %s", name, msg);
		ks_resultset_free(rs);
		return NULL;
	}
	return from_doc(rs, name, err, errlen);
}

const struct ks_rs_bench *ks_resultset_find(const struct ks_resultset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nb; i++)
		if (!strcmp(rs->b[i].name, name))
			return &rs->b[i];
	return NULL;
}

const struct ks_rs_metric *ks_rs_metric(const struct ks_rs_bench *b, const char *key)
{
	for (size_t i = 0; i < b->nmetrics; i++)
		if (!strcmp(b->metrics[i].key, key))
			return &b->metrics[i];
	return NULL;
}

double ks_rs_param(const struct ks_rs_bench *b, const char *key)
{
	const struct kj_value *x = kj_get(b->params, key);
	return x && x->type == KJ_NUM ? x->u.num : NAN;
}

void ks_resultset_label_all(struct ks_resultset **sets, size_t n)
{
	char(*orig)[128] = calloc(n ? n : 1, sizeof(*orig));

	for (size_t i = 0; i < n; i++) {
		if (!sets[i]->label[0])
			snprintf(sets[i]->label, sizeof sets[i]->label, "%.40s %.60s",
				 sets[i]->backend, sets[i]->kernel_release);
		if (orig)
			memcpy(orig[i], sets[i]->label, sizeof orig[i]);
	}
	/* the same label twice (an A/A comparison): number the repeats */
	for (size_t i = 1; orig && i < n; i++) {
		int k = 1;
		for (size_t j = 0; j < i; j++)
			k += !strcmp(orig[i], orig[j]);
		if (k > 1)
			snprintf(sets[i]->label, sizeof sets[i]->label, "%.110s #%d", orig[i], k);
	}
	free(orig);
}

/* Pool benchmark `name` over the runs into out (template: first ok instance). */
static int pool_bench(struct ks_resultset **runs, size_t k, const char *name,
		      struct ks_rs_bench *out)
{
	const struct ks_rs_bench *tmpl = NULL;
	size_t total = 0, nok = 0;

	for (size_t r = 0; r < k; r++) {
		const struct ks_rs_bench *b = ks_resultset_find(runs[r], name);
		if (!b)
			continue;
		if (!tmpl || (strcmp(tmpl->status, "ok") && !strcmp(b->status, "ok")))
			tmpl = b;
		if (!strcmp(b->status, "ok")) {
			total += b->n;
			nok++;
		}
	}
	*out = *tmpl;
	out->sorted = NULL;
	out->sorted_borrowed = 0;
	out->run_medians = NULL;
	out->nruns = 0;
	if (!nok)
		return 0;
	out->sorted = malloc(total * sizeof(double));
	out->run_medians = malloc(nok * sizeof(double));
	if (!out->sorted || !out->run_medians)
		return -1;
	size_t at = 0;
	for (size_t r = 0; r < k; r++) {
		const struct ks_rs_bench *b = ks_resultset_find(runs[r], name);
		if (!b || strcmp(b->status, "ok"))
			continue;
		memcpy(out->sorted + at, b->sorted, b->n * sizeof(double));
		at += b->n;
		out->run_medians[out->nruns++] = b->sum.median;
	}
	ks_sort_doubles(out->sorted, total);
	out->samples = out->sorted;
	out->n = total;
	return ks_summarize_sorted(out->sorted, total, &out->sum);
}

struct ks_resultset *ks_resultset_pool(struct ks_resultset **runs, size_t k, char *err,
				       size_t errlen)
{
	struct ks_resultset *rs = NULL;
	size_t cap = 0, plen = 0;

	if (!runs || !k) {
		snprintf(err, errlen, "no runs to pool");
		free(runs);
		return NULL;
	}
	for (size_t r = 0; r < k; r++) {
		plen += strlen(runs[r]->path) + 1;
		if (r && (strcmp(runs[r]->backend, runs[0]->backend) ||
			  strcmp(runs[r]->kernel_release, runs[0]->kernel_release) ||
			  strcmp(runs[r]->arch, runs[0]->arch))) {
			snprintf(err, errlen,
				 "%s: environment.backend.name/kernel.release (%.40s %.60s) differ from "
				 "%s (%.40s %.60s): runs of one set must be one configuration",
				 runs[r]->path, runs[r]->backend, runs[r]->kernel_release, runs[0]->path,
				 runs[0]->backend, runs[0]->kernel_release);
			goto fail;
		}
	}
	if (k == 1) {
		rs = runs[0];
		free(runs);
		return rs;
	}
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		goto oom;
	/* everything but the benchmarks describes run 1 */
	*rs = *runs[0];
	rs->doc = NULL;
	rs->b = NULL;
	rs->nb = 0;
	rs->runs = runs;
	rs->nruns = k;
	rs->path = malloc(plen);
	if (!rs->path)
		goto oom;
	rs->path[0] = 0;
	for (size_t r = 0; r < k; r++) {
		strcat(rs->path, runs[r]->path);
		if (r + 1 < k)
			strcat(rs->path, ",");
	}
	for (size_t r = 0; r < k; r++)
		rs->complete = rs->complete && runs[r]->complete;
	for (size_t r = 0; r < k; r++)
		cap += runs[r]->nb;
	rs->b = calloc(cap ? cap : 1, sizeof(*rs->b));
	if (!rs->b)
		goto oom;
	for (size_t r = 0; r < k; r++)
		for (size_t i = 0; i < runs[r]->nb; i++) {
			if (ks_resultset_find(rs, runs[r]->b[i].name))
				continue;
			if (pool_bench(runs, k, runs[r]->b[i].name, &rs->b[rs->nb++]) < 0)
				goto oom;
		}
	return rs;
oom:
	snprintf(err, errlen, "out of memory pooling %zu runs", k);
fail:
	if (rs && rs->runs) {
		ks_resultset_free(rs);
		return NULL;
	}
	free(rs);
	for (size_t r = 0; r < k; r++)
		ks_resultset_free(runs[r]);
	free(runs);
	return NULL;
}

struct ks_resultset *ks_resultset_load_runs(const char *const *paths, size_t k, char *err,
					    size_t errlen)
{
	struct ks_resultset **runs = calloc(k ? k : 1, sizeof(*runs));

	if (!runs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t r = 0; r < k; r++)
		if (!(runs[r] = ks_resultset_load(paths[r], err, errlen))) {
			for (size_t q = 0; q < r; q++)
				ks_resultset_free(runs[q]);
			free(runs);
			return NULL;
		}
	return ks_resultset_pool(runs, k, err, errlen);
}
