/* SPDX-License-Identifier: MIT */
/* In-memory results: one entry per measured quantity. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct ks_result *ks_result_add(struct ks_results *rs, const char *name, const char *family,
				const char *unit)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct ks_result *it = realloc(rs->items, cap * sizeof(*it));
		if (!it)
			return NULL;
		rs->items = it;
		rs->cap = cap;
	}
	struct ks_result *r = &rs->items[rs->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->family, sizeof(r->family), "%s", family);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	snprintf(r->status, sizeof(r->status), "ok");
	r->host_ns_per_op = -1;
	return r;
}

void ks_result_param_num(struct ks_result *r, const char *key, double v)
{
	if (r->nparams >= KS_MAX_PARAMS)
		return;
	struct ks_param *p = &r->params[r->nparams++];
	snprintf(p->key, sizeof(p->key), "%s", key);
	p->nval = v;
	p->is_num = true;
}

void ks_result_param_str(struct ks_result *r, const char *key, const char *v)
{
	if (r->nparams >= KS_MAX_PARAMS)
		return;
	struct ks_param *p = &r->params[r->nparams++];
	snprintf(p->key, sizeof(p->key), "%s", key);
	snprintf(p->sval, sizeof(p->sval), "%s", v);
	p->is_num = false;
}

void ks_result_metric(struct ks_result *r, const char *key, const char *unit, double v)
{
	if (r->nmetrics >= KS_MAX_METRICS)
		return;
	struct ks_metric *m = &r->metrics[r->nmetrics++];
	snprintf(m->key, sizeof(m->key), "%s", key);
	snprintf(m->unit, sizeof(m->unit), "%s", unit);
	m->value = v;
}

int ks_result_set_samples(struct ks_result *r, double *samples, size_t n)
{
	free(r->samples);
	r->samples = samples;
	r->nsamples = n;
	r->has_summary = n > 0 && ks_summarize(samples, n, &r->summary) == 0;
	return r->has_summary ? 0 : -1;
}

void ks_result_set_precision(struct ks_result *r, const struct ks_precision *p)
{
	struct ks_result_precision *rp = &r->precision;
	struct ks_ci ci;

	memset(rp, 0, sizeof(*rp));
	if (strcmp(r->status, "ok") || !r->nsamples)
		return;
	ks_precision_ci(r->samples, r->nsamples, &ci);
	rp->has = true;
	rp->target = p->target;
	rp->lo = ci.lo;
	rp->hi = ci.hi;
	rp->half = ci.half;
	rp->rounds = p->rounds;
	rp->sampling_s = (double)p->elapsed_ns / 1e9;
	/* a benchmark that does not sample adaptively took what it was given */
	enum ks_stop stop = p->stop == KS_STOP_NONE ? KS_STOP_FIXED : p->stop;
	if (p->target > 0 && ci.half <= p->target)
		stop = KS_STOP_TARGET;   /* this one made it, whatever stopped the others */
	snprintf(rp->stop, sizeof(rp->stop), "%s", ks_stop_name(stop));
	if (p->target > 0 && stop != KS_STOP_TARGET)
		ks_precision_why(p, r->samples, r->nsamples, p->elapsed_ns, rp->why, sizeof(rp->why));
}

void ks_result_fail(struct ks_result *r, const char *status, const char *fmt, ...)
{
	va_list ap;

	snprintf(r->status, sizeof(r->status), "%s", status);
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

void ks_results_free(struct ks_results *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->items[i].samples);
		free(rs->items[i].raw_ticks);
		free(rs->items[i].host_samples);
		for (int k = 0; k < rs->items[i].nprobes; k++)
			ks_probe_snapshot_free(&rs->items[i].probes[k].snap);
	}
	free(rs->items);
	rs->items = NULL;
	rs->n = rs->cap = 0;
}
