/* SPDX-License-Identifier: MIT */
/*
 * report_probes.c - what the in-kernel probes saw during each benchmark
 * (`kvmscope run --probes`): per probe and key, count and latency, beside
 * the guest-timed numbers.  The quantiles are log2-bucket upper bounds.
 */
#include <stdio.h>
#include <string.h>

#include "report_int.h"

static double num(const struct kj_value *o, const char *k)
{
	const struct kj_value *v = kj_get(o, k);
	return v && v->type == KJ_NUM ? v->u.num : -1;
}

static const char *str(const struct kj_value *o, const char *k)
{
	const struct kj_value *v = kj_get(o, k);
	return v && v->type == KJ_STR ? v->u.str.s : "?";
}

void ks_section_probes(struct ks_rdoc *d, struct ks_resultset **sets, size_t n)
{
	int any = 0;
	size_t silent = 0;

	for (size_t s = 0; s < n; s++)
		for (size_t i = 0; i < sets[s]->nb; i++) {
			const struct ks_rs_bench *b = &sets[s]->b[i];
			if (!b->probes || !b->probes->u.arr.n)
				continue;
			if (!any++) {
				ks_rdoc_heading(d, 1, "In-kernel breakdown (probes)");
				ks_rdoc_para(d, "Spans the host kernel saw while each benchmark ran "
					       "(kvmscope run --probes). p50/p99 are upper bounds of "
					       "log2 buckets; mean and max are exact.");
				ks_rdoc_table(d, 10, "llllrrrrrr");
				ks_rdoc_rowf(d, "set\tbenchmark\tprobe (backend)\tkey\tcount\tmean ns\t"
					       "p50 ns <=\tp99 ns <=\tmax ns\tlost/unpaired");
			}
			for (size_t p = 0; p < b->probes->u.arr.n; p++) {
				const struct kj_value *pr = &b->probes->u.arr.v[p];
				const struct kj_value *keys = kj_get(pr, "keys");
				char pb[160], lost[64];
				snprintf(pb, sizeof pb, "%.60s (%.40s)", str(pr, "probe"), str(pr, "backend"));
				snprintf(lost, sizeof lost, "%.0f/%.0f", num(pr, "lost"), num(pr, "unpaired"));
				if (!keys || keys->type != KJ_ARR || !keys->u.arr.n) {
					ks_rdoc_row(d, (const char *const[]){ sets[s]->label, b->name, pb,
						   "(no events)", "0", "-", "-", "-", "-", lost });
					continue;
				}
				for (size_t k = 0; k < keys->u.arr.n; k++) {
					const struct kj_value *kv = &keys->u.arr.v[k];
					char cnt[32], m[32], p50[32], p99[32], mx[32];
					snprintf(cnt, sizeof cnt, "%.0f", num(kv, "count"));
					/* cells, not a tab-joined row: keys come from the file */
					ks_rdoc_row(d, (const char *const[]){
						sets[s]->label, b->name, pb, str(kv, "key"), cnt,
						ks_fmt(num(kv, "mean_ns"), m, sizeof m),
						ks_fmt(num(kv, "p50_ns_upper"), p50, sizeof p50),
						ks_fmt(num(kv, "p99_ns_upper"), p99, sizeof p99),
						ks_fmt(num(kv, "max_ns"), mx, sizeof mx), lost });
				}
			}
		}
	if (silent)
		ks_rdoc_para(d, "%zu probe attachments saw no event (a probe around a benchmark "
				"that does not exercise it) and are not listed.", silent);
}
