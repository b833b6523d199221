/* SPDX-License-Identifier: MIT */
/*
 * report_env.c - the environment of each result set.  For one set the
 * fields that matter; for several, every field whose value differs (a
 * comparison is only as good as what else changed), after the ones that
 * always matter.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* Shown for every report, in this order, with a human name. */
static const struct {
	const char *path, *name;
} key_fields[] = {
	{ "backend.name", "backend" },
	{ "backend.detail", "backend evidence" },
	{ "backend.host_hypervisor", "host hypervisor" },
	{ "backend.guest_seen", "hypervisor seen by the guest" },
	{ "kernel.release", "kernel" },
	{ "kernel.cmdline", "kernel command line" },
	{ "cpu.model", "CPU" },
	{ "cpu.online", "CPUs online" },
	{ "cpu.max_freq_khz", "CPU max frequency (kHz)" },
	{ "clock.host_clocksource", "host clocksource" },
	{ "clock.host_tick_hz", "host counter (Hz)" },
	{ "clock.guest_tick_hz", "guest counter (Hz)" },
	{ "kvm.api_version", "KVM API version" },
	{ "kvm.parameters.halt_poll_ns", "kvm.halt_poll_ns" },
	{ "memory.thp_enabled", "transparent huge pages" },
	{ "hostname", "host name" },
};
#define NKEY (sizeof key_fields / sizeof key_fields[0])

/* Scalar at a dotted path as text; NULL when absent. */
static const char *scalar(const struct kj_value *v, char *buf, size_t len)
{
	if (!v)
		return NULL;
	switch (v->type) {
	case KJ_STR: return v->u.str.s;
	case KJ_NUM: snprintf(buf, len, "%.15g", v->u.num); return buf;
	case KJ_BOOL: return v->u.b ? "true" : "false";
	case KJ_NULL: return "null";
	default: return NULL;
	}
}

/* Every scalar leaf under v as "prefix.key" paths, appended to a list. */
struct paths {
	char **p;
	size_t n, cap;
};

static void add_path(struct paths *ps, const char *path)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i], path))
			return;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		char **np = realloc(ps->p, cap * sizeof(*np));
		if (!np)
			return;
		ps->p = np;
		ps->cap = cap;
	}
	if ((ps->p[ps->n] = strdup(path)))
		ps->n++;
}

static void leaves(const struct kj_value *v, const char *prefix, struct paths *ps, int depth)
{
	if (!v || depth > 8)
		return;
	if (v->type != KJ_OBJ) {
		if (v->type != KJ_ARR && v->type != KJ_NUMARR)
			add_path(ps, prefix);
		return;
	}
	for (size_t i = 0; i < v->u.obj.n; i++) {
		char p[512];
		/* keys with dots would make the path ambiguous: skip them */
		if (strchr(v->u.obj.m[i].key, '.'))
			continue;
		snprintf(p, sizeof p, "%s%s%s", prefix, *prefix ? "." : "", v->u.obj.m[i].key);
		leaves(&v->u.obj.m[i].val, p, ps, depth + 1);
	}
}

static void row(struct ks_rdoc *d, const char *name, const char *path, struct ks_resultset **sets,
		size_t n)
{
	const char *cells[17];
	char bufs[16][64];
	cells[0] = name;
	for (size_t i = 0; i < n && i < 16; i++) {
		const char *s = scalar(kj_path(sets[i]->env, path), bufs[i], sizeof bufs[i]);
		cells[i + 1] = s ? s : "-";
	}
	ks_rdoc_row(d, cells);
}

static int differs(const char *path, struct ks_resultset **sets, size_t n)
{
	char b0[64], b1[64];
	const char *first = scalar(kj_path(sets[0]->env, path), b0, sizeof b0);
	for (size_t i = 1; i < n; i++) {
		const char *s = scalar(kj_path(sets[i]->env, path), b1, sizeof b1);
		if ((first == NULL) != (s == NULL) || (first && strcmp(first, s)))
			return 1;
	}
	return 0;
}

void ks_section_env(struct ks_rdoc *d, struct ks_resultset **sets, size_t n)
{
	const char *hdr[17];
	char align[18];

	if (n > 16)
		n = 16;
	hdr[0] = "field";
	align[0] = 'l';
	for (size_t i = 0; i < n; i++) {
		hdr[i + 1] = sets[i]->label;
		align[i + 1] = 'l';
	}
	align[n + 1] = 0;

	ks_rdoc_heading(d, 1, "Environment");
	for (size_t i = 0; i < n; i++) {
		ks_rdoc_bullet(d, "%s: %s (%zu run%s, %s, kvmscope %s %s, run 1 started %s)",
			      sets[i]->label, sets[i]->path, sets[i]->nruns ? sets[i]->nruns : 1,
			      sets[i]->nruns > 1 ? "s" : "", sets[i]->complete ? "complete" : "INCOMPLETE",
			      sets[i]->tool_version ? sets[i]->tool_version : "?",
			      sets[i]->tool_commit ? sets[i]->tool_commit : "",
			      sets[i]->started ? sets[i]->started : "?");
		if (!sets[i]->complete)
			ks_rdoc_bullet(d, "%s is incomplete: %s", sets[i]->label,
				      sets[i]->incomplete_reason ? sets[i]->incomplete_reason : "no reason given");
	}
	ks_rdoc_table(d, (int)n + 1, align);
	ks_rdoc_row(d, hdr);
	for (size_t k = 0; k < NKEY; k++)
		row(d, key_fields[k].name, key_fields[k].path, sets, n);
	if (n < 2)
		return;

	/* every other field that differs, e.g. a KVM capability or a parameter */
	struct paths ps = { 0 };
	for (size_t i = 0; i < n; i++)
		leaves(sets[i]->env, "", &ps, 0);
	size_t shown = 0;
	for (size_t j = 0; j < ps.n; j++) {
		int is_key = 0;
		for (size_t k = 0; k < NKEY; k++)
			is_key |= !strcmp(ps.p[j], key_fields[k].path);
		if (is_key || !differs(ps.p[j], sets, n))
			continue;
		if (!shown++) {
			ks_rdoc_para(d, "Other environment fields that differ between the sets:");
			ks_rdoc_table(d, (int)n + 1, align);
			ks_rdoc_row(d, hdr);
		}
		row(d, ps.p[j], ps.p[j], sets, n);
	}
	if (!shown)
		ks_rdoc_para(d, "No other environment field differs between the sets.");
	for (size_t j = 0; j < ps.n; j++)
		free(ps.p[j]);
	free(ps.p);
}
