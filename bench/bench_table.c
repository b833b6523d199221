/* SPDX-License-Identifier: MIT */
/*
 * The benchmark table: every struct ks_bench a file registered with
 * KS_BENCH_REGISTER (bench.h), found through the linker section ks_bench
 * and sorted once into suite order. Adding a benchmark edits nothing here.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* The section's bounds, provided by the linker for a section named like a
 * C identifier (not weak: a binary with no benchmark at all fails to link). */
extern const struct ks_bench *const __start_ks_bench[];
extern const struct ks_bench *const __stop_ks_bench[];

static const struct ks_bench **table;
static size_t table_n;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static int by_order(const void *a, const void *b)
{
	const struct ks_bench *x = *(const struct ks_bench *const *)a;
	const struct ks_bench *y = *(const struct ks_bench *const *)b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void build(void)
{
	size_t n = (size_t)(__stop_ks_bench - __start_ks_bench);

	if (!n || !(table = malloc(n * sizeof(*table))))
		return;
	memcpy(table, __start_ks_bench, n * sizeof(*table));
	qsort(table, n, sizeof(*table), by_order);
	table_n = n;
}

const struct ks_bench *const *ks_bench_all(size_t *n)
{
	pthread_once(&table_once, build);
	*n = table_n;
	return table;
}

const struct ks_bench *ks_bench_find(const char *name)
{
	size_t n;
	const struct ks_bench *const *all = ks_bench_all(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

bool ks_bench_available(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (b->routine && !ks_guest_has_routine(b->routine, why, len))
		return false;
	return b->available(b, h, why, len);
}
