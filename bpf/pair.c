/* SPDX-License-Identifier: MIT */
/*
 * Userspace span pairing for the tracefs backend (the BPF programs pair in
 * the kernel: vmlinux/ks_probe.bpf.h). A descriptor's decode() turns each
 * record into a start, an end or a mark on its thread; spans are keyed as
 * the BPF programs key them and named by the descriptor's key_name().
 *
 * Records arrive merged in timestamp order per read, but a thread that
 * moved CPUs while the buffers were being read can have its end read in an
 * earlier batch than its start: such an end is kept as an orphan and paired
 * when its start shows up with an earlier timestamp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_desc.h"

struct ks_tf_thread *ks_tf_thread(struct ks_tf *t, int tid)
{
	if (t->nthr * 2 >= t->cap) {   /* grow, rehash */
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct ks_tf_thread *n = calloc(ncap, sizeof(*n));
		if (!n)
			return NULL;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->thr[i].tid)
				continue;
			size_t j = (size_t)(unsigned)t->thr[i].tid * 2654435761u % ncap;
			while (n[j].tid)
				j = (j + 1) % ncap;
			n[j] = t->thr[i];
		}
		free(t->thr);
		t->thr = n;
		t->cap = ncap;
	}
	size_t j = (size_t)(unsigned)tid * 2654435761u % t->cap;
	while (t->thr[j].tid && t->thr[j].tid != tid)
		j = (j + 1) % t->cap;
	if (!t->thr[j].tid) {
		memset(&t->thr[j], 0, sizeof(t->thr[j]));
		t->thr[j].tid = tid;
		t->nthr++;
	}
	return &t->thr[j];
}

void ks_tf_span(struct ks_tf *t, uint64_t key, uint64_t from, uint64_t to)
{
	char name[KS_PROBE_KEY_LEN];

	t->desc->key_name(key, name, sizeof(name));
	ks_probe_snapshot_add(&t->acc, name, to >= from ? to - from : 0);
}

void ks_tf_start(struct ks_tf *t, struct ks_tf_thread *th, uint64_t ts, uint64_t key)
{
	if (th->orphan) {
		/* an end read in an earlier batch than its start: pair them now */
		th->orphan = false;
		if (ts <= th->orphan_ts) {
			ks_tf_span(t, key, ts, th->orphan_ts);
			th->started = true;
			return;
		}
		if (th->started)
			t->acc.unpaired++;
	}
	if (th->pending)
		t->acc.unpaired++;   /* the previous start never ended */
	th->pending = true;
	th->started = true;
	th->start_ts = ts;
	th->key = key;
}

void ks_tf_end(struct ks_tf *t, struct ks_tf_thread *th, uint64_t ts)
{
	if (th->pending && ts >= th->start_ts) {
		ks_tf_span(t, th->key, th->start_ts, ts);
		th->pending = false;
		return;
	}
	if (th->orphan && th->started)
		t->acc.unpaired++;
	th->orphan = true;    /* counted once it's clear no start precedes it */
	th->orphan_ts = ts;
}

void ks_tf_open(struct ks_tf *t, struct ks_tf_thread *th, uint64_t ts, uint64_t key)
{
	if (th->orphan && ts <= th->orphan_ts) {
		/* its end was read in an earlier batch (the thread moved CPUs) */
		th->orphan = false;
		t->acc.events++;
		ks_tf_span(t, key, ts, th->orphan_ts);
		return;
	}
	th->orphan = false;
	if (th->pending)
		t->acc.unpaired++;   /* the previous span never ended */
	th->pending = true;
	th->start_ts = ts;
	th->key = key;
}

void ks_tf_close(struct ks_tf *t, struct ks_tf_thread *th, uint64_t ts)
{
	if (th->pending && ts >= th->start_ts) {
		t->acc.events++;
		ks_tf_span(t, th->key, th->start_ts, ts);
		th->pending = false;
	} else if (!th->pending) {
		th->orphan = true;   /* maybe read before its start: kept for it */
		th->orphan_ts = ts;
	}
}

void ks_tf_free(struct ks_tf *t)
{
	free(t->thr);
	t->thr = NULL;
	t->nthr = t->cap = 0;
	free(t->priv);
	t->priv = NULL;
	ks_probe_snapshot_free(&t->acc);
}
