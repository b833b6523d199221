/* SPDX-License-Identifier: MIT */
/* `run --soak N`: resource samples and median series (soak.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "probe.h"   /* ks_tracefs_locate */
#include "soak.h"
#include "stats.h"

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ks_soak_init(struct ks_soak *s, unsigned iterations)
{
	memset(s, 0, sizeof(*s));
	s->iterations = iterations;
	s->t0 = mono_s();
	s->samples = calloc(iterations + 1, sizeof(*s->samples));
	return s->samples ? 0 : -1;
}

void ks_soak_free(struct ks_soak *s)
{
	for (size_t i = 0; i < s->nseries; i++)
		free(s->series[i].medians);
	free(s->series);
	free(s->samples);
	memset(s, 0, sizeof(*s));
}

static long vm_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6)) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

/* Anyone's instances: a leaked one of ours shows up as growth. */
static long tracefs_instances(void)
{
	char dir[PATH_MAX], p[PATH_MAX + 16];

	if (ks_tracefs_locate(dir, sizeof(dir)) < 0)
		return -1;   /* tracefs not mounted (or not ours to read) */
	snprintf(p, sizeof(p), "%s/instances", dir);
	DIR *d = opendir(p);
	if (!d)
		return -1;
	long n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

void ks_soak_read_self(struct ks_soak_sample *x)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	x->fds = x->bpf_progs = x->bpf_maps = x->bpf_links = x->btf = x->perf_events = 0;
	if (!d) {
		x->fds = x->bpf_progs = x->bpf_maps = x->bpf_links = x->btf = x->perf_events = -1;
	} else {
		int self = dirfd(d);
		while ((e = readdir(d))) {
			char link[128];
			if (e->d_name[0] == '.' || atoi(e->d_name) == self)
				continue;
			x->fds++;
			ssize_t n = readlinkat(self, e->d_name, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			/* the anon inode names the kernel gives each kind of fd */
			if (!strcmp(link, "anon_inode:bpf-prog"))
				x->bpf_progs++;
			else if (!strcmp(link, "anon_inode:bpf-map"))
				x->bpf_maps++;
			else if (!strcmp(link, "anon_inode:bpf_link") ||
				 !strcmp(link, "anon_inode:bpf-link"))
				x->bpf_links++;
			else if (!strcmp(link, "anon_inode:btf"))
				x->btf++;
			else if (!strcmp(link, "anon_inode:[perf_event]"))
				x->perf_events++;
		}
		closedir(d);
	}
	x->rss_kib = vm_rss_kib();
	x->tracefs_instances = tracefs_instances();
}

int ks_soak_sample(struct ks_soak *s, unsigned iteration)
{
	if (s->nsamples > s->iterations)
		return -1;
	struct ks_soak_sample *x = &s->samples[s->nsamples++];
	x->iteration = iteration;
	x->seconds = mono_s() - s->t0;
	ks_soak_read_self(x);
	return 0;
}

static struct ks_soak_series *series_get(struct ks_soak *s, const char *name, const char *unit)
{
	for (size_t i = 0; i < s->nseries; i++)
		if (!strcmp(s->series[i].name, name))
			return &s->series[i];
	struct ks_soak_series *n = realloc(s->series, (s->nseries + 1) * sizeof(*n));
	if (!n)
		return NULL;
	s->series = n;
	struct ks_soak_series *x = &n[s->nseries];
	memset(x, 0, sizeof(*x));
	x->medians = malloc(s->iterations * sizeof(double));
	if (!x->medians)
		return NULL;
	for (unsigned i = 0; i < s->iterations; i++)
		x->medians[i] = NAN;
	snprintf(x->name, sizeof(x->name), "%s", name);
	snprintf(x->unit, sizeof(x->unit), "%s", unit);
	s->nseries++;
	return x;
}

int ks_soak_add_medians(struct ks_soak *s, unsigned iteration, const struct ks_results *rs)
{
	if (iteration < 1 || iteration > s->iterations)
		return -1;
	for (size_t i = 0; i < rs->n; i++) {
		const struct ks_result *r = &rs->items[i];
		if (strcmp(r->status, "ok") || !r->has_summary)
			continue;
		struct ks_soak_series *x = series_get(s, r->name, r->unit);
		if (!x)
			return -1;
		x->medians[iteration - 1] = r->summary.median;
	}
	s->done = iteration;
	return 0;
}

/* Over the iterations where it ran, the medians' own figures. Spread is
 * (max - min) / median; under a noisy host one bad iteration makes it large,
 * so the robust CV (1.4826 MAD / median) and the drift (median of the second
 * half of the iterations against the first half) say whether they wander. */
struct series_fig {
	size_t n;
	double median, min, max, spread_pct, rcv_pct, drift_pct;
};

static double median_of(double *v, size_t n)
{
	ks_sort_doubles(v, n);
	return ks_quantile_sorted(v, n, 0.5);
}

static struct series_fig series_stats(const struct ks_soak *s, const struct ks_soak_series *x)
{
	struct series_fig f = { 0, NAN, NAN, NAN, NAN, NAN, NAN };
	double *v = malloc((s->done ? s->done : 1) * sizeof(double) * 2);

	if (!v)
		return f;
	double *tmp = v + (s->done ? s->done : 1);
	for (unsigned i = 0; i < s->done; i++)
		if (!isnan(x->medians[i]))
			v[f.n++] = x->medians[i];
	if (f.n) {
		size_t h = f.n / 2;
		if (h >= 1) {   /* halves in iteration order, before v is sorted */
			memcpy(tmp, v, h * sizeof(double));
			double a = median_of(tmp, h);
			memcpy(tmp, v + h, (f.n - h) * sizeof(double));
			double b = median_of(tmp, f.n - h);
			f.drift_pct = a > 0 ? 100.0 * (b - a) / a : NAN;
		}
		f.median = median_of(v, f.n);
		f.min = v[0];
		f.max = v[f.n - 1];
		for (size_t i = 0; i < f.n; i++)
			tmp[i] = fabs(v[i] - f.median);
		double mad = median_of(tmp, f.n);
		if (f.median > 0) {
			f.spread_pct = 100.0 * (f.max - f.min) / f.median;
			f.rcv_pct = 100.0 * 1.4826 * mad / f.median;
		}
	}
	free(v);
	return f;
}

/* The sample after the first iteration: the warm baseline growth is measured from
 * (the first iteration loads what stays loaded: libbpf's BTF, allocator arenas). */
static const struct ks_soak_sample *warm(const struct ks_soak *s)
{
	return s->nsamples > 1 ? &s->samples[1] : s->nsamples ? &s->samples[0] : NULL;
}

static long bpf_objects(const struct ks_soak_sample *x)
{
	return x->bpf_progs + x->bpf_maps + x->bpf_links + x->btf;
}

void ks_soak_print(FILE *f, const struct ks_soak *s)
{
	const struct ks_soak_sample *b = s->nsamples ? &s->samples[0] : NULL, *w = warm(s);
	const struct ks_soak_sample *l = s->nsamples ? &s->samples[s->nsamples - 1] : NULL;

	fprintf(f, "soak: %u of %u iterations in %.1f s\n", s->done, s->iterations,
		l ? l->seconds : 0.0);
	if (!b)
		return;
	fprintf(f, "soak: %-22s %10s %10s %10s %10s\n", "held by kvmscope", "before", "after #1",
		"last", "last-#1");
#define ROW(label, expr)                                                                      \
	do {                                                                                  \
		const struct ks_soak_sample *x_;                                              \
		long v_[3];                                                                   \
		x_ = b; v_[0] = (expr);                                                       \
		x_ = w; v_[1] = (expr);                                                       \
		x_ = l; v_[2] = (expr);                                                       \
		fprintf(f, "soak: %-22s %10ld %10ld %10ld %+10ld\n", label, v_[0], v_[1], v_[2],    \
			v_[2] - v_[1]);                                                       \
	} while (0)
	ROW("open fds", x_->fds);
	ROW("RSS (KiB)", x_->rss_kib);
	ROW("BPF progs", x_->bpf_progs);
	ROW("BPF maps", x_->bpf_maps);
	ROW("BPF links", x_->bpf_links);
	ROW("BTF objects", x_->btf);
	ROW("perf event fds", x_->perf_events);
	ROW("tracefs instances", x_->tracefs_instances);
#undef ROW
	fprintf(f, "soak: %-22s %12s %12s %12s %8s %8s %8s\n", "median per iteration", "median",
		"min", "max", "spread", "rCV", "drift");
	for (size_t i = 0; i < s->nseries; i++) {
		struct series_fig g = series_stats(s, &s->series[i]);
		if (!g.n)
			continue;
		fprintf(f, "soak: %-22s %12.1f %12.1f %12.1f %7.1f%% %7.1f%% %+7.1f%%\n",
			s->series[i].name, g.median, g.min, g.max, g.spread_pct, g.rcv_pct,
			g.drift_pct);
	}
}

void ks_soak_write_json(jw_t *w, const struct ks_soak *s)
{
	jw_key(w, "soak");
	jw_begin_object(w);
	jw_kv_uint(w, "iterations", s->iterations);
	jw_kv_uint(w, "completed", s->done);
	jw_key(w, "samples");
	jw_begin_array(w);
	for (size_t i = 0; i < s->nsamples; i++) {
		const struct ks_soak_sample *x = &s->samples[i];
		jw_begin_object(w);
		jw_kv_uint(w, "iteration", x->iteration);
		jw_kv_double(w, "seconds", x->seconds);
		jw_kv_int(w, "fds", x->fds);
		jw_kv_int(w, "rss_kib", x->rss_kib);
		jw_kv_int(w, "bpf_progs", x->bpf_progs);
		jw_kv_int(w, "bpf_maps", x->bpf_maps);
		jw_kv_int(w, "bpf_links", x->bpf_links);
		jw_kv_int(w, "btf", x->btf);
		jw_kv_int(w, "perf_events", x->perf_events);
		jw_kv_int(w, "tracefs_instances", x->tracefs_instances);
		jw_end_object(w);
	}
	jw_end_array(w);
	const struct ks_soak_sample *wm = warm(s), *l = s->nsamples ? &s->samples[s->nsamples - 1] : NULL;
	if (wm && l) {
		/* last minus after the first iteration: what a longer session would leak */
		jw_key(w, "growth");
		jw_begin_object(w);
		jw_kv_int(w, "fds", l->fds - wm->fds);
		jw_kv_int(w, "rss_kib", l->rss_kib - wm->rss_kib);
		jw_kv_int(w, "bpf_objects", bpf_objects(l) - bpf_objects(wm));
		jw_kv_int(w, "perf_events", l->perf_events - wm->perf_events);
		jw_kv_int(w, "tracefs_instances", l->tracefs_instances - wm->tracefs_instances);
		jw_end_object(w);
	}
	jw_key(w, "medians");
	jw_begin_array(w);
	for (size_t i = 0; i < s->nseries; i++) {
		const struct ks_soak_series *x = &s->series[i];
		struct series_fig g = series_stats(s, x);
		jw_begin_object(w);
		jw_kv_string(w, "name", x->name);
		jw_kv_string(w, "unit", x->unit);
		jw_key(w, "per_iteration");
		jw_double_array(w, x->medians, s->done);   /* NaN (null): not ok that time */
		jw_kv_uint(w, "n", g.n);
		jw_kv_double(w, "median", g.median);
		jw_kv_double(w, "min", g.min);
		jw_kv_double(w, "max", g.max);
		jw_kv_double(w, "spread_pct", g.spread_pct);
		jw_kv_double(w, "rcv_pct", g.rcv_pct);
		jw_kv_double(w, "drift_pct", g.drift_pct);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_end_object(w);
}
