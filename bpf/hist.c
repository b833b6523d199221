/* SPDX-License-Identifier: MIT */
/*
 * Probe snapshots and their bpftrace-style rendering: a per-key table
 * (count, mean, p50, p99, max) and a log2 histogram per key:
 *   [256, 512)        28 |@@@@@@@@                      |
 * Quantiles come from the log2 histogram (bucket upper bound, clamped to
 * the exact max), so they are upper bounds within a factor of two.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

void ks_probe_snapshot_free(struct ks_probe_snapshot *s)
{
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

static unsigned slot_of(uint64_t ns)
{
	return ns < 2 ? 0 : (unsigned)(63 - __builtin_clzll(ns));
}

int ks_probe_snapshot_add(struct ks_probe_snapshot *s, const char *key, uint64_t ns)
{
	struct ks_probe_key_stats *k = NULL;

	for (size_t i = 0; i < s->nkeys; i++)
		if (!strncmp(s->keys[i].key, key, KS_PROBE_KEY_LEN - 1)) {
			k = &s->keys[i];
			break;
		}
	if (!k) {
		struct ks_probe_key_stats *n = realloc(s->keys, (s->nkeys + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->keys = n;
		k = &s->keys[s->nkeys++];
		memset(k, 0, sizeof(*k));
		snprintf(k->key, sizeof(k->key), "%s", key);
		k->min_ns = UINT64_MAX;
	}
	k->count++;
	k->sum_ns += ns;
	if (ns < k->min_ns)
		k->min_ns = ns;
	if (ns > k->max_ns)
		k->max_ns = ns;
	k->hist[slot_of(ns)]++;
	return 0;
}

uint64_t ks_probe_quantile(const struct ks_probe_key_stats *k, double q)
{
	if (!k->count)
		return 0;
	uint64_t want = (uint64_t)(q * (double)k->count + 0.5), seen = 0;
	if (want < 1)
		want = 1;
	for (unsigned i = 0; i < KS_HIST_SLOTS; i++) {
		seen += k->hist[i];
		if (seen >= want) {
			uint64_t hi = i >= 63 ? UINT64_MAX : (2ULL << i);
			return hi > k->max_ns ? k->max_ns : hi;
		}
	}
	return k->max_ns;
}

static void fmt_ns(char *buf, size_t len, uint64_t v)
{
	if (v >= 1ULL << 30)
		snprintf(buf, len, "%" PRIu64 "G", v >> 30);
	else if (v >= 1ULL << 20)
		snprintf(buf, len, "%" PRIu64 "M", v >> 20);
	else if (v >= 1ULL << 10)
		snprintf(buf, len, "%" PRIu64 "K", v >> 10);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static void print_hist(FILE *f, const struct ks_probe_key_stats *k)
{
	const int width = 40;
	unsigned lo = KS_HIST_SLOTS, hi = 0;
	uint64_t peak = 0;

	for (unsigned i = 0; i < KS_HIST_SLOTS; i++)
		if (k->hist[i]) {
			if (i < lo)
				lo = i;
			hi = i;
			if (k->hist[i] > peak)
				peak = k->hist[i];
		}
	if (!peak)
		return;
	fprintf(f, "@%s (ns):\n", k->key);
	for (unsigned i = lo; i <= hi; i++) {
		char a[16], b[16], bar[64];
		uint64_t from = i == 0 ? 0 : 1ULL << i, to = i >= 63 ? UINT64_MAX : 2ULL << i;
		int n = (int)((k->hist[i] * width + peak - 1) / peak);
		fmt_ns(a, sizeof(a), from);
		fmt_ns(b, sizeof(b), to);
		memset(bar, '@', (size_t)n);
		bar[n] = 0;
		fprintf(f, "[%s, %s)%*s %8" PRIu64 " |%-*s|\n", a, b,
			(int)(14 - strlen(a) - strlen(b)), "", k->hist[i], width, bar);
	}
	fputc('\n', f);
}

void ks_probe_print(FILE *f, const struct ks_probe_snapshot *s, const char *title)
{
	if (title)
		fprintf(f, "%s\n", title);
	fprintf(f, "%-28s %10s %12s %12s %12s %12s\n", "KEY", "COUNT", "MEAN(ns)", "P50(ns)<=",
		"P99(ns)<=", "MAX(ns)");
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct ks_probe_key_stats *k = &s->keys[i];
		fprintf(f, "%-28s %10" PRIu64 " %12.0f %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
			k->key, k->count, k->count ? (double)k->sum_ns / (double)k->count : 0.0,
			ks_probe_quantile(k, 0.50), ks_probe_quantile(k, 0.99), k->max_ns);
	}
	fprintf(f, "events %" PRIu64 ", lost %" PRIu64 ", unpaired %" PRIu64, s->events, s->lost,
		s->unpaired);
	if (s->out_of_order)
		fprintf(f, ", out of order %" PRIu64, s->out_of_order);
	fprintf(f, "\n\n");
	for (size_t i = 0; i < s->nkeys; i++)
		print_hist(f, &s->keys[i]);
}
